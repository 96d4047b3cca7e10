package issuer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// Credential formats. Requests name them as OpenID4VCI does, ldp_vc and
// jwt_vc_json; jwt_vc is kept as another name for jwt_vc_json. Stored records
// and reports carry FormatLDP or FormatJWT.
const (
	FormatLDP = "ldp_vc" // JSON-LD with an embedded eddsa-rdfc-2022 proof
	FormatJWT = "jwt_vc" // OB 3.0 VC-JWT (compact JWS); requests say jwt_vc_json

	// FormatJWTVCJSON is the OpenID4VCI name of FormatJWT (OpenID4VCI 1.0
	// §A.1.1), the one the documentation uses.
	FormatJWTVCJSON = "jwt_vc_json"
	// formatsAccepted is how refusals name the formats.
	formatsAccepted = `must be "ldp_vc" or "jwt_vc_json"`
)

// ParseFormat maps a requested credential format to FormatLDP (also for "")
// or FormatJWT (for jwt_vc_json and its alias jwt_vc). ok is false for any
// other word.
func ParseFormat(s string) (format string, ok bool) {
	switch s {
	case "", FormatLDP:
		return FormatLDP, true
	case FormatJWTVCJSON, FormatJWT:
		return FormatJWT, true
	}
	return "", false
}

const (
	collCredentials = "credentials"
	collRecipients  = "recipients"
	idxAchievement  = "credidx-achievement:"
	idxRecipient    = "credidx-recipient:"
)

// Store is the storage the issuer service needs. An issued credential and
// its index entries are one store.Batcher batch, and a status change is one
// store.StatusTransitions step: there is no fallback that would write them
// one by one.
type Store interface {
	store.Docs
	store.Sequences
	store.StatusLists
	store.Batcher
	store.StatusTransitions
}

// Config holds the issuer service's dependencies and settings.
type Config struct {
	Store     Store
	Identity  *Identity
	PublicURL string
	// DI signs Data Integrity proofs (eddsa-rdfc-2022).
	DI *di.Signer
	// Schema validates every credential before it is signed.
	Schema *credential.SchemaValidator
	Logger *slog.Logger
	Now    func() time.Time
	// StatusListSize is the number of entries of each new status list
	// (default and minimum 131,072).
	StatusListSize int
	// StatusTTL is the ttl of status list credentials and their HTTP cache
	// lifetime (default 5 minutes).
	StatusTTL time.Duration
	// DefaultStatusPurpose is used when neither the request nor the
	// achievement names one (default revocation).
	DefaultStatusPurpose string
	// VCAPIStatusPurpose, when set (revocation or suspension), gives every
	// credential signed through the VC-API (SignCredential) a
	// BitstringStatusListEntry of that purpose unless the request's
	// options.credentialStatus names one. Empty adds entries only when
	// asked.
	VCAPIStatusPurpose string
	// StatusIndexBlock is how many status list indexes are reserved in the
	// store at once and then handed out from memory (default 16; 1
	// reserves one per credential). Indexes reserved but not used when
	// the node stops stay unused (at most this many per concurrent issue);
	// none is ever handed out twice.
	StatusIndexBlock int
	// OnStatusChange, when set, is called with a status list's URL after
	// one of its bits changed (revoke, suspend, unsuspend): the server's
	// own status checker forgets its cached copy.
	OnStatusChange func(listURL string)
}

// Service issues Open Badges 3.0 credentials and manages profiles and
// achievements.
type Service struct {
	cfg          Config
	log          *slog.Logger
	lists        listCache
	achievements defCache[Achievement]
	profiles     defCache[Profile]
	reserved     indexReserve
	// schemaWarned is set once the first issue without the JSON Schema
	// has been logged at warn level; later ones are logged at debug.
	schemaWarned atomic.Bool
}

// schemaSkipped logs that a credential was issued after the OB model checks
// only, its JSON Schema being unavailable.
func (s *Service) schemaSkipped(ctx context.Context, err error) {
	level := slog.LevelDebug
	if s.schemaWarned.CompareAndSwap(false, true) {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "issuing without the Open Badges JSON Schema check (model checks passed); "+
		"import the schemas with 'accolade contexts import DIR' or set ACCOLADE_CONTEXTS_DIR", logctx.KeyErr, err.Error())
}

