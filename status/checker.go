package status

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Checker defaults, used for zero CheckerConfig fields.
const (
	DefaultTTL           = 5 * time.Minute
	DefaultErrorTTL      = 10 * time.Second
	DefaultMaxEntries    = 256
	DefaultMaxCacheBytes = 64 << 20
)

// CheckerConfig holds a Checker's dependencies and settings.
type CheckerConfig struct {
	// Fetch GETs url with accept as the Accept header and returns the body
	// and its Content-Type. The cmd passes the guarded client of
	// internal/httpguard, which refuses private addresses and caps the
	// size. Nil makes every check a STATUS_RETRIEVAL_ERROR.
	Fetch func(ctx context.Context, url, accept string) (body []byte, contentType string, err error)
	// VerifyList verifies every proof of a fetched status list credential
	// (a JSON-LD credential with a Data Integrity proof, or a JWT) and
	// returns the credential as a JSON object and its issuer id. The cmd
	// wires the verifier here. Nil makes every Bitstring Status List and
	// StatusList2021 check a STATUS_VERIFICATION_ERROR: an unverified list
	// never passes.
	VerifyList func(ctx context.Context, raw []byte) (list map[string]any, issuer string, err error)
	// TTL is how long a fetched list is kept (DefaultTTL when zero or
	// less). A smaller ttl in the list (milliseconds) wins, and a list is
	// not kept past its validUntil.
	TTL time.Duration
	// ErrorTTL is how long a failed fetch, verification or decode is
	// remembered, so a broken list is not fetched for every credential
	// that names it (DefaultErrorTTL when zero; negative: not remembered).
	ErrorTTL time.Duration
	// MaxEntries is the most lists kept in the cache (DefaultMaxEntries
	// when zero or less); the oldest fetch is evicted first.
	MaxEntries int
	// MaxCacheBytes bounds the decoded bitstrings and revocation lists kept
	// in the cache (DefaultMaxCacheBytes when zero or less).
	MaxCacheBytes int64
	// ClockSkew is the tolerance applied to the list's validity period.
	ClockSkew time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Local, when set, serves the lists this node publishes from its own
	// store rather than over HTTP, and its cached copy of such a list is
	// used only while the list's version is unchanged: a node never
	// answers from a stale copy of a list it serves itself, also when
	// another node sharing the store changed it.
	Local LocalLists
}

// LocalLists are the status lists a node publishes itself (the issuer
// implements it). ok is false for a URL that is not one of them, which is
// then fetched over HTTP.
type LocalLists interface {
	// StatusListVersion returns the version of the list at url: a number
	// that changes whenever one of its bits does. It must be cheap; it is
	// asked on every check.
	StatusListVersion(ctx context.Context, url string) (version uint64, ok bool, err error)
	// LocalStatusList returns the signed status list credential at url (as
	// Fetch would) and the version its bits have.
	LocalStatusList(ctx context.Context, url string) (raw []byte, version uint64, ok bool, err error)
}

// Checker checks credentialStatus entries against their status lists,
// caching the lists. It is safe for concurrent use. Its CheckStatus method
// satisfies verifier.StatusChecker.
type Checker struct {
	cfg   CheckerConfig
	cache *cache
}

