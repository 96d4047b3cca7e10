package did

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"os"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
	"github.com/mr-tron/base58"
)

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(sharedtest.Testdata(t, "did", name))
	if err != nil {
		t.Fatalf("read vector: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("parse vector %s: %v", name, err)
	}
}

// rawKey returns comparable raw bytes of a public key: Ed25519 and X25519
// keys as is, NIST keys as the compressed point.
func rawKey(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return k
	case *ecdh.PublicKey:
		return k.Bytes()
	case *ecdsa.PublicKey:
		mb, err := keys.EncodeMultikey(k)
		if err != nil {
			t.Fatalf("EncodeMultikey: %v", err)
		}
		raw, err := base58.Decode(mb[1:])
		if err != nil {
			t.Fatalf("base58: %v", err)
		}
		return raw[2:]
	}
	t.Fatalf("unexpected key type %T", pub)
	return nil
}

func ids(rels []Relationship) []string {
	var out []string
	for _, r := range rels {
		out = append(out, r.ID())
	}
	return out
}

// jsonDiff reports the difference between two JSON texts, compared as
// values.
func jsonDiff(t testing.TB, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got JSON: %v", err)
	}
	return cmpDiff(w, g)
}

func cmpDiff(want, got any) string { return cmp.Diff(want, got) }

func ecdsaKey(t testing.TB, c elliptic.Curve) *ecdsa.PublicKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	return &k.PublicKey
}
