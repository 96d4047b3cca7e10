package keys_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
)

func mustKEK(t testing.TB, fill byte) *keys.KEK {
	t.Helper()
	kek, err := keys.NewKEK(bytes.Repeat([]byte{fill}, keys.KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	return kek
}

// keySummary projects the comparable, public parts of a Key.
type keySummary struct {
	ID, Handle, Public string
	Alg                keys.Alg
	Created            time.Time
	JWK                keys.JWK
}

func summarize(k *keys.Key) keySummary {
	return keySummary{ID: k.ID, Handle: k.Handle(), Public: k.MultikeyPublic(), Alg: k.Alg(), Created: k.Created, JWK: k.PublicJWK()}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	kek := mustKEK(t, 1)
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := mustGenerate(t, alg)
			k.ID = "did:web:example.org#key-1"
			s, err := keys.Seal(kek, k)
			if err != nil {
				t.Fatal(err)
			}
			if s.V != keys.SealedVersion || s.KEK != kek.ID() || s.Public != k.MultikeyPublic() || s.Alg != alg {
				t.Errorf("Seal metadata = v%d kek %s public %s alg %s", s.V, s.KEK, s.Public, s.Alg)
			}

			// Through JSON, as storage keeps it.
			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var stored keys.Sealed
			if err := json.Unmarshal(data, &stored); err != nil {
				t.Fatal(err)
			}
			got, err := keys.Open(kek, stored)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if diff := cmp.Diff(summarize(k), summarize(got)); diff != "" {
				t.Errorf("opened key mismatch (-want +got):\n%s", diff)
			}
			sig, err := got.Sign([]byte("after open"))
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Verify(alg, k.Public(), []byte("after open"), sig); err != nil {
				t.Errorf("signature of opened key does not verify under the original: %v", err)
			}

			again, err := keys.Seal(kek, k)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(again.Nonce, s.Nonce) || bytes.Equal(again.Ciphertext, s.Ciphertext) {
				t.Error("sealing twice reused the nonce or ciphertext")
			}
		})
	}
}

func TestSealedJSONShape(t *testing.T) {
	t.Parallel()
	s, err := keys.Seal(mustKEK(t, 1), mustGenerate(t, keys.EdDSA))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	want := []string{"alg", "ciphertext", "created", "id", "kek", "nonce", "public", "v"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Sealed JSON members (-want +got):\n%s", diff)
	}
	if m["v"] != float64(1) {
		t.Errorf(`"v" = %v, want 1`, m["v"])
	}
}

func TestOpenWrongKEK(t *testing.T) {
	t.Parallel()
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		s, err := keys.Seal(mustKEK(t, 1), mustGenerate(t, alg))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Open(mustKEK(t, 2), s); !errors.Is(err, keys.ErrWrongKEK) {
			t.Errorf("%s: Open with another KEK = %v, want ErrWrongKEK", alg, err)
		}
	}
}

