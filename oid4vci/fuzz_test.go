package oid4vci

// Fuzz targets for every parser of untrusted OpenID4VCI input. Run one with
//   go test -run '^$' -fuzz '^FuzzParseTokenRequest$' -fuzztime 30s ./oid4vci/
// or all of them with make fuzz.

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

// mustBeProtocolError fails unless err is nil or an *Error with a code and
// a description (what the api sends to the client).
func mustBeProtocolError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == "" || e.Description == "" {
		t.Fatalf("error %v (%T) is not a described *Error", err, err)
	}
}

func FuzzParseTokenRequest(f *testing.F) {
	for _, s := range []string{
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=SplxlOBeZQQYbYS6WxSbIA&tx_code=493536",
		"grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&redirect_uri=https%3A%2F%2FWallet.example.org%2Fcb",
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=a&authorization_details=%5B%7B%22type%22%3A%22openid_credential%22%2C%22credential_configuration_id%22%3A%22X%22%7D%5D",
		"grant_type=password", "", "%", "a=1&a=2", "grant_type=authorization_code&tx_code=1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseTokenRequest(body)
		mustBeProtocolError(t, err)
		if err != nil {
			return
		}
		// Accepted requests are well-formed by construction.
		switch r.GrantType {
		case GrantTypePreAuthorizedCode:
			if r.PreAuthorizedCode == "" {
				t.Fatal("accepted a pre-authorized request without code")
			}
		case GrantTypeAuthorizationCode:
			if r.Code == "" || !validVerifier(r.CodeVerifier) || r.HasTxCode {
				t.Fatalf("accepted a bad authorization code request: %+v", r)
			}
		default:
			t.Fatalf("accepted grant_type %q", r.GrantType)
		}
		for _, d := range r.AuthorizationDetails {
			if d.Type != AuthorizationDetailsType || d.CredentialConfigurationID == "" || d.CredentialIdentifiers != nil {
				t.Fatalf("accepted authorization detail %+v", d)
			}
		}
		// Round trip: re-encoding the parsed form parses to the same request.
		q := url.Values{"grant_type": {r.GrantType}}
		if r.PreAuthorizedCode != "" {
			q.Set("pre-authorized_code", r.PreAuthorizedCode)
		}
		if r.HasTxCode {
			q.Set("tx_code", r.TxCode)
		}
		if r.Code != "" {
			q.Set("code", r.Code)
			q.Set("code_verifier", r.CodeVerifier)
		}
		r2, err := ParseTokenRequest([]byte(q.Encode()))
		if err != nil || r2.PreAuthorizedCode != r.PreAuthorizedCode || r2.TxCode != r.TxCode || r2.Code != r.Code {
			t.Fatalf("round trip: %v %+v %+v", err, r, r2)
		}
	})
}

func FuzzParseCredentialRequest(f *testing.F) {
	for _, s := range []string{
		`{"credential_configuration_id":"OpenBadgeCredential_ldp","proofs":{"jwt":["eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCJ9.e30.AA"]}}`,
		`{"credential_identifier":"a","proofs":{"jwt":["a.b.c","d.e.f"]}}`,
		`{"credential_configuration_id":"A","proofs":{"jwt":["a.b.c"],"di_vp":[{}]}}`,
		`{"credential_configuration_id":"A","proof":{"proof_type":"jwt","jwt":"x"}}`,
		`{"credential_identifier":"a","credential_configuration_id":"b"}`,
		`{"a":1,"a":2}`, `[]`, `null`, `{`, `{"proofs":{"jwt":[1]}}`,
		`{"credential_configuration_id":"A","credential_response_encryption":{"jwk":{},"enc":"A128GCM"}}`,
		`{"format":"ldp_vc","credential_definition":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"]},"proof":{"proof_type":"jwt","jwt":"a.b.c"}}`,
		`{"format":"jwt_vc_json","credential_definition":{"type":["VerifiableCredential"]},"proofs":{"jwt":["a.b.c"]}}`,
		`{"format":"ldp_vc","credential_configuration_id":"A"}`,
		`{"format":"ldp_vc","proof":{"proof_type":"jwt","jwt":"a"},"proofs":{"jwt":["a"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseCredentialRequest(body)
		mustBeProtocolError(t, err)
		if err != nil {
			return
		}
		named := 0
		for _, v := range []string{r.CredentialIdentifier, r.CredentialConfigurationID, r.Format} {
			if v != "" {
				named++
			}
		}
		if named != 1 {
			t.Fatalf("accepted %+v without exactly one of the ids and format", r)
		}
		if r.SingleProof && (r.Proofs == nil || r.Proofs.Len() != 1) {
			t.Fatalf("accepted a singular proof as %+v", r.Proofs)
		}
		if r.Proofs != nil && (r.Proofs.Type == "" || r.Proofs.Len() == 0) {
			t.Fatalf("accepted empty proofs %+v", r.Proofs)
		}
		// Round trip through the wire shape.
		m := map[string]any{}
		switch {
		case r.CredentialIdentifier != "":
			m["credential_identifier"] = r.CredentialIdentifier
		case r.CredentialConfigurationID != "":
			m["credential_configuration_id"] = r.CredentialConfigurationID
		default:
			m["format"] = r.Format
			if r.Definition != nil {
				m["credential_definition"] = r.Definition
			}
		}
		switch {
		case r.Proofs != nil && r.Proofs.Type == ProofTypeJWT && r.SingleProof:
			m["proof"] = map[string]any{"proof_type": ProofTypeJWT, "jwt": r.Proofs.JWT[0]}
		case r.Proofs != nil && r.Proofs.Type == ProofTypeJWT:
			m["proofs"] = map[string]any{"jwt": r.Proofs.JWT}
		}
		b, _ := json.Marshal(m)
		r2, err := ParseCredentialRequest(b)
		if err != nil || r2.CredentialIdentifier != r.CredentialIdentifier || r2.CredentialConfigurationID != r.CredentialConfigurationID ||
			r2.Format != r.Format || (r.Proofs != nil && r.Proofs.Type == ProofTypeJWT && r2.Shape() != r.Shape()) {
			t.Fatalf("round trip: %v %s", err, b)
		}
	})
}

func FuzzParseNotificationRequest(f *testing.F) {
	for _, s := range []string{
		`{"notification_id":"3fwe98js","event":"credential_accepted"}`,
		`{"notification_id":"3fwe98js","event":"credential_failure","event_description":"Could not store the Credential. Out of storage."}`,
		`{"notification_id":"","event":"credential_deleted"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := ParseNotificationRequest(body)
		mustBeProtocolError(t, err)
		_, err = ParseDeferredRequest(body)
		mustBeProtocolError(t, err)
	})
}

func FuzzCheckProofJWT(f *testing.F) {
	ed := genKey(f, keys.EdDSA)
	f.Add(signJWT(f, ed, map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "kid": keyDID(f, ed)}, map[string]any{"aud": testIssuer, "iat": testNow.Unix(), "nonce": "n"}))
	f.Add(signJWT(f, ed, map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "jwk": ed.PublicJWK()}, map[string]any{"aud": testIssuer, "iat": testNow.Unix(), "nonce": "n"}))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := CheckProofJWT(context.Background(), tok, proofOpts())
		mustBeProtocolError(t, err)
		if err == nil && (p.HolderDID == "" || p.Key == nil || p.Nonce == "") {
			t.Fatalf("accepted proof without holder, key or nonce: %+v", p)
		}
	})
}
