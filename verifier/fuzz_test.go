package verifier_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/proof/di"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/verifier"
)

// FuzzVerify feeds arbitrary bytes to the verifier: it must never panic,
// and nothing but the seeds signed here may verify.
func FuzzVerify(f *testing.F) {
	e := newEnv(f)
	// Fixed key and time: the fuzzer's worker processes must agree on what
	// was signed.
	k, err := keys.FromEd25519Seed(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	d, _ := did.KeyDID(k.Public())
	s := signer{key: k, did: d, vm: d + "#" + strings.TrimPrefix(d, "did:key:")}
	doc, err := (&di.Signer{Canonicalizer: e.canon}).Sign(context.Background(), obCredential(s.did), s.key,
		di.Options{VerificationMethod: s.vm, Created: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		f.Fatal(err)
	}
	signed, _ := json.Marshal(doc)
	tok, _ := jose.SignCredential(obCredential(s.did), s.key, s.vm, jose.SignOptions{})
	f.Add(signed)
	f.Add([]byte(tok))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential"}`))
	f.Add([]byte(`"eyJhbGciOiJub25lIn0.e30."`))
	f.Add([]byte(`{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,abc"}`))
	valid := map[string]bool{string(signed): true, tok: true}
	f.Fuzz(func(t *testing.T, in []byte) {
		rep := e.v.Verify(context.Background(), in, verifier.Options{})
		if rep.Verified && !valid[string(in)] {
			// Re-serializations of a signed credential verify legitimately.
			var a, b any
			if json.Unmarshal(in, &a) == nil && json.Unmarshal(signed, &b) == nil {
				x, _ := json.Marshal(a)
				y, _ := json.Marshal(b)
				if string(x) == string(y) {
					return
				}
			}
			t.Fatalf("unexpected input verified: %q", in)
		}
	})
}
