package oid4vci

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/google/go-cmp/cmp"
)

func TestParseTokenRequest(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	pre := "grant_type=" + url.QueryEscape(GrantTypePreAuthorizedCode)
	tests := []struct {
		name    string
		body    string
		want    TokenRequest
		wantErr *Error
	}{
		{"ok/pre-authorized", pre + "&pre-authorized_code=abc", TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc"}, nil},
		{"ok/pre-authorized with tx_code", pre + "&pre-authorized_code=abc&tx_code=493536",
			TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc", TxCode: "493536", HasTxCode: true}, nil},
		{"ok/empty tx_code is present", pre + "&pre-authorized_code=abc&tx_code=",
			TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc", HasTxCode: true}, nil},
		{"ok/unknown parameters ignored", pre + "&pre-authorized_code=abc&foo=bar", TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc"}, nil},
		{"ok/authorization code", "grant_type=authorization_code&code=c&code_verifier=" + verifier + "&redirect_uri=https%3A%2F%2Fw.example%2Fcb&client_id=w",
			TokenRequest{GrantType: GrantTypeAuthorizationCode, Code: "c", CodeVerifier: verifier, RedirectURI: "https://w.example/cb", ClientID: "w"}, nil},
		{"ok/authorization_details", pre + "&pre-authorized_code=abc&authorization_details=" + url.QueryEscape(`[{"type":"openid_credential","credential_configuration_id":"X"}]`),
			TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc",
				AuthorizationDetails: []AuthorizationDetail{{Type: AuthorizationDetailsType, CredentialConfigurationID: "X"}}}, nil},
		{"ok/draft 11 user_pin is tx_code", pre + "&pre-authorized_code=abc&user_pin=493536",
			TokenRequest{GrantType: GrantTypePreAuthorizedCode, PreAuthorizedCode: "abc", TxCode: "493536", HasTxCode: true}, nil},
		{"fail/user_pin and tx_code", pre + "&pre-authorized_code=abc&user_pin=1&tx_code=1", TokenRequest{}, ErrInvalidRequest},
		{"fail/user_pin with authorization_code", "grant_type=authorization_code&code=c&code_verifier=" + verifier + "&user_pin=1", TokenRequest{}, ErrInvalidRequest},
		{"fail/no grant_type", "pre-authorized_code=abc", TokenRequest{}, ErrInvalidRequest},
		{"fail/unknown grant", "grant_type=password&username=a", TokenRequest{}, ErrUnsupportedGrantType},
		{"fail/client_credentials", "grant_type=client_credentials", TokenRequest{}, ErrUnsupportedGrantType},
		{"fail/no code", pre, TokenRequest{}, ErrInvalidRequest},
		{"fail/repeated code", pre + "&pre-authorized_code=a&pre-authorized_code=b", TokenRequest{}, ErrInvalidRequest},
		{"fail/tx_code with authorization_code", "grant_type=authorization_code&code=c&code_verifier=" + verifier + "&tx_code=1", TokenRequest{}, ErrInvalidRequest},
		{"fail/no code_verifier", "grant_type=authorization_code&code=c", TokenRequest{}, ErrInvalidRequest},
		{"fail/short code_verifier", "grant_type=authorization_code&code=c&code_verifier=abc", TokenRequest{}, ErrInvalidRequest},
		{"fail/bad form", "grant_type=%zz", TokenRequest{}, ErrInvalidRequest},
		{"fail/semicolon", pre + ";pre-authorized_code=abc", TokenRequest{}, ErrInvalidRequest},
		{"fail/authorization_details not JSON", pre + "&pre-authorized_code=abc&authorization_details=x", TokenRequest{}, ErrInvalidAuthorizationDetails},
		{"fail/authorization_details wrong type", pre + "&pre-authorized_code=abc&authorization_details=" + url.QueryEscape(`[{"type":"x","credential_configuration_id":"X"}]`), TokenRequest{}, ErrInvalidAuthorizationDetails},
		{"fail/authorization_details without id", pre + "&pre-authorized_code=abc&authorization_details=" + url.QueryEscape(`[{"type":"openid_credential"}]`), TokenRequest{}, ErrInvalidAuthorizationDetails},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTokenRequest([]byte(tt.body))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPKCE checks RFC 7636 Appendix B.
func TestPKCE(t *testing.T) {
	const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if got := S256Challenge(verifier); got != challenge {
		t.Errorf("S256Challenge = %s, want %s", got, challenge)
	}
	if !VerifyPKCE(verifier, challenge) || VerifyPKCE(verifier+"x", challenge) || VerifyPKCE("short", S256Challenge("short")) {
		t.Error("VerifyPKCE accepts or refuses the wrong verifier")
	}
}

func TestParseCredentialRequest(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    CredentialRequest
		wantErr *Error
	}{
		{"ok/configuration id", `{"credential_configuration_id":"A_ldp_vc","proofs":{"jwt":["a.b.c"]}}`,
			CredentialRequest{CredentialConfigurationID: "A_ldp_vc", Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c"}}}, nil},
		{"ok/identifier and unknown member", `{"credential_identifier":"id-1","proofs":{"jwt":["a.b.c","d.e.f"]},"x":1}`,
			CredentialRequest{CredentialIdentifier: "id-1", Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c", "d.e.f"}}}, nil},
		{"ok/no proofs", `{"credential_configuration_id":"A"}`, CredentialRequest{CredentialConfigurationID: "A"}, nil},
		{"ok/draft 13 proof with 1.0 name", `{"credential_configuration_id":"A","proof":{"proof_type":"jwt","jwt":"a.b.c"}}`,
			CredentialRequest{CredentialConfigurationID: "A", Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c"}}, SingleProof: true}, nil},
		{"ok/draft 13 format and proof", `{"format":"ldp_vc","credential_definition":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{}},"proof":{"proof_type":"jwt","jwt":"a.b.c"}}`,
			CredentialRequest{Format: "ldp_vc", Definition: &CredentialDefinition{Context: []string{"https://www.w3.org/ns/credentials/v2"}, Type: []string{"VerifiableCredential", "OpenBadgeCredential"}},
				Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c"}}, SingleProof: true}, nil},
		{"ok/draft format and proofs", `{"format":"jwt_vc_json","credential_definition":{"type":["VerifiableCredential","OpenBadgeCredential"]},"proofs":{"jwt":["a.b.c","d.e.f"]}}`,
			CredentialRequest{Format: "jwt_vc_json", Definition: &CredentialDefinition{Type: []string{"VerifiableCredential", "OpenBadgeCredential"}},
				Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c", "d.e.f"}}}, nil},
		{"ok/draft 13 identifier and proof", `{"credential_identifier":"id-1","proof":{"proof_type":"jwt","jwt":"a.b.c"}}`,
			CredentialRequest{CredentialIdentifier: "id-1", Proofs: &Proofs{Type: "jwt", JWT: []string{"a.b.c"}}, SingleProof: true}, nil},
		{"ok/format without definition (the issuer refuses)", `{"format":"mso_mdoc","doctype":"org.iso.18013.5.1.mDL"}`, CredentialRequest{Format: "mso_mdoc"}, nil},
		{"ok/other single proof type kept", `{"format":"ldp_vc","proof":{"proof_type":"cwt","cwt":"x"}}`,
			CredentialRequest{Format: "ldp_vc", Proofs: &Proofs{Type: "cwt", Other: []json.RawMessage{json.RawMessage(`{"proof_type":"cwt","cwt":"x"}`)}}, SingleProof: true}, nil},
		{"ok/null proof is absent", `{"credential_configuration_id":"A","proof":null}`, CredentialRequest{CredentialConfigurationID: "A"}, nil},
		{"fail/format with configuration id", `{"format":"ldp_vc","credential_configuration_id":"A"}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/format with identifier", `{"format":"ldp_vc","credential_identifier":"A"}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/format not a string", `{"format":["ldp_vc"]}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/definition not an object", `{"format":"ldp_vc","credential_definition":["x"]}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/definition without type", `{"format":"ldp_vc","credential_definition":{"@context":["x"]}}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/definition type a string", `{"format":"jwt_vc_json","credential_definition":{"type":"OpenBadgeCredential"}}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/definition empty context", `{"format":"ldp_vc","credential_definition":{"type":["VerifiableCredential"],"@context":[]}}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/proof and proofs", `{"format":"ldp_vc","proof":{"proof_type":"jwt","jwt":"a.b.c"},"proofs":{"jwt":["a.b.c"]}}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/proof without proof_type", `{"format":"ldp_vc","proof":{"jwt":"a.b.c"}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/proof jwt not a string", `{"format":"ldp_vc","proof":{"proof_type":"jwt","jwt":["a.b.c"]}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/proof not an object", `{"format":"ldp_vc","proof":"a.b.c"}`, CredentialRequest{}, ErrInvalidProof},
		{"ok/other proof type kept", `{"credential_configuration_id":"A","proofs":{"di_vp":[{}]}}`,
			CredentialRequest{CredentialConfigurationID: "A", Proofs: &Proofs{Type: "di_vp", Other: []json.RawMessage{json.RawMessage(`{}`)}}}, nil},
		{"fail/both ids", `{"credential_identifier":"a","credential_configuration_id":"b"}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/no id", `{"proofs":{"jwt":["a.b.c"]}}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/id not a string", `{"credential_configuration_id":7}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/repeated member", `{"credential_configuration_id":"a","credential_configuration_id":"b"}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/not an object", `["a"]`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/trailing data", `{"credential_configuration_id":"a"} {}`, CredentialRequest{}, ErrInvalidCredentialRequest},
		{"fail/two proof types", `{"credential_configuration_id":"A","proofs":{"jwt":["a.b.c"],"di_vp":[{}]}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/empty proofs", `{"credential_configuration_id":"A","proofs":{}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/empty jwt list", `{"credential_configuration_id":"A","proofs":{"jwt":[]}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/jwt not a list", `{"credential_configuration_id":"A","proofs":{"jwt":"a.b.c"}}`, CredentialRequest{}, ErrInvalidProof},
		{"fail/jwt entry not a string", `{"credential_configuration_id":"A","proofs":{"jwt":[{}]}}`, CredentialRequest{}, ErrInvalidProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCredentialRequest([]byte(tt.body))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNotificationAndDeferred(t *testing.T) {
	for _, tt := range []struct {
		body string
		ok   bool
	}{
		{`{"notification_id":"n","event":"credential_accepted"}`, true},
		{`{"notification_id":"n","event":"credential_deleted","event_description":"removed by the user"}`, true},
		{`{"notification_id":"n","event":"credential_stored"}`, false},
		{`{"event":"credential_accepted"}`, false},
		{`{"notification_id":"n","event":"credential_failure","event_description":"caf\u00e9"}`, false},
		{`{"notification_id":"n","event":"credential_failure","event_description":"a\"b"}`, false},
	} {
		_, err := ParseNotificationRequest([]byte(tt.body))
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidNotificationRequest)) {
			t.Errorf("%s: err = %v", tt.body, err)
		}
	}
	if r, err := ParseDeferredRequest([]byte(`{"transaction_id":"t"}`)); err != nil || r.TransactionID != "t" {
		t.Errorf("deferred: %v %+v", err, r)
	}
	if _, err := ParseDeferredRequest([]byte(`{}`)); !errors.Is(err, ErrInvalidCredentialRequest) {
		t.Errorf("deferred without id: %v", err)
	}
}

func TestWellKnownURL(t *testing.T) {
	for _, tt := range []struct{ id, suffix, want string }{
		{"https://issuer.example.com", WellKnownCredentialIssuer, "https://issuer.example.com/.well-known/openid-credential-issuer"},
		{"https://issuer.example.com/", WellKnownCredentialIssuer, "https://issuer.example.com/.well-known/openid-credential-issuer"},
		{"https://issuer.example.com/tenant", WellKnownCredentialIssuer, "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"},
		{"https://issuer.example.com:8443/a/b/", WellKnownAuthorizationServer, "https://issuer.example.com:8443/.well-known/oauth-authorization-server/a/b"},
	} {
		got, err := WellKnownURL(tt.id, tt.suffix)
		if err != nil || got != tt.want {
			t.Errorf("WellKnownURL(%s) = %s, %v; want %s", tt.id, got, err, tt.want)
		}
	}
	for _, bad := range []string{"issuer.example.com", "https://issuer.example.com/?x=1", "https://issuer.example.com/#f", "ftp://x"} {
		if _, err := WellKnownURL(bad, WellKnownCredentialIssuer); err == nil {
			t.Errorf("WellKnownURL(%s) succeeded", bad)
		}
	}
}

// TestSpecOfferExamples decodes the offers published with the spec into our
// types and back, and checks the by-value and by-reference deep links.
func TestSpecOfferExamples(t *testing.T) {
	dir := sharedtest.Testdata(t, "oid4vci")
	for _, name := range []string{"credential_offer_pre-authz_code.json", "credential_offer_by_reference.json", "credential_offer_multiple_credentials.json", "credential_offer_authz_code.txt"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if i := strings.Index(string(raw), "{"); i > 0 { // HTTP response example
				raw = raw[i:]
			}
			var o CredentialOffer
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			var want, got any
			_ = json.Unmarshal(raw, &want)
			b, _ := json.Marshal(o)
			_ = json.Unmarshal(b, &got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-spec +ours):\n%s", diff)
			}
			link, err := OfferLinkByValue(o)
			if err != nil {
				t.Fatal(err)
			}
			back, ref, err := ParseOfferLink(link)
			if err != nil || ref != "" || !cmp.Equal(*back, o) {
				t.Errorf("by value: %v %q %+v", err, ref, back)
			}
		})
	}
	const uri = "https://badges.example.org/oid4vci/offers/7dQk2"
	link := OfferLinkByReference(uri)
	if link != "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fbadges.example.org%2Foid4vci%2Foffers%2F7dQk2" {
		t.Errorf("by reference link = %s", link)
	}
	if o, ref, err := ParseOfferLink(link); err != nil || o != nil || ref != uri {
		t.Errorf("ParseOfferLink = %v %q %v", o, ref, err)
	}
	if _, _, err := ParseOfferLink(link + "&credential_offer=%7B%7D"); err == nil {
		t.Error("a link with both parameters was accepted")
	}
	// tx_code {} survives: it still means "required" (pitfall 5).
	var o CredentialOffer
	_ = json.Unmarshal([]byte(`{"credential_issuer":"https://x","credential_configuration_ids":["a"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"c","tx_code":{}}}}`), &o)
	if o.Grants.PreAuthorizedCode.TxCode == nil {
		t.Error("tx_code {} decoded as absent")
	}
}

func TestParseAuthorizationRequest(t *testing.T) {
	const ch = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	base := func(kv ...string) url.Values {
		q := url.Values{"response_type": {"code"}, "client_id": {"w"}, "redirect_uri": {"https://wallet.example/cb"},
			"code_challenge": {ch}, "code_challenge_method": {"S256"}, "issuer_state": {"s"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				q.Del(kv[i])
			} else {
				q.Set(kv[i], kv[i+1])
			}
		}
		return q
	}
	for _, tt := range []struct {
		name       string
		q          url.Values
		redirectOK bool
		want       *Error
	}{
		{"ok", base(), true, nil},
		{"ok/native scheme", base("redirect_uri", "eudi-wallet://cb"), true, nil},
		{"fail/no client_id", base("client_id", ""), false, ErrInvalidRequest},
		{"fail/javascript redirect", base("redirect_uri", "javascript:alert(1)"), false, ErrInvalidRequest},
		{"fail/http redirect", base("redirect_uri", "http://wallet.example/cb"), false, ErrInvalidRequest},
		{"fail/token response type", base("response_type", "token"), true, &Error{Code: CodeUnsupportedResponseType}},
		{"fail/plain PKCE", base("code_challenge_method", "plain"), true, ErrInvalidRequest},
		{"fail/no PKCE", base("code_challenge", ""), true, ErrInvalidRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseAuthorizationRequest(tt.q)
			if (r.RedirectURI != "") != tt.redirectOK {
				t.Errorf("RedirectURI = %q", r.RedirectURI)
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
