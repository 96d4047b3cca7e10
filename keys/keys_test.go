// Tests for package keys. Run them with
//
//	go test -count=1 -race ./keys/
//
// Fuzz targets live in fuzz_test.go and benchmarks in bench_test.go.
package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
)

func mustGenerate(t testing.TB, alg keys.Alg) *keys.Key {
	t.Helper()
	k, err := keys.Generate(alg, nil)
	if err != nil {
		t.Fatalf("Generate(%q): %v", alg, err)
	}
	return k
}

// equalPublic reports whether two public keys are equal, using the Equal
// method every crypto public key type has.
func equalPublic(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

func TestParseAlg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    keys.Alg
		wantErr error
	}{
		{in: "EdDSA", want: keys.EdDSA},
		{in: "ES256", want: keys.ES256},
		{in: "RS256", want: keys.RS256},
		{in: "", want: keys.EdDSA},
		{in: "eddsa", wantErr: keys.ErrUnsupportedAlg},
		{in: "ES384", wantErr: keys.ErrUnsupportedAlg},
		{in: "none", wantErr: keys.ErrUnsupportedAlg},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := keys.ParseAlg(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseAlg(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseAlg(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGenerateSignVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		alg     keys.Alg
		wantAlg keys.Alg
		pubType string
		sigLen  int
	}{
		{name: "ok/EdDSA", alg: keys.EdDSA, wantAlg: keys.EdDSA, pubType: "ed25519", sigLen: 64},
		{name: "ok/ES256", alg: keys.ES256, wantAlg: keys.ES256, pubType: "p256", sigLen: 64},
		{name: "ok/default", alg: "", wantAlg: keys.EdDSA, pubType: "ed25519", sigLen: 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := mustGenerate(t, tt.alg)
			if k.Alg() != tt.wantAlg {
				t.Errorf("Alg() = %q, want %q", k.Alg(), tt.wantAlg)
			}
			switch p := k.Public().(type) {
			case ed25519.PublicKey:
				if tt.pubType != "ed25519" {
					t.Errorf("Public() is Ed25519, want %s", tt.pubType)
				}
			case *ecdsa.PublicKey:
				if tt.pubType != "p256" || p.Curve != elliptic.P256() {
					t.Errorf("Public() is ECDSA %s, want %s", p.Curve.Params().Name, tt.pubType)
				}
			default:
				t.Fatalf("Public() is %T", p)
			}
			if k.Created.IsZero() || k.Created.Location().String() != "UTC" {
				t.Errorf("Created = %v, want a UTC time", k.Created)
			}
			if k.ID != k.Handle() || len(k.Handle()) != len("k-")+16 {
				t.Errorf("ID = %q, Handle() = %q; want ID = Handle = k-<16 hex>", k.ID, k.Handle())
			}

			msg := []byte("an achievement credential")
			sig, err := k.Sign(msg)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if len(sig) != tt.sigLen {
				t.Errorf("len(sig) = %d, want %d", len(sig), tt.sigLen)
			}
			if err := keys.Verify(k.Alg(), k.Public(), msg, sig); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := keys.Verify(k.Alg(), k.Public(), []byte("another message"), sig); !errors.Is(err, keys.ErrBadSignature) {
				t.Errorf("Verify(other msg) = %v, want ErrBadSignature", err)
			}
			other := mustGenerate(t, tt.wantAlg)
			if err := keys.Verify(k.Alg(), other.Public(), msg, sig); !errors.Is(err, keys.ErrBadSignature) {
				t.Errorf("Verify(other key) = %v, want ErrBadSignature", err)
			}
			bad := bytes.Clone(sig)
			bad[len(bad)-1] ^= 1
			if err := keys.Verify(k.Alg(), k.Public(), msg, bad); !errors.Is(err, keys.ErrBadSignature) {
				t.Errorf("Verify(flipped bit) = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestGenerateDeterministicEd25519(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	a, err := keys.Generate(keys.EdDSA, bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.FromEd25519Seed(seed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b.MultikeyPublic(), a.MultikeyPublic()); diff != "" {
		t.Errorf("Generate with a fixed reader differs from FromEd25519Seed (-seed +generate):\n%s", diff)
	}
	if a.Handle() != b.Handle() {
		t.Errorf("Handle() differs for the same key: %q vs %q", a.Handle(), b.Handle())
	}
}

func TestGenerateUnsupported(t *testing.T) {
	t.Parallel()
	for _, alg := range []keys.Alg{keys.RS256, "ES384", "HS256"} {
		if _, err := keys.Generate(alg, nil); !errors.Is(err, keys.ErrUnsupportedAlg) {
			t.Errorf("Generate(%q) = %v, want ErrUnsupportedAlg", alg, err)
		}
	}
}

type ecdsaSig struct{ R, S *big.Int }

// TestES256Interop checks the R||S form against crypto/ecdsa's ASN.1 form in
// both directions.
func TestES256Interop(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, keys.ES256)
	pub := k.Public().(*ecdsa.PublicKey)
	msg := []byte("interop")
	h := sha256.Sum256(msg)

	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 64 {
		t.Fatalf("ES256 signature of %d bytes, want 64", len(sig))
	}
	der, err := asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(pub, h[:], der) {
		t.Error("crypto/ecdsa rejects our ES256 signature")
	}

	// The crypto.Signer yields ASN.1; converted to R||S, Verify accepts it.
	der, err = k.Signer().Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var rs ecdsaSig
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	if err := keys.Verify(keys.ES256, pub, msg, raw); err != nil {
		t.Errorf("Verify(crypto.Signer output as R||S): %v", err)
	}
	if err := keys.Verify(keys.ES256, pub, msg, der); !errors.Is(err, keys.ErrBadSignature) {
		t.Errorf("Verify(ASN.1 signature) = %v, want ErrBadSignature", err)
	}
}

// TestRFCVectors checks published JOSE examples byte for byte where the
// algorithm is deterministic (Ed25519) and by verification otherwise.
func TestRFCVectors(t *testing.T) {
	t.Parallel()
	t.Run("RFC 8037 A.4 Ed25519", func(t *testing.T) {
		t.Parallel()
		k, err := keys.FromEd25519Seed(mustB64(t, "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(keys.JWK{Kty: "OKP", Crv: "Ed25519", X: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}, k.PublicJWK()); diff != "" {
			t.Errorf("PublicJWK() mismatch (-want +got):\n%s", diff)
		}
		input := []byte("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
		sig, err := k.Sign(input)
		if err != nil {
			t.Fatal(err)
		}
		want := "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
		if got := base64.RawURLEncoding.EncodeToString(sig); got != want {
			t.Errorf("signature = %s, want %s", got, want)
		}
	})
	t.Run("RFC 7515 A.3 ES256", func(t *testing.T) {
		t.Parallel()
		pub, _, err := keys.ParsePublicJWK([]byte(`{"kty":"EC","crv":"P-256",
			"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
			"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`))
		if err != nil {
			t.Fatal(err)
		}
		input := []byte("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ")
		sig := mustB64(t, "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
		if err := keys.Verify(keys.ES256, pub, input, sig); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}

func TestVerifyRS256(t *testing.T) {
	t.Parallel()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("legacy issuer")
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Verify(keys.RS256, &priv.PublicKey, msg, sig); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := keys.Verify(keys.RS256, &priv.PublicKey, []byte("tampered"), sig); !errors.Is(err, keys.ErrBadSignature) {
		t.Errorf("Verify(tampered) = %v, want ErrBadSignature", err)
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	sig, err = rsa.SignPKCS1v15(rand.Reader, small, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Verify(keys.RS256, &small.PublicKey, msg, sig); !errors.Is(err, keys.ErrInvalidPublicKey) {
		t.Errorf("Verify(1024-bit key) = %v, want ErrInvalidPublicKey", err)
	}
}

func TestVerifyMismatch(t *testing.T) {
	t.Parallel()
	ed := mustGenerate(t, keys.EdDSA)
	ec := mustGenerate(t, keys.ES256)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("m")
	edSig, _ := ed.Sign(msg)
	ecSig, _ := ec.Sign(msg)
	tests := []struct {
		name    string
		alg     keys.Alg
		pub     crypto.PublicKey
		sig     []byte
		wantErr error
	}{
		{name: "fail/EdDSA with P-256 key", alg: keys.EdDSA, pub: ec.Public(), sig: edSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/ES256 with Ed25519 key", alg: keys.ES256, pub: ed.Public(), sig: ecSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/ES256 with P-384 key", alg: keys.ES256, pub: &p384.PublicKey, sig: ecSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/RS256 with Ed25519 key", alg: keys.RS256, pub: ed.Public(), sig: edSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/nil key", alg: keys.ES256, pub: nil, sig: ecSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/nil ecdsa key", alg: keys.ES256, pub: (*ecdsa.PublicKey)(nil), sig: ecSig, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/short ed25519 key", alg: keys.EdDSA, pub: ed25519.PublicKey{1, 2}, sig: edSig, wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/EdDSA short sig", alg: keys.EdDSA, pub: ed.Public(), sig: edSig[:63], wantErr: keys.ErrBadSignature},
		{name: "fail/ES256 short sig", alg: keys.ES256, pub: ec.Public(), sig: ecSig[:63], wantErr: keys.ErrBadSignature},
		{name: "fail/ES256 empty sig", alg: keys.ES256, pub: ec.Public(), sig: nil, wantErr: keys.ErrBadSignature},
		{name: "fail/ES256 zero sig", alg: keys.ES256, pub: ec.Public(), sig: make([]byte, 64), wantErr: keys.ErrBadSignature},
		{name: "fail/unknown alg", alg: "HS256", pub: ed.Public(), sig: edSig, wantErr: keys.ErrUnsupportedAlg},
		{name: "fail/none", alg: "none", pub: ed.Public(), sig: nil, wantErr: keys.ErrUnsupportedAlg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := keys.Verify(tt.alg, tt.pub, msg, tt.sig); !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestFromPrivate(t *testing.T) {
	t.Parallel()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	mismatched := ed25519.PrivateKey(bytes.Clone(edPriv))
	mismatched[40] ^= 1
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// ecPriv's scalar with otherEC's public key: copy the struct rather than
	// touch the deprecated D field.
	ecMismatch := new(ecdsa.PrivateKey)
	*ecMismatch = *ecPriv
	ecMismatch.PublicKey = otherEC.PublicKey

	tests := []struct {
		name    string
		priv    crypto.PrivateKey
		wantAlg keys.Alg
		wantPub crypto.PublicKey
		wantErr error
	}{
		{name: "ok/ed25519", priv: edPriv, wantAlg: keys.EdDSA, wantPub: edPriv.Public()},
		{name: "ok/p256", priv: ecPriv, wantAlg: keys.ES256, wantPub: ecPriv.Public()},
		{name: "fail/ed25519 public half mismatch", priv: mismatched, wantErr: keys.ErrInvalidPrivateKey},
		{name: "fail/ed25519 seed only", priv: ed25519.PrivateKey(edPriv.Seed()), wantErr: keys.ErrInvalidPrivateKey},
		{name: "fail/p256 public half mismatch", priv: ecMismatch, wantErr: keys.ErrInvalidPrivateKey},
		{name: "fail/p384", priv: p384, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/nil ecdsa", priv: (*ecdsa.PrivateKey)(nil), wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/rsa", priv: rsaPriv, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/nil", priv: nil, wantErr: keys.ErrUnsupportedKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := keys.FromPrivate(tt.priv)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("FromPrivate error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if k.Alg() != tt.wantAlg {
				t.Errorf("Alg() = %q, want %q", k.Alg(), tt.wantAlg)
			}
			if !equalPublic(tt.wantPub, k.Public()) {
				t.Error("Public() differs from the imported key's public key")
			}
			sig, err := k.Sign([]byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Verify(k.Alg(), tt.wantPub, []byte("x"), sig); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestFromEd25519SeedSize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := keys.FromEd25519Seed(make([]byte, n)); !errors.Is(err, keys.ErrInvalidPrivateKey) {
			t.Errorf("FromEd25519Seed(%d bytes) = %v, want ErrInvalidPrivateKey", n, err)
		}
	}
}

func TestZeroKey(t *testing.T) {
	t.Parallel()
	var k keys.Key
	if _, err := k.Sign([]byte("x")); !errors.Is(err, keys.ErrNoPrivateKey) {
		t.Errorf("Sign on zero Key = %v, want ErrNoPrivateKey", err)
	}
	if k.Public() != nil || k.Signer() != nil || k.MultikeyPublic() != "" {
		t.Error("zero Key reports key material")
	}
	if diff := cmp.Diff(keys.JWK{}, k.PublicJWK()); diff != "" {
		t.Errorf("PublicJWK() of zero Key (-want +got):\n%s", diff)
	}
}

// TestHandleStable checks that the handle survives an ID change, so storage
// can index by it while the DID URL is assigned later.
func TestHandleStable(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, keys.EdDSA)
	h := k.Handle()
	k.ID = "did:web:example.org#key-1"
	if k.Handle() != h {
		t.Errorf("Handle() changed with ID: %q -> %q", h, k.Handle())
	}
}
