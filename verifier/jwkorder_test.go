package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/verifier"
)

// TestVerifyPresentationWalletJWKOrder: a wallet whose did:jwk keeps its
// own JWK member order (as an OpenID4VCI issuer writes it for a jwk
// proof) presents with a VP-JWT carrying that JWK in its header. The
// holder check compares keys, not DID strings: the canonical did:jwk of
// the key is another string for the same key.
func TestVerifyPresentationWalletJWKOrder(t *testing.T) {
	e := newVPEnv(t)
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			h := newSigner(t, alg)
			j := h.key.PublicJWK()
			raw := `{"x":"` + j.X + `",`
			if j.Y != "" {
				raw += `"y":"` + j.Y + `",`
			}
			raw += `"crv":"` + j.Crv + `","kty":"` + j.Kty + `"}`
			holder := "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(raw))
			cred, err := jose.SignCredential(subjectCredential(e.issuer.did, holder, "urn:uuid:0c1d0e7a-0000-4000-8000-0000000000b1"), e.issuer.key, e.issuer.vm, jose.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			payload, _ := json.Marshal(map[string]any{"iss": holder, "aud": domain, "nonce": challenge, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
				"vp": map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"}, "holder": holder, "verifiableCredential": []any{cred}}})
			hdr := `{"alg":"` + string(alg) + `","typ":"JWT","jwk":` + raw + `}`
			in := base64.RawURLEncoding.EncodeToString([]byte(hdr)) + "." + base64.RawURLEncoding.EncodeToString(payload)
			sig, err := h.key.Sign([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			tok := in + "." + base64.RawURLEncoding.EncodeToString(sig)
			rep := e.v.VerifyPresentation(context.Background(), tok, verifier.PresentationOptions{Nonce: challenge, Audience: domain})
			if !rep.Verified || rep.Holder != holder || vpStatus(rep, verifier.CheckPresentationHolder) != verifier.Passed {
				t.Fatalf("VP-JWT by the wallet-ordered did:jwk: %s", vpSummary(rep))
			}
		})
	}
}
