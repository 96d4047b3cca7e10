package keys_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
)

func TestJWKRoundTrip(t *testing.T) {
	t.Parallel()
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pub     crypto.PublicKey
		wantKty string
		wantCrv string
	}{
		{name: "ed25519", pub: mustGenerate(t, keys.EdDSA).Public(), wantKty: "OKP", wantCrv: "Ed25519"},
		{name: "p256", pub: mustGenerate(t, keys.ES256).Public(), wantKty: "EC", wantCrv: "P-256"},
		{name: "rsa", pub: &rsaPriv.PublicKey, wantKty: "RSA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j, err := keys.PublicJWK(tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			if j.Kty != tt.wantKty || j.Crv != tt.wantCrv {
				t.Errorf("kty/crv = %s/%s, want %s/%s", j.Kty, j.Crv, tt.wantKty, tt.wantCrv)
			}
			data, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			pub, parsed, err := keys.ParsePublicJWK(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(j, parsed); diff != "" {
				t.Errorf("parsed JWK mismatch (-want +got):\n%s", diff)
			}
			if !equalPublic(pub, tt.pub) {
				t.Error("parsed public key differs")
			}
		})
	}
}

func TestKeyPublicJWK(t *testing.T) {
	t.Parallel()
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		k := mustGenerate(t, alg)
		want, err := keys.PublicJWK(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, k.PublicJWK()); diff != "" {
			t.Errorf("%s: Key.PublicJWK mismatch (-want +got):\n%s", alg, diff)
		}
	}
}

func TestParsePublicJWKErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{name: "fail/d present", in: `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`, wantErr: keys.ErrPrivateJWK},
		{name: "fail/EC d present", in: `{"kty":"EC","crv":"P-256","x":"` + p256X + `","y":"` + p256Y + `","d":"AA"}`, wantErr: keys.ErrPrivateJWK},
		{name: "fail/oct k", in: `{"kty":"oct","k":"AAAA"}`, wantErr: keys.ErrPrivateJWK},
		{name: "fail/RSA p", in: `{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQ"}`, wantErr: keys.ErrPrivateJWK},
		{name: "fail/case-folded member names", in: `{"KTY":"OKP","CRV":"Ed25519","X":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/unknown kty", in: `{"kty":"oct"}`, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/P-521", in: `{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}`, wantErr: keys.ErrUnsupportedKeyType},
		{name: "fail/short ed25519", in: `{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`, wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/point not on curve", in: `{"kty":"EC","crv":"P-256","x":"` + p256X + `","y":"` + p256X + `"}`, wantErr: keys.ErrInvalidPublicKey},
		{name: "fail/small RSA", in: `{"kty":"RSA","n":"AQAB","e":"AQAB"}`, wantErr: keys.ErrInvalidPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, _, err := keys.ParsePublicJWK([]byte(tt.in)); !errors.Is(err, tt.wantErr) {
				t.Errorf("ParsePublicJWK = %v, want %v", err, tt.wantErr)
			}
		})
	}
	for _, in := range []string{``, `null`, `[]`, `{"kty":1}`, `{"x":null,"kty":["OKP"]}`} {
		if _, _, err := keys.ParsePublicJWK([]byte(in)); err == nil {
			t.Errorf("ParsePublicJWK(%s) succeeded, want an error", in)
		}
	}
}
