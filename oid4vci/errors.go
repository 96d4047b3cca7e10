package oid4vci

import "fmt"

// Error codes. Each names the section that defines it.
const (
	// RFC 6749 §5.2 (Token Endpoint) and §4.1.2.1 (Authorization Endpoint).
	CodeInvalidRequest          = "invalid_request"
	CodeInvalidClient           = "invalid_client"
	CodeInvalidGrant            = "invalid_grant"
	CodeUnauthorizedClient      = "unauthorized_client"
	CodeUnsupportedGrantType    = "unsupported_grant_type"
	CodeInvalidScope            = "invalid_scope"
	CodeAccessDenied            = "access_denied"
	CodeUnsupportedResponseType = "unsupported_response_type"
	CodeServerError             = "server_error"

	// RFC 6750 §3.1 (bearer tokens at the Credential, Deferred Credential
	// and Notification Endpoints).
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"

	// RFC 9396 §5 (authorization_details).
	CodeInvalidAuthorizationDetails = "invalid_authorization_details"

	// OpenID4VCI 1.0 §8.3.1.2 (Credential Error Response).
	CodeInvalidCredentialRequest       = "invalid_credential_request"
	CodeUnknownCredentialConfiguration = "unknown_credential_configuration"
	CodeUnknownCredentialIdentifier    = "unknown_credential_identifier"
	CodeInvalidProof                   = "invalid_proof"
	CodeInvalidNonce                   = "invalid_nonce"
	CodeInvalidEncryptionParameters    = "invalid_encryption_parameters"
	CodeCredentialRequestDenied        = "credential_request_denied"

	// OpenID4VCI draft 13 §7.3.1.2 and §9.3: codes that 1.0 dropped, sent
	// only to wallets whose requests have the pre-final shape.
	CodeUnsupportedCredentialFormat = "unsupported_credential_format"
	CodeUnsupportedCredentialType   = "unsupported_credential_type"
	CodeIssuancePending             = "issuance_pending"

	// OpenID4VCI 1.0 §9.3 (Deferred Credential Error Response).
	CodeInvalidTransactionID = "invalid_transaction_id"

	// OpenID4VCI 1.0 §11.3 (Notification Error Response).
	CodeInvalidNotificationID      = "invalid_notification_id"
	CodeInvalidNotificationRequest = "invalid_notification_request"
)

// Error is an OAuth 2.0 / OpenID4VCI error: a code from the list above and a
// human-readable description that is safe to send to the client. Err is an
// internal cause for the log, never sent.
//
// Two *Error values match under errors.Is when their codes are equal and the
// target has no description, so callers can test
// errors.Is(err, oid4vci.ErrInvalidProof).
type Error struct {
	Code        string
	Description string
	Err         error
	// CNonce and CNonceExpiresIn go with invalid_proof and invalid_nonce
	// to wallets of pre-final drafts, which have no nonce endpoint (draft
	// 13 §7.3.2); Interval goes with issuance_pending (draft 13 §9.3).
	CNonce          string
	CNonceExpiresIn int64
	Interval        int64
}

// Sentinels for errors.Is; never return them directly.
var (
	ErrInvalidRequest                 = &Error{Code: CodeInvalidRequest}
	ErrInvalidClient                  = &Error{Code: CodeInvalidClient}
	ErrInvalidGrant                   = &Error{Code: CodeInvalidGrant}
	ErrUnsupportedGrantType           = &Error{Code: CodeUnsupportedGrantType}
	ErrInvalidToken                   = &Error{Code: CodeInvalidToken}
	ErrInvalidAuthorizationDetails    = &Error{Code: CodeInvalidAuthorizationDetails}
	ErrInvalidCredentialRequest       = &Error{Code: CodeInvalidCredentialRequest}
	ErrUnknownCredentialConfiguration = &Error{Code: CodeUnknownCredentialConfiguration}
	ErrUnknownCredentialIdentifier    = &Error{Code: CodeUnknownCredentialIdentifier}
	ErrInvalidProof                   = &Error{Code: CodeInvalidProof}
	ErrInvalidNonce                   = &Error{Code: CodeInvalidNonce}
	ErrInvalidEncryptionParameters    = &Error{Code: CodeInvalidEncryptionParameters}
	ErrCredentialRequestDenied        = &Error{Code: CodeCredentialRequestDenied}
	ErrInvalidTransactionID           = &Error{Code: CodeInvalidTransactionID}
	ErrUnsupportedCredentialFormat    = &Error{Code: CodeUnsupportedCredentialFormat}
	ErrUnsupportedCredentialType      = &Error{Code: CodeUnsupportedCredentialType}
	ErrIssuancePending                = &Error{Code: CodeIssuancePending}
	ErrInvalidNotificationID          = &Error{Code: CodeInvalidNotificationID}
	ErrInvalidNotificationRequest     = &Error{Code: CodeInvalidNotificationRequest}
)

// Errorf returns an *Error with code and a formatted public description.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code, a public description and an internal
// cause.
func Wrap(code, description string, cause error) *Error {
	return &Error{Code: code, Description: description, Err: cause}
}

func (e *Error) Error() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code and either no
// description or the same one.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Description == "" || t.Description == e.Description)
}
