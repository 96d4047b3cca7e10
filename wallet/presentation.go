package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/google/uuid"
)

// Presentation formats.
const (
	// FormatLDPVP is a VCDM 2.0 presentation with a Data Integrity
	// eddsa-rdfc-2022 proof (proofPurpose authentication).
	FormatLDPVP = "ldp_vp"
	// FormatJWTVP is a VP-JWT (VCDM 1.1 §6.3.1, OpenID4VP jwt_vc_json).
	FormatJWTVP = "jwt_vp"
)

// MaxPresented caps the credentials of one presentation (the verifier's
// cap too).
const MaxPresented = 64

// PresentRequest asks for a presentation of some of the holder's
// credentials.
type PresentRequest struct {
	// CredentialIDs are wallet credential IDs, presented in this order.
	CredentialIDs []string `json:"credentialIds"`
	// DID is the holder DID to sign with; empty means the default did:key.
	DID string `json:"did,omitempty"`
	// Format is FormatLDPVP (the default) or FormatJWTVP.
	Format string `json:"format,omitempty"`
	// Challenge (required) and Domain bind a Data Integrity proof to the
	// verifier's exchange (VC Data Integrity 1.0 §2.1).
	Challenge string `json:"challenge,omitempty"`
	Domain    string `json:"domain,omitempty"`
	// Nonce and Audience bind a VP-JWT (the nonce and aud claims); they
	// default to Challenge and Domain, and both are required.
	Nonce    string `json:"nonce,omitempty"`
	Audience string `json:"audience,omitempty"`
}

// Presentation is a signed presentation.
type Presentation struct {
	Format string `json:"format"`
	// Holder is the holder DID that signed; VerificationMethod its key.
	Holder             string `json:"holder"`
	VerificationMethod string `json:"verificationMethod"`
	// VerifiablePresentation is the presentation: a JSON object (ldp_vp)
	// or a JSON string holding the VP-JWT (jwt_vp).
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	// BearerCredentials lists the presented wallet credential IDs that are
	// bearer credentials (see Credential.Bearer); Warnings says what that
	// means, one line per credential.
	BearerCredentials []string `json:"bearerCredentials,omitempty"`
	Warnings          []string `json:"warnings,omitempty"`
}

func (r *PresentRequest) validate() error {
	var p []*FieldError
	if r.Format == "" {
		r.Format = FormatLDPVP
	}
	if r.Nonce == "" {
		r.Nonce = r.Challenge
	}
	if r.Audience == "" {
		r.Audience = r.Domain
	}
	switch r.Format {
	case FormatLDPVP:
		if r.Challenge == "" {
			p = append(p, &FieldError{"challenge", "is required: the verifier's challenge binds the presentation to one exchange"})
		}
	case FormatJWTVP:
		if r.Nonce == "" {
			p = append(p, &FieldError{"nonce", "is required (or challenge): the verifier's nonce binds the presentation to one exchange"})
		}
		if r.Audience == "" {
			p = append(p, &FieldError{"audience", "is required (or domain): the verifier the presentation is for"})
		}
	default:
		p = append(p, &FieldError{"format", `must be "ldp_vp" or "jwt_vp"`})
	}
	seen := map[string]bool{}
	switch {
	case len(r.CredentialIDs) == 0:
		p = append(p, &FieldError{"credentialIds", "name at least one credential"})
	case len(r.CredentialIDs) > MaxPresented:
		p = append(p, &FieldError{"credentialIds", fmt.Sprintf("at most %d credentials per presentation", MaxPresented)})
	}
	for _, id := range r.CredentialIDs {
		if seen[id] {
			p = append(p, &FieldError{"credentialIds", "names a credential twice"})
			break
		}
		seen[id] = true
	}
	for _, v := range []string{r.Challenge, r.Domain, r.Nonce, r.Audience} {
		if len(v) > 1024 {
			p = append(p, &FieldError{"challenge", "challenge, domain, nonce and audience have at most 1024 characters"})
			break
		}
	}
	return invalid(p...)
}

