package oid4vci

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// MaxRequestBytes bounds a Credential, Deferred or Notification Request
// body. A batch of ten ES256 proof JWTs with did:jwk kids is under 10 KB.
const MaxRequestBytes = 256 << 10

// CredentialRequest is a Credential Request (§8.2), parsed.
type CredentialRequest struct {
	// Exactly one of CredentialIdentifier and CredentialConfigurationID is
	// set.
	CredentialIdentifier      string
	CredentialConfigurationID string
	// Proofs is nil when the request has no proofs member.
	Proofs *Proofs
	// LegacyProof is set when the request has the pre-final singular
	// "proof" member, which 1.0 removed.
	LegacyProof bool
	// ResponseEncryption is the credential_response_encryption member, if
	// any.
	ResponseEncryption json.RawMessage
}

// Proofs is the proofs member of a Credential Request: one proof type and
// its non-empty list of proofs (§8.2). JWT holds the proofs of type "jwt";
// other types keep their raw values in Other.
type Proofs struct {
	Type  string
	JWT   []string
	Other []json.RawMessage
}

// Len returns the number of proofs.
func (p *Proofs) Len() int {
	if p == nil {
		return 0
	}
	return len(p.JWT) + len(p.Other)
}

// CredentialResponse is a Credential Response (§8.3) or a Deferred
// Credential Response (§9.2). With TransactionID set it is the deferred
// form (HTTP 202) and carries no credentials.
type CredentialResponse struct {
	Credentials    []IssuedCredential `json:"credentials,omitempty"`
	TransactionID  string             `json:"transaction_id,omitempty"`
	Interval       int64              `json:"interval,omitempty"`
	NotificationID string             `json:"notification_id,omitempty"`
}

// IssuedCredential is one element of credentials: a JSON string (compact
// JWT for jwt_vc_json) or a JSON object (ldp_vc).
type IssuedCredential struct {
	Credential json.RawMessage `json:"credential"`
}

// NonceResponse is the Nonce Response (§7.2).
type NonceResponse struct {
	CNonce string `json:"c_nonce"`
}

// DeferredRequest is a Deferred Credential Request (§9.1).
type DeferredRequest struct {
	TransactionID      string
	ResponseEncryption json.RawMessage
}

// NotificationRequest is a Notification Request (§11.1).
type NotificationRequest struct {
	NotificationID   string
	Event            string
	EventDescription string
}

// members reads one JSON object into its members, refusing a body that is
// not a single object and any member name that appears twice (the spec's
// "repeats the same parameter").
func members(body []byte) (map[string]json.RawMessage, error) {
	if len(body) > MaxRequestBytes {
		return nil, errors.New("the request body is too large")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("the body must be a JSON object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("the body is not valid JSON")
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("the body is not valid JSON")
		}
		if _, dup := out[name]; dup {
			return nil, errors.New("member " + safeName(name) + " is repeated")
		}
		out[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("the body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the body has data after the JSON object")
	}
	return out, nil
}

// optString reads an optional string member: absent is "", ok; present
// must be a non-empty string.
func optString(m map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := m[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return "", true, errors.New(name + " must be a non-empty string")
	}
	return s, true, nil
}

// ParseCredentialRequest parses a Credential Request body (application/json).
// Unknown members are ignored. Errors are *Error: invalid_credential_request
// for a malformed request or one with both or neither of
// credential_identifier and credential_configuration_id, and invalid_proof
// for a proofs member of the wrong shape (not exactly one proof type, or an
// empty or ill-typed list). A missing proofs member is not an error here;
// the issuer decides whether proofs are required.
func ParseCredentialRequest(body []byte) (CredentialRequest, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidCredentialRequest, "%s", msg) }
	m, err := members(body)
	if err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	var r CredentialRequest
	var hasID, hasConf bool
	if r.CredentialIdentifier, hasID, err = optString(m, "credential_identifier"); err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	if r.CredentialConfigurationID, hasConf, err = optString(m, "credential_configuration_id"); err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	switch {
	case hasID && hasConf:
		return CredentialRequest{}, bad("send either credential_identifier or credential_configuration_id, not both")
	case !hasID && !hasConf:
		return CredentialRequest{}, bad("credential_identifier or credential_configuration_id is required")
	}
	if raw, ok := m["credential_response_encryption"]; ok && !isNull(raw) {
		r.ResponseEncryption = raw
	}
	_, r.LegacyProof = m["proof"]
	if raw, ok := m["proofs"]; ok {
		p, err := parseProofs(raw)
		if err != nil {
			return CredentialRequest{}, err
		}
		r.Proofs = p
	}
	return r, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// parseProofs checks the proofs object: exactly one key, a proof type, whose