// TestOpenTampered alters one field at a time; each must make Open fail.
func TestOpenTampered(t *testing.T) {
	t.Parallel()
	kek := mustKEK(t, 1)
	ed := mustGenerate(t, keys.EdDSA)
	ed.ID = "did:web:example.org#ed"
	ec := mustGenerate(t, keys.ES256)
	ec.ID = "did:web:example.org#ec"
	sealedEd, err := keys.Seal(kek, ed)
	if err != nil {
		t.Fatal(err)
	}
	sealedEC, err := keys.Seal(kek, ec)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}

	tests := []struct {
		name    string
		base    keys.Sealed
		tamper  func(s *keys.Sealed)
		wantErr error
	}{
		{name: "fail/v", base: sealedEd, tamper: func(s *keys.Sealed) { s.V = 2 }, wantErr: keys.ErrCorrupt},
		{name: "fail/v zero", base: sealedEd, tamper: func(s *keys.Sealed) { s.V = 0 }, wantErr: keys.ErrCorrupt},
		{name: "fail/id", base: sealedEd, tamper: func(s *keys.Sealed) { s.ID = "did:web:evil.example#ed" }, wantErr: keys.ErrCorrupt},
		{name: "fail/alg EdDSA to ES256", base: sealedEd, tamper: func(s *keys.Sealed) { s.Alg = keys.ES256 }, wantErr: keys.ErrCorrupt},
		{name: "fail/alg ES256 to EdDSA", base: sealedEC, tamper: func(s *keys.Sealed) { s.Alg = keys.EdDSA }, wantErr: keys.ErrCorrupt},
		{name: "fail/alg unknown", base: sealedEd, tamper: func(s *keys.Sealed) { s.Alg = "RS256" }, wantErr: keys.ErrCorrupt},
		{name: "fail/created", base: sealedEd, tamper: func(s *keys.Sealed) { s.Created = s.Created.Add(time.Second) }, wantErr: keys.ErrCorrupt},
		{name: "fail/kek", base: sealedEd, tamper: func(s *keys.Sealed) { s.KEK = "0000000000000000" }, wantErr: keys.ErrWrongKEK},
		{name: "fail/public", base: sealedEd, tamper: func(s *keys.Sealed) { s.Public = zeroSeedMultikey }, wantErr: keys.ErrCorrupt},
		{name: "fail/public swapped with other record", base: sealedEd, tamper: func(s *keys.Sealed) { s.Public = sealedEC.Public }, wantErr: keys.ErrCorrupt},
		{name: "fail/nonce bit", base: sealedEd, tamper: func(s *keys.Sealed) { s.Nonce = flip(s.Nonce, 0) }, wantErr: keys.ErrCorrupt},
		{name: "fail/nonce short", base: sealedEd, tamper: func(s *keys.Sealed) { s.Nonce = s.Nonce[:11] }, wantErr: keys.ErrCorrupt},
		{name: "fail/nonce missing", base: sealedEd, tamper: func(s *keys.Sealed) { s.Nonce = nil }, wantErr: keys.ErrCorrupt},
		{name: "fail/ciphertext first byte", base: sealedEd, tamper: func(s *keys.Sealed) { s.Ciphertext = flip(s.Ciphertext, 0) }, wantErr: keys.ErrCorrupt},
		{name: "fail/ciphertext tag", base: sealedEC, tamper: func(s *keys.Sealed) { s.Ciphertext = flip(s.Ciphertext, len(s.Ciphertext)-1) }, wantErr: keys.ErrCorrupt},
		{name: "fail/ciphertext truncated", base: sealedEd, tamper: func(s *keys.Sealed) { s.Ciphertext = s.Ciphertext[:len(s.Ciphertext)-1] }, wantErr: keys.ErrCorrupt},
		{name: "fail/ciphertext empty", base: sealedEd, tamper: func(s *keys.Sealed) { s.Ciphertext = nil }, wantErr: keys.ErrCorrupt},
		{name: "fail/ciphertext from other record", base: sealedEd, tamper: func(s *keys.Sealed) {
			s.Nonce, s.Ciphertext = sealedEC.Nonce, sealedEC.Ciphertext
		}, wantErr: keys.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.base
			tt.tamper(&s)
			k, err := keys.Open(kek, s)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open = %v, want %v", err, tt.wantErr)
			}
			if k != nil {
				t.Error("Open returned a key along with an error")
			}
		})
	}

	// The untouched records still open: the table did not alias them.
	for _, s := range []keys.Sealed{sealedEd, sealedEC} {
		if _, err := keys.Open(kek, s); err != nil {
			t.Errorf("Open(original %s) = %v", s.ID, err)
		}
	}
}

func TestSealOpenNil(t *testing.T) {
	t.Parallel()
	kek := mustKEK(t, 1)
	if _, err := keys.Seal(nil, mustGenerate(t, keys.EdDSA)); !errors.Is(err, keys.ErrInvalidKEK) {
		t.Errorf("Seal(nil kek) = %v, want ErrInvalidKEK", err)
	}
	if _, err := keys.Seal(kek, &keys.Key{}); !errors.Is(err, keys.ErrNoPrivateKey) {
		t.Errorf("Seal(zero key) = %v, want ErrNoPrivateKey", err)
	}
	if _, err := keys.Open(nil, keys.Sealed{V: 1}); !errors.Is(err, keys.ErrInvalidKEK) {
		t.Errorf("Open(nil kek) = %v, want ErrInvalidKEK", err)
	}
	if _, err := keys.Open(&keys.KEK{}, keys.Sealed{V: 1}); !errors.Is(err, keys.ErrInvalidKEK) {
		t.Errorf("Open(zero kek) = %v, want ErrInvalidKEK", err)
	}
}
