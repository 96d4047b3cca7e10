package issuer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/store"
)

// Collections and names this file keeps in the store.
const (
	collKeys     = "issuer-keys"
	collIssuer   = "issuer"
	collProfiles = "profiles"
	docIdentity  = "identity"
	seqKeys      = "issuer-keys"

	// DefaultProfileID is the ID of the issuer profile made on first start.
	DefaultProfileID = "default"
)

// Key status values.
const (
	KeyActive  = "active"
	KeyRetired = "retired"
)

// IdentityStore is the storage the identity needs.
type IdentityStore interface {
	store.Docs
	store.Sequences
}

// IdentityConfig holds the identity's dependencies and settings.
type IdentityConfig struct {
	Store     IdentityStore
	KEK       *keys.KEK
	PublicURL string
	// DIDMethod picks the DID placed in credentials: "web", "key" or "auto"
	// (web when the public URL is https, else key).
	DIDMethod string
	// KeyAlg is the algorithm of keys made by Bootstrap and Rotate by default.
	KeyAlg      keys.Alg
	ProfileName string
	Logger      *slog.Logger
	Now         func() time.Time
	// CacheTTL bounds how long another node's rotation can go unseen.
	CacheTTL time.Duration
}

// Identity is the issuer's signing identity: its keys and DIDs.
type Identity struct {
	cfg    IdentityConfig
	webDID string
	log    *slog.Logger

	mu       sync.Mutex
	loadedAt time.Time
	state    identityDoc
	active   KeyInfo              // of state.ActiveKey once read
	keyCache map[string]*keys.Key // by key ID, decrypted once
}

// KeyInfo describes one issuer key, without private material.
type KeyInfo struct {
	ID                 string    `json:"id"`
	Alg                keys.Alg  `json:"alg"`
	Status             string    `json:"status"`
	Created            time.Time `json:"created"`
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	// DIDKey is the did:key of this key; KeyMethod its verification method.
	DIDKey    string `json:"didKey"`
	KeyMethod string `json:"didKeyVerificationMethod"`
	// WebMethod is the key's verification method in the did:web document.
	WebMethod string `json:"didWebVerificationMethod"`
}

// Summary describes the identity for the admin API and the CLI.
type Summary struct {
	DID       string    `json:"did"`
	WebDID    string    `json:"didWeb"`
	ActiveKey KeyInfo   `json:"activeKey"`
	Keys      []KeyInfo `json:"keys"`
}

type identityDoc struct {
	ActiveKey string    `json:"activeKey"`
	Created   time.Time `json:"created"`
	Rotated   time.Time `json:"rotated,omitzero"`
}

type keyRecord struct {
	ID      string      `json:"id"`
	Status  string      `json:"status"`
	Retired time.Time   `json:"retired,omitzero"`
	Sealed  keys.Sealed `json:"sealed"`
}

// Profile is an issuer profile as stored. The default one is made on first
// start.
type Profile struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	URL         string            `json:"url,omitempty"`
	Email       string            `json:"email,omitempty"`
	Phone       string            `json:"phone,omitempty"`
	Description string            `json:"description,omitempty"`
	Image       *credential.Image `json:"image,omitempty"`
	// Slug names the profile's public page, /issuers/{slug}. Profiles
	// stored before slugs existed have none: PublicSlug derives it.
	Slug    string    `json:"slug,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated,omitzero"`
}

// PublicSlug is the profile's slug: the one set, else one derived from its
// name.
func (p Profile) PublicSlug() string {
	if p.Slug != "" {
		return p.Slug
	}
	return Slugify(p.Name)
}