// NewChecker returns a Checker with cfg, defaults filled in.
func NewChecker(cfg CheckerConfig) *Checker {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.ErrorTTL == 0 {
		cfg.ErrorTTL = DefaultErrorTTL
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxCacheBytes <= 0 {
		cfg.MaxCacheBytes = DefaultMaxCacheBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Checker{cfg: cfg}
	c.cache = newCache(c.load, cfg.MaxEntries, cfg.MaxCacheBytes, cfg.ErrorTTL, cfg.Now)
	return c
}

// Forget drops the cached copy of the status list at url, so the next
// check fetches it again. An issuer that changes a list it also verifies
// calls it, so that its own verifier sees the change at once; other
// verifiers see it when their copy's ttl ends.
func (c *Checker) Forget(url string) { c.cache.forget(url) }

// load fetches and reads the list of key for the cache.
func (c *Checker) load(ctx context.Context, key cacheKey) (any, int64, time.Time, error) {
	if key.kind == kindRevocationList {
		return c.loadRevocationList(ctx, key.url)
	}
	return c.loadBitstring(ctx, key.kind, key.url)
}

// Result is the status a list gives an entry (Bitstring Status List v1.0
// §3.2 step 10).
type Result struct {
	// Type is the entry's type.
	Type string
	// Purpose is the entry's statusPurpose ("revocation" for a
	// 1EdTechRevocationList).
	Purpose string
	// URL is the status list's URL.
	URL string
	// Index is the entry's statusListIndex, -1 for a 1EdTechRevocationList.
	Index int
	// Size is the entry's statusSize in bits.
	Size int
	// Status is the entry's value; zero means unset (for a
	// 1EdTechRevocationList, 1 means listed as revoked).
	Status uint64
	// Message is the entry's statusMessage text for Status, if declared.
	Message string
}

// Err returns what a relying party must act on: an *Error matching
// ErrRevoked or ErrSuspended when Status is set for the purpose revocation
// or suspension, else nil. A set value for refresh, message or any other
// purpose does not invalidate the credential.
func (r Result) Err() error {
	if r.Status == 0 {
		return nil
	}
	var code string
	switch r.Purpose {
	case PurposeRevocation:
		code = CodeRevoked
	case PurposeSuspension:
		code = CodeSuspended
	default:
		return nil
	}
	e := &Error{Code: code, Purpose: r.Purpose, Index: r.Index, URL: r.URL}
	switch {
	case r.Index < 0:
		e.Err = errors.New("the credential is listed in " + r.URL)
	case r.Size <= 1:
		e.Err = fmt.Errorf("bit %d of %s is set", r.Index, r.URL)
	default:
		e.Err = fmt.Errorf("entry %d of %s has status 0x%x", r.Index, r.URL, r.Status)
	}
	if r.Message != "" {
		e.Err = fmt.Errorf("%w (%q)", e.Err, r.Message)
	}
	return e
}

// CheckStatus checks one credentialStatus entry of cred. It returns
// handled=false and no error for entry types it does not know. Otherwise
// handled is true and err is nil when the status is determined and does not
// invalidate the credential, or an *Error: one of the Recommendation's
// errors, or REVOKED or SUSPENDED (see Result.Err).
func (c *Checker) CheckStatus(ctx context.Context, cred, entry map[string]any) (handled bool, err error) {
	r, err := c.Check(ctx, cred, entry)
	if errors.Is(err, ErrUnsupported) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	return true, r.Err()
}

// Check reads the status of one credentialStatus entry of cred without
// judging it: a set value is a Result, not an error. It fails with
// ErrUnsupported for entry types it does not know and with an *Error when
// the status cannot be determined.
func (c *Checker) Check(ctx context.Context, cred, entry map[string]any) (Result, error) {
	k, typ := entryKind(entry)
	switch k {
	case kindBitstring, kind2021:
		return c.checkBitstring(ctx, cred, entry, k, typ)
	case kindRevocationList:
		return c.checkRevocationList(ctx, cred, entry)
	}
	return Result{}, fmt.Errorf("status: %w %s", ErrUnsupported, jsonText(entry["type"]))
}

// checkBitstring runs Bitstring Status List v1.0 §3.2 for a
// BitstringStatusListEntry or a StatusList2021Entry.
func (c *Checker) checkBitstring(ctx context.Context, cred, entry map[string]any, k kind, typ string) (Result, error) {
	info, err := parseEntry(entry, k, typ)
	if err != nil {
		return Result{}, err
	}
	v, err := c.cache.get(ctx, cacheKey{k, info.url})
	failf := func(code, format string, args ...any) (Result, error) {
		e := fail(code, info.url, format, args...)
		e.Purpose, e.Index = info.purpose, info.index
		return Result{}, e
	}
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			// The cached error is shared; the caller's entry is not.
			cp := *se
			cp.Purpose, cp.Index = info.purpose, info.index
			return Result{}, &cp
		}
		return failf(CodeRetrieval, "status list %s: %w", info.url, err)
	}
	l := v.(*bitList)
	if l.local {
		// The list is this node's: a copy of an older version is stale.
		if ver, ok, verr := c.cfg.Local.StatusListVersion(ctx, info.url); verr == nil && ok && ver != l.version {
			c.cache.forget(info.url)
			if v, err = c.cache.get(ctx, cacheKey{k, info.url}); err != nil {
				return failf(CodeRetrieval, "status list %s: %w", info.url, err)
			}
			l = v.(*bitList)
		}
	}

	// Trust in the list's issuer is the verifier's policy (§3.2 step 2
	// and the Recommendation's security considerations); ours is that the
	// credential's issuer publishes its own lists.
	if iss := issuerID(cred); iss == "" || iss != l.issuer {
		return failf(CodeVerification, "status list %s is issued by %s, not by the credential's issuer %s", info.url, l.issuer, orNone(iss))
	}
	now := c.cfg.Now()
	if !l.validFrom.IsZero() && now.Add(c.cfg.ClockSkew).Before(l.validFrom) {
		return failf(CodeVerification, "status list %s is not valid before %s", info.url, l.validFrom.Format(time.RFC3339))
	}
	if !l.validUntil.IsZero() && now.Add(-c.cfg.ClockSkew).After(l.validUntil) {
		return failf(CodeVerification, "status list %s expired at %s", info.url, l.validUntil.Format(time.RFC3339))
	}
	if !contains(l.purposes, info.purpose) {
		return failf(CodeVerification, "status list %s serves %v, not the entry's purpose %s", info.url, l.purposes, info.purpose)
	}
	if entries := len(l.bits) * 8 / info.size; entries < MinEntries {
		return failf(CodeListLength, "status list %s has %d entries of %d bits, fewer than %d", info.url, entries, info.size, MinEntries)
	}
	status, err := Get(l.bits, info.index, info.size)
	if err != nil {
		return failf(CodeRange, "index %d is outside status list %s of %d entries", info.index, info.url, len(l.bits)*8/info.size)
	}
	return Result{
		Type:    typ,
		Purpose: info.purpose,
		URL:     info.url,
		Index:   info.index,
		Size:    info.size,
		Status:  status,
		Message: info.message(status),
	}, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
