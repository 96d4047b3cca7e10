package main

import (
	"crypto/ecdsa"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadVerifierAttesters reads ACCOLADE_WALLET_VERIFIER_ATTESTERS: a JSON
// object from issuer to public JWK; a private JWK, junk or a missing file
// stop the server from starting.
func TestLoadVerifierAttesters(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const pub = `{"kty":"EC","crv":"P-256","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk","y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"}`
	got, err := loadVerifierAttesters(write("ok.json", `{"https://attester.example": `+pub+`}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["https://attester.example"].(*ecdsa.PublicKey); !ok || len(got) != 1 {
		t.Errorf("attesters %v", got)
	}
	if got, err := loadVerifierAttesters(""); err != nil || got != nil {
		t.Errorf("none: %v %v", got, err)
	}
	for name, path := range map[string]string{
		"private JWK":   write("priv.json", `{"https://a.example": {"kty":"EC","crv":"P-256","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk","y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk","d":"Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"}}`),
		"not an object": write("list.json", `[`+pub+`]`),
		"missing":       filepath.Join(dir, "nope.json"),
	} {
		if _, err := loadVerifierAttesters(path); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
