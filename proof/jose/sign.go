package jose

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/keys"
)

// SignOptions tunes SignCredential. The zero value is ready to use.
type SignOptions struct {
	// EmbedJWK puts the signing key's public JWK in the header as jwk
	// instead of a kid (OB 3.0 §8.2.3 allows either). The kid argument is
	// then ignored. Verifiers can only trust such a key by policy, e.g.
	// when the issuer is the did:jwk of that key.
	EmbedJWK bool
}

// header is the JOSE header this package emits. Field order gives the
// member order; OB 3.0 §8.2.3 allows no other members.
type header struct {
	Alg string    `json:"alg"`
	Kid string    `json:"kid,omitempty"`
	JWK *keys.JWK `json:"jwk,omitempty"`
	Typ string    `json:"typ"`
	// Cty is set only on VC-JOSE-COSE tokens (SignEnveloped).
	Cty string `json:"cty,omitempty"`
}

// SignCredential secures cred as an OB 3.0 §8.2 VC-JWT signed by key and
// returns the compact token.
//
// The header is exactly {"alg", "kid", "typ": "JWT"} (with jwk in place of
// kid under opts.EmbedJWK). The payload is cred itself plus iss (issuer.id,
// or issuer when it is a string), jti (id), nbf (validFrom as NumericDate
// seconds), sub (credentialSubject.id) and, when validUntil is present,
// exp; these overwrite any members of the same names. The payload is
// serialized once and those exact bytes are signed. cred is not modified.
//
// sub is required: a credential without a single credentialSubject.id
// returns an error wrapping ErrMissingSubject (issue email-only recipients
// a urn:uuid subject id). A missing issuer id, id or validFrom, or an
// unparsable date, wraps ErrInvalidCredential.
func SignCredential(cred map[string]any, key *keys.Key, kid string, opts SignOptions) (string, error) {
	if cred == nil {
		return "", fmt.Errorf("sign vc-jwt: %w: no credential", ErrInvalidCredential)
	}
	iss := issuerID(cred)
	if iss == "" {
		return "", fmt.Errorf("sign vc-jwt: %w: no issuer id", ErrInvalidCredential)
	}
	jti, _ := cred["id"].(string)
	if jti == "" {
		return "", fmt.Errorf("sign vc-jwt: %w: no id", ErrInvalidCredential)
	}
	sub, err := singleSubjectID(cred)
	if err != nil {
		return "", fmt.Errorf("sign vc-jwt: %w", err)
	}
	nbf, err := credentialDate(cred, "validFrom", true)
	if err != nil {
		return "", fmt.Errorf("sign vc-jwt: %w", err)
	}
	exp, err := credentialDate(cred, "validUntil", false)
	if err != nil {
		return "", fmt.Errorf("sign vc-jwt: %w", err)
	}

	payload := make(map[string]any, len(cred)+5)
	for k, v := range cred {
		payload[k] = v
	}
	payload["iss"] = iss
	payload["jti"] = jti
	payload["nbf"] = nbf.Unix()
	payload["sub"] = sub
	if !exp.IsZero() {
		payload["exp"] = exp.Unix()
	} else {
		delete(payload, "exp")
	}
	delete(payload, "iat")

	h, err := newHeader(key, kid, opts.EmbedJWK)
	if err != nil {
		return "", fmt.Errorf("sign vc-jwt: %w", err)
	}
	tok, err := signCompact(h, payload, key)
	if err != nil {
		return "", fmt.Errorf("sign vc-jwt: %w", err)
	}
	return tok, nil
}