// NewIdentity returns the identity; call Bootstrap before use.
func NewIdentity(cfg IdentityConfig) (*Identity, error) {
	if cfg.Store == nil || cfg.KEK == nil {
		return nil, errors.New("issuer identity: store and key-encryption key are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.KeyAlg == "" {
		cfg.KeyAlg = keys.EdDSA
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Second
	}
	webDID, err := did.WebDID(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("issuer identity: %w", err)
	}
	return &Identity{cfg: cfg, webDID: webDID, log: cfg.Logger.With(logctx.KeyComponent, "identity"), keyCache: map[string]*keys.Key{}}, nil
}

// Bootstrap makes the identity on first start: a signing key sealed with the
// key-encryption key, and the default issuer profile. On later starts it
// loads them, and fails if the key-encryption key cannot open the keys. It is
// safe to run on several nodes at once: exactly one identity wins.
func (id *Identity) Bootstrap(ctx context.Context) (created bool, err error) {
	if _, err := id.load(ctx, true); err == nil {
		_, err = id.Active(ctx)
		return false, err
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	rec, err := id.newKey(ctx, id.cfg.KeyAlg)
	if err != nil {
		return false, err
	}
	doc := identityDoc{ActiveKey: rec.ID, Created: id.cfg.Now().UTC()}
	raw, _ := json.Marshal(doc)
	switch err := id.cfg.Store.Create(ctx, collIssuer, docIdentity, raw); {
	case errors.Is(err, store.ErrConflict):
		// Another node bootstrapped first; drop our unused key.
		_ = id.cfg.Store.Delete(ctx, collKeys, rec.ID)
	case err != nil:
		return false, fmt.Errorf("bootstrap identity: %w", err)
	default:
		created = true
	}
	if err := id.ensureDefaultProfile(ctx); err != nil {
		return false, err
	}
	if _, err := id.load(ctx, true); err != nil {
		return false, err
	}
	info, err := id.Active(ctx)
	if err != nil {
		return false, err
	}
	if created {
		id.log.InfoContext(ctx, "issuer identity created", logctx.KeyKeyID, info.ID, logctx.KeyIssuerDID, id.DIDFor(info), "did_web", id.webDID)
	}
	return created, nil
}

func (id *Identity) ensureDefaultProfile(ctx context.Context) error {
	p := Profile{ID: DefaultProfileID, Name: id.cfg.ProfileName, URL: id.cfg.PublicURL, Created: id.cfg.Now().UTC()}
	raw, _ := json.Marshal(p)
	if err := id.cfg.Store.Create(ctx, collProfiles, p.ID, raw); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("create default profile: %w", err)
	}
	return nil
}

// newKey generates, seals and stores a key with the next key-N ID.
func (id *Identity) newKey(ctx context.Context, alg keys.Alg) (keyRecord, error) {
	n, err := id.cfg.Store.Next(ctx, seqKeys)
	if err != nil {
		return keyRecord{}, fmt.Errorf("new issuer key: %w", err)
	}
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		return keyRecord{}, fmt.Errorf("new issuer key: %w", err)
	}
	k.ID = fmt.Sprintf("key-%d", n)
	sealed, err := keys.Seal(id.cfg.KEK, k)
	if err != nil {
		return keyRecord{}, fmt.Errorf("new issuer key: %w", err)
	}
	rec := keyRecord{ID: k.ID, Status: KeyActive, Sealed: sealed}
	raw, _ := json.Marshal(rec)
	if err := id.cfg.Store.Create(ctx, collKeys, rec.ID, raw); err != nil {
		return keyRecord{}, fmt.Errorf("store issuer key: %w", err)
	}
	return rec, nil
}

// load returns the identity document, from cache when fresh.
func (id *Identity) load(ctx context.Context, force bool) (identityDoc, error) {
	id.mu.Lock()
	defer id.mu.Unlock()
	if !force && id.state.ActiveKey != "" && id.cfg.Now().Sub(id.loadedAt) < id.cfg.CacheTTL {
		return id.state, nil
	}
	raw, err := id.cfg.Store.Get(ctx, collIssuer, docIdentity)
	if err != nil {
		return identityDoc{}, fmt.Errorf("load identity: %w", err)
	}
	var doc identityDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return identityDoc{}, fmt.Errorf("load identity: %w", err)
	}
	id.state, id.loadedAt = doc, id.cfg.Now()
	return doc, nil
}

// Key returns the decrypted issuer key with the given ID (active or retired).
func (id *Identity) Key(ctx context.Context, keyID string) (*keys.Key, error) {
	id.mu.Lock()
	k, ok := id.keyCache[keyID]
	id.mu.Unlock()
	if ok {
		return k, nil
	}
	rec, err := id.record(ctx, keyID)
	if err != nil {
		return nil, err
	}
	k, err = keys.Open(id.cfg.KEK, rec.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open issuer key %s (is ACCOLADE_KEK_FILE the key-encryption key this data was made with?): %w", keyID, err)
	}
	id.mu.Lock()
	id.keyCache[keyID] = k
	id.mu.Unlock()
	return k, nil
}

