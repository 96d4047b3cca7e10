package keys_test

// Fuzz targets for the parsers of untrusted input. Run each with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzDecodeMultikey$' -fuzztime 15s ./keys/

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

func FuzzDecodeMultikey(f *testing.F) {
	for _, s := range []string{
		zeroSeedMultikey,
		p256Multikey,
		"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
		"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
		"zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx",
		"", "z", "z1", "zzzz", "u6Mk",
	} {
		f.Add(s)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pub := range []crypto.PublicKey{&p384.PublicKey, x25519.PublicKey()} {
		s, err := keys.EncodeMultikey(pub)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := keys.DecodeMultikey(s)
		if err == nil {
			again, err := keys.EncodeMultikey(pub)
			if err != nil {
				t.Fatalf("EncodeMultikey of decoded %q: %v", s, err)
			}
			if again != s {
				t.Fatalf("round trip %q -> %q", s, again)
			}
			if _, err := keys.PublicJWK(pub); err != nil {
				t.Fatalf("PublicJWK of decoded %q: %v", s, err)
			}
		}
		priv, err := keys.DecodeMultikeySecret(s)
		if err == nil {
			again, err := keys.DecodeMultikeySecret(keys.EncodeMultikeySecret(priv))
			if err != nil || !again.Equal(priv) {
				t.Fatalf("secret round trip of %q failed: %v", s, err)
			}
		}
	})
}

func FuzzParsePublicJWK(f *testing.F) {
	for _, s := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		`{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}`,
		`{"kty":"EC","crv":"P-256","x":"` + p256X + `","y":"` + p256Y + `"}`,
		`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"1","use":"sig","alg":"ES256"}`,
		`{"kty":"RSA","n":"AQAB","e":"AQAB"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`,
		`{"KTY":"OKP"}`, `null`, `[]`, `{}`, `{"kty":1}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, j, err := keys.ParsePublicJWK(data)
		if err != nil {
			if pub != nil {
				t.Fatalf("error %v with a non-nil key", err)
			}
			return
		}
		again, err := keys.PublicJWK(pub)
		if err != nil {
			t.Fatalf("PublicJWK of parsed key: %v", err)
		}
		if again.Kty != j.Kty || again.Crv != j.Crv {
			t.Fatalf("kty/crv changed: %s/%s -> %s/%s", j.Kty, j.Crv, again.Kty, again.Crv)
		}
		out, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		pub2, _, err := keys.ParsePublicJWK(out)
		if err != nil {
			t.Fatalf("re-parse %s: %v", out, err)
		}
		if !equalPublic(pub2, pub) {
			t.Fatalf("round trip changed the key: %s", out)
		}
	})
}

func FuzzOpen(f *testing.F) {
	kek := mustKEK(f, 1)
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		s, err := keys.Seal(kek, mustGenerate(f, alg))
		if err != nil {
			f.Fatal(err)
		}
		data, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{}`, `null`, `{"v":1}`,
		`{"v":1,"kek":"` + kek.ID() + `","alg":"EdDSA","nonce":"AAAAAAAAAAAAAAAA","ciphertext":""}`,
		`{"v":1,"kek":"` + kek.ID() + `","alg":"ES256","nonce":"AA==","ciphertext":"AA=="}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s keys.Sealed
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		k, err := keys.Open(kek, s)
		if err != nil {
			if !errors.Is(err, keys.ErrCorrupt) && !errors.Is(err, keys.ErrWrongKEK) {
				t.Fatalf("Open error %v wraps neither ErrCorrupt nor ErrWrongKEK", err)
			}
			return
		}
		// Only a genuine record (a seed, possibly re-encoded) opens.
		if k.MultikeyPublic() != s.Public || k.ID != s.ID || k.Alg() != s.Alg {
			t.Fatalf("opened key %v does not match record %v", k, s)
		}
	})
}
