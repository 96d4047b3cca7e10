package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// PublicCredential is an issued badge as anyone may see it on its public
// page. Everything in it is read from the signed credential, so the page
// shows what a verifier checks, even after the achievement or profile was
// edited or deleted. It never holds the issue record's Recipient, which
// keeps an email address in clear: the recipient appears only as the
// credential shows it (a hashed IdentityObject, or a DID or URL subject id).
type PublicCredential struct {
	// ID is the credential id (urn:uuid:…); UUID its bare, lower-case UUID.
	ID   string
	UUID string
	// Format is FormatLDP or FormatJWT.
	Format string
	// Credential is the credential as stored: a JSON object (ldp_vc) or a
	// JSON string holding the compact JWS (jwt_vc).
	Credential json.RawMessage
	// Issued is when this service issued it.
	Issued time.Time
	// Name is the credential's own name, which a batch row may have set
	// apart from the achievement's.
	Name        string
	Achievement PublicAchievement
	// IssuerName and IssuerURL come from the credential's issuer object
	// (the issuer profile at issue time).
	IssuerName string
	IssuerURL  string
	// IssuerSlug names the public page of the issuer profile the badge
	// was issued under (/issuers/{slug}); empty when that profile is gone.
	IssuerSlug string
	// ValidFrom and ValidUntil are zero when the credential has none.
	ValidFrom  time.Time
	ValidUntil time.Time
	Recipient  PublicRecipient
	// Evidence is the credential's evidence.
	Evidence []credential.Evidence
}

// PublicAchievement is what the credential says about its achievement.
type PublicAchievement struct {
	ID string
	// Key is the achievement's ID in this service (set on an issuer's
	// page, where the achievement is read from the store).
	Key               string
	Name              string
	Description       string
	CriteriaNarrative string
	CriteriaURL       string
	AchievementType   string
	// ImageURL is the achievement image's id: an http(s) URL or a data:
	// URI, as the achievement defined it.
	ImageURL     string
	ImageCaption string
	// Alignments are the achievement's alignments to frameworks.
	Alignments []credential.Alignment
}

// PublicRecipient is who was awarded, as the credential shows it.
type PublicRecipient struct {
	// Hashed is set when the subject is identified by a hashed
	// IdentityObject (an email address).
	Hashed bool
	// ID is the subject id when it is a DID or an http(s) URL.
	ID string
	// Name is the recipient's name, when the issuer gave one with the
	// issue request. It comes from the issue record, not the credential.
	Name string
}

// PublicCredential returns the badge with the given id (urn:uuid:… or the
// bare UUID) for its public page. Only badges this service issued for an
// achievement have one: a credential signed through the VC-API carries
// content its caller chose, which may not be meant for the public, and is
// reported as not found like an unknown or malformed id (store.ErrNotFound).
func (s *Service) PublicCredential(ctx context.Context, id string) (PublicCredential, error) {
	u, ok := parsePublicID(id)
	if !ok {
		return PublicCredential{}, fmt.Errorf("public credential: malformed id: %w", store.ErrNotFound)
	}
	rec, err := s.Credential(ctx, u)
	if err != nil {
		return PublicCredential{}, fmt.Errorf("public %w", err)
	}
	if rec.AchievementID == "" {
		return PublicCredential{}, fmt.Errorf("public credential %s: not an achievement credential: %w", u, store.ErrNotFound)
	}
	doc, err := credentialDocument(rec)
	if err != nil {
		return PublicCredential{}, fmt.Errorf("public credential %s: %w", u, err)
	}
	pc, err := publicView(doc)
	if err != nil {
		return PublicCredential{}, fmt.Errorf("public credential %s: %w", u, err)
	}
	pc.ID, pc.UUID, pc.Format, pc.Credential, pc.Issued = rec.ID, u, rec.Format, rec.Credential, rec.Issued
	pc.Recipient.Name = rec.Recipient.Name
	if rec.ProfileID != "" {
		p, err := s.Profile(ctx, rec.ProfileID)
		if err == nil {
			pc.IssuerSlug = p.PublicSlug()
		} else if !errors.Is(err, store.ErrNotFound) {
			return PublicCredential{}, fmt.Errorf("public credential %s: %w", u, err)
		}
	}
	return pc, nil
}

