package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// Credential states, derived from the latest verification report and the
// clock.
const (
	// StateValid: every check passed (possibly with warnings).
	StateValid = "valid"
	// StateRevoked and StateSuspended: the status check found the
	// credential revoked or suspended by its issuer.
	StateRevoked   = "revoked"
	StateSuspended = "suspended"
	// StateExpired: validUntil is past.
	StateExpired = "expired"
	// StateInvalid: another check failed (not yet valid, schema, an
	// unreadable status list).
	StateInvalid = "invalid"
)

// States lists every state, for filters.
var States = []string{StateValid, StateRevoked, StateSuspended, StateExpired, StateInvalid}

// Credential is a credential in a holder's wallet, with what the wallet
// knows about it.
type Credential struct {
	// ID is the wallet's ID of the credential (not the credential's id).
	ID string `json:"id"`
	// CredentialID is the credential's own id, when it has one.
	CredentialID string `json:"credentialId,omitempty"`
	// Format is ldp_vc or jwt_vc; Source how it was imported (json, jwt,
	// png, svg).
	Format string   `json:"format"`
	Source string   `json:"source"`
	Name   string   `json:"name,omitempty"`
	Types  []string `json:"types"`
	// Issuer is the issuer's id, IssuerName its name.
	Issuer     string `json:"issuer"`
	IssuerName string `json:"issuerName,omitempty"`
	// AchievementID and AchievementName describe an OB achievement.
	AchievementID   string `json:"achievementId,omitempty"`
	AchievementName string `json:"achievementName,omitempty"`
	// SubjectID is credentialSubject.id, the DID the credential is bound
	// to, if any.
	SubjectID string `json:"subjectId,omitempty"`
	// Bearer is true when the credential names no DID as its subject: an
	// Open Badge awarded to an email address (an IdentityObject, with
	// credentialSubject.id absent or a urn:uuid) or to a URL. Presenting it
	// proves who signed the presentation, not that the badge is theirs:
	// whoever holds a copy can present it. Computed when read.
	Bearer bool `json:"bearer"`
	// ValidFrom is validFrom (issuanceDate for VCDM 1.1); ValidUntil
	// validUntil (expirationDate).
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	Imported   time.Time `json:"imported"`
	// State is computed when the credential is read (see the State
	// constants).
	State string `json:"state"`
	// Hash is the hex SHA-256 of the credential's canonical bytes.
	Hash string `json:"hash"`
	// Report is the latest verification report.
	Report *Report `json:"report,omitempty"`
	// Credential is the credential: a JSON object, or a JSON string holding
	// the compact JWT.
	Credential json.RawMessage `json:"credential,omitempty"`
}

// summary is c without the credential and report, for listings.
func (c Credential) summary() Credential {
	c.Credential, c.Report = nil, nil
	return c
}

// input returns the credential as the verifier takes it.
func (c *Credential) input() (any, error) {
	var v any
	if err := json.Unmarshal(c.Credential, &v); err != nil {
		return nil, fmt.Errorf("stored credential %s: %w", c.ID, err)
	}
	return v, nil
}

// withState sets State for the time now.
func (c Credential) withState(now time.Time) Credential {
	c.Bearer = isBearer(c.SubjectID)
	c.State = StateValid
	r := c.Report
	switch {
	case r == nil:
		c.State = StateInvalid
	case r.failed(CheckStatus):
		st, _ := r.check(CheckStatus)
		// The verifier's status check reports a set bit as the status
		// list's "revoked: …" or "suspended: …" outcome.
		switch {
		case strings.HasPrefix(st.Message, StateRevoked):
			c.State = StateRevoked
		case strings.HasPrefix(st.Message, StateSuspended):
			c.State = StateSuspended
		default:
			c.State = StateInvalid
		}
	case !c.ValidUntil.IsZero() && now.After(c.ValidUntil):
		c.State = StateExpired
	case !r.Verified:
		c.State = StateInvalid
	}
	return c
}

// isBearer tells whether a credential with this credentialSubject.id is a
// bearer credential: not bound to a DID its holder can prove control of.
func isBearer(subjectID string) bool { return !strings.HasPrefix(subjectID, "did:") }

// presentable tells whether a credential in state may be offered to a
// verifier: revoked, suspended and expired credentials are not.
func presentable(state string) bool {
	return state != StateRevoked && state != StateSuspended && state != StateExpired
}

// BearerWarning is what the wallet tells a holder about to present a bearer
// credential.
const BearerWarning = "names no DID as its subject (a bearer credential, e.g. a badge awarded to an email address): " +
	"the verifier learns that you signed the presentation, not that the badge is yours; anyone holding a copy can present it"

