package wallet

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/internal/ratelimit"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/store"
)

// Store is the storage the wallet needs: documents for holders, DIDs,
// credentials and share links, and tokens for sessions. A store that also
// implements store.Batcher (all of Accolade's do) makes sign-up and import
// atomic.
type Store interface {
	store.Docs
	store.Tokens
}

// Check outcomes in a Report, as the verifier names them.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusWarning = "warning"
	StatusSkipped = "skipped"
)

// Credential check names the wallet acts on, as the verifier names them.
const (
	CheckFormat   = "format"
	CheckProof    = "proof"
	CheckIssuer   = "issuer"
	CheckValidity = "validity"
	CheckStatus   = "status"
)

// Report is a credential verification report as the wallet keeps it: the
// verifier's named checks.
type Report struct {
	Verified bool   `json:"verified"`
	Format   string `json:"format,omitempty"`
	Shape    string `json:"shape,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	// ProofMethod is the verification method that verified.
	ProofMethod string  `json:"verificationMethod,omitempty"`
	Checks      []Check `json:"checks"`
	// Checked is when the verification ran.
	Checked time.Time `json:"checked"`
	// Credential is the credential as verified (for a JWT, its payload as
	// a credential). The wallet reads it and does not store it.
	Credential map[string]any `json:"-"`
}

// Check is one named check of a Report.
type Check struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

func (r *Report) check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func (r *Report) failed(name string) bool {
	c, ok := r.check(name)
	return ok && c.Status == StatusFailed
}

// Verifier verifies a credential before the wallet keeps it: input is a
// credential object (map[string]any) or a compact JWT (string). The cmd
// wiring adapts package verifier to it.
type Verifier interface {
	Verify(ctx context.Context, input any) *Report
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, input any) *Report

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, input any) *Report { return f(ctx, input) }

var _ Verifier = VerifierFunc(nil)

// Limits bounds sign-in attempts: each key (an email address, a client IP)
// may make Attempts attempts per Window, as a token bucket refilled evenly
// over the window. Zero Attempts disables that limit.
type Limits struct {
	PerEmail int
	PerIP    int
	Window   time.Duration
}

// Config holds the wallet's dependencies and settings.
type Config struct {
	Store Store
	// KEK seals holder keys at rest: the installation's key-encryption key,
	// the one the issuer's keys are sealed with.
	KEK      *keys.KEK
	Verifier Verifier
	// DI signs Data Integrity presentations (eddsa-rdfc-2022); it needs a
	// Canonicalizer.
	DI *di.Signer
	// PublicURL prefixes share links (PublicURL + "/share/" + token).
	PublicURL string
	Logger    *slog.Logger
	Now       func() time.Time
	// SessionTTL is how long a sign-in lasts (default 12h).
	SessionTTL time.Duration
	// PresentationTTL is how long a presentation stays valid: the VP-JWT
	// exp, the Data Integrity proof's expires (default 10m).
	PresentationTTL time.Duration
	// SignIn limits sign-in (and sign-up) attempts. The zero value means
	// DefaultLimits.
	SignIn Limits
	// Argon2 are the password hashing parameters (zero value:
	// DefaultArgon2). Stored hashes carry their own, so changing them
	// affects new and changed passwords only.
	Argon2 Argon2Params
	// MaxCredentials caps the credentials of one holder (default 10,000).
	MaxCredentials int
	// Mailer sends the sign-up confirmation links. Nil drops them, with a
	// log line: no sign-up can then be confirmed.
	Mailer Mailer
	// SignUpTTL is how long a sign-up confirmation link works (default
	// 24h).
	SignUpTTL time.Duration
	// HTTPClient reaches issuers (OpenID4VCI) and verifiers (OpenID4VP);
	// the cmd wiring passes a guarded client. Nil means a plain client
	// with a 15s timeout.
	HTTPClient *http.Client
	// Resolver resolves the DIDs of OpenID4VP verifiers that sign their
	// requests with the decentralized_identifier: client identifier
	// prefix. Nil means did:key and did:jwk only.
	Resolver did.Resolver
	// VerifierAttesters are the issuers of Verifier Attestation JWTs
	// (iss to public key) the wallet trusts for OpenID4VP requests with
	// the verifier_attestation: prefix. None means such requests are
	// refused.
	VerifierAttesters map[string]crypto.PublicKey
}

// DefaultLimits allow 5 sign-in attempts per email address and 20 per
// client IP each minute.
var DefaultLimits = Limits{PerEmail: 5, PerIP: 20, Window: time.Minute}

// Service is the wallet. It is safe for concurrent use.
type Service struct {
	cfg     Config
	log     *slog.Logger
	secrets *keys.SecretHasher
	byEmail *ratelimit.Limiter
	byIP    *ratelimit.Limiter
	// hashing bounds concurrent password hashes, each of which takes
	// Argon2.MemoryKiB of memory.
	hashing chan struct{}
	// dummyHash is checked against when an address is unknown, so that
	// sign-in takes as long whether or not the address has a wallet.
	dummyHash func() string
}

// New returns the wallet service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.KEK == nil || cfg.Verifier == nil || cfg.DI == nil || cfg.DI.Canonicalizer == nil {
		return nil, errors.New("wallet: store, key-encryption key, verifier and a DI signer with a canonicalizer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.PresentationTTL <= 0 {
		cfg.PresentationTTL = 10 * time.Minute
	}
	if cfg.SignIn == (Limits{}) {
		cfg.SignIn = DefaultLimits
	}
	if cfg.SignIn.Window <= 0 {
		cfg.SignIn.Window = time.Minute
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if err := cfg.Argon2.validate(); err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	if cfg.MaxCredentials <= 0 {
		cfg.MaxCredentials = 10000
	}
	if cfg.SignUpTTL <= 0 {
		cfg.SignUpTTL = 24 * time.Hour
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	// Session and share-link tokens are stored as keyed hashes; every node
	// with the same KEK derives the same key.
	secrets, err := cfg.KEK.SecretHasher(secretsPurpose)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return &Service{
		cfg:       cfg,
		log:       cfg.Logger.With(logctx.KeyComponent, "wallet"),
		secrets:   secrets,
		byEmail:   ratelimit.New(cfg.SignIn.PerEmail, cfg.SignIn.Window, cfg.Now),
		byIP:      ratelimit.New(cfg.SignIn.PerIP, cfg.SignIn.Window, cfg.Now),
		hashing:   make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		dummyHash: sync.OnceValue(func() string { return hashPassword("accolade: no such holder", cfg.Argon2) }),
	}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Storage layout. Per-holder collections end in the holder's ID, so one
// holder's listing never meets another's records.
const (
	collHolders     = "wallet-holders"
	collEmails      = "wallet-emails"
	collDIDs        = "wallet-dids:"        // + holder ID
	collCredentials = "wallet-credentials:" // + holder ID
	collCredIndex   = "wallet-credidx:"     // + holder ID: duplicate detection
	collShares      = "wallet-shares"
	collShareIndex  = "wallet-shareidx:" // + holder ID
	tokenSession    = "wallet-session"
	tokenSignUp     = "wallet-signup"

	// secretsPurpose labels the key of the wallet's keyed hashes.
	secretsPurpose = "accolade/wallet secrets v1"
)

// randomToken returns 32 random bytes, base64url without padding.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Service) getJSON(ctx context.Context, coll, id string, v any) error {
	raw, err := s.cfg.Store.Get(ctx, coll, id)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", coll, id, err)
	}
	return nil
}

// apply writes a batch atomically when the store can, else in order
// (create-if-absent writes first, so a crash leaves at worst an orphaned
// index entry); on a conflict the creates already made are undone.
func (s *Service) apply(ctx context.Context, writes []store.Write) error {
	if b, ok := s.cfg.Store.(store.Batcher); ok {
		return b.Apply(ctx, writes)
	}
	var done []store.Write
	for _, w := range writes {
		var err error
		if w.Create {
			err = s.cfg.Store.Create(ctx, w.Collection, w.ID, w.Value)
		} else {
			err = s.cfg.Store.Put(ctx, w.Collection, w.ID, w.Value)
		}
		if err != nil {
			for _, d := range done {
				if d.Create {
					_ = s.cfg.Store.Delete(ctx, d.Collection, d.ID)
				}
			}
			return err
		}
		done = append(done, w)
	}
	return nil
}

// each calls fn for every record of coll, in ID order, until fn returns
// false or an error.
func (s *Service) each(ctx context.Context, coll string, fn func(store.Record) (bool, error)) error {
	after := ""
	for {
		p, err := s.cfg.Store.List(ctx, coll, after, 200)
		if err != nil {
			return err
		}
		for _, r := range p.Records {
			more, err := fn(r)
			if err != nil || !more {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		after = p.Next
	}
}
