package did

import (
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

// TestJWKDIDOf: the did:jwk of a JWK as written keeps its member order
// and drops only whitespace; JWKDIDNames matches it and the canonical
// did:jwk to the same key, and nothing else.
func TestJWKDIDOf(t *testing.T) {
	k, err := keys.Generate(keys.ES256, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j := k.PublicJWK()
	raw := `{"y":"` + j.Y + `","x":"` + j.X + `","kty":"EC","crv":"P-256"}`
	spaced := "{ \"y\": \"" + j.Y + "\",\n \"x\": \"" + j.X + "\", \"kty\": \"EC\", \"crv\": \"P-256\" }"
	want := "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(raw))
	for _, in := range []string{raw, spaced} {
		got, pub, err := JWKDIDOf([]byte(in))
		if err != nil || got != want {
			t.Fatalf("JWKDIDOf(%s) = %s, %v; want %s", in, got, err, want)
		}
		if !JWKDIDNames(got, pub) {
			t.Error("JWKDIDNames refuses the DID of its own key")
		}
	}
	canonical, _ := JWKDID(k.Public())
	if canonical == want || !JWKDIDNames(canonical, k.Public()) || !JWKDIDNames(want, k.Public()) {
		t.Errorf("canonical %s and wallet-ordered %s must be different strings naming the same key", canonical, want)
	}
	other, _ := keys.Generate(keys.ES256, rand.Reader)
	if JWKDIDNames(want, other.Public()) {
		t.Error("JWKDIDNames matches another key")
	}
	keyDID, _ := KeyDID(k.Public())
	if JWKDIDNames(keyDID, k.Public()) {
		t.Error("JWKDIDNames matches a did:key")
	}
	for name, bad := range map[string]string{
		"repeated member": `{"kty":"EC","crv":"P-256","x":"` + j.X + `","y":"` + j.Y + `","y":"` + j.Y + `"}`,
		"private member":  `{"kty":"EC","crv":"P-256","x":"` + j.X + `","y":"` + j.Y + `","d":"AAAA"}`,
		"not an object":   `["EC"]`,
		"not a key":       `{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`,
	} {
		if _, _, err := JWKDIDOf([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
