package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
)

// orderedJWK is h's public JWK with members in the wallet's order (not
// the canonical one): kty last.
func (h testHolder) orderedJWK() string {
	j := h.key.PublicJWK()
	s := `{"x":"` + j.X + `",`
	if j.Y != "" {
		s += `"y":"` + j.Y + `",`
	}
	return s + `"crv":"` + j.Crv + `","kty":"` + j.Kty + `"}`
}

// jwkProof is a proof whose header carries rawJWK exactly.
func (h testHolder) jwkProof(t testing.TB, rawJWK, aud, nonce string) string {
	t.Helper()
	hdr := `{"typ":"openid4vci-proof+jwt","alg":"` + string(h.key.Alg()) + `","jwk":` + rawJWK + `}`
	cb, _ := json.Marshal(map[string]any{"aud": aud, "iat": time.Now().Unix(), "nonce": nonce})
	in := base64.RawURLEncoding.EncodeToString([]byte(hdr)) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sig, err := h.key.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestOID4VCIDraft13WalletHTTP runs the pre-authorized code flow as a
// draft 13 wallet over HTTP: user_pin for the tx_code, the token
// response's c_nonce, format + credential_definition + the singular proof
// with a jwk header in the wallet's member order. The badge comes back in
// the draft 13 shape, bound to the did:jwk of exactly the wallet's JWK,
// and verifies.
func TestOID4VCIDraft13WalletHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	for _, tc := range []struct {
		format string
		alg    keys.Alg
		pin    string // the token parameter carrying the transaction code
	}{
		{oid4vci.FormatLDPVC, keys.ES256, "tx_code"},
		{oid4vci.FormatJWTVCJSON, keys.EdDSA, "user_pin"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			o := s.offer(t, `,"format":"`+tc.format+`","txCode":true`)
			tok := s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode,
				"pre-authorized_code", o.CredentialOffer.Grants.PreAuthorizedCode.PreAuthorizedCode, tc.pin, o.TxCode))
			if tok.CNonce == "" || tok.CNonceExpiresIn <= 0 {
				t.Fatalf("token response without c_nonce: %+v", tok)
			}
			h := newTestHolder(t, tc.alg)
			raw := h.orderedJWK()
			walletDID := "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(raw))
			def := map[string]any{"type": []string{"VerifiableCredential", "OpenBadgeCredential"}}
			if tc.format == oid4vci.FormatLDPVC {
				def["@context"] = []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
			}
			body, _ := json.Marshal(map[string]any{"format": tc.format, "credential_definition": def,
				"proof": map[string]any{"proof_type": "jwt", "jwt": h.jwkProof(t, raw, s.base, tok.CNonce)}})
			code, hdr, resp := s.credential(t, tok.AccessToken, string(body))
			if code != http.StatusOK || hdr.Get("Cache-Control") != "no-store" {
				t.Fatalf("credential: %d %v", code, resp)
			}
			if _, ok := resp["credentials"]; ok {
				t.Errorf("a draft 13 request got the 1.0 credentials member: %v", resp)
			}
			if n, _ := resp["c_nonce"].(string); n == "" || resp["c_nonce_expires_in"] == nil || resp["notification_id"] == nil {
				t.Errorf("draft 13 response lacks c_nonce or notification_id: %v", resp)
			}
			cred := resp["credential"]
			if _, isString := cred.(string); isString != (tc.format == oid4vci.FormatJWTVCJSON) {
				t.Fatalf("credential for %s is a %T", tc.format, cred)
			}
			if got := credentialSubjectID(t, cred); got != walletDID {
				t.Errorf("credentialSubject.id = %s, want did:jwk of the wallet's JWK bytes %s", got, walletDID)
			}
			vb, _ := json.Marshal(map[string]any{"verifiableCredential": cred, "options": map[string]any{"checks": []string{"proof", "schema", "validity"}}})
			var rep map[string]any
			s.mustJSON(t, "POST", s.base+"/credentials/verify", "", string(vb), http.StatusOK, &rep)
			if rep["verified"] != true {
				t.Fatalf("verify: %v", rep)
			}
		})
	}
}

// credentialSubjectID reads credentialSubject.id of a JSON-LD credential or
// a VC-JWT.
func credentialSubjectID(t *testing.T, cred any) string {
	t.Helper()
	doc, _ := cred.(map[string]any)
	if s, ok := cred.(string); ok {
		parts := strings.Split(s, ".")
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(b, &doc)
		if vc, ok := doc["vc"].(map[string]any); ok {
			doc = vc
		}
	}
	cs, _ := doc["credentialSubject"].(map[string]any)
	id, _ := cs["id"].(string)
	return id
}

