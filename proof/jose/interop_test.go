package jose_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Interop with an independent JOSE implementation, lestrrat-go/jwx v3: it
// signs with its own JWK types and code path, and we verify; we sign and
// it verifies, with the public key parsed by its JWK parser from our JWK.
// jwx is a test-only dependency of this package.
func TestInteropJWX(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alg    keys.Alg
		jwxAlg jwa.SignatureAlgorithm
	}{
		{keys.EdDSA, jwa.EdDSA()},
		{keys.ES256, jwa.ES256()},
	} {
		t.Run("jwx-signs/"+string(tc.alg), func(t *testing.T) {
			t.Parallel()
			var raw, pub any
			switch tc.alg {
			case keys.EdDSA:
				p, s, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				raw, pub = s, p
			case keys.ES256:
				s, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				raw, pub = s, &s.PublicKey
			}
			priv, err := jwk.Import(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := priv.Set(jwk.KeyIDKey, testKid); err != nil {
				t.Fatal(err)
			}
			hdrs := jws.NewHeaders()
			if err := hdrs.Set(jws.TypeKey, "JWT"); err != nil {
				t.Fatal(err)
			}
			payload, err := json.Marshal(obPayload(t))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jws.Sign(payload, jws.WithKey(tc.jwxAlg, priv, jws.WithProtectedHeaders(hdrs)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := jose.Verify(context.Background(), string(tok), newResolver(testKid, pub).resolve, jose.VerifyOptions{Now: testNow})
			if err != nil {
				t.Fatalf("Verify of a jwx token: %v\n%s", err, tok)
			}
			if diff := cmp.Diff(digestCred(t), res.Credential); diff != "" {
				t.Errorf("credential (-want +got):\n%s", diff)
			}
			if res.Kid != testKid || res.Alg != string(tc.alg) {
				t.Errorf("kid %q alg %q", res.Kid, res.Alg)
			}
		})
		t.Run("jwx-verifies/"+string(tc.alg), func(t *testing.T) {
			t.Parallel()
			k := genKey(t, tc.alg)
			tok, err := jose.SignCredential(digestCred(t), k, testKid, jose.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			jb, err := json.Marshal(k.PublicJWK())
			if err != nil {
				t.Fatal(err)
			}
			pub, err := jwk.ParseKey(jb)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := jws.Verify([]byte(tok), jws.WithKey(tc.jwxAlg, pub))
			if err != nil {
				t.Fatalf("jwx rejects our token: %v", err)
			}
			msg, err := jws.Parse([]byte(tok))
			if err != nil {
				t.Fatal(err)
			}
			if kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid != testKid {
				t.Errorf("jwx reads kid %q", kid)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			if claims["nbf"] != float64(1748736000) || claims["sub"] != "did:example:ebfeb1f712ebc6f1c276e12ec21" {
				t.Errorf("jwx payload nbf %v sub %v", claims["nbf"], claims["sub"])
			}
			// A tampered token fails there too.
			if _, err := jws.Verify([]byte(withSegment(tok, 2, flipBit(segmentBytes(t, tok, 2)))), jws.WithKey(tc.jwxAlg, pub)); err == nil {
				t.Error("jwx accepted a tampered signature")
			}
		})
	}
}