func (id *Identity) record(ctx context.Context, keyID string) (keyRecord, error) {
	raw, err := id.cfg.Store.Get(ctx, collKeys, keyID)
	if err != nil {
		return keyRecord{}, fmt.Errorf("load issuer key %s: %w", keyID, err)
	}
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return keyRecord{}, fmt.Errorf("load issuer key %s: %w", keyID, err)
	}
	return rec, nil
}

// Signer is the active signing key with the verification method and DID to
// name in a proof or JWT header.
type Signer struct {
	Key *keys.Key
	// DID is the issuer DID for credentials (per the configured method).
	DID string
	// VerificationMethod is the absolute DID URL of Key under DID.
	VerificationMethod string
	// KeyID is the issuer key's ID (key-N).
	KeyID string
}

// ActiveSigner returns the key to sign new credentials with.
func (id *Identity) ActiveSigner(ctx context.Context) (Signer, error) {
	info, err := id.Active(ctx)
	if err != nil {
		return Signer{}, err
	}
	k, err := id.Key(ctx, info.ID)
	if err != nil {
		return Signer{}, err
	}
	if id.useWeb() {
		return Signer{Key: k, DID: id.webDID, VerificationMethod: info.WebMethod, KeyID: info.ID}, nil
	}
	return Signer{Key: k, DID: info.DIDKey, VerificationMethod: info.KeyMethod, KeyID: info.ID}, nil
}

// SignerFor returns the active key as a Signer for issuerDID when that is
// a DID this identity controls: its did:web, or the active key's did:key,
// whichever DID method new credentials default to. ok is false for any
// other DID.
func (id *Identity) SignerFor(ctx context.Context, issuerDID string) (s Signer, ok bool, err error) {
	info, err := id.Active(ctx)
	if err != nil {
		return Signer{}, false, err
	}
	var vm string
	switch issuerDID {
	case id.webDID:
		vm = info.WebMethod
	case info.DIDKey:
		vm = info.KeyMethod
	default:
		return Signer{}, false, nil
	}
	k, err := id.Key(ctx, info.ID)
	if err != nil {
		return Signer{}, false, err
	}
	return Signer{Key: k, DID: issuerDID, VerificationMethod: vm, KeyID: info.ID}, true, nil
}

// Active returns the active key's description. It is cached with the
// identity document (CacheTTL), so signing does not read the store.
func (id *Identity) Active(ctx context.Context) (KeyInfo, error) {
	doc, err := id.load(ctx, false)
	if err != nil {
		return KeyInfo{}, err
	}
	id.mu.Lock()
	cached := id.active
	id.mu.Unlock()
	if cached.ID == doc.ActiveKey {
		return cached, nil
	}
	rec, err := id.record(ctx, doc.ActiveKey)
	if err != nil {
		return KeyInfo{}, err
	}
	if _, err := id.Key(ctx, rec.ID); err != nil {
		return KeyInfo{}, err
	}
	info, err := id.info(rec)
	if err != nil {
		return KeyInfo{}, err
	}
	id.mu.Lock()
	id.active = info
	id.mu.Unlock()
	return info, nil
}

func (id *Identity) info(rec keyRecord) (KeyInfo, error) {
	pub, err := keys.DecodeMultikey(rec.Sealed.Public)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("issuer key %s: %w", rec.ID, err)
	}
	dk, err := did.KeyDID(pub)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("issuer key %s: %w", rec.ID, err)
	}
	return KeyInfo{
		ID: rec.ID, Alg: rec.Sealed.Alg, Status: rec.Status, Created: rec.Sealed.Created,
		PublicKeyMultibase: rec.Sealed.Public,
		DIDKey:             dk, KeyMethod: dk + "#" + rec.Sealed.Public,
		WebMethod: id.webDID + "#" + rec.ID,
	}, nil
}