// PublicIssuer is an issuer profile as anyone may see it on its public
// page, /issuers/{slug}.
type PublicIssuer struct {
	Slug        string
	Name        string
	URL         string
	Email       string
	Description string
	Image       *credential.Image
	// DID is the DID its credentials name as issuer id now; DIDs lists it
	// first, then the issuer's other DIDs (did:web, and each key's
	// did:key, which older credentials may name).
	DID  string
	DIDs []string
	// Achievements are the achievements issued under this profile, in ID
	// order.
	Achievements []PublicAchievement
}

// OBProfile is the OB 3.0 Profile of the issuer: what its credentials
// carry as issuer, with the other DIDs as otherIdentifier entries.
func (p PublicIssuer) OBProfile() credential.Profile {
	out := credential.Profile{ID: p.DID, Type: []string{credential.TypeProfile}, Name: p.Name, URL: p.URL,
		Email: p.Email, Description: p.Description, Image: p.Image}
	for _, d := range p.DIDs {
		if d != p.DID {
			out.OtherIdentifier = append(out.OtherIdentifier, credential.IdentifierEntry{Type: "IdentifierEntry", Identifier: d, IdentifierType: "identifier"})
		}
	}
	return out
}

// PublicIssuer returns the issuer profile whose slug is slug for its
// public page, or store.ErrNotFound.
func (s *Service) PublicIssuer(ctx context.Context, slug string) (PublicIssuer, error) {
	if !slugPattern.MatchString(slug) {
		return PublicIssuer{}, fmt.Errorf("public issuer: malformed slug: %w", store.ErrNotFound)
	}
	p, err := s.profileBySlug(ctx, slug)
	if err != nil {
		return PublicIssuer{}, fmt.Errorf("public issuer: %w", err)
	}
	url := p.URL
	if url == "" {
		url = s.cfg.PublicURL
	}
	out := PublicIssuer{Slug: slug, Name: p.Name, URL: url, Email: p.Email, Description: p.Description, Image: p.Image,
		Achievements: []PublicAchievement{}}
	sum, err := s.cfg.Identity.Summary(ctx)
	if err != nil {
		return PublicIssuer{}, fmt.Errorf("public issuer: %w", err)
	}
	out.DID = sum.DID
	for _, d := range append([]string{sum.DID, sum.WebDID}, keyDIDs(sum)...) {
		if d != "" && !slices.Contains(out.DIDs, d) {
			out.DIDs = append(out.DIDs, d)
		}
	}
	after := ""
	for {
		page, next, _, err := s.Achievements(ctx, after, 500)
		if err != nil {
			return PublicIssuer{}, fmt.Errorf("public issuer: %w", err)
		}
		for _, a := range page {
			pid := a.ProfileID
			if pid == "" {
				pid = DefaultProfileID
			}
			if pid != p.ID {
				continue
			}
			pa := PublicAchievement{ID: a.URL, Key: a.ID, Name: a.Name, Description: a.Description, AchievementType: a.AchievementType,
				CriteriaNarrative: a.Criteria.Narrative, CriteriaURL: a.Criteria.ID, Alignments: a.Alignments}
			if a.Image != nil {
				pa.ImageURL, pa.ImageCaption = a.Image.ID, a.Image.Caption
			}
			out.Achievements = append(out.Achievements, pa)
		}
		if next == "" {
			return out, nil
		}
		after = next
	}
}

// keyDIDs lists the did:key of each of the identity's keys, the active
// one first.
func keyDIDs(sum Summary) []string {
	out := []string{sum.ActiveKey.DIDKey}
	for _, k := range sum.Keys {
		out = append(out, k.DIDKey)
	}
	return out
}

