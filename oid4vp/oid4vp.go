package oid4vp

import (
	"encoding/json"
	"errors"
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
	// ResponseModeDirectPostJWT posts the response encrypted, as a JWE in
	// the response parameter (§8.3.1).
	ResponseModeDirectPostJWT = "direct_post.jwt"
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

// RequestObject is an Authorization Request as a JSON object (§5): the
// claims of a request object JWT (RFC 9101), or the parameters of an
// unsigned request passed by value.
type RequestObject struct {
	ResponseType string `json:"response_type"`
	ResponseMode string `json:"response_mode"`
	ClientID     string `json:"client_id"`
	ResponseURI  string `json:"response_uri,omitempty"`
	// RedirectURI must be absent with direct_post (§8.2); it is read to
	// refuse such requests.
	RedirectURI    string          `json:"redirect_uri,omitempty"`
	Nonce          string          `json:"nonce"`
	State          string          `json:"state,omitempty"`
	DCQLQuery      DCQLQuery       `json:"dcql_query"`
	ClientMetadata *ClientMetadata `json:"client_metadata,omitempty"`
	// Scope and TransactionData are read to refuse requests Accolade
	// cannot answer (§5.5, §8.4).
	Scope           string   `json:"scope,omitempty"`
	TransactionData []string `json:"transaction_data,omitempty"`
	// Audience, IssuedAt and Expires are the JWT claims of a signed
	// request object (RFC 9101 §4, OpenID4VP §5.8); WalletNonce echoes
	// the wallet_nonce of a request_uri POST (§5.10).
	Audience    Audience `json:"aud,omitempty"`
	IssuedAt    int64    `json:"iat,omitempty"`
	Expires     int64    `json:"exp,omitempty"`
	WalletNonce string   `json:"wallet_nonce,omitempty"`
}

// ClientMetadata is the verifier's client_metadata (§5.1).
type ClientMetadata struct {
	VPFormatsSupported map[string]any `json:"vp_formats_supported,omitempty"`
	ClientName         string         `json:"client_name,omitempty"`
	// JWKS holds the keys a direct_post.jwt response is encrypted to
	// (§8.3); EncryptedResponseEncValuesSupported the content encryption
	// algorithms the verifier takes (default A128GCM).
	JWKS                                json.RawMessage `json:"jwks,omitempty"`
	EncryptedResponseEncValuesSupported []string        `json:"encrypted_response_enc_values_supported,omitempty"`
}

// Audience is a JWT aud claim: one string, or an array of strings (RFC
// 7519 §4.1.3); one value is written as a string.
type Audience []string

// MarshalJSON writes one audience as a string.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads a string or an array of strings.
func (a *Audience) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

var urlSafe = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// Validate checks the parameters of a request a wallet received, whatever
// its client identifier prefix: vp_token; direct_post or direct_post.jwt
// (with client_metadata.jwks) to an http(s) response_uri and no
// redirect_uri (§8.2); for the redirect_uri: prefix, response_uri equal to
// the client identifier (filled in from it when omitted, §5.9.3); a
// URL-safe nonce and state; a valid DCQL query and no scope; no
// transaction_data, which Accolade does not support (§8.4). Errors are
// *Error (invalid_request, invalid_transaction_data).
func (r *RequestObject) Validate() error {
	if uri, ok := strings.CutPrefix(r.ClientID, PrefixRedirectURI); ok && r.ResponseURI == "" && r.RedirectURI == "" {
		r.ResponseURI = uri
	}
	switch {
	case r.ResponseType != ResponseTypeVPToken:
		return invalidf("response_type must be vp_token")
	case r.ResponseMode != ResponseModeDirectPost && r.ResponseMode != ResponseModeDirectPostJWT:
		return invalidf("response_mode must be direct_post or direct_post.jwt")
	case r.RedirectURI != "":
		return invalidf("redirect_uri must not be present with response_mode %s", r.ResponseMode)
	case r.ClientID == "":
		return invalidf("client_id is missing")
	case strings.HasPrefix(r.ClientID, PrefixRedirectURI) && strings.TrimPrefix(r.ClientID, PrefixRedirectURI) != r.ResponseURI:
		return invalidf("client_id must be redirect_uri: followed by the response_uri")
	case r.Nonce == "" || !urlSafe.MatchString(r.Nonce) || len(r.Nonce) > 256:
		return invalidf("nonce must be URL-safe characters")
	case r.State != "" && (!urlSafe.MatchString(r.State) || len(r.State) > 256):
		return invalidf("state must be URL-safe characters")
	case len(r.TransactionData) > 0:
		return &Error{Code: CodeInvalidTransactionData, Description: "this wallet does not support transaction_data"}
	case r.Scope != "":
		return invalidf("scope is not supported: send a dcql_query")
	case r.ResponseMode == ResponseModeDirectPostJWT && (r.ClientMetadata == nil || len(r.ClientMetadata.JWKS) == 0):
		return invalidf("direct_post.jwt needs client_metadata.jwks to encrypt the response to")
	}
	u, err := url.Parse(r.ResponseURI)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return invalidf("response_uri must be an https URL")
	}
	return r.DCQLQuery.Validate()
}

// ValidateUnsigned validates an unsigned request (by value, or a request
// object with alg none): only the redirect_uri: prefix may go unsigned
// (§5.9.3); any other prefix requires a signature.
func (r *RequestObject) ValidateUnsigned() error {
	if !strings.HasPrefix(r.ClientID, PrefixRedirectURI) {
		return invalidf("the client identifier prefix of %s requires a signed request object", safe(r.ClientID))
	}
	return r.Validate()
}

// RequestLink returns the openid4vp:// link passing a request by reference
// (§5.7) with request_uri_method get.
func RequestLink(clientID, requestURI string) string {
	return RequestLinkByReference(clientID, requestURI, RequestURIMethodGet)
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
