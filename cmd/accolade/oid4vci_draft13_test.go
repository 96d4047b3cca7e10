package main

// A wallet built on OpenID4VCI draft 13, as many deployed wallets are,
// receives a badge from a running "accolade serve": no nonce endpoint (the
// c_nonce comes with the token), format + credential_definition instead
// of credential_configuration_id, the singular proof, and a jwk header
// whose members are in the wallet's own order. Written from the draft 13
// text with JSON as maps and the standard library's crypto only.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"
)

// draft13Wallet holds one key and signs proofs by hand, so the JWK in the
// header is exactly the JSON the wallet writes.
type draft13Wallet struct {
	*specWallet
	signer crypto.Signer
	alg    string
	jwk    string // the wallet's JWK JSON, members in its order
}

func newDraft13Wallet(t *testing.T, alg string) *draft13Wallet {
	w := &draft13Wallet{specWallet: newSpecWallet(t, "ES256"), alg: alg}
	b64 := base64.RawURLEncoding.EncodeToString
	switch alg {
	case "EdDSA":
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		w.signer, w.jwk = priv, `{"x":"`+b64(pub)+`","kty":"OKP","crv":"Ed25519"}`
	default:
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		x, y := make([]byte, 32), make([]byte, 32)
		priv.X.FillBytes(x)
		priv.Y.FillBytes(y)
		w.signer, w.jwk = priv, `{"y":"`+b64(y)+`","x":"`+b64(x)+`","kty":"EC","crv":"P-256"}`
	}
	// The DID the wallet computes for itself: did:jwk of its JWK JSON.
	w.did = "did:jwk:" + b64([]byte(w.jwk))
	return w
}

// proof is a draft 13 §7.2.1.1 proof with the JWK in the header.
func (w *draft13Wallet) proof(aud, nonce string) string {
	w.t.Helper()
	hdr := `{"alg":"` + w.alg + `","typ":"openid4vci-proof+jwt","jwk":` + w.jwk + `}`
	claims, _ := json.Marshal(map[string]any{"aud": aud, "iat": time.Now().Unix(), "nonce": nonce})
	in := base64.RawURLEncoding.EncodeToString([]byte(hdr)) + "." + base64.RawURLEncoding.EncodeToString(claims)
	var sig []byte
	switch k := w.signer.(type) {
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(in))
	case *ecdsa.PrivateKey:
		h := sha256.Sum256([]byte(in))
		r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
		if err != nil {
			w.t.Fatal(err)
		}
		sig = append(fixed(r), fixed(s)...)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func fixed(n *big.Int) []byte { b := make([]byte, 32); n.FillBytes(b); return b }

// receive runs the draft 13 pre-authorized code flow for the offer behind
// link and returns the credential.
func (w *draft13Wallet) receive(link, txCode string) any {
	t := w.t
	t.Helper()
	lu, _ := url.Parse(link)
	offer := w.getJSON(lu.Query().Get("credential_offer_uri"))
	issuerID := offer["credential_issuer"].(string)
	configID := offer["credential_configuration_ids"].([]any)[0].(string)
	iu, _ := url.Parse(issuerID)
	md := w.getJSON(iu.Scheme + "://" + iu.Host + "/.well-known/openid-credential-issuer" + strings.TrimSuffix(iu.Path, "/"))
	conf := md["credential_configurations_supported"].(map[string]any)[configID].(map[string]any)
	as := w.getJSON(iu.Scheme + "://" + iu.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(iu.Path, "/"))

	grant := offer["grants"].(map[string]any)[preAuthGrant].(map[string]any)
	form := url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {grant["pre-authorized_code"].(string)}}
	if _, ok := grant["tx_code"]; ok {
		form.Set("tx_code", txCode)
	}
	code, tok, _ := w.postForm(as["token_endpoint"].(string), form)
	if code != 200 {
		t.Fatalf("token: %d %v", code, tok)
	}
	// Draft 13 §6.2: the first c_nonce comes with the token.
	nonce, _ := tok["c_nonce"].(string)
	if nonce == "" || tok["c_nonce_expires_in"] == nil {
		t.Fatalf("token response without c_nonce: %v", tok)
	}
	// Draft 13 §7.2: the credential named by format and credential_definition.
	req := map[string]any{"format": conf["format"], "credential_definition": conf["credential_definition"],
		"proof": map[string]any{"proof_type": "jwt", "jwt": w.proof(issuerID, nonce)}}
	code, resp, _ := w.postJSON(md["credential_endpoint"].(string), tok["access_token"].(string), req)
	if code != 200 {
		t.Fatalf("credential: %d %v", code, resp)
	}
	// Draft 13 §7.3: the credential, with a c_nonce for the next request.
	if _, ok := resp["credentials"]; ok {
		t.Errorf("draft 13 response has the 1.0 credentials member: %v", resp)
	}
	if n, _ := resp["c_nonce"].(string); n == "" {
		t.Errorf("draft 13 response without c_nonce: %v", resp)
	}
	cred, ok := resp["credential"]
	if !ok {
		t.Fatalf("draft 13 response without credential: %v", resp)
	}
	return cred
}

// TestOID4VCIDraft13WalletOverServe: a draft 13 wallet receives a badge
// with the pre-authorized code flow; the badge is bound to the did:jwk the
// wallet computed from its own JWK bytes and verifies.
func TestOID4VCIDraft13WalletOverServe(t *testing.T) {
	s, token, achID, _ := startIssuer(t)
	for _, tc := range []struct{ format, alg string }{{"ldp_vc", "ES256"}, {"jwt_vc_json", "EdDSA"}} {
		t.Run(tc.format, func(t *testing.T) {
			offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"draft13@example.org"}],"format":"`+tc.format+`","txCode":true}`)
			o := offers["offers"].([]any)[0].(map[string]any)
			w := newDraft13Wallet(t, tc.alg)
			cred := w.receive(o["offerUri"].(string), o["txCode"].(string))
			if got := subjectOf(t, cred); got != w.did {
				t.Errorf("credentialSubject.id = %s, want the wallet's did:jwk %s", got, w.did)
			}
			if rep := verifyOverHTTP(t, s, cred); rep["verified"] != true {
				t.Errorf("the received credential does not verify: %v", rep)
			}
		})
	}
}