// New returns the issuer service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Identity == nil || cfg.DI == nil || cfg.Schema == nil {
		return nil, errors.New("issuer: store, identity, DI signer and schema validator are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StatusListSize == 0 {
		cfg.StatusListSize = DefaultStatusListSize
	}
	if cfg.StatusListSize < 8 || cfg.StatusListSize%8 != 0 {
		return nil, fmt.Errorf("issuer: status list size %d must be a positive multiple of 8", cfg.StatusListSize)
	}
	if cfg.StatusIndexBlock == 0 {
		cfg.StatusIndexBlock = DefaultStatusIndexBlock
	}
	if cfg.StatusIndexBlock < 1 || cfg.StatusIndexBlock > store.MaxAllocateMany {
		return nil, fmt.Errorf("issuer: status index block %d: want 1 to %d", cfg.StatusIndexBlock, store.MaxAllocateMany)
	}
	if cfg.StatusTTL <= 0 {
		cfg.StatusTTL = 5 * time.Minute
	}
	if cfg.DefaultStatusPurpose == "" {
		cfg.DefaultStatusPurpose = PurposeRevocation
	}
	if cfg.VCAPIStatusPurpose != "" && !validPurpose(cfg.VCAPIStatusPurpose) {
		return nil, fmt.Errorf("issuer: VC-API status purpose %q: want revocation or suspension", cfg.VCAPIStatusPurpose)
	}
	if !validPurpose(cfg.DefaultStatusPurpose) {
		return nil, fmt.Errorf("issuer: default status purpose %q: want revocation or suspension", cfg.DefaultStatusPurpose)
	}
	return &Service{cfg: cfg, log: cfg.Logger.With(logctx.KeyComponent, "issuer"), lists: listCache{m: map[string]listCacheEntry{}, current: map[string]statusList{}},
		achievements: defCache[Achievement]{now: cfg.Now}, profiles: defCache[Profile]{now: cfg.Now}}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Recipient names who receives a credential: exactly one of Email, DID or URL.
type Recipient struct {
	Email string `json:"email,omitempty"`
	DID   string `json:"did,omitempty"`
	URL   string `json:"url,omitempty"`
	// Name is the recipient's name as the issuer gave it, shown on the
	// badge's public page. It is kept with the issue record only: it is
	// not part of the credential (OB 3.0's AchievementSubject has no name,
	// and a name next to a hashed email would undo the hashing), nor of
	// the recipient's identity (listing, filters, OpenID4VCI checks).
	Name string `json:"name,omitempty"`
}

// MaxRecipientName caps Recipient.Name, in characters.
const MaxRecipientName = 200

// LogValue keeps recipient identifiers out of logs.
func (r Recipient) LogValue() slog.Value {
	switch {
	case r.Email != "":
		return slog.StringValue("email:" + redactedHash(credential.NormalizeEmail(r.Email)))
	case r.DID != "":
		return slog.StringValue("did:" + redactedHash(r.DID))
	}
	return slog.StringValue("url:" + redactedHash(r.URL))
}

func redactedHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:4])
}

