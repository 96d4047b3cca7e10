package issuer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store"
)

// Status purposes Accolade issues (Bitstring Status List v1.0 §2.1).
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// Credential states kept on the issued record.
const (
	StateActive    = "active"
	StateRevoked   = "revoked"
	StateSuspended = "suspended"
)

const (
	collStatusLists   = "status-lists"
	collStatusCurrent = "status-current"
	collStatusAudit   = "status-audit"
	seqStatusLists    = "status-lists"
	// DefaultStatusListSize is the minimum list length of BSL v1.0 §2.1
	// (16 KiB uncompressed), which gives herd privacy.
	DefaultStatusListSize = 131072
	// DefaultStatusIndexBlock is how many status indexes a node reserves
	// in the store at once.
	DefaultStatusIndexBlock = 16
)

// Errors of status changes.
var (
	// ErrStatusConflict reports a change the credential's state forbids, such
	// as unsuspending a revoked credential.
	ErrStatusConflict = errors.New("status change not allowed")
	// ErrNoStatus reports a credential issued without a status entry.
	ErrNoStatus = errors.New("credential has no status entry")
)

// CredentialStatus is where an issued credential's status lives.
type CredentialStatus struct {
	ListID  string `json:"listId"`
	Index   int    `json:"index"`
	Purpose string `json:"purpose"`
	// State is active, revoked or suspended.
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// statusList is a list's metadata. A list belongs to one purpose and one
// issuer DID and is always signed with the key it was made under, so its
// issuer matches the credentials that point at it even after key rotation.
type statusList struct {
	ID        string    `json:"id"`
	Purpose   string    `json:"purpose"`
	Size      int       `json:"size"`
	IssuerDID string    `json:"issuerDid"`
	KeyID     string    `json:"keyId"`
	Created   time.Time `json:"created"`
}

// AuditEntry records one status change.
type AuditEntry struct {
	CredentialID string    `json:"credentialId"`
	Action       string    `json:"action"`
	Reason       string    `json:"reason,omitempty"`
	At           time.Time `json:"at"`
	ListID       string    `json:"listId"`
	Index        int       `json:"index"`
}

func validPurpose(p string) bool { return p == PurposeRevocation || p == PurposeSuspension }

// listURL is the public URL of a status list credential.
func (s *Service) listURL(listID string) string { return s.cfg.PublicURL + "/status/" + listID }

// allocateStatus hands out a random free index in the current list of the
// purpose for the signer's DID, rolling over to a new list when it is full.
// Indexes are reserved in the store in blocks of StatusIndexBlock (one
// atomic store step per block) and handed out from memory: an index is
// persisted as allocated before any credential is signed with it, so a
// stop or a crash can waste reserved indexes, never hand one out twice.
func (s *Service) allocateStatus(ctx context.Context, purpose string, signer Signer) (statusList, int, error) {
	curKey := purpose + "-" + shortHash(signer.DID)
	for range 4 {
		list, err := s.currentList(ctx, curKey, purpose, signer)
		if err != nil {
			return statusList{}, 0, err
		}
		if idx, ok := s.reserved.take(list.ID); ok {
			return list, idx, nil
		}
		starts := make([]int, min(s.cfg.StatusIndexBlock, list.Size))
		for i := range starts {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(list.Size)))
			if err != nil {
				return statusList{}, 0, err
			}
			starts[i] = int(n.Int64())
		}
		idxs, err := s.cfg.Store.AllocateMany(ctx, list.ID, starts)
		if len(idxs) > 0 {
			// A partly served block (the list filled up) still counts:
			// its indexes are reserved. The next refill meets ErrFull.
			s.reserved.put(list.ID, idxs[1:])
			return list, idxs[0], nil
		}
		if errors.Is(err, store.ErrFull) {
			// A concurrent issue may have just pooled the end of a
			// partly served block: use it before giving up on the list.
			if idx, ok := s.reserved.take(list.ID); ok {
				return list, idx, nil
			}
			if err := s.rollOver(ctx, curKey, list, purpose, signer); err != nil {
				return statusList{}, 0, err
			}
			s.reserved.drop(list.ID)
			continue
		}
		if err != nil {
			return statusList{}, 0, fmt.Errorf("allocate status index: %w", err)
		}
		return statusList{}, 0, errors.New("allocate status index: the store reserved nothing")
	}
	return statusList{}, 0, errors.New("allocate status index: lists keep filling up")
}

