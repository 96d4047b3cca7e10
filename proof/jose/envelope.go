package jose

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/keys"
)

// Data URL prefixes of an EnvelopedVerifiableCredential id (VCDM 2.0
// §4.13, VC-JOSE-COSE §3.1.1 and §7): the VC-JOSE-COSE media type, and the
// plain JWT one some wallets use for OB and VCDM 1.1 tokens.
const (
	envelopePrefix    = "data:application/vc+jwt,"
	envelopePrefixJWT = "data:application/jwt,"
)

// Envelope wraps a VC-JWT as an EnvelopedVerifiableCredential (VCDM 2.0
// §4.13), the form VC-JOSE-COSE requires for JWT credentials inside a
// presentation:
//
//	{"@context": "https://www.w3.org/ns/credentials/v2",
//	 "type": "EnvelopedVerifiableCredential",
//	 "id": "data:application/vc+jwt,<token>"}
func Envelope(token string) map[string]any {
	return map[string]any{
		"@context": contextV2,
		"type":     "EnvelopedVerifiableCredential",
		"id":       envelopePrefix + token,
	}
}

// SignEnveloped secures a VCDM 2.0 credential as W3C VC-JOSE-COSE §3.1.1
// prescribes and returns the compact token and its
// EnvelopedVerifiableCredential (VCDM 2.0 §4.13). The header is
// {"alg", "kid", "typ": "vc+jwt", "cty": "vc"}; the payload is cred itself,
// unmodified: no vc claim and no iss, jti, nbf or sub restating its fields
// (VC-JOSE-COSE leaves those out; OB 3.0 §8.2 wants them, which is what
// SignCredential makes). kid, the signing key's DID URL, is required.
//
// A credential whose @context does not start with the VCDM 2.0 context, or
// without an issuer, wraps ErrInvalidCredential.
func SignEnveloped(cred map[string]any, key *keys.Key, kid string) (token string, envelope map[string]any, err error) {
	switch {
	case cred == nil:
		return "", nil, fmt.Errorf("sign vc+jwt: %w: no credential", ErrInvalidCredential)
	case !isVCDM2(cred):
		return "", nil, fmt.Errorf("sign vc+jwt: %w: VC-JOSE-COSE secures VCDM 2.0 credentials; @context must start with %s", ErrInvalidCredential, contextV2)
	case issuerID(cred) == "":
		return "", nil, fmt.Errorf("sign vc+jwt: %w: no issuer id", ErrInvalidCredential)
	case kid == "":
		return "", nil, fmt.Errorf("sign vc+jwt: empty kid: pass the key's DID URL")
	}
	h, err := newHeader(key, kid, false)
	if err != nil {
		return "", nil, fmt.Errorf("sign vc+jwt: %w", err)
	}
	h.Typ, h.Cty = "vc+jwt", "vc"
	tok, err := signCompact(h, cred, key)
	if err != nil {
		return "", nil, fmt.Errorf("sign vc+jwt: %w", err)
	}
	return tok, Envelope(tok), nil
}

// envelopeVPPrefix is the data URL prefix of an
// EnvelopedVerifiablePresentation id (VC-JOSE-COSE §3.2).
const envelopeVPPrefix = "data:application/vp+jwt,"

// SignEnvelopedPresentation secures a VCDM 2.0 presentation as a
// VC-JOSE-COSE vp+jwt and returns the token and its
// EnvelopedVerifiablePresentation (VCDM 2.0 §4.13). The header is
// {"alg", "kid", "typ": "vp+jwt", "cty": "vp"}; the payload is vp itself
// plus the claims that bind it to one exchange: aud and nonce (when not
// empty), iat and exp (now + ttl). Credentials inside should be secured
// objects or EnvelopedVerifiableCredentials. kid and a positive ttl are
// required; a zero now means time.Now().
func SignEnvelopedPresentation(vp map[string]any, key *keys.Key, kid, aud, nonce string, now time.Time, ttl time.Duration) (token string, envelope map[string]any, err error) {
	switch {
	case vp == nil:
		return "", nil, errors.New("sign vp+jwt: no presentation")
	case !isVCDM2(vp):
		return "", nil, fmt.Errorf("sign vp+jwt: %w: @context must start with %s", ErrMalformed, contextV2)
	case kid == "":
		return "", nil, errors.New("sign vp+jwt: empty kid: pass the holder key's DID URL")
	case ttl <= 0:
		return "", nil, fmt.Errorf("sign vp+jwt: ttl %v is not positive", ttl)
	}
	if now.IsZero() {
		now = time.Now()
	}
	payload := make(map[string]any, len(vp)+4)
	for k, v := range vp {
		payload[k] = v
	}
	if aud != "" {
		payload["aud"] = aud
	}
	if nonce != "" {
		payload["nonce"] = nonce
	}
	payload["iat"] = now.Unix()
	payload["exp"] = now.Add(ttl).Unix()
	h, err := newHeader(key, kid, false)
	if err != nil {
		return "", nil, fmt.Errorf("sign vp+jwt: %w", err)
	}
	h.Typ, h.Cty = "vp+jwt", "vp"
	tok, err := signCompact(h, payload, key)
	if err != nil {
		return "", nil, fmt.Errorf("sign vp+jwt: %w", err)
	}
	return tok, map[string]any{
		"@context": contextV2,
		"type":     "EnvelopedVerifiablePresentation",
		"id":       envelopeVPPrefix + tok,
	}, nil
}

// Unenvelope returns the compact token inside an
// EnvelopedVerifiableCredential whose id is a data URL with media type
// application/vc+jwt or application/jwt. It checks the token's form only,
// not its signature. Anything else returns an error wrapping ErrMalformed.
func Unenvelope(obj map[string]any) (string, error) {
	if !hasType(obj, "EnvelopedVerifiableCredential") {
		return "", fmt.Errorf("unenvelope: %w: type is not EnvelopedVerifiableCredential", ErrMalformed)
	}
	id, _ := obj["id"].(string)
	var tok string
	switch {
	case strings.HasPrefix(id, envelopePrefix):
		tok = id[len(envelopePrefix):]
	case strings.HasPrefix(id, envelopePrefixJWT):
		tok = id[len(envelopePrefixJWT):]
	default:
		return "", fmt.Errorf("unenvelope: %w: id is not a data:application/vc+jwt URL", ErrMalformed)
	}
	if _, err := splitCompact(tok); err != nil {
		return "", fmt.Errorf("unenvelope: %w", err)
	}
	return tok, nil
}

// hasType reports whether doc's type (a string or an array of strings)
// includes t.
func hasType(doc map[string]any, t string) bool {
	switch v := doc["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}