// value is a non-empty array (§8.2).
func parseProofs(raw json.RawMessage) (*Proofs, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidProof, "%s", msg) }
	m, err := members(raw)
	if err != nil {
		return nil, bad("proofs must be a JSON object: " + err.Error())
	}
	if len(m) != 1 {
		return nil, bad("proofs must have exactly one proof type")
	}
	p := &Proofs{}
	var list json.RawMessage
	for name, v := range m {
		p.Type, list = name, v
	}
	if p.Type == "" {
		return nil, bad("proofs has an empty proof type")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil || items == nil {
		return nil, bad("proofs." + safeName(p.Type) + " must be an array")
	}
	if len(items) == 0 {
		return nil, bad("proofs." + safeName(p.Type) + " must not be empty")
	}
	if p.Type != ProofTypeJWT {
		p.Other = items
		return p, nil
	}
	p.JWT = make([]string, len(items))
	for i, it := range items {
		if err := json.Unmarshal(it, &p.JWT[i]); err != nil || p.JWT[i] == "" {
			return nil, bad("each proofs.jwt entry must be a compact JWT string")
		}
	}
	return p, nil
}

// ParseDeferredRequest parses a Deferred Credential Request body. A
// missing or malformed transaction_id is invalid_credential_request.
func ParseDeferredRequest(body []byte) (DeferredRequest, error) {
	m, err := members(body)
	if err != nil {
		return DeferredRequest{}, Errorf(CodeInvalidCredentialRequest, "%s", err.Error())
	}
	id, ok, err := optString(m, "transaction_id")
	if err != nil || !ok {
		return DeferredRequest{}, Errorf(CodeInvalidCredentialRequest, "transaction_id (a non-empty string) is required")
	}
	r := DeferredRequest{TransactionID: id}
	if raw, ok := m["credential_response_encryption"]; ok && !isNull(raw) {
		r.ResponseEncryption = raw
	}
	return r, nil
}

// ParseNotificationRequest parses a Notification Request body. Errors are
// *Error invalid_notification_request: malformed body, missing
// notification_id, an event other than credential_accepted,
// credential_failure or credential_deleted, or an event_description with
// characters outside %x20-21 / %x23-5B / %x5D-7E (§11.1).
func ParseNotificationRequest(body []byte) (NotificationRequest, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidNotificationRequest, "%s", msg) }
	m, err := members(body)
	if err != nil {
		return NotificationRequest{}, bad(err.Error())
	}
	var r NotificationRequest
	var ok bool
	if r.NotificationID, ok, err = optString(m, "notification_id"); err != nil || !ok {
		return NotificationRequest{}, bad("notification_id (a non-empty string) is required")
	}
	if r.Event, ok, err = optString(m, "event"); err != nil || !ok {
		return NotificationRequest{}, bad("event (a non-empty string) is required")
	}
	switch r.Event {
	case EventCredentialAccepted, EventCredentialFailure, EventCredentialDeleted:
	default:
		return NotificationRequest{}, bad("event must be credential_accepted, credential_failure or credential_deleted")
	}
	if r.EventDescription, _, err = optString(m, "event_description"); err != nil {
		return NotificationRequest{}, bad(err.Error())
	}
	if len(r.EventDescription) > 1024 {
		return NotificationRequest{}, bad("event_description is longer than 1024 characters")
	}
	for i := 0; i < len(r.EventDescription); i++ {
		if c := r.EventDescription[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return NotificationRequest{}, bad(`event_description may hold only printable ASCII without '"' and '\'`)
		}
	}
	return r, nil
}