// summarize fills the descriptive fields from the verified credential.
func (c *Credential) summarize(doc map[string]any) {
	c.CredentialID, _ = doc["id"].(string)
	c.Name = text(doc["name"])
	c.Types = stringList(doc["type"])
	switch iss := doc["issuer"].(type) {
	case string:
		c.Issuer = iss
	case map[string]any:
		c.Issuer, _ = iss["id"].(string)
		c.IssuerName = text(iss["name"])
	}
	subject, _ := doc["credentialSubject"].(map[string]any)
	if subjects, ok := doc["credentialSubject"].([]any); ok && len(subjects) > 0 {
		subject, _ = subjects[0].(map[string]any)
	}
	if subject != nil {
		c.SubjectID, _ = subject["id"].(string)
		if a, ok := subject["achievement"].(map[string]any); ok {
			c.AchievementID, _ = a["id"].(string)
			c.AchievementName = text(a["name"])
		}
	}
	from, until := "validFrom", "validUntil"
	if credential.Version(doc) == 1 {
		from, until = "issuanceDate", "expirationDate"
	}
	if s, ok := doc[from].(string); ok {
		c.ValidFrom, _ = credential.ParseTime(s)
	}
	if s, ok := doc[until].(string); ok {
		c.ValidUntil, _ = credential.ParseTime(s)
	}
}

// text reads a name: a string, or the first value of a language map or of
// language value objects.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if s, ok := x["@value"].(string); ok {
			return s
		}
	case []any:
		for _, e := range x {
			if s := text(e); s != "" {
				return s
			}
		}
	}
	return ""
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

// refusing lists the checks whose failure refuses an import: the
// credential is not what it claims to be. Other failures (expired, revoked,
// schema) are kept and shown in the credential's state.
var refusing = []string{CheckFormat, CheckProof, CheckIssuer}

// Import verifies a credential (see ParseImport for the accepted forms)
// and keeps it with its report. A credential whose format, proof or issuer
// binding fails is refused with a *RejectedError; one the wallet already
// holds (same credential id, or same canonical bytes) with a
// *DuplicateError.
func (s *Service) Import(ctx context.Context, holderID string, data []byte) (Credential, error) {
	p, err := ParseImport(data)
	if err != nil {
		return Credential{}, err
	}
	n, err := s.cfg.Store.Count(ctx, collCredentials+holderID)
	if err != nil {
		return Credential{}, fmt.Errorf("import: %w", err)
	}
	if n >= s.cfg.MaxCredentials {
		return Credential{}, invalid(&FieldError{"credential", fmt.Sprintf("the wallet holds its limit of %d credentials", s.cfg.MaxCredentials)})
	}
	if err := s.duplicate(ctx, holderID, hashKey(p.Hash)); err != nil {
		return Credential{}, err
	}
	rep := s.verify(ctx, p.Credential)
	for _, name := range refusing {
		if rep.failed(name) {
			return Credential{}, &RejectedError{Report: rep}
		}
	}
	now := s.now()
	c := Credential{ID: uuid.Must(uuid.NewV7()).String(), Format: rep.Format, Source: p.Source, Imported: now, Hash: p.Hash, Report: rep, Credential: p.Raw}
	if rep.Credential != nil {
		c.summarize(rep.Credential)
	}
	idx := []string{hashKey(p.Hash)}
	if c.CredentialID != "" {
		idx = append(idx, idKey(c.CredentialID))
	}
	for attempt := 0; ; attempt++ {
		err = s.saveNew(ctx, holderID, c, idx)
		if !errors.Is(err, store.ErrConflict) || attempt > 0 {
			break
		}
		// Which key is taken? A stale index entry (its credential deleted
		// by an interrupted Delete) is dropped and the save retried once.
		for _, k := range idx {
			if derr := s.duplicate(ctx, holderID, k); derr != nil {
				return Credential{}, derr
			}
		}
	}
	if err != nil {
		return Credential{}, fmt.Errorf("import: %w", err)
	}
	s.log.InfoContext(ctx, "credential imported", "holder_id", holderID, "wallet_credential_id", c.ID,
		"source", c.Source, "format", c.Format, "verified", rep.Verified)
	return c.withState(now), nil
}

func hashKey(h string) string { return "hash:" + h }
func idKey(id string) string  { return "id:" + digest([]byte(id)) }

