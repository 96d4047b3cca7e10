package jose

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"time"
)

// VerifyPresentationOptions says what a presentation JWT must be bound to.
// Audience and Nonce are required: an empty one fails every presentation,
// so a verifier cannot forget replay protection by leaving them unset,
// unless AnyAudience or AnyNonce says the caller expects none.
type VerifyPresentationOptions struct {
	// AnyAudience, with an empty Audience, skips the aud check: the caller
	// has no audience to expect and reports the presentation as not bound
	// to a verifier.
	AnyAudience bool
	// AnyNonce, with an empty Nonce, skips the nonce check: the caller has
	// no nonce to expect and reports the presentation as a possible replay.
	AnyNonce bool
	// Audience is the verifier's identifier (its OpenID4VP client_id, or
	// "origin:<origin>" over the Digital Credentials API); the aud claim,
	// a string or an array, must contain it.
	Audience string
	// Nonce is the nonce the verifier issued for this request; the nonce
	// claim must equal it.
	Nonce string
	// Now is the time to check exp, nbf and iat against; zero means
	// time.Now().
	Now time.Time
	// ClockSkew is the leeway allowed on exp, nbf and iat.
	ClockSkew time.Duration
	// AllowedAlgs is as in VerifyOptions.
	AllowedAlgs []string
}

// PresentationResult is a verified presentation JWT. Its Result has Shape
// ShapeVP and a nil Credential.
type PresentationResult struct {
	Result
	// Presentation is the presentation: the vp claim with holder filled in
	// from iss when it lacks one, or the whole payload of a vp+jwt.
	Presentation map[string]any
	// Holder is the holder the key was resolved for: the iss claim, or
	// else the presentation's holder.
	Holder string
	// Credentials are the presentation's verifiableCredential entries, in
	// order. They are NOT verified here: verify each one separately and
	// check it is bound to Holder.
	Credentials []EmbeddedCredential
}

// EmbeddedCredential is one entry of a presentation's verifiableCredential.
// Exactly one field is set.
type EmbeddedCredential struct {
	// JWT is the compact token of a VC-JWT entry, given as a string
	// (jwt_vc_json) or as an EnvelopedVerifiableCredential.
	JWT string
	// Object is a credential embedded as a JSON object, such as one secured
	// with a Data Integrity proof.
	Object map[string]any
}

// VerifyPresentation checks a presentation JWT: a VCDM 1.1 / OpenID4VP
// jwt_vc_json token with a vp claim, or a VC-JOSE-COSE vp+jwt whose payload
// is the presentation. Header and signature are checked as in Verify, with
// the key resolved for the holder (issuer = the iss claim, else
// vp.holder); then iss must match the presentation's holder (ErrClaimMismatch),
// aud must contain opts.Audience (ErrAudience), nonce must equal opts.Nonce
// (ErrNonce), and exp, nbf and iat must admit opts.Now (ErrTokenExpired,
// ErrTokenNotYetValid). The embedded credentials are returned unverified.
func VerifyPresentation(ctx context.Context, token string, resolve KeyResolver, opts VerifyPresentationOptions) (*PresentationResult, error) {
	t, err := parseToken(token, opts.AllowedAlgs)
	if err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	vp, err := presentationShape(t)
	if err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	iss, err := stringClaim(t.payload, "iss")
	if err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	vpHolder := objectID(vp["holder"])
	holder := iss
	if holder == "" {
		holder = vpHolder
	}
	res, err := t.verifySignature(ctx, resolve, holder)
	if err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	res.Shape = ShapeVP
	if iss != "" && vpHolder != "" && iss != vpHolder {
		return nil, fmt.Errorf("verify vp-jwt: %w", claimErr("iss", "does not match holder"))
	}
	if !hasType(vp, "VerifiablePresentation") {
		return nil, fmt.Errorf("verify vp-jwt: %w: type lacks VerifiablePresentation", ErrMalformed)
	}
	if opts.Audience != "" || !opts.AnyAudience {
		if err := checkAudience(t.payload, opts.Audience); err != nil {
			return nil, fmt.Errorf("verify vp-jwt: %w", err)
		}
	}
	if opts.Nonce != "" || !opts.AnyNonce {
		if err := checkNonce(t.payload, opts.Nonce); err != nil {
			return nil, fmt.Errorf("verify vp-jwt: %w", err)
		}
	}
	if err := checkTimes(t.payload, opts.Now, opts.ClockSkew, true); err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	creds, err := embeddedCredentials(vp)
	if err != nil {
		return nil, fmt.Errorf("verify vp-jwt: %w", err)
	}
	pres := vp
	if iss != "" && vpHolder == "" {
		pres = withMember(vp, "holder", iss)
	}
	return &PresentationResult{Result: *res, Presentation: pres, Holder: holder, Credentials: creds}, nil
}

