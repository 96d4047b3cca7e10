package oid4vp

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	// By reference.
	ar, err := ParseAuthorizationRequest(RequestLinkByReference(r.ClientID, "https://v.example/oid4vp/requests/1", RequestURIMethodPost))
	if err != nil || ar.ClientID != r.ClientID || ar.RequestURI != "https://v.example/oid4vp/requests/1" || ar.RequestURIMethod != "post" {
		t.Fatalf("by reference: %+v %v", ar, err)
	}
	// By value: the parameters in the link, unsigned (§5.9.3).
	ar, err = ParseAuthorizationRequest(RequestLinkByValue(&r))
	if err != nil || ar.Params == nil || ar.RequestURI != "" {
		t.Fatalf("by value: %+v %v", ar, err)
	}
	if err := ar.Params.ValidateUnsigned(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, *ar.Params); diff != "" {
		t.Errorf("by value round trip (-want +got):\n%s", diff)
	}
	// The verifier may omit response_uri with the redirect_uri: prefix.
	noURI := r
	noURI.ResponseURI = ""
	if err := noURI.ValidateUnsigned(); err != nil || noURI.ResponseURI != r.ResponseURI {
		t.Errorf("response_uri from client_id: %q %v", noURI.ResponseURI, err)
	}
	for name, tc := range map[string]struct {
		mutate func(*RequestObject)
		code   string
	}{
		"client_id not the response_uri": {func(r *RequestObject) { r.ClientID = PrefixRedirectURI + "https://evil.example/collect" }, CodeInvalidRequest},
		"unsigned with a signing prefix": {func(r *RequestObject) { r.ClientID = PrefixDecentralizedIdentifier + "did:example:123" }, CodeInvalidRequest},
		"redirect_uri with direct_post":  {func(r *RequestObject) { r.RedirectURI = r.ResponseURI }, CodeInvalidRequest},
		"transaction_data":               {func(r *RequestObject) { r.TransactionData = []string{"eyJ0eXBlIjoieCJ9"} }, CodeInvalidTransactionData},
		"direct_post.jwt without jwks":   {func(r *RequestObject) { r.ResponseMode = ResponseModeDirectPostJWT }, CodeInvalidRequest},
		"fragment response mode":         {func(r *RequestObject) { r.ResponseMode = "fragment" }, CodeInvalidRequest},
	} {
		bad := r
		tc.mutate(&bad)
		var oe *Error
		if err := bad.ValidateUnsigned(); !errors.As(err, &oe) || oe.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	for _, link := range []string{
		"openid4vp://?client_id=x&request_uri=https://v.example/r&request=eyJ",
		"openid4vp://?request_uri=https://v.example/r",
		"openid4vp://?client_id=x&request_uri=ftp://v.example/r",
		"openid4vp://?client_id=x&client_id=y&request_uri=https://v.example/r",
	} {
		if _, err := ParseAuthorizationRequest(link); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v", link, err)
		}
	}
	if _, err := ParseAuthorizationRequest("openid4vp://?client_id=x&request_uri=https://v.example/r&request_uri_method=put"); !errors.Is(err, &Error{Code: CodeInvalidRequestURI}) {
		t.Errorf("request_uri_method put: %v", err)
	}
}

// TestSpecUnsignedRequestExample reads the spec's unsigned redirect_uri:
// request (§5.9.3): it is a request with redirect_uri, not response_uri,
// and no response_mode, so this direct_post-only wallet refuses it.
func TestSpecUnsignedRequestExample(t *testing.T) {
	link := "https://wallet.example.org/universal-link?response_type=vp_token" +
		"&client_id=redirect_uri%3Ahttps%3A%2F%2Fclient.example.org%2Fcb&redirect_uri=https%3A%2F%2Fclient.example.org%2Fcb" +
		"&dcql_query=" + url.QueryEscape(string(sharedtest.ReadTestdata(t, "oid4vp", "request", "dcql_ldp_vc.json"))) +
		"&nonce=n-0S6_WzA2Mj&client_metadata=%7B%22vp_formats_supported%22%3A%7B%22dc%2Bsd-jwt%22%3A%7B%22sd-jwt_" +
		"alg_values%22%3A%20%5B%22ES256%22%5D%2C%22kb-jwt_alg_values%22%3A%20%5B%22ES256%22%5D%7D%7D%7D"
	ar, err := ParseAuthorizationRequest(link)
	if err != nil || ar.Params == nil || ar.Params.ClientID != "redirect_uri:https://client.example.org/cb" || len(ar.Params.DCQLQuery.Credentials) != 1 {
		t.Fatalf("parse: %+v %v", ar, err)
	}
	if err := ar.Params.ValidateUnsigned(); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "response_mode") {
		t.Errorf("validate: %v", err)
	}
	ar.Params.ResponseMode = ResponseModeDirectPost
	if err := ar.Params.ValidateUnsigned(); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "redirect_uri must not be present") {
		t.Errorf("validate with direct_post: %v", err)
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