// TestOID4VCIDraftErrorsHTTP: pre-final error bodies are RFC 6749 JSON
// with the draft's codes, c_nonce on invalid_nonce, interval on
// issuance_pending.
func TestOID4VCIDraftErrorsHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	token := func(t *testing.T, extra string) (oid4vci.TokenResponse, string) {
		o := s.offer(t, extra)
		return s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", o.CredentialOffer.Grants.PreAuthorizedCode.PreAuthorizedCode)), o.ID
	}
	h := newTestHolder(t, keys.EdDSA)
	ldpDef := map[string]any{"@context": []string{"https://www.w3.org/ns/credentials/v2"}, "type": []string{"VerifiableCredential", "OpenBadgeCredential"}}
	call := func(t *testing.T, tok string, body map[string]any) (int, http.Header, []byte, map[string]any) {
		b, _ := json.Marshal(body)
		code, hdr, raw := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}, string(b))
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return code, hdr, raw, m
	}
	t.Run("fail/unknown format", func(t *testing.T) {
		tok, _ := token(t, "")
		code, hdr, raw, _ := call(t, tok.AccessToken, map[string]any{"format": "mso_mdoc", "doctype": "org.iso.18013.5.1.mDL",
			"proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, tok.CNonce)}})
		oauthErr(t, code, hdr, raw, http.StatusBadRequest, oid4vci.CodeUnsupportedCredentialFormat)
	})
	t.Run("fail/format not offered", func(t *testing.T) {
		tok, _ := token(t, `,"format":"ldp_vc"`)
		code, hdr, raw, _ := call(t, tok.AccessToken, map[string]any{"format": "jwt_vc_json", "credential_definition": map[string]any{"type": []string{"VerifiableCredential", "OpenBadgeCredential"}},
			"proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, tok.CNonce)}})
		oauthErr(t, code, hdr, raw, http.StatusBadRequest, oid4vci.CodeUnsupportedCredentialFormat)
	})
	t.Run("fail/malformed credential_definition", func(t *testing.T) {
		tok, _ := token(t, "")
		code, hdr, raw, _ := call(t, tok.AccessToken, map[string]any{"format": "ldp_vc", "credential_definition": map[string]any{"type": "OpenBadgeCredential"},
			"proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, tok.CNonce)}})
		oauthErr(t, code, hdr, raw, http.StatusBadRequest, oid4vci.CodeInvalidCredentialRequest)
	})
	t.Run("fail/invalid_nonce carries a fresh c_nonce", func(t *testing.T) {
		tok, _ := token(t, "")
		body := map[string]any{"format": "ldp_vc", "credential_definition": ldpDef, "proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, "stale")}}
		code, hdr, raw, m := call(t, tok.AccessToken, body)
		oauthErr(t, code, hdr, raw, http.StatusBadRequest, oid4vci.CodeInvalidNonce)
		n, _ := m["c_nonce"].(string)
		if n == "" || m["c_nonce_expires_in"] == nil {
			t.Fatalf("invalid_nonce body without c_nonce: %s", raw)
		}
		body["proof"] = map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, n)}
		if code, _, raw, _ := call(t, tok.AccessToken, body); code != http.StatusOK {
			t.Fatalf("retry with the error's c_nonce: %d %s", code, raw)
		}
	})
	t.Run("fail/issuance_pending with interval", func(t *testing.T) {
		tok, offerID := token(t, `,"deferred":true`)
		code, _, raw, m := call(t, tok.AccessToken, map[string]any{"format": "ldp_vc", "credential_definition": ldpDef,
			"proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, s.base, tok.CNonce)}})
		if code != http.StatusAccepted || m["transaction_id"] == nil {
			t.Fatalf("deferred: %d %s", code, raw)
		}
		db, _ := json.Marshal(map[string]any{"transaction_id": m["transaction_id"]})
		deferred := func() (int, http.Header, []byte) {
			return s.call(t, "POST", s.base+"/oid4vci/deferred", map[string]string{"Authorization": "Bearer " + tok.AccessToken, "Content-Type": "application/json"}, string(db))
		}
		code, hdr, raw := deferred()
		oauthErr(t, code, hdr, raw, http.StatusBadRequest, oid4vci.CodeIssuancePending)
		var e map[string]any
		_ = json.Unmarshal(raw, &e)
		if e["interval"] == nil {
			t.Errorf("issuance_pending without interval: %s", raw)
		}
		s.mustJSON(t, "POST", s.root()+"/api/v1/offers/"+url.PathEscape(offerID)+"/approve", testToken, "", http.StatusOK, nil)
		code, _, raw = deferred()
		var got map[string]any
		_ = json.Unmarshal(raw, &got)
		if code != http.StatusOK || got["credential"] == nil || got["credentials"] != nil {
			t.Fatalf("deferred delivery: %d %s", code, raw)
		}
	})
}
