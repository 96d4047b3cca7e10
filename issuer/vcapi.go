package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// SignOptions are the VC-API issue options Accolade honours.
type SignOptions struct {
	// Format is ldp_vc (default) or jwt_vc_json (or its alias jwt_vc).
	Format string `json:"format,omitempty"`
	// Cryptosuite is eddsa-rdfc-2022 (default) or eddsa-jcs-2022 for ldp_vc.
	Cryptosuite string `json:"cryptosuite,omitempty"`
	// Created overrides the proof's created time (RFC 3339).
	Created string `json:"created,omitempty"`
}

// SignCredential secures a caller-supplied credential (the VC-API
// "POST /credentials/issue"): it fills issuer and id when absent, checks the
// VCDM shape, and signs with the active issuer key. It returns a JSON object
// (ldp_vc) or a compact JWS string (jwt_vc).
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
	switch iss := doc["issuer"].(type) {
	case nil:
		doc["issuer"] = signer.DID
	case string:
		if iss != signer.DID {
			bad("issuer", "must be this issuer's DID "+signer.DID+" (or left out)")
		}
	case map[string]any:
		if id, _ := iss["id"].(string); id == "" {
			iss["id"] = signer.DID
		} else if id != signer.DID {
			bad("issuer.id", "must be this issuer's DID "+signer.DID+" (or left out)")
		}
	default:
		bad("issuer", "must be a string or an object")
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
	if doc["credentialSubject"] == nil {
		bad("credentialSubject", "is required")
	}
	if isOB(doc) {
		p = append(p, credential.Check(doc)...)
	} else if ver == 2 {
		for _, f := range []string{"validFrom", "validUntil"} {
			if v, ok := doc[f]; ok {
				if str, _ := v.(string); str == "" {
					bad(f, "must be a date-time string")
				} else if _, err := credential.ParseTime(str); err != nil {
					bad(f, "must be a date-time with a time zone")
				}
			}
		}
	}
	if err := invalid(p); err != nil {
		return nil, err
	}
	if isOB(doc) {
		if err := s.check(ctx, doc); err != nil {
			return nil, err
		}
	}
	created := s.now()
	if opts.Created != "" {
		t, err := credential.ParseTime(opts.Created)
		if err != nil {
			return nil, invalid([]*credential.ValidationError{{Field: "options.created", Reason: "must be a date-time with a time zone"}})
		}
		created = t
	}
	var out any
	var raw json.RawMessage
	format, ok := ParseFormat(opts.Format)
	if !ok {
		return nil, invalid([]*credential.ValidationError{{Field: "options.format", Reason: formatsAccepted}})
	}
	switch format {
	case FormatLDP:
		if signer.Key.Alg() != keys.EdDSA {
			return nil, invalid([]*credential.ValidationError{{Field: "options.format", Reason: "ldp_vc needs an Ed25519 issuer key"}})
		}
		suite := opts.Cryptosuite
		if suite != "" && suite != di.EdDSARDFC2022 && suite != di.EdDSAJCS2022 {
			return nil, invalid([]*credential.ValidationError{{Field: "options.cryptosuite", Reason: "must be eddsa-rdfc-2022 or eddsa-jcs-2022"}})
		}
		signed, err := s.cfg.DI.Sign(ctx, doc, signer.Key, di.Options{Cryptosuite: suite, VerificationMethod: signer.VerificationMethod, Created: created})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out = signed
		raw, _ = json.Marshal(signed)
	case FormatJWT:
		tok, err := jose.SignCredential(doc, signer.Key, signer.VerificationMethod, jose.SignOptions{})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out = tok
		raw, _ = json.Marshal(tok)
	}
	id, _ := doc["id"].(string)
	if strings.HasPrefix(id, "urn:uuid:") {
		rec := Issued{ID: id, Format: format, IssuerDID: signer.DID, Issued: s.now(), Credential: raw}
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
		return fmt.Errorf("%w: a credential with this id was issued with a status entry; it cannot be issued again", ErrStatusConflict)
	}
	if err := s.putJSON(ctx, collCredentials, key, rec, false); err != nil {
		return fmt.Errorf("store credential: %w", err)
	}
	return nil
}
