package oid4vci

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// MaxFormBytes bounds a Token Request body; real requests are far smaller.
const MaxFormBytes = 64 << 10

// maxAuthorizationDetails bounds the entries of authorization_details.
const maxAuthorizationDetails = 16

// TokenRequest is a Token Request (§6.1): the pre-authorized code grant or
// the authorization code grant with PKCE.
type TokenRequest struct {
	GrantType string
	// PreAuthorizedCode and TxCode belong to the pre-authorized code grant.
	// HasTxCode tells an absent tx_code from an empty one.
	PreAuthorizedCode string
	TxCode            string
	HasTxCode         bool
	// Code, CodeVerifier and RedirectURI belong to the authorization code
	// grant.
	Code         string
	CodeVerifier string
	RedirectURI  string
	ClientID     string
	// AuthorizationDetails is the parsed authorization_details parameter;
	// when it was sent, the response must carry authorization_details.
	AuthorizationDetails []AuthorizationDetail
}

// TokenResponse is a successful Token Response (§6.2). CNonce and
// CNonceExpiresIn are not 1.0 (which moved c_nonce to the nonce endpoint):
// wallets of pre-final drafts read their first c_nonce here (draft 13
// §6.2), and 1.0 wallets ignore them (§13.1).
type TokenResponse struct {
	AccessToken          string                `json:"access_token"`
	TokenType            string                `json:"token_type"`
	ExpiresIn            int64                 `json:"expires_in,omitempty"`
	AuthorizationDetails []AuthorizationDetail `json:"authorization_details,omitempty"`
	CNonce               string                `json:"c_nonce,omitempty"`
	CNonceExpiresIn      int64                 `json:"c_nonce_expires_in,omitempty"`
}

// AuthorizationDetail is an authorization_details entry of type
// openid_credential (§5.1.1, RFC 9396).
type AuthorizationDetail struct {
	Type                      string          `json:"type"`
	CredentialConfigurationID string          `json:"credential_configuration_id,omitempty"`
	CredentialIdentifiers     []string        `json:"credential_identifiers,omitempty"`
	Locations                 []string        `json:"locations,omitempty"`
	Claims                    json.RawMessage `json:"claims,omitempty"`
}

// ParseTokenRequest parses an application/x-www-form-urlencoded Token
// Request body. Unknown parameters are ignored (§13.1: the issuer MUST
// ignore unknown parameters); a repeated parameter is invalid_request
// (RFC 6749 §3.2). Errors are *Error: invalid_request,
// unsupported_grant_type or invalid_authorization_details.
func ParseTokenRequest(body []byte) (TokenRequest, error) {
	if len(body) > MaxFormBytes {
		return TokenRequest{}, Errorf(CodeInvalidRequest, "the request body exceeds %d bytes", MaxFormBytes)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return TokenRequest{}, Errorf(CodeInvalidRequest, "the body is not application/x-www-form-urlencoded")
	}
	for name, vs := range form {
		if len(vs) > 1 {
			return TokenRequest{}, Errorf(CodeInvalidRequest, "parameter %s is repeated", safeName(name))
		}
	}
	get := func(name string) string { return form.Get(name) }
	r := TokenRequest{GrantType: get("grant_type"), ClientID: get("client_id")}
	_, r.HasTxCode = form["tx_code"]
	switch r.GrantType {
	case "":
		return TokenRequest{}, Errorf(CodeInvalidRequest, "grant_type is required")
	case GrantTypePreAuthorizedCode:
		r.PreAuthorizedCode = get("pre-authorized_code")
		r.TxCode = get("tx_code")
		// user_pin is the tx_code of drafts 11 and 12.
		if _, pin := form["user_pin"]; pin {
			if r.HasTxCode {
				return TokenRequest{}, Errorf(CodeInvalidRequest, "send tx_code, or the pre-final user_pin, not both")
			}
			r.TxCode, r.HasTxCode = get("user_pin"), true
		}
		if r.PreAuthorizedCode == "" {
			return TokenRequest{}, Errorf(CodeInvalidRequest, "pre-authorized_code is required")
		}
	case GrantTypeAuthorizationCode:
		if _, pin := form["user_pin"]; r.HasTxCode || pin {
			return TokenRequest{}, Errorf(CodeInvalidRequest, "tx_code may only be used with the pre-authorized code grant")
		}
		r.Code, r.CodeVerifier, r.RedirectURI = get("code"), get("code_verifier"), get("redirect_uri")
		switch {
		case r.Code == "":
			return TokenRequest{}, Errorf(CodeInvalidRequest, "code is required")
		case r.CodeVerifier == "":
			return TokenRequest{}, Errorf(CodeInvalidRequest, "code_verifier is required (PKCE, RFC 7636)")
		case !validVerifier(r.CodeVerifier):
			return TokenRequest{}, Errorf(CodeInvalidRequest, "code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)")
		}
	default:
		return TokenRequest{}, Errorf(CodeUnsupportedGrantType, "grant_type %s is not supported", safeName(r.GrantType))
	}
	if raw, ok := form["authorization_details"]; ok {
		d, err := ParseAuthorizationDetails(raw[0])
		if err != nil {
			return TokenRequest{}, err
		}
		r.AuthorizationDetails = d
	}
	return r, nil
}

