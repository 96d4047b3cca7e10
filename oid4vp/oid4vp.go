package oid4vp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Protocol names (OpenID4VP 1.0).
const (
	// Scheme is the custom URL scheme of a request link (§13.1).
	Scheme = "openid4vp"
	// ResponseTypeVPToken returns the presentations in the authorization
	// response.
	ResponseTypeVPToken = "vp_token"
	// ResponseModeDirectPost makes the wallet POST the response to
	// response_uri (§8.2).
	ResponseModeDirectPost = "direct_post"
	// PrefixRedirectURI is the client identifier prefix of an unsigned
	// request whose client is its response URI (§5.9.3).
	PrefixRedirectURI = "redirect_uri:"
)

// Credential formats (Appendix B.1).
const (
	FormatLDPVC     = "ldp_vc"
	FormatJWTVCJSON = "jwt_vc_json"
)

// Expanded type IRIs of the credentials a verifier asks for.
const (
	TypeVerifiableCredential = "https://www.w3.org/2018/credentials#VerifiableCredential"
	TypeOpenBadgeCredential  = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
	TypeAchievementCred      = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementCredential"
)

// Error codes (§8.5, RFC 6749 §4.1.2.1).
const (
	CodeInvalidRequest         = "invalid_request"
	CodeAccessDenied           = "access_denied"
	CodeVPFormatsNotSupported  = "vp_formats_not_supported"
	CodeInvalidRequestURI      = "invalid_request_uri_method"
	CodeInvalidTransactionData = "invalid_transaction_data"
)

// Error is an OpenID4VP / OAuth error with a public description.
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Is matches another *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrInvalidRequest is for errors.Is.
var ErrInvalidRequest = &Error{Code: CodeInvalidRequest}

func invalidf(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidRequest, Description: fmt.Sprintf(format, args...)}
}

// RequestObject is an Authorization Request as a JSON object (§5), here
// passed unsigned by reference (request_uri returns it as
// application/json): the redirect_uri client identifier prefix does not
// allow a signed request, so the wallet trusts nothing but response_uri.
type RequestObject struct {
	ResponseType   string          `json:"response_type"`
	ResponseMode   string          `json:"response_mode"`
	ClientID       string          `json:"client_id"`
	ResponseURI    string          `json:"response_uri"`
	Nonce          string          `json:"nonce"`
	State          string          `json:"state,omitempty"`
	DCQLQuery      DCQLQuery       `json:"dcql_query"`
	ClientMetadata *ClientMetadata `json:"client_metadata,omitempty"`
}

// ClientMetadata is the verifier's client_metadata (§5.1).
type ClientMetadata struct {
	VPFormatsSupported map[string]any `json:"vp_formats_supported,omitempty"`
	ClientName         string         `json:"client_name,omitempty"`
}

var urlSafe = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// Validate checks a request object a wallet received: vp_token,
// direct_post, a redirect_uri: client_id equal to response_uri (§5.9.3), an
// https (or http) response_uri, a URL-safe nonce and state, a valid DCQL
// query. Errors are *Error with invalid_request.
func (r *RequestObject) Validate() error {
	switch {
	case r.ResponseType != ResponseTypeVPToken:
		return invalidf("response_type must be vp_token")
	case r.ResponseMode != ResponseModeDirectPost:
		return invalidf("response_mode must be direct_post")
	case !strings.HasPrefix(r.ClientID, PrefixRedirectURI):
		return invalidf("client_id: only the redirect_uri: prefix is supported for unsigned requests")
	case strings.TrimPrefix(r.ClientID, PrefixRedirectURI) != r.ResponseURI:
		return invalidf("client_id must be redirect_uri: followed by the response_uri")
	case r.Nonce == "" || !urlSafe.MatchString(r.Nonce) || len(r.Nonce) > 256:
		return invalidf("nonce must be URL-safe characters")
	case r.State != "" && (!urlSafe.MatchString(r.State) || len(r.State) > 256):
		return invalidf("state must be URL-safe characters")
	}
	u, err := url.Parse(r.ResponseURI)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return invalidf("response_uri must be an https URL")
	}
	return r.DCQLQuery.Validate()
}