// duplicate returns a *DuplicateError when the index key names a
// credential the holder still has, and removes the key when it names one
// that is gone.
func (s *Service) duplicate(ctx context.Context, holderID, key string) error {
	raw, err := s.cfg.Store.Get(ctx, collCredIndex+holderID, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	existing := string(raw)
	if _, err := s.cfg.Store.Get(ctx, collCredentials+holderID, existing); errors.Is(err, store.ErrNotFound) {
		if err := s.cfg.Store.Delete(ctx, collCredIndex+holderID, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("import: %w", err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	de := &DuplicateError{ExistingID: existing}
	return public.WithMessage(de, de.Error())
}

func (s *Service) saveNew(ctx context.Context, holderID string, c Credential, idx []string) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var writes []store.Write
	for _, k := range idx {
		writes = append(writes, store.Write{Collection: collCredIndex + holderID, ID: k, Value: []byte(c.ID), Create: true})
	}
	writes = append(writes, store.Write{Collection: collCredentials + holderID, ID: c.ID, Value: raw, Create: true})
	return s.apply(ctx, writes)
}

// verify runs the injected verifier and stamps the report.
func (s *Service) verify(ctx context.Context, input any) *Report {
	rep := s.cfg.Verifier.Verify(ctx, input)
	if rep == nil {
		rep = &Report{Checks: []Check{{Name: CheckFormat, Status: StatusFailed, Message: "the verifier returned no report"}}}
	}
	rep.Checked = s.now()
	return rep
}

// Credential returns one of the holder's credentials, with its credential
// and latest report.
func (s *Service) Credential(ctx context.Context, holderID, id string) (Credential, error) {
	c, err := s.record(ctx, holderID, id)
	if err != nil {
		return Credential{}, err
	}
	return c.withState(s.now()), nil
}

func (s *Service) record(ctx context.Context, holderID, id string) (Credential, error) {
	var c Credential
	if id == "" {
		return c, fmt.Errorf("credential: %w", store.ErrNotFound)
	}
	if err := s.getJSON(ctx, collCredentials+holderID, id, &c); err != nil {
		return Credential{}, fmt.Errorf("credential: %w", err)
	}
	return c, nil
}

// Reverify verifies a held credential again, as of now, and keeps the new
// report: a credential its issuer has revoked since then shows as revoked.
func (s *Service) Reverify(ctx context.Context, holderID, id string) (Credential, error) {
	c, err := s.record(ctx, holderID, id)
	if err != nil {
		return Credential{}, err
	}
	if c, err = s.refresh(ctx, holderID, c); err != nil {
		return Credential{}, err
	}
	s.log.InfoContext(ctx, "credential re-verified", "holder_id", holderID, "wallet_credential_id", c.ID, "state", c.State)
	return c, nil
}

// refresh verifies c again, as of now, keeps the new report and returns c
// with its state.
func (s *Service) refresh(ctx context.Context, holderID string, c Credential) (Credential, error) {
	in, err := c.input()
	if err != nil {
		return Credential{}, err
	}
	c.Report = s.verify(ctx, in)
	if c.Report.Format != "" {
		c.Format = c.Report.Format
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return Credential{}, err
	}
	if err := s.cfg.Store.Put(ctx, collCredentials+holderID, c.ID, raw); err != nil {
		return Credential{}, fmt.Errorf("reverify: %w", err)
	}
	return c.withState(s.now()), nil
}

// DeleteCredential removes a held credential and the share links to it.
func (s *Service) DeleteCredential(ctx context.Context, holderID, id string) error {
	c, err := s.record(ctx, holderID, id)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.Delete(ctx, collCredentials+holderID, c.ID); err != nil {
		return fmt.Errorf("delete credential: %w", err)
	}
	// The record is gone; what follows is tidying, which a later import or
	// share lookup also tolerates not having happened.
	idx := []string{hashKey(c.Hash)}
	if c.CredentialID != "" {
		idx = append(idx, idKey(c.CredentialID))
	}
	for _, k := range idx {
		if err := s.cfg.Store.Delete(ctx, collCredIndex+holderID, k); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete credential: %w", err)
		}
	}
	shares, err := s.Shares(ctx, holderID)
	if err != nil {
		return fmt.Errorf("delete credential: %w", err)
	}
	for _, sh := range shares {
		if sh.CredentialID == c.ID {
			if err := s.RevokeShare(ctx, holderID, sh.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("delete credential: %w", err)
			}
		}
	}
	s.log.InfoContext(ctx, "credential deleted", "holder_id", holderID, "wallet_credential_id", c.ID)
	return nil
}

// Query filters and pages a holder's credentials. Empty fields do not
// filter.
type Query struct {
	// Issuer is an issuer id, matched exactly.
	Issuer string
	// Achievement is an achievement id (matched exactly) or a part of its
	// name (case-insensitive).
	Achievement string
	// Type is a type the credential has, such as OpenBadgeCredential.
	Type string
	// From and Until bound the credential's validFrom (its issuance date),
	// inclusive; a credential without one counts from its import.
	From, Until time.Time
	// State is one of States.
	State string
	// Limit is the page size (default 50, at most 500).
	Limit int
	// Cursor is the Next of the previous page.
	Cursor string
}

func (q Query) filtered() bool {
	return q.Issuer != "" || q.Achievement != "" || q.Type != "" || !q.From.IsZero() || !q.Until.IsZero() || q.State != ""
}

func (q Query) matches(c Credential) bool {
	if q.Issuer != "" && c.Issuer != q.Issuer {
		return false
	}
	if q.Achievement != "" && c.AchievementID != q.Achievement &&
		!strings.Contains(strings.ToLower(c.AchievementName), strings.ToLower(q.Achievement)) {
		return false
	}
	if q.Type != "" && !slices.Contains(c.Types, q.Type) {
		return false
	}
	issued := c.ValidFrom
	if issued.IsZero() {
		issued = c.Imported
	}
	if !q.From.IsZero() && issued.Before(q.From) || !q.Until.IsZero() && issued.After(q.Until) {
		return false
	}
	return q.State == "" || c.State == q.State
}

// Page is one page of a listing, in import order. Its items are
// summaries: Credential and Report are left out (get one for them).
type Page struct {
	Items []Credential `json:"items"`
	// Next is the cursor of the following page, nil on the last page.
	Next *string `json:"next"`
	// Total counts every credential matching the query.
	Total int `json:"total"`
}

// Credentials lists the holder's credentials, filtered by q. Filtering
// reads the holder's whole collection, which a backpack keeps small.
func (s *Service) Credentials(ctx context.Context, holderID string, q Query) (Page, error) {
	if q.State != "" && !slices.Contains(States, q.State) {
		return Page{}, invalid(&FieldError{"status", "must be one of " + strings.Join(States, ", ")})
	}
	if !q.From.IsZero() && !q.Until.IsZero() && q.Until.Before(q.From) {
		return Page{}, invalid(&FieldError{"until", "is before from"})
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	now := s.now()
	coll := collCredentials + holderID
	page := Page{Items: []Credential{}}
	if !q.filtered() {
		p, err := s.cfg.Store.List(ctx, coll, q.Cursor, q.Limit)
		if err != nil {
			return Page{}, fmt.Errorf("list credentials: %w", err)
		}
		for _, r := range p.Records {
			var c Credential
			if err := json.Unmarshal(r.Value, &c); err != nil {
				return Page{}, fmt.Errorf("list credentials: %s: %w", r.ID, err)
			}
			page.Items = append(page.Items, c.withState(now).summary())
		}
		if p.Next != "" {
			page.Next = &p.Next
		}
		if page.Total, err = s.cfg.Store.Count(ctx, coll); err != nil {
			return Page{}, fmt.Errorf("count credentials: %w", err)
		}
		return page, nil
	}
	err := s.each(ctx, coll, func(r store.Record) (bool, error) {
		var c Credential
		if err := json.Unmarshal(r.Value, &c); err != nil {
			return false, fmt.Errorf("%s: %w", r.ID, err)
		}
		c = c.withState(now)
		if !q.matches(c) {
			return true, nil
		}
		page.Total++
		if r.ID <= q.Cursor {
			return true, nil
		}
		if len(page.Items) < q.Limit {
			page.Items = append(page.Items, c.summary())
		} else if page.Next == nil {
			next := page.Items[len(page.Items)-1].ID
			page.Next = &next
		}
		return true, nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("list credentials: %w", err)
	}
	return page, nil
}

// Bundle is a holder's whole wallet, for export: DIDs (public parts only)
// and every credential with its latest report.
type Bundle struct {
	// Format names this bundle's shape.
	Format      string       `json:"format"`
	Exported    time.Time    `json:"exported"`
	Holder      Holder       `json:"holder"`
	DIDs        []DID        `json:"dids"`
	Credentials []Credential `json:"credentials"`
}

// BundleFormat is the Format of bundles Export makes.
const BundleFormat = "accolade-wallet-export/1"

// Export returns the holder's wallet as one bundle.
func (s *Service) Export(ctx context.Context, holderID string) (Bundle, error) {
	h, err := s.Holder(ctx, holderID)
	if err != nil {
		return Bundle{}, fmt.Errorf("export: %w", err)
	}
	dids, err := s.DIDs(ctx, holderID)
	if err != nil {
		return Bundle{}, fmt.Errorf("export: %w", err)
	}
	now := s.now()
	b := Bundle{Format: BundleFormat, Exported: now, Holder: h, DIDs: dids, Credentials: []Credential{}}
	err = s.each(ctx, collCredentials+holderID, func(r store.Record) (bool, error) {
		var c Credential
		if err := json.Unmarshal(r.Value, &c); err != nil {
			return false, fmt.Errorf("%s: %w", r.ID, err)
		}
		b.Credentials = append(b.Credentials, c.withState(now))
		return true, nil
	})
	if err != nil {
		return Bundle{}, fmt.Errorf("export: %w", err)
	}
	return b, nil
}