// ParseAuthorizationDetails parses an authorization_details JSON array.
// Every entry must be of type openid_credential with a
// credential_configuration_id (§5.1.1); otherwise the error is an *Error
// with code invalid_authorization_details.
func ParseAuthorizationDetails(s string) ([]AuthorizationDetail, error) {
	bad := func(format string, args ...any) error {
		return Errorf(CodeInvalidAuthorizationDetails, format, args...)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, bad("authorization_details must be a JSON array")
	}
	if len(raw) == 0 || len(raw) > maxAuthorizationDetails {
		return nil, bad("authorization_details must hold 1 to %d entries", maxAuthorizationDetails)
	}
	out := make([]AuthorizationDetail, 0, len(raw))
	for i, r := range raw {
		var d AuthorizationDetail
		if err := json.Unmarshal(r, &d); err != nil || !bytes.HasPrefix(bytes.TrimSpace(r), []byte("{")) {
			return nil, bad("authorization_details[%d] is not an object of the expected shape", i)
		}
		if d.Type != AuthorizationDetailsType {
			return nil, bad("authorization_details[%d].type must be %q", i, AuthorizationDetailsType)
		}
		if d.CredentialConfigurationID == "" {
			return nil, bad("authorization_details[%d].credential_configuration_id is required", i)
		}
		d.CredentialIdentifiers = nil // response-only member
		out = append(out, d)
	}
	return out, nil
}

// S256Challenge returns the PKCE S256 code_challenge of verifier:
// BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
func S256Challenge(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// VerifyPKCE reports whether verifier matches an S256 challenge, in
// constant time.
func VerifyPKCE(verifier, challenge string) bool {
	if !validVerifier(verifier) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(S256Challenge(verifier)), []byte(challenge)) == 1
}

// validVerifier checks the code_verifier syntax: 43 to 128 characters of
// [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (RFC 7636 §4.1). A
// code_challenge has the same syntax (§4.2).
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUnreserved(s[i]) {
			return false
		}
	}
	return true
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// safeName quotes a client-supplied name for an error description, cut
// short and with control characters escaped.
func safeName(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// AuthorizationRequest is an Authorization Request (§5.1, RFC 6749 §4.1.1)
// with PKCE (RFC 7636) and issuer_state from a Credential Offer.
type AuthorizationRequest struct {
	ResponseType         string
	ClientID             string
	RedirectURI          string
	State                string
	Scope                string
	CodeChallenge        string
	CodeChallengeMethod  string
	IssuerState          string
	AuthorizationDetails []AuthorizationDetail
}

// ParseAuthorizationRequest checks an Authorization Request's query
// parameters. When client_id or redirect_uri is missing or unusable, the
// returned request has an empty RedirectURI: the error must then be shown
// to the user and never redirected (RFC 6749 §4.1.2.1). Otherwise the
// error is to be sent to RedirectURI with the request's state. Errors are
// *Error with invalid_request, unsupported_response_type or
// invalid_authorization_details.
func ParseAuthorizationRequest(q url.Values) (AuthorizationRequest, error) {
	for name, vs := range q {
		if len(vs) > 1 {
			return AuthorizationRequest{}, Errorf(CodeInvalidRequest, "parameter %s is repeated", safeName(name))
		}
	}
	r := AuthorizationRequest{
		ResponseType: q.Get("response_type"), ClientID: q.Get("client_id"), State: q.Get("state"), Scope: q.Get("scope"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method"), IssuerState: q.Get("issuer_state"),
	}
	if r.ClientID == "" {
		return AuthorizationRequest{}, Errorf(CodeInvalidRequest, "client_id is required")
	}
	redirect := q.Get("redirect_uri")
	if err := checkRedirectURI(redirect); err != nil {
		return AuthorizationRequest{}, err
	}
	r.RedirectURI = redirect
	switch {
	case r.ResponseType != "code":
		return r, Errorf(CodeUnsupportedResponseType, "response_type must be code")
	case r.CodeChallenge == "":
		return r, Errorf(CodeInvalidRequest, "code_challenge is required (PKCE, RFC 7636)")
	case r.CodeChallengeMethod != CodeChallengeMethodS256:
		return r, Errorf(CodeInvalidRequest, "code_challenge_method must be S256")
	case !validVerifier(r.CodeChallenge):
		return r, Errorf(CodeInvalidRequest, "code_challenge is malformed")
	}
	if raw, ok := q["authorization_details"]; ok {
		d, err := ParseAuthorizationDetails(raw[0])
		if err != nil {
			return r, err
		}
		r.AuthorizationDetails = d
	}
	return r, nil
}

// checkRedirectURI accepts an absolute URI without fragment whose scheme
// cannot run script in a browser: https, http on loopback, or a private-use
// scheme of a native wallet (RFC 8252 §7.1).
func checkRedirectURI(s string) error {
	if s == "" {
		return Errorf(CodeInvalidRequest, "redirect_uri is required")
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(s, "#") {
		return Errorf(CodeInvalidRequest, "redirect_uri must be an absolute URI without a fragment")
	}
	switch strings.ToLower(u.Scheme) {
	case "javascript", "data", "vbscript", "file", "blob", "about":
		return Errorf(CodeInvalidRequest, "redirect_uri scheme %s is not allowed", safeName(u.Scheme))
	case "http":
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && h != "::1" {
			return Errorf(CodeInvalidRequest, "redirect_uri must be https (http only on loopback)")
		}
	}
	return nil
}