// RequestLink returns the openid4vp:// link passing a request by reference
// (§5.7).
func RequestLink(clientID, requestURI string) string {
	return Scheme + "://?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode()
}

// ParseRequestLink reads a request link (openid4vp:// or any scheme) that
// passes the request by reference: it returns client_id and request_uri.
// A request by value (request, or bare parameters) is invalid_request here:
// Accolade's wallet takes requests by reference only.
func ParseRequestLink(link string) (clientID, requestURI string, err error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return "", "", invalidf("the request link is not a URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", "", invalidf("the request link's query is malformed")
	}
	if len(q["request_uri"]) != 1 || len(q["client_id"]) != 1 {
		return "", "", invalidf("the request link must carry one client_id and one request_uri")
	}
	if m := q.Get("request_uri_method"); m != "" && m != "get" {
		return "", "", &Error{Code: CodeInvalidRequestURI, Description: "only request_uri_method get is supported"}
	}
	ru, err := url.Parse(q.Get("request_uri"))
	if err != nil || !ru.IsAbs() || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" {
		return "", "", invalidf("request_uri must be an https URL")
	}
	return q.Get("client_id"), q.Get("request_uri"), nil
}

// ParseRequestObject decodes and validates a request object fetched from
// request_uri, and checks its client_id against the link's.
func ParseRequestObject(body []byte, linkClientID string) (*RequestObject, error) {
	var r RequestObject
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, invalidf("the request object is not a JSON object of the expected shape")
	}
	if linkClientID != "" && r.ClientID != linkClientID {
		return nil, invalidf("the request object's client_id differs from the link's")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// MaxVPToken bounds a direct_post body's vp_token.
const MaxVPToken = 4 << 20

// DirectPost is a parsed direct_post Authorization Response (§8.2).
type DirectPost struct {
	// VPToken maps each credential query id to its presentations: JSON
	// objects (ldp_vc) or JSON strings holding compact JWTs (jwt_vc_json).
	VPToken map[string][]json.RawMessage
	State   string
	// Error and ErrorDescription are set when the wallet declined.
	Error            string
	ErrorDescription string
}

// ParseDirectPost reads a form-encoded direct_post body: vp_token (a JSON
// object whose values are non-empty arrays of presentations) and state, or
// error and state. Errors are *Error with invalid_request.
func ParseDirectPost(form url.Values) (*DirectPost, error) {
	for k, v := range form {
		if len(v) > 1 {
			return nil, invalidf("%s is repeated", k)
		}
	}
	out := &DirectPost{State: form.Get("state"), Error: form.Get("error"), ErrorDescription: form.Get("error_description")}
	if out.Error != "" {
		return out, nil
	}
	raw := form.Get("vp_token")
	switch {
	case raw == "":
		return nil, invalidf("vp_token is missing")
	case len(raw) > MaxVPToken:
		return nil, invalidf("vp_token exceeds %d bytes", MaxVPToken)
	}
	var tok map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &tok); err != nil || tok == nil {
		return nil, invalidf("vp_token must be a JSON object keyed by credential query id")
	}
	out.VPToken = map[string][]json.RawMessage{}
	for id, v := range tok {
		var list []json.RawMessage
		if err := json.Unmarshal(v, &list); err != nil {
			return nil, invalidf("vp_token[%q] must be an array of presentations", safe(id))
		}
		if len(list) == 0 {
			return nil, invalidf("vp_token[%q] is empty", safe(id))
		}
		out.VPToken[id] = list
	}
	if len(out.VPToken) == 0 {
		return nil, invalidf("vp_token holds no presentation")
	}
	return out, nil
}

func safe(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