// Keys lists every issuer key, oldest first.
func (id *Identity) Keys(ctx context.Context) ([]KeyInfo, error) {
	var out []KeyInfo
	after := ""
	for {
		page, err := id.cfg.Store.List(ctx, collKeys, after, 100)
		if err != nil {
			return nil, fmt.Errorf("list issuer keys: %w", err)
		}
		for _, r := range page.Records {
			var rec keyRecord
			if err := json.Unmarshal(r.Value, &rec); err != nil {
				return nil, fmt.Errorf("list issuer keys: %s: %w", r.ID, err)
			}
			info, err := id.info(rec)
			if err != nil {
				return nil, err
			}
			out = append(out, info)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Rotate makes a new signing key (alg "" means the configured default) and
// makes it active. The previous keys stay in the DID document, retired, so
// credentials signed with them keep verifying.
func (id *Identity) Rotate(ctx context.Context, alg keys.Alg) (KeyInfo, error) {
	if alg == "" {
		alg = id.cfg.KeyAlg
	}
	old, err := id.load(ctx, true)
	if err != nil {
		return KeyInfo{}, err
	}
	rec, err := id.newKey(ctx, alg)
	if err != nil {
		return KeyInfo{}, err
	}
	doc := identityDoc{ActiveKey: rec.ID, Created: old.Created, Rotated: id.cfg.Now().UTC()}
	raw, _ := json.Marshal(doc)
	if err := id.cfg.Store.Put(ctx, collIssuer, docIdentity, raw); err != nil {
		return KeyInfo{}, fmt.Errorf("rotate: %w", err)
	}
	if prev, err := id.record(ctx, old.ActiveKey); err == nil && prev.ID != rec.ID {
		prev.Status, prev.Retired = KeyRetired, id.cfg.Now().UTC()
		raw, _ := json.Marshal(prev)
		if err := id.cfg.Store.Put(ctx, collKeys, prev.ID, raw); err != nil {
			return KeyInfo{}, fmt.Errorf("rotate: retire %s: %w", prev.ID, err)
		}
	}
	if _, err := id.load(ctx, true); err != nil {
		return KeyInfo{}, err
	}
	info, err := id.info(rec)
	if err != nil {
		return KeyInfo{}, err
	}
	id.log.InfoContext(ctx, "issuer key rotated", logctx.KeyKeyID, info.ID, "previous_key_id", old.ActiveKey)
	return info, nil
}

// WebDID returns the issuer's did:web.
func (id *Identity) WebDID() string { return id.webDID }

func (id *Identity) useWeb() bool {
	switch id.cfg.DIDMethod {
	case "web":
		return true
	case "key":
		return false
	}
	return len(id.cfg.PublicURL) > 8 && id.cfg.PublicURL[:8] == "https://"
}

// DIDFor returns the issuer DID that credentials signed with key carry.
func (id *Identity) DIDFor(key KeyInfo) string {
	if id.useWeb() {
		return id.webDID
	}
	return key.DIDKey
}

// Summary describes the identity.
func (id *Identity) Summary(ctx context.Context) (Summary, error) {
	active, err := id.Active(ctx)
	if err != nil {
		return Summary{}, err
	}
	all, err := id.Keys(ctx)
	if err != nil {
		return Summary{}, err
	}
	return Summary{DID: id.DIDFor(active), WebDID: id.webDID, ActiveKey: active, Keys: all}, nil
}

// WebDocument returns the did:web DID document: every issuer key, active and
// retired, as a Multikey verification method usable for assertions and
// authentication.
func (id *Identity) WebDocument(ctx context.Context) (*did.Document, error) {
	all, err := id.Keys(ctx)
	if err != nil {
		return nil, err
	}
	doc := &did.Document{
		Context: []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		ID:      id.webDID,
	}
	for _, k := range all {
		doc.VerificationMethod = append(doc.VerificationMethod, did.VerificationMethod{
			ID: k.WebMethod, Type: "Multikey", Controller: id.webDID, PublicKeyMultibase: k.PublicKeyMultibase,
		})
		doc.AssertionMethod = append(doc.AssertionMethod, did.Ref(k.WebMethod))
		doc.Authentication = append(doc.Authentication, did.Ref(k.WebMethod))
	}
	return doc, nil
}