// parsePublicID returns the canonical form of a credential UUID given with
// or without the urn:uuid: prefix, in the 8-4-4-4-12 form only.
func parsePublicID(id string) (string, bool) {
	if len(id) > len("urn:uuid:") && strings.EqualFold(id[:len("urn:uuid:")], "urn:uuid:") {
		id = id[len("urn:uuid:"):]
	}
	if len(id) != 36 {
		return "", false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// credentialDocument returns the stored credential as JSON: the object of
// an ldp_vc, or the payload of a VC-JWT (its vc claim for the VCDM 1.1
// shape), read without verifying the signature, which the page's live
// verification does.
func credentialDocument(rec Issued) ([]byte, error) {
	if rec.Format != FormatJWT {
		return rec.Credential, nil
	}
	var tok string
	if err := json.Unmarshal(rec.Credential, &tok); err != nil {
		return nil, fmt.Errorf("stored VC-JWT: %w", err)
	}
	_, payload, err := jose.ParseUnverified(tok)
	if err != nil {
		return nil, fmt.Errorf("stored VC-JWT: %w", err)
	}
	if vc, ok := payload["vc"].(map[string]any); ok {
		payload = vc
	}
	return json.Marshal(payload)
}

// publicDoc is the part of an OB 3.0 credential the public page shows.
type publicDoc struct {
	Name              string          `json:"name"`
	Issuer            json.RawMessage `json:"issuer"`
	ValidFrom         string          `json:"validFrom"`
	ValidUntil        string          `json:"validUntil"`
	CredentialSubject struct {
		ID          string            `json:"id"`
		Identifier  []json.RawMessage `json:"identifier"`
		Achievement struct {
			ID              string          `json:"id"`
			Name            string          `json:"name"`
			Description     string          `json:"description"`
			Criteria        json.RawMessage `json:"criteria"`
			AchievementType string          `json:"achievementType"`
			Image           json.RawMessage `json:"image"`
			Alignment       json.RawMessage `json:"alignment"`
		} `json:"achievement"`
	} `json:"credentialSubject"`
	Evidence json.RawMessage `json:"evidence"`
}

func publicView(raw []byte) (PublicCredential, error) {
	var d publicDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return PublicCredential{}, fmt.Errorf("read credential: %w", err)
	}
	a := d.CredentialSubject.Achievement
	pc := PublicCredential{
		Name:        d.Name,
		Achievement: PublicAchievement{ID: a.ID, Name: a.Name, Description: a.Description, AchievementType: a.AchievementType},
	}
	var crit credential.Criteria
	if len(a.Criteria) > 0 && json.Unmarshal(a.Criteria, &crit) == nil {
		pc.Achievement.CriteriaNarrative = crit.Narrative
		pc.Achievement.CriteriaURL = crit.ID
	}
	pc.Achievement.ImageURL, pc.Achievement.ImageCaption = imageOf(a.Image)
	// Alignments and evidence are shown when they read; a credential from
	// another shape of issuer still gets its page without them.
	pc.Achievement.Alignments = listOf[credential.Alignment](a.Alignment)
	pc.Evidence = listOf[credential.Evidence](d.Evidence)
	pc.IssuerName, pc.IssuerURL = issuerOf(d.Issuer)
	var errs []error
	for _, f := range []struct {
		name string
		in   string
		out  *time.Time
	}{{"validFrom", d.ValidFrom, &pc.ValidFrom}, {"validUntil", d.ValidUntil, &pc.ValidUntil}} {
		if f.in == "" {
			continue
		}
		t, err := credential.ParseTime(f.in)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
			continue
		}
		*f.out = t.UTC()
	}
	if err := errors.Join(errs...); err != nil {
		return PublicCredential{}, fmt.Errorf("read credential: %w", err)
	}
	subject := d.CredentialSubject
	switch {
	case len(subject.Identifier) > 0:
		pc.Recipient.Hashed = true
	case strings.HasPrefix(subject.ID, "did:") || isHTTPURL(subject.ID):
		pc.Recipient.ID = subject.ID
	}
	return pc, nil
}

// listOf reads a JSON array of T, or a single T, dropping what does not
// read.
func listOf[T any](raw json.RawMessage) []T {
	if len(raw) == 0 {
		return nil
	}
	var list []T
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one T
	if json.Unmarshal(raw, &one) == nil {
		return []T{one}
	}
	return nil
}

// imageOf reads an OB Image: an object with id and caption, or a bare URL.
func imageOf(raw json.RawMessage) (id, caption string) {
	if len(raw) == 0 {
		return "", ""
	}
	if json.Unmarshal(raw, &id) == nil {
		return id, ""
	}
	var img credential.Image
	if json.Unmarshal(raw, &img) == nil {
		return img.ID, img.Caption
	}
	return "", ""
}

// issuerOf reads the issuer's name and URL from an issuer object; a bare
// issuer id has neither.
func issuerOf(raw json.RawMessage) (name, url string) {
	var p struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &p) == nil {
		return p.Name, p.URL
	}
	return "", ""
}