// indexKey is the recipient's key in the listing index.
func (r Recipient) indexKey() string {
	var v string
	switch {
	case r.Email != "":
		v = "email:" + credential.NormalizeEmail(r.Email)
	case r.DID != "":
		v = "did:" + r.DID
	default:
		v = "url:" + r.URL
	}
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// ParseRecipient interprets a recipient filter: an email address, a DID or
// a URL.
func ParseRecipient(s string) Recipient {
	switch {
	case strings.HasPrefix(s, "did:"):
		return Recipient{DID: s}
	case strings.Contains(s, "://"):
		return Recipient{URL: s}
	}
	return Recipient{Email: s}
}

// IssueRequest asks for one credential.
type IssueRequest struct {
	AchievementID string                `json:"achievementId"`
	Recipient     Recipient             `json:"recipient"`
	Format        string                `json:"format,omitempty"`
	Evidence      []credential.Evidence `json:"evidence,omitempty"`
	Results       []credential.Result   `json:"results,omitempty"`
	ValidFrom     string                `json:"validFrom,omitempty"`
	ValidUntil    string                `json:"validUntil,omitempty"`
	Name          string                `json:"name,omitempty"`
	Description   string                `json:"description,omitempty"`
	// ProfileID overrides the achievement's issuer profile.
	ProfileID string `json:"profileId,omitempty"`
	// StatusPurpose is revocation or suspension (OB 3.0 allows one status
	// entry per credential); empty means the achievement's, else the default.
	StatusPurpose string `json:"statusPurpose,omitempty"`
	// HolderDID binds the credential to the key its holder proved (OpenID4VCI
	// key proof): it becomes credentialSubject.id, while an email recipient
	// stays identified by its hashed IdentityObject. Not settable over the
	// admin API.
	HolderDID string `json:"-"`
	// CredentialID, when set (urn:uuid:…), is the credential's id. A
	// second Issue with the same id stores nothing and fails with
	// store.ErrConflict: OpenID4VCI reserves the id before issuing, so a
	// retried request never issues twice. Not settable over the admin API.
	CredentialID string `json:"-"`
}

// Issued is a credential as stored and returned.
type Issued struct {
	ID            string    `json:"id"`
	Format        string    `json:"format"`
	AchievementID string    `json:"achievementId"`
	ProfileID     string    `json:"profileId"`
	Recipient     Recipient `json:"recipient"`
	IssuerDID     string    `json:"issuerDid"`
	Issued        time.Time `json:"issued"`
	// Status is where the credential's Bitstring Status List entry lives.
	Status *CredentialStatus `json:"status,omitempty"`
	// Credential is a JSON object (ldp_vc) or a JSON string holding the
	// compact JWS (jwt_vc).
	Credential json.RawMessage `json:"credential"`
}

// EncodeJSON returns the record's JSON: the document json.Marshal gives,
// without the second pass encoding/json makes over a json.RawMessage (it
// validates and re-compacts the credential byte by byte, a large part of a
// credential's encoding cost). The credential must be valid JSON, as every
// record Issue makes or the store returns holds.
func (r Issued) EncodeJSON() ([]byte, error) {
	cred := r.Credential
	r.Credential = nil
	b, err := json.Marshal(r)
	if err != nil || len(cred) == 0 {
		return b, err
	}
	const tail = `"credential":null}`
	if !bytes.HasSuffix(b, []byte(tail)) {
		return nil, errors.New("issued record: unexpected encoding")
	}
	out := make([]byte, 0, len(b)+len(cred))
	out = append(out, b[:len(b)-len("null}")]...)
	out = append(out, cred...)
	return append(out, '}'), nil
}

func (r *IssueRequest) validate(now time.Time) (validFrom, validUntil time.Time, err error) {
	var p []*credential.ValidationError
	bad := func(field, reason string) { p = append(p, &credential.ValidationError{Field: field, Reason: reason}) }
	if r.AchievementID == "" {
		bad("achievementId", "is required")
	}
	n := 0
	for _, v := range []string{r.Recipient.Email, r.Recipient.DID, r.Recipient.URL} {
		if v != "" {
			n++
		}
	}
	switch {
	case n != 1:
		bad("recipient", "give exactly one of email, did or url")
	case r.Recipient.Email != "":
		if a, err := mail.ParseAddress(r.Recipient.Email); err != nil || a.Address != strings.TrimSpace(r.Recipient.Email) {
			bad("recipient.email", "is not an email address")
		}
	case r.Recipient.DID != "":
		if _, err := did.Parse(r.Recipient.DID); err != nil {
			bad("recipient.did", "is not a valid DID")
		}
	case r.Recipient.URL != "":
		p = appendIf(p, checkURL("recipient.url", r.Recipient.URL, ""))
	}
	if n := r.Recipient.Name; utf8.RuneCountInString(n) > MaxRecipientName || strings.TrimSpace(n) != n ||
		strings.ContainsFunc(n, unicode.IsControl) || !utf8.ValidString(n) {
		bad("recipient.name", fmt.Sprintf("must be at most %d characters, without control characters or surrounding spaces", MaxRecipientName))
	}
	if f, ok := ParseFormat(r.Format); ok {
		r.Format = f
	} else {
		bad("format", formatsAccepted)
	}
	validFrom = now.Truncate(time.Second)
	if r.ValidFrom != "" {
		t, err := credential.ParseTime(r.ValidFrom)
		if err != nil {
			bad("validFrom", "must be a date-time with a time zone, e.g. 2025-06-01T00:00:00Z")
		}
		validFrom = t
	}
	if r.ValidUntil != "" {
		t, err := credential.ParseTime(r.ValidUntil)
		if err != nil {
			bad("validUntil", "must be a date-time with a time zone, e.g. 2030-06-01T00:00:00Z")
		} else if !t.After(validFrom) {
			bad("validUntil", "must be after validFrom")
		}
		validUntil = t
	}
	for i := range r.Evidence {
		e := &r.Evidence[i]
		if len(e.Type) == 0 {
			e.Type = []string{credential.TypeEvidence}
		} else if slices.Contains(e.Type, "") {
			bad(fmt.Sprintf("evidence[%d].type", i), "must be type names (VCDM 2.0 §5.6), without empty strings; leave it out for Evidence")
		}
		if e.ID != "" {
			p = appendIf(p, checkURL(fmt.Sprintf("evidence[%d].id", i), e.ID, "data:"))
		}
		if e.ID == "" && e.Narrative == "" && e.Name == "" {
			bad(fmt.Sprintf("evidence[%d]", i), "needs an id, a narrative or a name")
		}
	}
	for i := range r.Results {
		if len(r.Results[i].Type) == 0 {
			r.Results[i].Type = []string{credential.TypeResult}
		}
		p = append(p, checkAlignments(fmt.Sprintf("results[%d].alignment", i), r.Results[i].Alignment)...)
	}
	if r.StatusPurpose != "" && !validPurpose(r.StatusPurpose) {
		bad("statusPurpose", `must be "revocation" or "suspension"`)
	}
	if r.CredentialID != "" {
		if u, err := uuid.Parse(strings.TrimPrefix(r.CredentialID, "urn:uuid:")); err != nil || "urn:uuid:"+u.String() != r.CredentialID {
			bad("id", "must be a urn:uuid: URN")
		}
	}
	return validFrom, validUntil, invalid(p)
}

// Issue builds, validates, signs and stores one credential.
func (s *Service) Issue(ctx context.Context, req IssueRequest) (Issued, error) {
	now := s.now()
	validFrom, validUntil, err := req.validate(now)
	if err != nil {
		return Issued{}, err
	}
	ach, err := s.Achievement(ctx, req.AchievementID)
	if errors.Is(err, store.ErrNotFound) {
		return Issued{}, invalid([]*credential.ValidationError{{Field: "achievementId", Reason: fmt.Sprintf("no achievement %q", req.AchievementID)}})
	} else if err != nil {
		return Issued{}, err
	}
	if err := checkResults(req.Results, ach); err != nil {
		return Issued{}, err
	}
	profileID := req.ProfileID
	if profileID == "" {
		profileID = ach.ProfileID
	}
	if profileID == "" {
		profileID = DefaultProfileID
	}
	profile, err := s.Profile(ctx, profileID)
	if errors.Is(err, store.ErrNotFound) {
		return Issued{}, invalid([]*credential.ValidationError{{Field: "profileId", Reason: fmt.Sprintf("no issuer profile %q", profileID)}})
	} else if err != nil {
		return Issued{}, err
	}
	signer, err := s.cfg.Identity.ActiveSigner(ctx)
	if err != nil {
		return Issued{}, err
	}
	if req.Format == FormatLDP && signer.Key.Alg() != keys.EdDSA {
		return Issued{}, invalid([]*credential.ValidationError{{Field: "format", Reason: "ldp_vc (eddsa-rdfc-2022) needs an Ed25519 issuer key; the active key is " + string(signer.Key.Alg()) + ": rotate to EdDSA or use jwt_vc_json"}})
	}
	obAch, err := s.OBAchievement(ctx, ach)
	if err != nil {
		return Issued{}, err
	}
	subject := credential.AchievementSubject{Type: []string{credential.TypeAchievementSubject}, Achievement: obAch, Result: req.Results}
	switch {
	case req.HolderDID != "" && req.Recipient.Email == "":
		subject.ID = req.HolderDID
	case req.Recipient.DID != "":
		subject.ID = req.Recipient.DID
	case req.Recipient.URL != "":
		subject.ID = req.Recipient.URL
	default:
		subject.Identifier = []credential.IdentityObject{credential.NewIdentityObject(req.Recipient.Email, newSalt())}
		if req.HolderDID != "" {
			subject.ID = req.HolderDID
		} else if req.Format == FormatJWT {
			// OB VC-JWT needs sub = credentialSubject.id: give the
			// recipient a stable urn:uuid subject id.
			if subject.ID, err = s.subjectIDFor(ctx, req.Recipient); err != nil {
				return Issued{}, err
			}
		}
	}
	purpose := req.StatusPurpose
	if purpose == "" {
		purpose = ach.StatusPurpose
	}
	if purpose == "" {
		purpose = s.cfg.DefaultStatusPurpose
	}
	list, index, err := s.allocateStatus(ctx, purpose, signer)
	if err != nil {
		return Issued{}, err
	}
	entry := status.Entry(s.listURL(list.ID), index, purpose)
	credID := req.CredentialID
	if credID == "" {
		credID = "urn:uuid:" + uuid.Must(uuid.NewV7()).String()
	}
	name := req.Name
	if name == "" {
		name = ach.Name
	}
	vc := credential.AchievementCredential{
		Context:           []any{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
		ID:                credID,
		Type:              []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential},
		Name:              name,
		Description:       req.Description,
		Issuer:            s.issuerObject(profile, signer.DID),
		ValidFrom:         validFrom.UTC(),
		ValidUntil:        validUntil.UTC(),
		CredentialSubject: subject,
		Evidence:          req.Evidence,
		CredentialSchema:  []credential.CredentialSchema{{ID: credential.SchemaAchievementCredential, Type: credential.SchemaType1EdTech}},
	}
	doc, err := credential.AsMap(vc)
	if err != nil {
		return Issued{}, err
	}
	doc["credentialStatus"] = entry
	if err := s.check(ctx, doc); err != nil {
		return Issued{}, err
	}
	var raw json.RawMessage
	switch req.Format {
	case FormatLDP:
		signed, err := s.cfg.DI.Sign(ctx, doc, signer.Key, di.Options{VerificationMethod: signer.VerificationMethod, Created: now})
		if err != nil {
			return Issued{}, unsignable(err)
		}
		raw, err = json.Marshal(signed)
		if err != nil {
			return Issued{}, err
		}
	case FormatJWT:
		tok, err := jose.SignCredential(doc, signer.Key, signer.VerificationMethod, jose.SignOptions{})
		if err != nil {
			return Issued{}, unsignable(err)
		}
		raw, _ = json.Marshal(tok)
	}
	rec := Issued{ID: vc.ID, Format: req.Format, AchievementID: ach.ID, ProfileID: profileID, Recipient: req.Recipient,
		IssuerDID: signer.DID, Issued: now, Credential: raw,
		Status: &CredentialStatus{ListID: list.ID, Index: index, Purpose: purpose, State: StateActive}}
	if err := s.save(ctx, rec); err != nil {
		return Issued{}, err
	}
	s.log.InfoContext(ctx, "credential issued", logctx.KeyCredentialID, rec.ID, "achievement_id", ach.ID,
		"format", rec.Format, "recipient", req.Recipient, logctx.KeyIssuerDID, signer.DID)
	return rec, nil
}

// unsignable is the error of a credential the issuer built but could not
// sign. Its cause is the credential's content (a value canonicalization
// refuses), so it is the request's problem (ErrInvalid) and, in a batch,
// the row's alone; the public reason keeps the cause's detail out.
func unsignable(err error) error {
	return fmt.Errorf("issue: sign: %w", errors.Join(ErrInvalid,
		&credential.ValidationError{Field: "credential", Reason: "cannot be signed as built (a value is not valid in its place)"},
		err))
}

// check runs the structural OB checks and the OB JSON Schema on a credential
// before it is signed, so the issuer never signs a non-conforming badge.
func (s *Service) check(ctx context.Context, doc map[string]any) error {
	if err := credential.Validate(doc); err != nil {
		return fmt.Errorf("issue: built credential fails OB checks: %w", err)
	}
	// Achievements and profiles stored before their IRIs were checked on
	// input may still hold one that cannot be signed: refuse the
	// credential, naming the member, rather than fail in signing.
	if p := credential.CheckIRIs(doc); len(p) > 0 {
		return invalid(p)
	}
	if err := s.cfg.Schema.Validate(ctx, doc); err != nil {
		var se *credential.SchemaError
		if errors.As(err, &se) {
			var p []*credential.ValidationError
			for _, prob := range se.Problems {
				p = append(p, &credential.ValidationError{Field: "credential", Reason: prob})
			}
			return invalid(p)
		}
		if errors.Is(err, credential.ErrSchemaUnavailable) {
			// The OB model checks above passed. Without the 1EdTech JSON
			// Schema (not bundled: it has no npm package) the node still
			// issues; serve says at start how to add the schemas.
			s.schemaSkipped(ctx, err)
			return nil
		}
		return fmt.Errorf("issue: schema: %w", err)
	}
	return nil
}

func checkResults(results []credential.Result, ach Achievement) error {
	ids := map[string]credential.ResultDescription{}
	for _, rd := range ach.ResultDescriptions {
		ids[rd.ID] = rd
	}
	var p []*credential.ValidationError
	for i, r := range results {
		if r.ResultDescription == "" {
			continue
		}
		rd, ok := ids[r.ResultDescription]
		if !ok {
			p = append(p, &credential.ValidationError{Field: fmt.Sprintf("results[%d].resultDescription", i), Reason: "is not a resultDescription of the achievement"})
			continue
		}
		if rd.ResultType == "Status" && r.Status == "" {
			p = append(p, &credential.ValidationError{Field: fmt.Sprintf("results[%d].status", i), Reason: "is required for a Status result"})
		}
	}
	return invalid(p)
}

func newSalt() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// subjectIDFor returns the recipient's stable urn:uuid subject id, made on
// first use (create-if-absent, so concurrent issues agree).
func (s *Service) subjectIDFor(ctx context.Context, r Recipient) (string, error) {
	key := r.indexKey()
	for range 2 {
		var rec struct {
			SubjectID string `json:"subjectId"`
		}
		err := s.getJSON(ctx, collRecipients, key, &rec)
		if err == nil {
			return rec.SubjectID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("recipient subject id: %w", err)
		}
		rec.SubjectID = "urn:uuid:" + uuid.NewString()
		switch err := s.putJSON(ctx, collRecipients, key, rec, true); {
		case err == nil:
			return rec.SubjectID, nil
		case !errors.Is(err, store.ErrConflict):
			return "", fmt.Errorf("recipient subject id: %w", err)
		}
	}
	return "", errors.New("recipient subject id: lost a race twice")
}

// storageKey is the record key of a credential: its UUID, which for UUIDv7
// sorts by issue time.
func storageKey(credID string) string { return strings.TrimPrefix(credID, "urn:uuid:") }

// save stores the record and its listing index entries in one atomic
// batch; concurrent issuers share commits.
func (s *Service) save(ctx context.Context, rec Issued) error {
	key := storageKey(rec.ID)
	raw, err := rec.EncodeJSON()
	if err != nil {
		return err
	}
	writes := []store.Write{{Collection: idxRecipient + rec.Recipient.indexKey(), ID: key, Value: []byte{}}}
	if rec.AchievementID != "" {
		writes = append(writes, store.Write{Collection: idxAchievement + rec.AchievementID, ID: key, Value: []byte{}})
	}
	writes = append(writes, store.Write{Collection: collCredentials, ID: key, Value: raw, Create: true})
	if err := s.cfg.Store.Apply(ctx, writes); err != nil {
		return fmt.Errorf("store credential: %w", err)
	}
	return nil
}

// Credential returns an issued credential by id (urn:uuid:… or the bare UUID).
func (s *Service) Credential(ctx context.Context, id string) (Issued, error) {
	var rec Issued
	if err := s.getJSON(ctx, collCredentials, storageKey(id), &rec); err != nil {
		return Issued{}, fmt.Errorf("credential: %w", err)
	}
	return rec, nil
}

// ListQuery filters and pages the credential listing.
type ListQuery struct {
	AchievementID string
	Recipient     string
	Limit         int
	// Cursor is the Next of the previous page.
	Cursor string
}

// CredentialPage is one page of the listing.
type CredentialPage struct {
	Items []Issued `json:"items"`
	// Next is the cursor of the following page, nil on the last page.
	Next  *string `json:"next"`
	Total int     `json:"total"`
}

// Credentials lists issued credentials in issue order, filtered by
// achievement and/or recipient.
func (s *Service) Credentials(ctx context.Context, q ListQuery) (CredentialPage, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	coll, filterRecipient := collCredentials, ""
	switch {
	case q.AchievementID != "":
		coll = idxAchievement + q.AchievementID
		if q.Recipient != "" {
			filterRecipient = ParseRecipient(q.Recipient).indexKey()
		}
	case q.Recipient != "":
		coll = idxRecipient + ParseRecipient(q.Recipient).indexKey()
	}
	page := CredentialPage{Items: []Issued{}}
	after := q.Cursor
	for len(page.Items) < q.Limit {
		p, err := s.cfg.Store.List(ctx, coll, after, q.Limit-len(page.Items))
		if err != nil {
			return CredentialPage{}, fmt.Errorf("list credentials: %w", err)
		}
		for _, r := range p.Records {
			rec, err := s.record(ctx, coll, r)
			if errors.Is(err, store.ErrNotFound) {
				continue // an index entry whose record was never written
			} else if err != nil {
				return CredentialPage{}, err
			}
			if filterRecipient != "" && rec.Recipient.indexKey() != filterRecipient {
				continue
			}
			page.Items = append(page.Items, rec)
		}
		if p.Next == "" {
			after = ""
			break
		}
		after = p.Next
	}
	if after != "" {
		page.Next = &after
	}
	total, err := s.count(ctx, coll, filterRecipient)
	if err != nil {
		return CredentialPage{}, err
	}
	page.Total = total
	return page, nil
}

func (s *Service) record(ctx context.Context, coll string, r store.Record) (Issued, error) {
	var rec Issued
	if coll == collCredentials {
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return Issued{}, fmt.Errorf("list credentials: %s: %w", r.ID, err)
		}
		return rec, nil
	}
	return s.Credential(ctx, r.ID)
}

// count is the listing's total: an index size, or for two filters a scan of
// the achievement's index.
func (s *Service) count(ctx context.Context, coll, filterRecipient string) (int, error) {
	if filterRecipient == "" {
		n, err := s.cfg.Store.Count(ctx, coll)
		if err != nil {
			return 0, fmt.Errorf("count credentials: %w", err)
		}
		return n, nil
	}
	n, after := 0, ""
	for {
		p, err := s.cfg.Store.List(ctx, coll, after, 500)
		if err != nil {
			return 0, fmt.Errorf("count credentials: %w", err)
		}
		for _, r := range p.Records {
			rec, err := s.Credential(ctx, r.ID)
			if err == nil && rec.Recipient.indexKey() == filterRecipient {
				n++
			}
		}
		if p.Next == "" {
			return n, nil
		}
		after = p.Next
	}
}