// Present builds a presentation of the holder's chosen credentials and
// signs it with one of the holder's DIDs. An ldp_vp is a VCDM 2.0
// presentation with holder set, credentials embedded as they are (JWT
// credentials as EnvelopedVerifiableCredential objects) and an
// eddsa-rdfc-2022 proof for authentication carrying the challenge, domain
// and an expiry; it needs an Ed25519 holder key. A jwt_vp is a VP-JWT whose
// vp claim lists JWT credentials as strings and others as objects, with
// aud, nonce and exp. A credential or DID the holder does not have is
// store.ErrNotFound.
func (s *Service) Present(ctx context.Context, holderID string, req PresentRequest) (Presentation, error) {
	if err := req.validate(); err != nil {
		return Presentation{}, err
	}
	creds := make([]any, 0, len(req.CredentialIDs))
	var bearer, warnings []string
	for _, id := range req.CredentialIDs {
		c, err := s.record(ctx, holderID, id)
		if err != nil {
			return Presentation{}, err
		}
		if isBearer(c.SubjectID) {
			bearer = append(bearer, c.ID)
			warnings = append(warnings, "credential "+c.ID+" "+BearerWarning)
		}
		in, err := c.input()
		if err != nil {
			return Presentation{}, err
		}
		if tok, ok := in.(string); ok && req.Format == FormatLDPVP {
			in = jose.Envelope(tok)
		}
		creds = append(creds, in)
	}
	d, key, err := s.signingKey(ctx, holderID, req.DID)
	if err != nil {
		return Presentation{}, err
	}
	now := s.now()
	out := Presentation{Format: req.Format, Holder: d.DID, VerificationMethod: d.VerificationMethod,
		BearerCredentials: bearer, Warnings: warnings}
	switch req.Format {
	case FormatLDPVP:
		if key.Alg() != keys.EdDSA {
			return Presentation{}, public.Errorf("%w: a Data Integrity (eddsa-rdfc-2022) presentation needs an Ed25519 holder key; %s is %s: use jwt_vp or a did:key", ErrUnsupported, d.DID, key.Alg())
		}
		vp := map[string]any{
			"@context":             []any{credential.ContextVCv2},
			"id":                   "urn:uuid:" + uuid.NewString(),
			"type":                 []any{"VerifiablePresentation"},
			"holder":               d.DID,
			"verifiableCredential": creds,
		}
		signed, err := s.cfg.DI.Sign(ctx, vp, key, di.Options{
			VerificationMethod: d.VerificationMethod, ProofPurpose: di.PurposeAuthentication,
			Challenge: req.Challenge, Domain: req.Domain, Created: now, Expires: now.Add(s.cfg.PresentationTTL),
			ProofObject: true,
		})
		switch {
		case errors.Is(err, di.ErrUndefinedTerm), errors.Is(err, di.ErrUnsupportedContent),
			errors.Is(err, di.ErrTooComplex), errors.Is(err, di.ErrInvalidDocument):
			// The cause is logged with the request; the holder gets the gist.
			return Presentation{}, fmt.Errorf("present: %v: %w", err,
				public.Errorf("%w: these credentials cannot be canonicalized together as one JSON-LD presentation; present them as jwt_vp", ErrUnsupported))
		case err != nil:
			return Presentation{}, fmt.Errorf("present: %w", err)
		}
		if out.VerifiablePresentation, err = json.Marshal(signed); err != nil {
			return Presentation{}, fmt.Errorf("present: %w", err)
		}
	case FormatJWTVP:
		vp := map[string]any{
			"@context":             []any{credential.ContextVCv1},
			"type":                 []any{"VerifiablePresentation"},
			"holder":               d.DID,
			"verifiableCredential": creds,
		}
		tok, err := jose.SignPresentation(vp, key, d.VerificationMethod, req.Audience, req.Nonce, now, s.cfg.PresentationTTL)
		if err != nil {
			return Presentation{}, fmt.Errorf("present: %w", err)
		}
		out.VerifiablePresentation, _ = json.Marshal(tok)
	}
	s.log.InfoContext(ctx, "presentation signed", "holder_id", holderID, "holder_did", d.DID, "format", req.Format, "credentials", len(creds))
	return out, nil
}
