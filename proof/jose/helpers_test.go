// Tests for package jose. Run them with
//
//	go test -count=1 -race ./proof/jose/
//
// the fuzz targets with, e.g., go test -run '^$' -fuzz FuzzVerify -fuzztime 15s ./proof/jose/,
// and the benchmarks with go test -run '^$' -bench . -benchmem ./proof/jose/.
package jose_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

var enc = base64.RawURLEncoding

// testNow is inside every test credential's validity window.
var testNow = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)

// loadCred reads an OB 3.0 example credential from the shared test data.
func loadCred(tb testing.TB, name string) map[string]any {
	tb.Helper()
	var cred map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(tb, "ob3", "examples", name), &cred); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return cred
}

// digestCred is the basic OB example with the dates of the vc-jwt.md
// digest's example (validFrom 2025-06-01T00:00:00Z = nbf 1748736000).
func digestCred(tb testing.TB) map[string]any {
	tb.Helper()
	cred := loadCred(tb, "basic-openbadgecredential.json")
	cred["validFrom"] = "2025-06-01T00:00:00Z"
	cred["validUntil"] = "2030-01-01T00:00:00Z"
	return cred
}

func genKey(tb testing.TB, alg keys.Alg) *keys.Key {
	tb.Helper()
	k, err := keys.Generate(alg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// fakeResolver serves fixed keys by kid and records its calls.
type fakeResolver struct {
	mu    sync.Mutex
	keys  map[string]crypto.PublicKey
	calls [][2]string
}

func newResolver(kv ...any) *fakeResolver {
	r := &fakeResolver{keys: map[string]crypto.PublicKey{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.keys[kv[i].(string)] = kv[i+1]
	}
	return r
}

func (r *fakeResolver) resolve(_ context.Context, kid, issuer string) (crypto.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, [2]string{kid, issuer})
	k, ok := r.keys[kid]
	if !ok {
		return nil, jose.ErrKeyNotFound
	}
	return k, nil
}

func (r *fakeResolver) called() [][2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][2]string(nil), r.calls...)
}

// compact builds a compact JWS by hand from any header and payload,
// signing with sign; it lets tests make tokens Sign* never would.
func compact(tb testing.TB, header, payload any, sign func([]byte) []byte) string {
	tb.Helper()
	seg := func(v any) string {
		if s, ok := v.(string); ok {
			return enc.EncodeToString([]byte(s))
		}
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return enc.EncodeToString(b)
	}
	in := seg(header) + "." + seg(payload)
	return in + "." + enc.EncodeToString(sign([]byte(in)))
}

func keySigner(tb testing.TB, k *keys.Key) func([]byte) []byte {
	return func(msg []byte) []byte {
		sig, err := k.Sign(msg)
		if err != nil {
			tb.Fatal(err)
		}
		return sig
	}
}

// segments decodes the three parts of a compact token.
func segments(tb testing.TB, tok string) (header, payload, sig []byte) {
	tb.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		tb.Fatalf("token has %d segments", len(p))
	}
	var out [3][]byte
	for i, s := range p {
		b, err := enc.DecodeString(s)
		if err != nil {
			tb.Fatalf("segment %d: %v", i, err)
		}
		out[i] = b
	}
	return out[0], out[1], out[2]
}

// withSegment replaces segment i of tok with the encoding of b.
func withSegment(tok string, i int, b []byte) string {
	p := strings.Split(tok, ".")
	p[i] = enc.EncodeToString(b)
	return strings.Join(p, ".")
}

func clone(tb testing.TB, m map[string]any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// mapResolver serves fixed keys by kid without recording calls, for fuzz
// targets and benchmarks.
func mapResolver(byKid map[string]crypto.PublicKey) jose.KeyResolver {
	return func(_ context.Context, kid, _ string) (crypto.PublicKey, error) {
		if k, ok := byKid[kid]; ok {
			return k, nil
		}
		return nil, jose.ErrKeyNotFound
	}
}
