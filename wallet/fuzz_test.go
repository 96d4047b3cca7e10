package wallet_test

// Fuzz target of the import parser, which reads whatever a holder uploads.
// Run with:
//   go test -run '^$' -fuzz FuzzParseImport -fuzztime 30s ./wallet/

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/wallet"
)

func FuzzParseImport(f *testing.F) {
	const jwt = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln"
	cred := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"id":"urn:uuid:1","credentialSubject":{"id":"did:key:z"}}`)
	png := testPNG(f)
	bakedPNG, _ := bake.BakePNG(png, []byte(jwt))
	bakedSVG, _ := bake.BakeSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), cred)
	for _, seed := range [][]byte{cred, []byte(jwt), []byte(`"` + jwt + `"`), bakedPNG, bakedSVG, png, []byte(ob2SVG),
		[]byte(`{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + jwt + `"}`), []byte(`{"a":1e999}`), []byte(" \n")} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := wallet.ParseImport(data)
		if err != nil {
			if !errors.Is(err, wallet.ErrInvalid) && !errors.Is(err, wallet.ErrUnsupported) {
				t.Fatalf("error outside ErrInvalid/ErrUnsupported: %v", err)
			}
			return
		}
		switch c := p.Credential.(type) {
		case string:
			var s string
			if json.Unmarshal(p.Raw, &s) != nil || s != c {
				t.Fatalf("JWT raw %s does not hold %q", p.Raw, c)
			}
		case map[string]any:
			if !json.Valid(p.Raw) || p.Raw[0] != '{' {
				t.Fatalf("raw %s is not a JSON object", p.Raw)
			}
		default:
			t.Fatalf("credential of type %T", p.Credential)
		}
		if len(p.Hash) != 64 || p.Source == "" {
			t.Fatalf("hash %q source %q", p.Hash, p.Source)
		}
		// Parsing what is stored gives the same credential and hash.
		again, err := wallet.ParseImport(p.Raw)
		if err != nil || again.Hash != p.Hash {
			t.Fatalf("stored form re-parses to %v %v (hash %s vs %s)", again.Credential, err, again.Hash, p.Hash)
		}
		if p.Source == wallet.SourcePNG || p.Source == wallet.SourceSVG {
			if !bytes.Equal(again.Raw, p.Raw) {
				t.Fatalf("baked credential changes when stored: %s vs %s", again.Raw, p.Raw)
			}
		}
	})
}