// SignPresentation secures vp as a presentation JWT in the VCDM 1.1 §6.3.1
// / OpenID4VP jwt_vc_json shape and returns the compact token. The header
// is {"alg", "kid", "typ": "JWT"}; the payload is
//
//	{"iss": holder, "jti", "aud": aud, "nonce": nonce,
//	 "iat": now, "nbf": now, "exp": now+ttl, "vp": vp}
//
// where the holder is vp.holder (a string or an object's id) or else the
// DID of kid, and jti is vp.id or else a fresh urn:uuid. Embedded
// credentials stay as they are in vp.verifiableCredential (VC-JWT strings
// for jwt_vc_json). aud, nonce and a positive ttl are required; a zero now
// means time.Now().
func SignPresentation(vp map[string]any, key *keys.Key, kid string, aud, nonce string, now time.Time, ttl time.Duration) (string, error) {
	switch {
	case vp == nil:
		return "", errors.New("sign vp-jwt: no presentation")
	case aud == "":
		return "", fmt.Errorf("sign vp-jwt: %w: empty audience", ErrAudience)
	case nonce == "":
		return "", fmt.Errorf("sign vp-jwt: %w: empty nonce", ErrNonce)
	case ttl <= 0:
		return "", fmt.Errorf("sign vp-jwt: ttl %v is not positive", ttl)
	}
	holder := objectID(vp["holder"])
	if holder == "" {
		if did, _, _ := strings.Cut(kid, "#"); strings.HasPrefix(did, "did:") {
			holder = did
		}
	}
	if holder == "" {
		return "", errors.New("sign vp-jwt: no holder: set vp.holder or use a DID URL kid")
	}
	jti, _ := vp["id"].(string)
	if jti == "" {
		jti = newURNUUID()
	}
	if now.IsZero() {
		now = time.Now()
	}
	payload := map[string]any{
		"iss":   holder,
		"jti":   jti,
		"aud":   aud,
		"nonce": nonce,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(ttl).Unix(),
		"vp":    vp,
	}
	h, err := newHeader(key, kid, false)
	if err != nil {
		return "", fmt.Errorf("sign vp-jwt: %w", err)
	}
	tok, err := signCompact(h, payload, key)
	if err != nil {
		return "", fmt.Errorf("sign vp-jwt: %w", err)
	}
	return tok, nil
}

func newHeader(key *keys.Key, kid string, embedJWK bool) (header, error) {
	if key == nil || key.Public() == nil {
		return header{}, keys.ErrNoPrivateKey
	}
	h := header{Alg: string(key.Alg()), Typ: "JWT"}
	switch key.Alg() {
	case keys.EdDSA, keys.ES256:
	default:
		return header{}, fmt.Errorf("%w: cannot sign with %q", keys.ErrUnsupportedAlg, h.Alg)
	}
	if embedJWK {
		j := key.PublicJWK()
		h.JWK = &j
		return h, nil
	}
	if kid == "" {
		return header{}, errors.New("empty kid: pass the key's URL or DID URL, or embed the jwk")
	}
	h.Kid = kid
	return h, nil
}

// signCompact serializes header and payload once and signs exactly the
// bytes it encoded (RFC 7515 §5.1).
func signCompact(h header, payload map[string]any, key *keys.Key) (string, error) {
	hb, err := marshalJSON(h)
	if err != nil {
		return "", fmt.Errorf("encode header: %w", err)
	}
	pb, err := marshalJSON(payload)
	if err != nil {
		return "", fmt.Errorf("encode payload: %w", err)
	}
	hl, pl := b64.EncodedLen(len(hb)), b64.EncodedLen(len(pb))
	buf := make([]byte, hl+1+pl, hl+1+pl+1+b64.EncodedLen(64)) // EdDSA and ES256 signatures are 64 bytes
	b64.Encode(buf, hb)
	buf[hl] = '.'
	b64.Encode(buf[hl+1:], pb)
	sig, err := key.Sign(buf)
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, sig)
	return string(buf), nil
}

// singleSubjectID returns the id of the credential's one subject.
func singleSubjectID(cred map[string]any) (string, error) {
	cs := cred["credentialSubject"]
	if arr, ok := cs.([]any); ok {
		if len(arr) != 1 {
			return "", fmt.Errorf("%w: %d subjects, sub needs exactly one", ErrMissingSubject, len(arr))
		}
		cs = arr[0]
	}
	m, ok := cs.(map[string]any)
	if !ok {
		return "", ErrMissingSubject
	}
	id, _ := m["id"].(string)
	if id == "" {
		return "", ErrMissingSubject
	}
	return id, nil
}

// credentialDate parses an RFC 3339 date-time field (VCDM 2.0 §4.9 uses
// xsd:dateTimeStamp, which requires an offset). A missing optional field
// returns the zero time.
func credentialDate(cred map[string]any, field string, required bool) (time.Time, error) {
	v, ok := cred[field]
	if !ok {
		if required {
			return time.Time{}, fmt.Errorf("%w: no %s", ErrInvalidCredential, field)
		}
		return time.Time{}, nil
	}
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s is not an RFC 3339 date-time", ErrInvalidCredential, field)
	}
	return t, nil
}

// newURNUUID returns a random (version 4) UUID URN (RFC 9562).
func newURNUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24+)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
