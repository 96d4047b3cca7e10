package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// SignOptions are the VC-API issue options Accolade honours.
type SignOptions struct {
	// Format is ldp_vc (default) or jwt_vc_json (or its aliases jwt_vc and
	// vc+jwt).
	Format string `json:"format,omitempty"`
	// Profile picks the JWT a jwt_vc_json request gets: "vc-jose-cose" (an
	// EnvelopedVerifiableCredential, VCDM 2.0 §4.13) or "ob" (the OB 3.0
	// §8.2 compact JWS). Empty means ob for an OpenBadgeCredential or
	// AchievementCredential and vc-jose-cose for any other credential.
	Profile string `json:"profile,omitempty"`
	// Cryptosuite is eddsa-rdfc-2022 (default) or eddsa-jcs-2022 for ldp_vc.
	Cryptosuite string `json:"cryptosuite,omitempty"`
	// Created overrides the proof's created time (RFC 3339).
	Created string `json:"created,omitempty"`
	// CredentialStatus asks for a status entry (VC-API): {"type":
	// "BitstringStatusListEntry", "statusPurpose": "revocation" or
	// "suspension"}. Nil falls back to the service's VCAPIStatusPurpose.
	CredentialStatus *StatusOption `json:"credentialStatus,omitempty"`
}

// StatusOption is the VC-API options.credentialStatus of an issue request.
type StatusOption struct {
	Type string `json:"type"`
	// StatusPurpose is revocation or suspension; empty means the service's
	// default status purpose.
	StatusPurpose string `json:"statusPurpose,omitempty"`
}

// JWT profiles of SignOptions.Profile.
const (
	ProfileOB         = "ob"
	ProfileVCJOSECOSE = "vc-jose-cose"
)

// Contexts SignCredential may add.
const (
	// contextDIv2 defines the Data Integrity proof terms (VC Data
	// Integrity 1.0 §2.4.1), which the VCDM 1.1 context lacks.
	contextDIv2 = "https://w3id.org/security/data-integrity/v2"
	contextDIv1 = "https://w3id.org/security/data-integrity/v1"
	// contextStatusV1 defines BitstringStatusListEntry for VCDM 1.1
	// credentials (Bitstring Status List v1.0 §2.1).
	contextStatusV1 = "https://www.w3.org/ns/credentials/status/v1"
)

