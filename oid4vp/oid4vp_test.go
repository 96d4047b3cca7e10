package oid4vp

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

func TestSpecExampleQueryMatchesSpecCredential(t *testing.T) {
	var q DCQLQuery
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "oid4vp", "request", "dcql_ldp_vc.json"), &q); err != nil {
		t.Fatal(err)
	}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	var cred map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "oid4vp", "credentials", "ldp_vc.json"), &cred); err != nil {
		t.Fatal(err)
	}
	cq := q.Credentials[0]
	if !cq.Matches(FormatLDPVC, cred) {
		t.Error("the spec's query does not match the spec's credential")
	}
	if cq.Matches(FormatJWTVCJSON, cred) {
		t.Error("format ignored")
	}
	delete(cred["credentialSubject"].(map[string]any), "birthdate")
	if cq.Matches(FormatLDPVC, cred) {
		t.Error("a missing claim matched")
	}
}

func TestOBQuery(t *testing.T) {
	badge := map[string]any{
		"type":   []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer": map[string]any{"id": "did:web:academy.example"},
		"credentialSubject": map[string]any{"id": "did:key:z6Mk",
			"achievement": map[string]any{"id": "https://academy.example/ach/1"}},
	}
	for _, tc := range []struct {
		name       string
		ach, iss   string
		want       bool
		mutateType bool
	}{
		{"any", "", "", true, false},
		{"achievement", "https://academy.example/ach/1", "", true, false},
		{"other achievement", "https://academy.example/ach/2", "", false, false},
		{"issuer", "", "did:web:academy.example", true, false},
		{"both", "https://academy.example/ach/1", "did:web:academy.example", true, false},
		{"other issuer", "https://academy.example/ach/1", "did:web:other.example", false, false},
		{"not a badge", "", "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := DCQLQuery{Credentials: []CredentialQuery{OBQuery("badge", FormatLDPVC, tc.ach, tc.iss)}}
			if err := q.Validate(); err != nil {
				t.Fatal(err)
			}
			c := badge
			if tc.mutateType {
				c = map[string]any{"type": []any{"VerifiableCredential"}, "issuer": badge["issuer"], "credentialSubject": badge["credentialSubject"]}
			}
			if got := q.Credentials[0].Matches(FormatLDPVC, c); got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
	// A string issuer matches the second claim set.
	q := OBQuery("badge", FormatLDPVC, "", "did:web:academy.example")
	s := map[string]any{"type": []any{"OpenBadgeCredential"}, "issuer": "did:web:academy.example"}
	if !q.Matches(FormatLDPVC, s) {
		t.Error("string issuer")
	}
	// Short type names in type_values do not match: they must be expanded IRIs.
	q.Meta.TypeValues = [][]string{{"OpenBadgeCredential"}}
	if q.Matches(FormatLDPVC, s) {
		t.Error("an unexpanded type value matched")
	}
}

func TestRequestObjectAndLinks(t *testing.T) {
	r := RequestObject{ResponseType: ResponseTypeVPToken, ResponseMode: ResponseModeDirectPost,
		ClientID: PrefixRedirectURI + "https://v.example/oid4vp/responses/1", ResponseURI: "https://v.example/oid4vp/responses/1",
		Nonce: "n-0S6_WzA2Mj", State: "st",
		DCQLQuery: DCQLQuery{Credentials: []CredentialQuery{OBQuery("badge", FormatLDPVC, "", "")}}}
	b, _ := json.Marshal(r)
	link := RequestLink(r.ClientID, "https://v.example/oid4vp/requests/1")
	cid, ru, err := ParseRequestLink(link)
	if err != nil || cid != r.ClientID || ru != "https://v.example/oid4vp/requests/1" {
		t.Fatalf("link %s: %q %q %v", link, cid, ru, err)
	}
	if _, err := ParseRequestObject(b, cid); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequestObject(b, "redirect_uri:https://evil.example/"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("client_id mismatch: %v", err)
	}
	bad := r
	bad.ClientID = PrefixRedirectURI + "https://evil.example/collect"
	b, _ = json.Marshal(bad)
	if _, err := ParseRequestObject(b, ""); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("client_id not the response_uri: %v", err)
	}
	if _, _, err := ParseRequestLink("openid4vp://?client_id=x"); err == nil {
		t.Error("a link without request_uri parsed")
	}
}

func TestParseDirectPost(t *testing.T) {
	ok := url.Values{"vp_token": {`{"badge":[{"type":"VerifiablePresentation"}],"jwt":["a.b.c"]}`}, "state": {"s"}}
	dp, err := ParseDirectPost(ok)
	if err != nil || dp.State != "s" || len(dp.VPToken["badge"]) != 1 || string(dp.VPToken["jwt"][0]) != `"a.b.c"` {
		t.Fatalf("%+v %v", dp, err)
	}
	for name, f := range map[string]url.Values{
		"missing":    {"state": {"s"}},
		"not object": {"vp_token": {`["x"]`}},
		"bare VP":    {"vp_token": {`{"badge":{"type":"VerifiablePresentation"}}`}},
		"empty list": {"vp_token": {`{"badge":[]}`}},
		"repeated":   {"vp_token": {`{}`, `{}`}},
	} {
		if _, err := ParseDirectPost(f); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	dp, err = ParseDirectPost(url.Values{"error": {"access_denied"}, "state": {"s"}})
	if err != nil || dp.Error != "access_denied" {
		t.Errorf("error response: %+v %v", dp, err)
	}
}
