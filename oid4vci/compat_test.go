package oid4vci

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
)

// TestCredentialResponseShapes checks that each request shape is answered
// in the JSON shape of the draft it was written for.
func TestCredentialResponseShapes(t *testing.T) {
	ldp := json.RawMessage(`{"type":["VerifiableCredential"]}`)
	jwt := json.RawMessage(`"eyJ.a.b"`)
	resp := func(creds ...json.RawMessage) CredentialResponse {
		r := CredentialResponse{NotificationID: "n-1", CNonce: "c-1", CNonceExpiresIn: 300}
		for _, c := range creds {
			r.Credentials = append(r.Credentials, IssuedCredential{Credential: c})
		}
		return r
	}
	const def = `"credential_definition":{"type":["VerifiableCredential","OpenBadgeCredential"]}`
	tests := []struct {
		name, request string
		wantShape     ResponseShape
		creds         []json.RawMessage
		want          string
	}{
		{"1.0 configuration id and proofs", `{"credential_configuration_id":"A_jwt_vc_json","proofs":{"jwt":["a.b.c"]}}`, ShapeFinal, []json.RawMessage{jwt},
			`{"credentials":[{"credential":"eyJ.a.b"}],"notification_id":"n-1"}`},
		{"1.0 identifier and proofs", `{"credential_identifier":"A#1","proofs":{"jwt":["a.b.c","d.e.f"]}}`, ShapeFinal, []json.RawMessage{ldp, ldp},
			`{"credentials":[{"credential":{"type":["VerifiableCredential"]}},{"credential":{"type":["VerifiableCredential"]}}],"notification_id":"n-1"}`},
		{"draft 13 format and proof", `{"format":"jwt_vc_json",` + def + `,"proof":{"proof_type":"jwt","jwt":"a.b.c"}}`, ShapeDraft13, []json.RawMessage{jwt},
			`{"credential":"eyJ.a.b","notification_id":"n-1","c_nonce":"c-1","c_nonce_expires_in":300}`},
		{"draft format and proofs", `{"format":"ldp_vc",` + def + `,"proofs":{"jwt":["a.b.c","d.e.f"]}}`, ShapeDraftBatch, []json.RawMessage{ldp, ldp},
			`{"credentials":[{"type":["VerifiableCredential"]},{"type":["VerifiableCredential"]}],"notification_id":"n-1","c_nonce":"c-1","c_nonce_expires_in":300}`},
		{"draft 13 identifier and proof", `{"credential_identifier":"A#1","proof":{"proof_type":"jwt","jwt":"a.b.c"}}`, ShapeTransitional, []json.RawMessage{jwt},
			`{"credentials":[{"credential":"eyJ.a.b"}],"credential":"eyJ.a.b","notification_id":"n-1","c_nonce":"c-1","c_nonce_expires_in":300}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseCredentialRequest([]byte(tt.request))
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Shape(); got != tt.wantShape {
				t.Fatalf("shape %s, want %s", got, tt.wantShape)
			}
			r := resp(tt.creds...)
			r.Shape = req.Shape()
			got, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			_ = json.Unmarshal(got, &g)
			_ = json.Unmarshal([]byte(tt.want), &w)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("response %s (-want +got):\n%s", got, diff)
			}
		})
	}
	t.Run("deferred keeps the shape", func(t *testing.T) {
		got, _ := json.Marshal(CredentialResponse{TransactionID: "tx", Interval: 5, Shape: ShapeDraft13, CNonce: "c", CNonceExpiresIn: 300})
		if string(got) != `{"transaction_id":"tx","interval":5,"c_nonce":"c","c_nonce_expires_in":300}` {
			t.Errorf("deferred draft 13 response %s", got)
		}
		got, _ = json.Marshal(CredentialResponse{TransactionID: "tx", Interval: 5, CNonce: "c"})
		if string(got) != `{"transaction_id":"tx","interval":5}` {
			t.Errorf("deferred 1.0 response %s: no c_nonce in 1.0", got)
		}
	})
}

// signRawHeader signs claims under a header given as exact JSON text.
func signRawHeader(t testing.TB, k *keys.Key, header string, claims map[string]any) string {
	t.Helper()
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(c)
	sig, err := k.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestCheckProofJWTKeepsWalletJWKOrder: the did:jwk of a jwk header is the
// base64url of the JWK exactly as the wallet wrote it, members in its
// order, not a re-serialization; it resolves to the proof's key.
func TestCheckProofJWTKeepsWalletJWKOrder(t *testing.T) {
	claims := map[string]any{"aud": testIssuer, "iat": testNow.Unix(), "nonce": "n-1"}
	for _, alg := range []keys.Alg{keys.ES256, keys.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			k := genKey(t, alg)
			j := k.PublicJWK()
			// The wallet's order: x (and y) first, kty last; not JCS.
			walletJWK := `{"x":"` + j.X + `",`
			if j.Y != "" {
				walletJWK += `"y":"` + j.Y + `",`
			}
			walletJWK += `"crv":"` + j.Crv + `","kty":"` + j.Kty + `"}`
			hdr := `{"typ":"openid4vci-proof+jwt","alg":"` + string(alg) + `","jwk":` + walletJWK + `}`
			p, err := CheckProofJWT(context.Background(), signRawHeader(t, k, hdr, claims), proofOpts())
			if err != nil {
				t.Fatal(err)
			}
			want := "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(walletJWK))
			if p.HolderDID != want || p.KeyID != want+"#0" {
				t.Fatalf("holder %s, want %s (the wallet's bytes)", p.HolderDID, want)
			}
			if canonical := jwkDID(t, k); canonical == want {
				t.Fatal("test JWK is in canonical order; it must not be")
			}
			// The DID resolves to the key that signed the proof.
			vm, err := did.ResolveMethod(context.Background(), did.JWKResolver{}, p.KeyID, did.Authentication)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := vm.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			if eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(p.Key) || !eq.Equal(k.Public()) {
				t.Error("the did:jwk does not resolve to the proof's key")
			}
			// Whitespace in the header is not part of the JWK.
			spaced := `{"typ":"openid4vci-proof+jwt", "alg":"` + string(alg) + `", "jwk": ` + strings.ReplaceAll(walletJWK, `","`, `", "`) + ` }`
			p2, err := CheckProofJWT(context.Background(), signRawHeader(t, k, spaced, claims), proofOpts())
			if err != nil || p2.HolderDID != want {
				t.Errorf("spaced header: %v, holder %s, want %s", err, p2, want)
			}
		})
	}
	k := genKey(t, keys.ES256)
	j := k.PublicJWK()
	for _, tc := range []struct{ name, jwk, want string }{
		{"fail/repeated member", `{"kty":"EC","crv":"P-256","x":"` + j.X + `","y":"` + j.Y + `","x":"` + j.X + `"}`, "usable public key"},
		{"fail/encryption key", `{"kty":"EC","crv":"P-256","x":"` + j.X + `","y":"` + j.Y + `","use":"enc"}`, "encryption key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckProofJWT(context.Background(), signRawHeader(t, k, `{"typ":"openid4vci-proof+jwt","alg":"ES256","jwk":`+tc.jwk+`}`, claims), proofOpts())
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidProof || !strings.Contains(e.Description, tc.want) {
				t.Fatalf("err = %v, want invalid_proof about %q", err, tc.want)
			}
		})
	}
}

// TestTokenResponseCarriesCNonce: the c_nonce of pre-final drafts rides
// along in the token response as optional members.
func TestTokenResponseCarriesCNonce(t *testing.T) {
	b, _ := json.Marshal(TokenResponse{AccessToken: "a", TokenType: TokenTypeBearer, ExpiresIn: 600, CNonce: "c", CNonceExpiresIn: 300})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"access_token", "c_nonce", "c_nonce_expires_in", "expires_in", "token_type"}, keys); diff != "" {
		t.Error(diff)
	}
}