// SignCredential secures a caller-supplied credential (the VC-API
// "POST /credentials/issue"): it fills issuer and id when absent, checks
// the VCDM shape, adds a BitstringStatusListEntry when asked, and signs
// with the active issuer key under the issuer DID the credential names:
// this service's did:web or the active key's did:key, whichever the
// default DID method. It returns a JSON object (ldp_vc), an
// EnvelopedVerifiableCredential object (VC-JOSE-COSE) or a compact JWS
// string (the OB 3.0 VC-JWT).
func (s *Service) SignCredential(ctx context.Context, doc map[string]any, opts SignOptions) (any, error) {
	signer, err := s.cfg.Identity.ActiveSigner(ctx)
	if err != nil {
		return nil, err
	}
	doc = cloneMap(doc)
	var p []*credential.ValidationError
	bad := func(field, reason string) { p = append(p, &credential.ValidationError{Field: field, Reason: reason}) }
	if _, ok := doc["proof"]; ok {
		bad("proof", "the credential to issue must not carry a proof")
	}
	issuerDID := ""
	iss, hasIssuer := doc["issuer"]
	switch iss := iss.(type) {
	case nil:
		// A null issuer is not "left out": VCDM 2.0 §4.7 wants a URL or
		// an object, and the checks below refuse it.
		if !hasIssuer {
			doc["issuer"] = signer.DID
		}
	case string:
		issuerDID = iss
	case map[string]any:
		if id, _ := iss["id"].(string); id == "" {
			iss["id"] = signer.DID
		} else {
			issuerDID = id
		}
	default:
		bad("issuer", "must be a string or an object")
	}
	if issuerDID != "" && issuerDID != signer.DID {
		other, ok, err := s.cfg.Identity.SignerFor(ctx, issuerDID)
		if err != nil {
			return nil, err
		}
		if ok {
			signer = other
		} else {
			bad("issuer", "must be a DID this issuer controls ("+strings.Join(s.controlledDIDs(ctx, signer), " or ")+") or left out")
		}
	}
	if _, ok := doc["id"]; !ok {
		doc["id"] = "urn:uuid:" + uuid.NewString()
	}
	ver := credential.Version(doc)
	if ver == 0 {
		bad("@context", "the first item must be "+credential.ContextVCv2+" (or "+credential.ContextVCv1+")")
	}
	if !hasType(doc, credential.TypeVerifiableCredential) {
		bad("type", "must include VerifiableCredential")
	}
	format, ok := parseVCAPIFormat(opts.Format)
	if !ok {
		bad("options.format", formatsAccepted+` (or "vc+jwt")`)
	}
	profile := opts.Profile
	switch profile {
	case "":
		profile = ProfileVCJOSECOSE
		if isOB(doc) {
			profile = ProfileOB
		}
	case ProfileOB, ProfileVCJOSECOSE:
	default:
		bad("options.profile", `must be "ob" or "vc-jose-cose"`)
	}
	if format == FormatJWT && ver == 1 {
		bad("options.format", "a VC-JWT needs a VCDM 2.0 credential (@context "+credential.ContextVCv2+"); sign a VCDM 1.1 credential as ldp_vc")
	}
	purpose, wantStatus := s.cfg.VCAPIStatusPurpose, s.cfg.VCAPIStatusPurpose != ""
	if so := opts.CredentialStatus; so != nil {
		wantStatus = true
		purpose = so.StatusPurpose
		if so.Type != status.TypeBitstringStatusListEntry {
			bad("options.credentialStatus.type", "must be "+status.TypeBitstringStatusListEntry)
		}
		if purpose == "" {
			purpose = s.cfg.DefaultStatusPurpose
		} else if !validPurpose(purpose) {
			bad("options.credentialStatus.statusPurpose", "must be revocation or suspension")
		}
	}
	if wantStatus && doc["credentialStatus"] != nil {
		bad("credentialStatus", "the credential already has one; leave it out or do not ask for options.credentialStatus")
	}
	// The VCDM 2.0 structural MUSTs (credential.CheckVCDM: issuer,
	// credentialSubject with claims, validity order, a type on
	// credentialStatus, credentialSchema, refreshService, termsOfUse and
	// evidence, relatedResource digests), or for Open Badges credentials
	// credential.Check, which applies them too.
	checks := credential.CheckVCDM
	if isOB(doc) {
		checks = credential.Check
	}
	p = append(p, checks(doc)...)
	p = append(p, credential.CheckIRIs(doc)...)
	if err := invalid(p); err != nil {
		return nil, err
	}
	created := s.now()
	if opts.Created != "" {
		t, err := credential.ParseTime(opts.Created)
		if err != nil {
			return nil, invalid([]*credential.ValidationError{{Field: "options.created", Reason: "must be a date-time with a time zone"}})
		}
		created = t
	}
	if format == FormatLDP {
		if signer.Key.Alg() != keys.EdDSA {
			return nil, invalid([]*credential.ValidationError{{Field: "options.format", Reason: "ldp_vc needs an Ed25519 issuer key"}})
		}
		if opts.Cryptosuite != "" && opts.Cryptosuite != di.EdDSARDFC2022 && opts.Cryptosuite != di.EdDSAJCS2022 {
			return nil, invalid([]*credential.ValidationError{{Field: "options.cryptosuite", Reason: "must be eddsa-rdfc-2022 or eddsa-jcs-2022"}})
		}
	}
	if ver == 1 {
		if _, ok := doc["issuanceDate"]; !ok {
			// VCDM 1.1 §4.6 requires it.
			doc["issuanceDate"] = created.UTC().Format(time.RFC3339)
		}
		if format == FormatLDP && !hasContext(doc, contextDIv2) && !hasContext(doc, contextDIv1) {
			// VC Data Integrity 1.0 §2.4.1: the VCDM 1.1 context does
			// not define the proof terms.
			addContext(doc, contextDIv2)
		}
	}
	var rec Issued
	if wantStatus {
		list, index, err := s.allocateStatus(ctx, purpose, signer)
		if err != nil {
			return nil, err
		}
		doc["credentialStatus"] = status.Entry(s.listURL(list.ID), index, purpose)
		if ver == 1 && !hasContext(doc, contextStatusV1) {
			addContext(doc, contextStatusV1)
		}
		rec.Status = &CredentialStatus{ListID: list.ID, Index: index, Purpose: purpose, State: StateActive}
	}
	if isOB(doc) {
		if err := s.check(ctx, doc); err != nil {
			return nil, err
		}
	}
	var out any
	var raw json.RawMessage
	switch {
	case format == FormatLDP:
		signed, err := s.cfg.DI.Sign(ctx, doc, signer.Key, di.Options{Cryptosuite: opts.Cryptosuite, VerificationMethod: signer.VerificationMethod, Created: created})
		if err != nil {
			// What stops signing is the client's document (an undefined term).
			return nil, public.WithMessage(fmt.Errorf("%w: %w", ErrInvalid, err), err.Error())
		}
		out = signed
		raw, _ = json.Marshal(signed)
	case profile == ProfileVCJOSECOSE:
		tok, env, err := jose.SignEnveloped(doc, signer.Key, signer.VerificationMethod)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out = env
		raw, _ = json.Marshal(tok)
	default:
		tok, err := jose.SignCredential(doc, signer.Key, signer.VerificationMethod, jose.SignOptions{})
		if err != nil {
			return nil, public.WithMessage(fmt.Errorf("%w: %w", ErrInvalid, err), err.Error())
		}
		out = tok
		raw, _ = json.Marshal(tok)
	}
	id, _ := doc["id"].(string)
	// A credential with a status entry is kept whatever its id, so that
	// POST /credentials/status can find it; others only under urn:uuid ids.
	if strings.HasPrefix(id, "urn:uuid:") || (rec.Status != nil && id != "") {
		rec.ID, rec.Format, rec.IssuerDID, rec.Issued, rec.Credential = id, format, signer.DID, s.now(), raw
		if subj, ok := doc["credentialSubject"].(map[string]any); ok {
			if sid, _ := subj["id"].(string); sid != "" {
				rec.Recipient = ParseRecipient(sid)
			}
		}
		if err := s.keepLatest(ctx, rec); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseVCAPIFormat is ParseFormat plus the VC-JOSE-COSE media type names a
// VC-API caller may use for a JWT.
func parseVCAPIFormat(s string) (string, bool) {
	switch s {
	case "vc+jwt", "application/vc+jwt":
		return FormatJWT, true
	}
	return ParseFormat(s)
}

// controlledDIDs names the issuer DIDs SignCredential accepts, for errors.
func (s *Service) controlledDIDs(ctx context.Context, active Signer) []string {
	dids := []string{active.DID}
	if info, err := s.cfg.Identity.Active(ctx); err == nil {
		for _, d := range []string{s.cfg.Identity.WebDID(), info.DIDKey} {
			if d != "" && d != active.DID {
				dids = append(dids, d)
			}
		}
	}
	return dids
}

func hasContext(doc map[string]any, url string) bool {
	switch c := doc["@context"].(type) {
	case string:
		return c == url
	case []any:
		for _, x := range c {
			if x == url {
				return true
			}
		}
	}
	return false
}

// addContext appends url to the document's @context.
func addContext(doc map[string]any, url string) {
	switch c := doc["@context"].(type) {
	case string:
		doc["@context"] = []any{c, url}
	case []any:
		doc["@context"] = append(c, url)
	}
}

func isOB(doc map[string]any) bool {
	return hasType(doc, credential.TypeOpenBadgeCredential) || hasType(doc, credential.TypeAchievementCredential)
}

func hasType(doc map[string]any, t string) bool {
	switch v := doc["type"].(type) {
	case string:
		return v == t
	case []any:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	}
	return false
}

func cloneMap(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// keepLatest stores a record SignCredential made. Callers such as the VC-API
// test suites issue the same credential id repeatedly, and the latest issue
// is kept; but a record with a status entry (one Issue made) is never
// replaced, as that would drop its status: its revocation would no longer
// show. Records are never deleted and keep their status entry once they
// have one, so the check and the replace need no common atomic step.
func (s *Service) keepLatest(ctx context.Context, rec Issued) error {
	key := storageKey(rec.ID)
	err := s.putJSON(ctx, collCredentials, key, rec, true)
	if !errors.Is(err, store.ErrConflict) {
		if err != nil {
			return fmt.Errorf("store credential: %w", err)
		}
		return nil
	}
	var prev Issued
	if err := s.getJSON(ctx, collCredentials, key, &prev); err != nil {
		return fmt.Errorf("store credential: %w", err)
	}
	if prev.Status != nil {
		return public.Errorf("%w: a credential with this id was issued with a status entry; it cannot be issued again", ErrStatusConflict)
	}
	if err := s.putJSON(ctx, collCredentials, key, rec, false); err != nil {
		return fmt.Errorf("store credential: %w", err)
	}
	return nil
}
