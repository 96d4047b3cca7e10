package oid4vp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Encrypted responses (§8.3): an unsigned JWT encrypted with ECDH-ES to a
// key of client_metadata.jwks, its claims the response parameters.

// AlgECDHES is the only JWE key management algorithm Accolade uses and
// accepts for responses.
const AlgECDHES = "ECDH-ES"

// EncValues are the content encryption algorithms Accolade handles, the
// default first (§8.3: A128GCM when the verifier names none).
var EncValues = []string{"A128GCM", "A256GCM"}

// MaxJWEResponse bounds a direct_post.jwt response parameter.
const MaxJWEResponse = MaxVPToken + 64<<10

// EncryptResponse encrypts the response parameters (vp_token, state, or
// error) for a direct_post.jwt response: to the first ECDH-ES key (EC
// P-256/P-384/P-521 or OKP X25519, use enc or none) of md.JWKS; with the
// first enc of md.EncryptedResponseEncValuesSupported that Accolade
// handles (A128GCM by default); with the key's kid in the JWE header.
// Errors are *Error with invalid_request when no key or enc suits.
func EncryptResponse(params map[string]any, md *ClientMetadata) (string, error) {
	if md == nil || len(md.JWKS) == 0 {
		return "", invalidf("client_metadata.jwks is missing")
	}
	set, err := jwk.Parse(md.JWKS)
	if err != nil {
		return "", invalidf("client_metadata.jwks is not a JWK set")
	}
	var key jwk.Key
	for i := range set.Len() {
		k, _ := set.Key(i)
		alg, ok := k.Algorithm()
		if !ok || alg.String() != AlgECDHES {
			continue
		}
		if use, ok := k.KeyUsage(); ok && use != "enc" {
			continue
		}
		var crv jwa.EllipticCurveAlgorithm
		_ = k.Get("crv", &crv)
		switch k.KeyType().String() + "/" + crv.String() {
		case "EC/P-256", "EC/P-384", "EC/P-521", "OKP/X25519":
		default:
			continue
		}
		if k.Has("d") {
			continue // a private key has no business in client_metadata
		}
		key = k
		break
	}
	if key == nil {
		return "", invalidf("client_metadata.jwks holds no ECDH-ES public key (EC P-256/P-384/P-521 or X25519) to encrypt to")
	}
	enc := EncValues[0]
	if list := md.EncryptedResponseEncValuesSupported; len(list) > 0 {
		i := slices.IndexFunc(list, func(v string) bool { return slices.Contains(EncValues, v) })
		if i < 0 {
			return "", invalidf("none of encrypted_response_enc_values_supported is A128GCM or A256GCM")
		}
		enc = list[i]
	}
	cea, _ := jwa.LookupContentEncryptionAlgorithm(enc)
	hdr := jwe.NewHeaders()
	if kid, ok := key.KeyID(); ok {
		_ = hdr.Set("kid", kid)
	}
	payload, err := json.Marshal(params)
	if err != nil {
		return "", fmt.Errorf("encrypt response: %w", err)
	}
	out, err := jwe.Encrypt(payload, jwe.WithKey(jwa.ECDH_ES(), key), jwe.WithContentEncryption(cea),
		jwe.WithProtectedHeaders(hdr), jwe.WithCompact())
	if err != nil {
		return "", fmt.Errorf("encrypt response: %w", err)
	}
	return string(out), nil
}

// DecryptResponse opens a direct_post.jwt response (§8.3.1) with the
// verifier's private key: the JWE must use ECDH-ES and one of encValues
// (default A128GCM), and its payload be a JSON object. The parameters come
// back as a form for ParseDirectPost: string members as they are, others
// (vp_token) as their JSON. Errors are *Error with invalid_request.
func DecryptResponse(token string, priv jwk.Key, encValues []string) (url.Values, error) {
	if len(token) > MaxJWEResponse {
		return nil, invalidf("the response exceeds %d bytes", MaxJWEResponse)
	}
	if len(encValues) == 0 {
		encValues = EncValues[:1]
	}
	msg, err := jwe.Parse([]byte(token))
	if err != nil {
		return nil, invalidf("response is not a compact JWE")
	}
	h := msg.ProtectedHeaders()
	alg, _ := h.Algorithm()
	enc, _ := h.ContentEncryption()
	if alg.String() != AlgECDHES || !slices.Contains(encValues, enc.String()) {
		return nil, invalidf("the response must be encrypted with ECDH-ES and one of %v", encValues)
	}
	plain, err := jwe.Decrypt([]byte(token), jwe.WithKey(jwa.ECDH_ES(), priv))
	if err != nil {
		return nil, invalidf("the response could not be decrypted")
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(plain, &params); err != nil || params == nil {
		return nil, invalidf("the decrypted response is not a JSON object")
	}
	form := url.Values{}
	for k, v := range params {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			form.Set(k, s)
		} else {
			form.Set(k, string(v))
		}
	}
	return form, nil
}

// NewResponseKey makes a verifier's key for one direct_post.jwt request:
// an ECDH-ES P-256 key with kid. It returns the private JWK (to keep for
// DecryptResponse) and the public JWK set for client_metadata.jwks.
func NewResponseKey(kid string) (private, jwks json.RawMessage, err error) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("response key: %w", err)
	}
	k, err := jwk.Import(ec)
	if err != nil {
		return nil, nil, fmt.Errorf("response key: %w", err)
	}
	_ = k.Set(jwk.KeyIDKey, kid)
	_ = k.Set(jwk.AlgorithmKey, jwa.ECDH_ES())
	_ = k.Set(jwk.KeyUsageKey, "enc")
	pub, err := jwk.PublicKeyOf(k)
	if err != nil {
		return nil, nil, fmt.Errorf("response key: %w", err)
	}
	if private, err = json.Marshal(k); err != nil {
		return nil, nil, fmt.Errorf("response key: %w", err)
	}
	if jwks, err = json.Marshal(map[string]any{"keys": []any{pub}}); err != nil {
		return nil, nil, fmt.Errorf("response key: %w", err)
	}
	return private, jwks, nil
}
