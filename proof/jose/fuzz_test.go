package jose_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// fuzzSeeds returns valid tokens of every shape and the signing inputs
// they were made from, plus assorted broken ones.
func fuzzSeeds(f *testing.F) (seeds []string, signed map[string]bool, resolve jose.KeyResolver) {
	f.Helper()
	ed, err := keys.FromEd25519Seed(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	// Fixed keys: the fuzzing engine calls the target in several
	// processes, which must agree on what was signed. (ECDSA signatures
	// still differ per process; signing inputs do not.)
	scalar := make([]byte, 32)
	scalar[31] = 7
	ecPriv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar)
	if err != nil {
		f.Fatal(err)
	}
	ec, err := keys.FromPrivate(ecPriv)
	if err != nil {
		f.Fatal(err)
	}
	signed = map[string]bool{}
	record := func(tok string) {
		seeds = append(seeds, tok)
		signed[tok[:strings.LastIndexByte(tok, '.')]] = true
	}
	for _, k := range []*keys.Key{ed, ec} {
		tok, err := jose.SignCredential(digestCred(f), k, "kid-"+string(k.Alg()), jose.SignOptions{})
		if err != nil {
			f.Fatal(err)
		}
		record(tok)
		tok, err = jose.SignCredential(digestCred(f), k, "", jose.SignOptions{EmbedJWK: true})
		if err != nil {
			f.Fatal(err)
		}
		record(tok)
	}
	record(compact(f, map[string]any{"alg": "EdDSA", "kid": "kid-EdDSA", "typ": "vc+jwt"}, digestCred(f), keySigner(f, ed)))
	record(compact(f, map[string]any{"alg": "EdDSA", "kid": "kid-EdDSA"}, map[string]any{
		"iss": "did:example:i", "sub": "did:example:s", "nbf": 1748736000, "vc": map[string]any{"type": "VerifiableCredential"},
	}, keySigner(f, ed)))
	good := seeds[0]
	seeds = append(seeds,
		"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0."+splitPart(good, 1)+".",
		good[:len(good)-1], good+"A", strings.Replace(good, ".", "..", 1),
		"e30.e30.", "eyJhbGciOiJFZERTQSJ9.W10.AA",
	)
	return seeds, signed, mapResolver(map[string]crypto.PublicKey{"kid-EdDSA": ed.Public(), "kid-ES256": ec.Public()})
}

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, and
// it must accept only what was really signed, so any token it accepts has
// the signing input of one of the seed tokens this test signed.
func FuzzVerify(f *testing.F) {
	seeds, signed, resolve := fuzzSeeds(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		res, err := jose.Verify(context.Background(), tok, resolve, jose.VerifyOptions{Now: testNow})
		if err != nil {
			if res != nil {
				t.Fatalf("result with error %v", err)
			}
			return
		}
		if i := strings.LastIndexByte(tok, '.'); i < 0 || !signed[tok[:i]] {
			t.Fatalf("Verify accepted a token nobody signed: %q", tok)
		}
		if res.Credential == nil || res.Claims == nil || res.Header == nil {
			t.Fatalf("incomplete result %+v", res)
		}
		if _, _, err := jose.ParseUnverified(tok); err != nil {
			t.Fatalf("Verify accepts what ParseUnverified refuses: %v", err)
		}
	})
}

// FuzzParseUnverified checks that ParseUnverified never panics and that
// what it returns is plain JSON data that survives a round trip.
func FuzzParseUnverified(f *testing.F) {
	seeds, _, _ := fuzzSeeds(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		h, p, err := jose.ParseUnverified(tok)
		if err != nil {
			return
		}
		for _, m := range []map[string]any{h, p} {
			if m == nil {
				t.Fatal("nil map without error")
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("decoded value does not re-encode: %v", err)
			}
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m, back); diff != "" {
				t.Fatalf("round trip differs:\n%s", diff)
			}
		}
	})
}
