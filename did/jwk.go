package did

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accolade-badges/accolade/keys"
)

// JWKResolver resolves did:jwk DIDs (quartzjer/did-jwk) without any I/O:
// one JsonWebKey2020 method with fragment "#0" (the JWK "kid" is ignored),
// contexts DID v1 and jws-2020. Relationships follow the JWK "use": "sig"
// leaves out keyAgreement, "enc" gives keyAgreement only, otherwise all five.
// A JWK with private members fails with ErrInvalidDID wrapping
// keys.ErrPrivateJWK.
type JWKResolver struct{}

var _ Resolver = JWKResolver{}

// JWKDID returns the did:jwk of pub: its public JWK (keys.PublicJWK) with
// members in lexicographic order, as JCS would serialize it, base64url
// encoded without padding. The same key encoded differently is a different
// DID, so store and compare DIDs as strings.
func JWKDID(pub crypto.PublicKey) (string, error) {
	j, err := keys.PublicJWK(pub)
	if err != nil {
		return "", fmt.Errorf("did:jwk: %w", err)
	}
	// encoding/json writes map keys sorted, and base64url members need no
	// escaping, so this is the JCS form.
	members := map[string]string{"kty": j.Kty}
	for k, v := range map[string]string{"crv": j.Crv, "x": j.X, "y": j.Y, "n": j.N, "e": j.E} {
		if v != "" {
			members[k] = v
		}
	}
	b, err := json.Marshal(members)
	if err != nil {
		return "", fmt.Errorf("did:jwk: %w", err)
	}
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString(b), nil
}

// JWKDIDOf returns the did:jwk of a public JWK as it was serialized, for
// a holder that sent its own JWK (an OpenID4VCI proof's jwk header): the
// base64url of that JSON with insignificant whitespace removed, members in
// the order the holder wrote them, so that the DID is the one the holder
// computed from the same JSON. It also returns the key. A JWK with private
// members, with a repeated member, or that is not a usable public key is an
// error. Two such DIDs name the same key when the keys are Equal, whatever
// their member order: compare keys, not DID strings.
func JWKDIDOf(raw []byte) (string, crypto.PublicKey, error) {
	if err := uniqueMembers(raw); err != nil {
		return "", nil, fmt.Errorf("did:jwk: %w", err)
	}
	pub, _, err := keys.ParsePublicJWK(raw)
	if err != nil {
		return "", nil, fmt.Errorf("did:jwk: %w", err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", nil, fmt.Errorf("did:jwk: %w", err)
	}
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString(b.Bytes()), pub, nil
}

// JWKDIDNames reports whether d is a did:jwk of pub, whatever the member
// order or optional members of its JWK: it compares keys, not DID strings.
func JWKDIDNames(d string, pub crypto.PublicKey) bool {
	parsed, err := Parse(d)
	if err != nil || parsed.Method != "jwk" {
		return false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parsed.ID)
	if err != nil || uniqueMembers(raw) != nil {
		return false
	}
	k, _, err := keys.ParsePublicJWK(raw)
	if err != nil {
		return false
	}
	eq, ok := k.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(pub)
}

// uniqueMembers checks that raw is one JSON object whose member names are
// not repeated, so that a did:jwk names one key to every JSON reader.
func uniqueMembers(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("a JWK must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errors.New("the JWK is not valid JSON")
		}
		name, _ := tok.(string)
		if seen[name] {
			return fmt.Errorf("JWK member %q is repeated", name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return errors.New("the JWK is not valid JSON")
		}
	}
	return nil
}

// Resolve builds the document of a did:jwk.
func (JWKResolver) Resolve(_ context.Context, did string) (*Document, error) {
	d, err := Parse(did)
	if err != nil {
		return nil, fmt.Errorf("resolve did:jwk: %w", err)
	}
	if d.Method != "jwk" {
		return nil, fmt.Errorf("resolve did:jwk: %w: did:%s", ErrMethodNotSupported, d.Method)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(d.ID)
	if err != nil {
		return nil, fmt.Errorf("resolve did:jwk: %w: identifier is not base64url without padding", ErrInvalidDID)
	}
	_, jwk, err := keys.ParsePublicJWK(raw)
	if err != nil {
		return nil, fmt.Errorf("resolve did:jwk: %w: %w", ErrInvalidDID, err)
	}
	vmID := did + "#0"
	doc := &Document{
		Context: Context{ContextDIDv1, ContextJWS2020},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID: vmID, Type: TypeJSONWebKey2020, Controller: did, PublicKeyJwk: &jwk,
		}},
	}
	ref := []Relationship{{Ref: vmID}, {Ref: vmID}, {Ref: vmID}, {Ref: vmID}, {Ref: vmID}}
	switch jwk.Use {
	case "enc":
		doc.KeyAgreement = ref[4:5:5]
	case "sig":
		doc.AssertionMethod, doc.Authentication = ref[0:1:1], ref[1:2:2]
		doc.CapabilityInvocation, doc.CapabilityDelegation = ref[2:3:3], ref[3:4:4]
	default:
		doc.AssertionMethod, doc.Authentication = ref[0:1:1], ref[1:2:2]
		doc.CapabilityInvocation, doc.CapabilityDelegation = ref[2:3:3], ref[3:4:4]
		doc.KeyAgreement = ref[4:5:5]
	}
	return doc, nil
}