// presentationShape returns the object holding the presentation.
func presentationShape(t *token) (map[string]any, error) {
	if v, ok := t.payload["vp"]; ok {
		vp, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: vp claim is not an object", ErrMalformed)
		}
		return vp, nil
	}
	if t.typ == "vp+jwt" {
		return t.payload, nil
	}
	return nil, fmt.Errorf("%w: not a presentation (no vp claim, typ not vp+jwt)", ErrMalformed)
}

// checkAudience requires aud (a string or an array of strings, RFC 7519
// §4.1.3) to contain want.
func checkAudience(claims map[string]any, want string) error {
	if want == "" {
		return fmt.Errorf("%w: no expected audience configured", ErrAudience)
	}
	switch aud := claims["aud"].(type) {
	case string:
		if aud == want {
			return nil
		}
	case []any:
		if slices.Contains(aud, any(want)) {
			return nil
		}
	case nil:
		return fmt.Errorf("%w: no aud claim", ErrAudience)
	default:
		return fmt.Errorf("%w: aud is not a string or array", ErrMalformed)
	}
	return ErrAudience
}

func checkNonce(claims map[string]any, want string) error {
	if want == "" {
		return fmt.Errorf("%w: no expected nonce configured", ErrNonce)
	}
	got, ok := claims["nonce"].(string)
	if !ok {
		return fmt.Errorf("%w: no nonce claim", ErrNonce)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrNonce
	}
	return nil
}

// embeddedCredentials lists verifiableCredential: a single entry or an
// array of VC-JWT strings, EnvelopedVerifiableCredential objects or
// credential objects.
func embeddedCredentials(vp map[string]any) ([]EmbeddedCredential, error) {
	var entries []any
	switch v := vp["verifiableCredential"].(type) {
	case nil:
		return nil, nil
	case []any:
		entries = v
	default:
		entries = []any{v}
	}
	out := make([]EmbeddedCredential, 0, len(entries))
	for i, e := range entries {
		switch x := e.(type) {
		case string:
			if _, err := splitCompact(x); err != nil {
				return nil, fmt.Errorf("verifiableCredential[%d]: %w", i, err)
			}
			out = append(out, EmbeddedCredential{JWT: x})
		case map[string]any:
			if hasType(x, "EnvelopedVerifiableCredential") {
				tok, err := Unenvelope(x)
				if err != nil {
					return nil, fmt.Errorf("verifiableCredential[%d]: %w", i, err)
				}
				out = append(out, EmbeddedCredential{JWT: tok})
				continue
			}
			out = append(out, EmbeddedCredential{Object: x})
		default:
			return nil, fmt.Errorf("%w: verifiableCredential[%d] is neither a string nor an object", ErrMalformed, i)
		}
	}
	return out, nil
}

// withMember returns a copy of obj with name set to v.
func withMember(obj map[string]any, name string, v any) map[string]any {
	c := make(map[string]any, len(obj)+1)
	for k, x := range obj {
		c[k] = x
	}
	c[name] = v
	return c
}
