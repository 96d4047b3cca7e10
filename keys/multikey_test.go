package keys_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mr-tron/base58"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
)

const (
	zeroSeedMultikey = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	p256Multikey     = "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"
	p256X            = "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns"
	p256Y            = "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM"
)

// readSharedVector reads a published key pair from the shared test data,
// which lives outside this repository and is never copied into it.
func readSharedVector(t *testing.T, path string, v any) {
	t.Helper()
	data := sharedtest.ReadTestdata(t, strings.Split(path, "/")...)
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestMultikeyZeroSeed(t *testing.T) {
	t.Parallel()
	k, err := keys.FromEd25519Seed(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.MultikeyPublic(); got != zeroSeedMultikey {
		t.Errorf("MultikeyPublic() = %s, want %s", got, zeroSeedMultikey)
	}
	pub, err := keys.DecodeMultikey(zeroSeedMultikey)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Public().(ed25519.PublicKey).Equal(pub) {
		t.Error("DecodeMultikey does not give the zero seed's public key")
	}
}

func TestMultikeyP256JWK(t *testing.T) {
	t.Parallel()
	pub, err := keys.DecodeMultikey(p256Multikey)
	if err != nil {
		t.Fatal(err)
	}
	j, err := keys.PublicJWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	want := keys.JWK{Kty: "EC", Crv: "P-256", X: p256X, Y: p256Y}
	if diff := cmp.Diff(want, j); diff != "" {
		t.Errorf("multikey -> JWK mismatch (-want +got):\n%s", diff)
	}
	back, _, err := keys.ParsePublicJWK([]byte(`{"kty":"EC","crv":"P-256","x":"` + p256X + `","y":"` + p256Y + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodeMultikey(back)
	if err != nil {
		t.Fatal(err)
	}
	if mk != p256Multikey {
		t.Errorf("JWK -> multikey = %s, want %s", mk, p256Multikey)
	}
}

// TestMultikeyW3CEdDSA uses the key pair of the W3C VC Data Integrity EdDSA
// test vectors.
func TestMultikeyW3CEdDSA(t *testing.T) {
	t.Parallel()
	var kp struct {
		PublicKeyMultibase  string `json:"publicKeyMultibase"`
		SecretKeyMultibase  string `json:"secretKeyMultibase"`
		PrivateKeyMultibase string `json:"privateKeyMultibase"` // older name for the same value
	}
	readSharedVector(t, "eddsa/keyPair.json", &kp)
	secret := kp.SecretKeyMultibase
	if secret == "" {
		secret = kp.PrivateKeyMultibase
	}
	priv, err := keys.DecodeMultikeySecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.FromPrivate(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.MultikeyPublic(); got != kp.PublicKeyMultibase {
		t.Errorf("public multikey = %s, want %s", got, kp.PublicKeyMultibase)
	}
	if got := keys.EncodeMultikeySecret(priv); got != secret {
		t.Errorf("EncodeMultikeySecret = %s, want %s", got, secret)
	}
}

// TestMultikeyOB3Vector uses the Open Badges 3.0 test-vector key, whose
// secretKeyMultibase carries the 64-byte seed||public form.
func TestMultikeyOB3Vector(t *testing.T) {
	t.Parallel()
	var kp struct {
		PublicKeyHex       string `json:"publicKeyHex"`
		PrivateKeyHex      string `json:"privateKeyHex_seed_plus_public"`
		PublicKeyMultibase string `json:"publicKeyMultibase"`
		SecretKeyMultibase string `json:"secretKeyMultibase"`
	}
	readSharedVector(t, "ob3/ldp-test-vector/keypair.json", &kp)
	priv, err := keys.DecodeMultikeySecret(kp.SecretKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(priv); got != kp.PrivateKeyHex {
		t.Errorf("secret = %s, want %s", got, kp.PrivateKeyHex)
	}
	k, err := keys.FromPrivate(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.MultikeyPublic(); got != kp.PublicKeyMultibase {
		t.Errorf("public multikey = %s, want %s", got, kp.PublicKeyMultibase)
	}
	if got := hex.EncodeToString(k.Public().(ed25519.PublicKey)); got != kp.PublicKeyHex {
		t.Errorf("public hex = %s, want %s", got, kp.PublicKeyHex)
	}
	// Re-encoding gives the W3C 32-byte seed form, which decodes to the same key.
	again, err := keys.DecodeMultikeySecret(keys.EncodeMultikeySecret(priv))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(priv) {
		t.Error("seed form does not decode to the same key")
	}
}

func TestMultikeyRoundTrip(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pub    any
		prefix string
	}{
		{name: "ed25519", pub: mustGenerate(t, keys.EdDSA).Public(), prefix: "z6Mk"},
		{name: "p256", pub: mustGenerate(t, keys.ES256).Public(), prefix: "zDn"},
		{name: "p384", pub: &p384.PublicKey, prefix: "z82"},
		{name: "x25519", pub: x25519.PublicKey(), prefix: "z6LS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := keys.EncodeMultikey(tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			if len(s) < len(tt.prefix) || s[:len(tt.prefix)] != tt.prefix {
				t.Errorf("EncodeMultikey = %s, want prefix %s", s, tt.prefix)
			}
			got, err := keys.DecodeMultikey(s)
			if err != nil {
				t.Fatal(err)
			}
			if !equalPublic(got, tt.pub) {
				t.Error("decoded key differs")
			}
		})
	}
}

func TestMultikeyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{name: "fail/empty", in: "", wantErr: keys.ErrInvalidMultibase},
		{name: "fail/base64 multibase", in: "uAQID", wantErr: keys.ErrInvalidMultibase},
		{name: "fail/bad base58", in: "z0OIl", wantErr: keys.ErrInvalidMultibase},
		{name: "fail/too short", in: "z2", wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/ed25519 of 31 bytes", in: "z" + base58.Encode(append([]byte{0xed, 0x01}, make([]byte, 31)...)), wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/p256 uncompressed", in: "z" + base58.Encode(append([]byte{0x80, 0x24, 0x04}, make([]byte, 64)...)), wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/p256 x=1 not on curve", in: "z" + base58.Encode(append(append([]byte{0x80, 0x24, 0x02}, make([]byte, 31)...), 1)), wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/p256 x out of range", in: "z" + base58.Encode(append([]byte{0x80, 0x24, 0x02}, bytes.Repeat([]byte{0xff}, 32)...)), wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/secret key as public", in: "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", wantErr: keys.ErrUnsupportedKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := keys.DecodeMultikey(tt.in); !errors.Is(err, tt.wantErr) {
				t.Errorf("DecodeMultikey(%q) = %v, want %v", tt.in, err, tt.wantErr)
			}
		})
	}
	if _, err := keys.EncodeMultikey((*ecdsa.PublicKey)(nil)); !errors.Is(err, keys.ErrInvalidPublicKey) {
		t.Errorf("EncodeMultikey(nil ecdsa) = %v, want ErrInvalidPublicKey", err)
	}
	if _, err := keys.DecodeMultikeySecret(zeroSeedMultikey); !errors.Is(err, keys.ErrUnsupportedKeyType) {
		t.Errorf("DecodeMultikeySecret(public key) = %v, want ErrUnsupportedKeyType", err)
	}
}