// indexReserve keeps the status indexes this node reserved and has not yet
// used, per list.
type indexReserve struct {
	mu   sync.Mutex
	free map[string][]int
}

func (r *indexReserve) take(listID string) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.free[listID]
	if len(f) == 0 {
		return 0, false
	}
	idx := f[len(f)-1]
	if len(f) == 1 {
		delete(r.free, listID)
	} else {
		r.free[listID] = f[:len(f)-1]
	}
	return idx, true
}

func (r *indexReserve) put(listID string, idxs []int) {
	if len(idxs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.free == nil {
		r.free = map[string][]int{}
	}
	r.free[listID] = append(r.free[listID], idxs...)
}

func (r *indexReserve) drop(listID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.free, listID)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

func (s *Service) currentList(ctx context.Context, curKey, purpose string, signer Signer) (statusList, error) {
	// A node keeps the current list in memory: if another node rolled over
	// meanwhile, Allocate on the old (full) list says so and rollOver reads
	// the new pointer.
	s.lists.mu.Lock()
	l, ok := s.lists.current[curKey]
	s.lists.mu.Unlock()
	if ok {
		return l, nil
	}
	s.lists.switching.Lock()
	defer s.lists.switching.Unlock()
	s.lists.mu.Lock()
	l, ok = s.lists.current[curKey]
	s.lists.mu.Unlock()
	if ok {
		return l, nil // another issue found it meanwhile
	}
	l, err := s.readCurrentList(ctx, curKey, purpose, signer)
	if err != nil {
		return statusList{}, err
	}
	s.lists.mu.Lock()
	s.lists.current[curKey] = l
	s.lists.mu.Unlock()
	return l, nil
}

func (s *Service) readCurrentList(ctx context.Context, curKey, purpose string, signer Signer) (statusList, error) {
	var cur struct {
		ListID string `json:"listId"`
	}
	err := s.getJSON(ctx, collStatusCurrent, curKey, &cur)
	if errors.Is(err, store.ErrNotFound) {
		list, err := s.newList(ctx, purpose, signer)
		if err != nil {
			return statusList{}, err
		}
		cur.ListID = list.ID
		switch err := s.putJSON(ctx, collStatusCurrent, curKey, cur, true); {
		case err == nil:
			return list, nil
		case errors.Is(err, store.ErrConflict):
			// Another node made the first list; use theirs (ours stays empty).
			if err := s.getJSON(ctx, collStatusCurrent, curKey, &cur); err != nil {
				return statusList{}, fmt.Errorf("status list: %w", err)
			}
		default:
			return statusList{}, fmt.Errorf("status list: %w", err)
		}
	} else if err != nil {
		return statusList{}, fmt.Errorf("status list: %w", err)
	}
	return s.list(ctx, cur.ListID)
}

func (s *Service) list(ctx context.Context, id string) (statusList, error) {
	var l statusList
	if err := s.getJSON(ctx, collStatusLists, id, &l); err != nil {
		return statusList{}, fmt.Errorf("status list %q: %w", id, err)
	}
	return l, nil
}

func (s *Service) newList(ctx context.Context, purpose string, signer Signer) (statusList, error) {
	n, err := s.cfg.Store.Next(ctx, seqStatusLists)
	if err != nil {
		return statusList{}, fmt.Errorf("new status list: %w", err)
	}
	l := statusList{ID: strconv.FormatUint(n, 10), Purpose: purpose, Size: s.cfg.StatusListSize,
		IssuerDID: signer.DID, KeyID: signer.KeyID, Created: s.now()}
	if err := s.cfg.Store.CreateList(ctx, l.ID, l.Size); err != nil {
		return statusList{}, fmt.Errorf("new status list: %w", err)
	}
	if err := s.putJSON(ctx, collStatusLists, l.ID, l, true); err != nil {
		return statusList{}, fmt.Errorf("new status list: %w", err)
	}
	s.log.InfoContext(ctx, "status list created", logctx.KeyStatusList, l.ID, "purpose", purpose, "size", l.Size)
	return l, nil
}

// rollOver replaces a full current list with a new one. Two nodes rolling
// over at once each make a list; the last pointer written wins and the
// other list keeps the few credentials it got.
func (s *Service) rollOver(ctx context.Context, curKey string, full statusList, purpose string, signer Signer) error {
	s.lists.switching.Lock()
	defer s.lists.switching.Unlock()
	s.lists.mu.Lock()
	if l, ok := s.lists.current[curKey]; ok && l.ID != full.ID {
		s.lists.mu.Unlock()
		return nil // another issue on this node already rolled over
	}
	delete(s.lists.current, curKey)
	s.lists.mu.Unlock()
	var cur struct {
		ListID string `json:"listId"`
	}
	if err := s.getJSON(ctx, collStatusCurrent, curKey, &cur); err != nil {
		return fmt.Errorf("roll over status list: %w", err)
	}
	if cur.ListID != full.ID {
		return nil // someone else already rolled over
	}
	list, err := s.newList(ctx, purpose, signer)
	if err != nil {
		return err
	}
	cur.ListID = list.ID
	if err := s.putJSON(ctx, collStatusCurrent, curKey, cur, false); err != nil {
		return fmt.Errorf("roll over status list: %w", err)
	}
	return nil
}

// StatusChange asks to revoke, suspend or unsuspend a credential.
type StatusChange struct {
	Reason string `json:"reason,omitempty"`
}

// Status actions.
const (
	ActionRevoke    = "revoke"
	ActionSuspend   = "suspend"
	ActionUnsuspend = "unsuspend"
)

// maxStatusAttempts bounds how often ChangeStatus reads again after
// another change of the same credential came first.
const maxStatusAttempts = 32

// ChangeStatus applies action to the credential with the given id. Revoking
// twice is idempotent. Unsuspending a revoked credential, or suspending a
// credential issued on a revocation list, is refused with ErrStatusConflict.
// Revoking a credential issued on a suspension list sets its bit for good.
//
// The change is one atomic store step (store.StatusTransitions) from the
// state ChangeStatus read: the bit, the record and the audit entry change
// together or not at all. If another change of the credential came first,
// ChangeStatus reads the record again and decides again, so a revoke of a
// credential revoked meanwhile succeeds and an unsuspend of it is refused.
func (s *Service) ChangeStatus(ctx context.Context, id, action string, ch StatusChange) (Issued, error) {
	for attempt := 1; ; attempt++ {
		prev, err := s.cfg.Store.Get(ctx, collCredentials, storageKey(id))
		if err != nil {
			return Issued{}, fmt.Errorf("credential: %w", err)
		}
		var rec Issued
		if err := json.Unmarshal(prev, &rec); err != nil {
			return Issued{}, fmt.Errorf("credential: %w", err)
		}
		st := rec.Status
		if st == nil {
			return Issued{}, fmt.Errorf("%w: %s", ErrNoStatus, rec.ID)
		}
		next, err := nextState(st, action)
		if err != nil {
			return Issued{}, err
		}
		if next == st.State {
			return rec, nil // already so
		}
		from, now := st.State, s.now()
		st.State, st.Reason, st.Since = next, ch.Reason, now
		raw, err := rec.EncodeJSON()
		if err != nil {
			return Issued{}, fmt.Errorf("%s: %w", action, err)
		}
		entry, err := json.Marshal(AuditEntry{CredentialID: rec.ID, Action: action, Reason: ch.Reason, At: now, ListID: st.ListID, Index: st.Index})
		if err != nil {
			return Issued{}, fmt.Errorf("%s: audit: %w", action, err)
		}
		err = s.cfg.Store.TransitionStatus(ctx, store.StatusTransition{
			Collection: collCredentials, ID: storageKey(rec.ID), ListID: st.ListID, Index: st.Index,
			From: from, To: next, Prev: prev, Record: raw,
			Audit: store.Write{Collection: collStatusAudit, ID: auditKey(rec.ID, now), Value: entry},
		})
		switch {
		case err == nil:
			s.invalidateList(st.ListID)
			s.log.InfoContext(ctx, "credential status changed", logctx.KeyCredentialID, rec.ID, "action", action,
				logctx.KeyStatusList, st.ListID, logctx.KeyStatusIndex, st.Index)
			return rec, nil
		case !errors.Is(err, store.ErrConflict):
			return Issued{}, fmt.Errorf("%s: %w", action, err)
		case attempt == maxStatusAttempts:
			// Not wrapped: the store's conflict is not the caller's.
			return Issued{}, public.WithMessage(fmt.Errorf("%w: the credential's status kept changing concurrently; try again (%v)", ErrStatusConflict, err),
				ErrStatusConflict.Error()+": the credential's status kept changing concurrently; try again")
		}
		// Another change came first: read again and decide again, after a
		// growing pause once it keeps happening.
		if attempt > 2 {
			select {
			case <-ctx.Done():
				return Issued{}, fmt.Errorf("%s: %w", action, ctx.Err())
			case <-time.After(time.Duration(attempt) * 100 * time.Microsecond):
			}
		}
	}
}

// nextState returns the state action leads to from st (st's own state if
// the credential already is so), or ErrStatusConflict or ErrInvalid.
func nextState(st *CredentialStatus, action string) (string, error) {
	switch action {
	case ActionRevoke:
		return StateRevoked, nil
	case ActionSuspend:
		switch {
		case st.Purpose != PurposeSuspension:
			return "", public.Errorf("%w: the credential was issued on a %s list; it can be revoked, not suspended", ErrStatusConflict, st.Purpose)
		case st.State == StateRevoked:
			return "", public.Errorf("%w: the credential is revoked", ErrStatusConflict)
		}
		return StateSuspended, nil
	case ActionUnsuspend:
		if st.State == StateRevoked {
			return "", public.Errorf("%w: a revoked credential cannot be unsuspended", ErrStatusConflict)
		}
		return StateActive, nil
	}
	return "", public.WithMessage(fmt.Errorf("%w: unknown status action %q", ErrInvalid, action), fmt.Sprintf("unknown status action %q", action))
}

// auditKey is the key of a credential's audit entry made at t: the
// record's key, the time in nanoseconds (19 digits until 2286, so keys sort
// by time) and a random suffix, so that two entries never share a key.
func auditKey(credID string, t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return storageKey(credID) + "-" + strconv.FormatInt(t.UnixNano(), 10) + "-" + hex.EncodeToString(b[:])
}

// Audit returns a credential's status changes, oldest first.
func (s *Service) Audit(ctx context.Context, id string) ([]AuditEntry, error) {
	key := storageKey(id)
	var out []AuditEntry
	after := key + "-"
	for {
		page, err := s.cfg.Store.List(ctx, collStatusAudit, after, 100)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		for _, r := range page.Records {
			if len(r.ID) <= len(key) || r.ID[:len(key)+1] != key+"-" {
				return out, nil
			}
			var e AuditEntry
			if err := json.Unmarshal(r.Value, &e); err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			out = append(out, e)
		}
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}

// BulkResult reports a bulk status change.
type BulkResult struct {
	Matched int      `json:"matched"`
	Changed int      `json:"changed"`
	Failed  []string `json:"failed,omitempty"`
}

// RevokeMatching revokes every credential the query matches (achievement
// and/or recipient; at least one is required).
func (s *Service) RevokeMatching(ctx context.Context, q ListQuery, ch StatusChange) (BulkResult, error) {
	if q.AchievementID == "" && q.Recipient == "" {
		return BulkResult{}, invalid([]*credential.ValidationError{{Field: "filter", Reason: "give achievementId and/or recipient"}})
	}
	var res BulkResult
	q.Cursor, q.Limit = "", 200
	for {
		page, err := s.Credentials(ctx, q)
		if err != nil {
			return res, err
		}
		for _, rec := range page.Items {
			res.Matched++
			if rec.Status == nil || rec.Status.State == StateRevoked {
				continue
			}
			if _, err := s.ChangeStatus(ctx, rec.ID, ActionRevoke, ch); err != nil {
				res.Failed = append(res.Failed, rec.ID)
				continue
			}
			res.Changed++
		}
		if page.Next == nil {
			return res, nil
		}
		q.Cursor = *page.Next
	}
}

// ListDocument is a signed status list credential ready to serve.
type ListDocument struct {
	Body        []byte
	ContentType string
	ETag        string
	// TTL is how long caches may keep it.
	TTL     time.Duration
	Version uint64
}

type listCacheEntry struct {
	version uint64
	format  string
	doc     ListDocument
	expires time.Time
}

// listCache keeps signed list credentials per list and format until the
// bits change or they age past half their TTL; signing on read then costs
// one bitstring encode and one signature per change, never per credential.
type listCache struct {
	mu      sync.Mutex
	m       map[string]listCacheEntry
	current map[string]statusList // current list per purpose and issuer DID
	// switching serialises finding, creating and rolling over current
	// lists, so that concurrent first issues on a node make one list, not
	// one each. (Nodes racing each other can still each make one; the
	// loser's stays empty.)
	switching sync.Mutex
}

func (s *Service) invalidateList(listID string) {
	s.lists.mu.Lock()
	for k := range s.lists.m {
		if len(k) > len(listID) && k[:len(listID)+1] == listID+"|" {
			delete(s.lists.m, k)
		}
	}
	s.lists.mu.Unlock()
	// After the signed copies are gone, so a refetch gets the new bits.
	if s.cfg.OnStatusChange != nil {
		s.cfg.OnStatusChange(s.listURL(listID))
	}
}

var _ status.LocalLists = (*Service)(nil)

// listIDOf returns the ID of the status list this issuer publishes at url.
func (s *Service) listIDOf(url string) (string, bool) {
	id, ok := strings.CutPrefix(url, s.cfg.PublicURL+"/status/")
	if !ok || id == "" || strings.ContainsAny(id, "/?#%") {
		return "", false
	}
	return id, true
}

// StatusListVersion returns the version of the bits of the list this
// issuer publishes at url (status.LocalLists): the node's own verifier
// asks it on every check, so it never trusts a cached copy older than the
// store, whichever node changed the list.
func (s *Service) StatusListVersion(ctx context.Context, url string) (uint64, bool, error) {
	id, ok := s.listIDOf(url)
	if !ok {
		return 0, false, nil
	}
	_, _, version, err := s.cfg.Store.ListInfo(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("status list %s version: %w", id, err)
	}
	return version, true, nil
}

// LocalStatusList returns the signed list credential (VC-JWT, the cheaper
// to verify) this issuer publishes at url, read from the store rather than
// fetched over HTTP (status.LocalLists).
func (s *Service) LocalStatusList(ctx context.Context, url string) ([]byte, uint64, bool, error) {
	id, ok := s.listIDOf(url)
	if !ok {
		return nil, 0, false, nil
	}
	doc, err := s.StatusListCredential(ctx, id, ListFormatJWT)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, false, nil
	} else if err != nil {
		return nil, 0, false, err
	}
	return doc.Body, doc.Version, true, nil
}

// Formats a status list credential can be served in.
const (
	ListFormatDI  = "ldp_vc"
	ListFormatJWT = "jwt_vc"
)

// StatusListCredential returns the signed BitstringStatusListCredential of a
// list, as Data Integrity (ldp_vc) or VC-JWT (jwt_vc).
func (s *Service) StatusListCredential(ctx context.Context, listID, format string) (ListDocument, error) {
	list, err := s.list(ctx, listID)
	if err != nil {
		return ListDocument{}, err
	}
	bits, version, err := s.cfg.Store.Bits(ctx, listID)
	if err != nil {
		return ListDocument{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	now := s.now()
	cacheKey := listID + "|" + format
	s.lists.mu.Lock()
	if e, ok := s.lists.m[cacheKey]; ok && e.version == version && now.Before(e.expires) {
		s.lists.mu.Unlock()
		return e.doc, nil
	}
	s.lists.mu.Unlock()

	encoded, err := status.Encode(bits)
	if err != nil {
		return ListDocument{}, err
	}
	ttl := s.cfg.StatusTTL
	url := s.listURL(listID)
	vc := status.ListCredential(url, list.IssuerDID, list.Purpose, encoded, now, now.Add(24*time.Hour), ttl)
	key, err := s.cfg.Identity.Key(ctx, list.KeyID)
	if err != nil {
		return ListDocument{}, err
	}
	vm := s.verificationMethod(list.IssuerDID, list.KeyID, key)
	doc := ListDocument{TTL: ttl, Version: version}
	switch format {
	case ListFormatJWT:
		tok, err := jose.SignCredential(vc, key, vm, jose.SignOptions{})
		if err != nil {
			return ListDocument{}, fmt.Errorf("sign status list: %w", err)
		}
		doc.Body, doc.ContentType = []byte(tok), "application/vc+jwt"
	default:
		if key.Alg() != keys.EdDSA {
			return ListDocument{}, fmt.Errorf("sign status list %s: its key %s is not Ed25519; ask for application/vc+jwt", listID, list.KeyID)
		}
		signed, err := s.cfg.DI.Sign(ctx, vc, key, di.Options{VerificationMethod: vm, Created: now})
		if err != nil {
			return ListDocument{}, fmt.Errorf("sign status list: %w", err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(signed); err != nil {
			return ListDocument{}, err
		}
		doc.Body, doc.ContentType = buf.Bytes(), "application/vc"
	}
	sum := sha256.Sum256(doc.Body)
	doc.ETag = `"` + listID + "-" + strconv.FormatUint(version, 10) + "-" + hex.EncodeToString(sum[:6]) + `"`
	s.lists.mu.Lock()
	s.lists.m[cacheKey] = listCacheEntry{version: version, format: format, doc: doc, expires: now.Add(ttl / 2)}
	s.lists.mu.Unlock()
	return doc, nil
}

// verificationMethod names key under did: did:web#key-N or did:key#z….
func (s *Service) verificationMethod(issuerDID, keyID string, key *keys.Key) string {
	if issuerDID == s.cfg.Identity.WebDID() {
		return issuerDID + "#" + keyID
	}
	return issuerDID + "#" + key.MultikeyPublic()
}

// StatusListInfo describes a list for `accolade status show`.
type StatusListInfo struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Purpose   string    `json:"purpose"`
	Size      int       `json:"size"`
	Allocated int       `json:"allocated"`
	Set       int       `json:"set"`
	Version   uint64    `json:"version"`
	IssuerDID string    `json:"issuerDid"`
	Created   time.Time `json:"created"`
}

// StatusListInfo reports a list's size, allocated and set entries.
func (s *Service) StatusListInfo(ctx context.Context, listID string) (StatusListInfo, error) {
	l, err := s.list(ctx, listID)
	if err != nil {
		return StatusListInfo{}, err
	}
	size, allocated, version, err := s.cfg.Store.ListInfo(ctx, listID)
	if err != nil {
		return StatusListInfo{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	bits, _, err := s.cfg.Store.Bits(ctx, listID)
	if err != nil {
		return StatusListInfo{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	set := 0
	for _, b := range bits {
		for ; b != 0; b &= b - 1 {
			set++
		}
	}
	return StatusListInfo{ID: l.ID, URL: s.listURL(l.ID), Purpose: l.Purpose, Size: size, Allocated: allocated, Set: set,
		Version: version, IssuerDID: l.IssuerDID, Created: l.Created}, nil
}

// StatusLists lists every status list.
func (s *Service) StatusLists(ctx context.Context) ([]StatusListInfo, error) {
	var out []StatusListInfo
	after := ""
	for {
		page, err := s.cfg.Store.List(ctx, collStatusLists, after, 100)
		if err != nil {
			return nil, fmt.Errorf("status lists: %w", err)
		}
		for _, r := range page.Records {
			info, err := s.StatusListInfo(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, info)
		}
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}
