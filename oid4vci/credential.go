package oid4vci

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
)

// MaxRequestBytes bounds a Credential, Deferred or Notification Request
// body. A batch of ten ES256 proof JWTs with did:jwk kids is under 10 KB.
const MaxRequestBytes = 256 << 10

// CredentialRequest is a Credential Request (§8.2), parsed. Besides the
// 1.0 shape it takes the shapes of pre-final drafts that deployed wallets
// still send (see Shape).
type CredentialRequest struct {
	// Exactly one of CredentialIdentifier, CredentialConfigurationID and
	// Format is set.
	CredentialIdentifier      string
	CredentialConfigurationID string
	// Format and Definition name the credential the pre-final way (draft
	// 13: format plus credential_definition); the issuer maps them to one
	// of the configurations its access token covers. Definition is nil
	// when credential_definition is absent.
	Format     string
	Definition *CredentialDefinition
	// Proofs is nil when the request has no proofs member. The singular
	// proof of pre-final drafts is read into Proofs as a list of one, with
	// SingleProof set.
	Proofs      *Proofs
	SingleProof bool
	// ResponseEncryption is the credential_response_encryption member, if
	// any.
	ResponseEncryption json.RawMessage
}

// Shape is the shape of Credential Response that answers r: the shape of
// the draft the request was written for.
//   - format with the singular proof (draft 13): ShapeDraft13.
//   - format with proofs (drafts 13/14 batch): ShapeDraftBatch.
//   - credential_identifier or credential_configuration_id with the
//     singular proof (drafts 13 to 15): ShapeTransitional.
//   - otherwise (1.0): ShapeFinal.
func (r CredentialRequest) Shape() ResponseShape {
	switch {
	case r.Format != "" && r.SingleProof:
		return ShapeDraft13
	case r.Format != "" && r.Proofs != nil:
		return ShapeDraftBatch
	case r.Format != "":
		return ShapeDraft13
	case r.SingleProof:
		return ShapeTransitional
	}
	return ShapeFinal
}

// ResponseShape is the JSON shape of a Credential Response. Only
// ShapeFinal is OpenID4VCI 1.0; the others answer wallets built on
// pre-final drafts in the shape they parse, and all of them but ShapeFinal
// carry a fresh c_nonce (pre-final drafts had no nonce endpoint).
type ResponseShape int

// Response shapes.
const (
	// ShapeFinal is OpenID4VCI 1.0 §8.3: "credentials": [{"credential": …}].
	ShapeFinal ResponseShape = iota
	// ShapeDraft13 is draft 13 §7.3: "credential": … (the first and only
	// credential), "c_nonce", "c_nonce_expires_in".
	ShapeDraft13
	// ShapeDraftBatch is the pre-final batch form (draft 14 §7.3):
	// "credentials": [ … ] holding the credentials themselves, "c_nonce",
	// "c_nonce_expires_in".
	ShapeDraftBatch
	// ShapeTransitional answers a singular proof with a 1.0 name: both
	// "credential" (draft 13) and "credentials": [{"credential": …}]
	// (draft 15 and 1.0), each wallet reading the member it knows, plus
	// "c_nonce" and "c_nonce_expires_in".
	ShapeTransitional
)

// String names the shape for logs.
func (s ResponseShape) String() string {
	switch s {
	case ShapeDraft13:
		return "draft-13"
	case ShapeDraftBatch:
		return "draft-batch"
	case ShapeTransitional:
		return "transitional"
	}
	return "1.0"
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
// form (HTTP 202) and carries no credentials. Shape picks the JSON form
// (MarshalJSON); CNonce and CNonceExpiresIn are written only in the
// pre-final shapes.
type CredentialResponse struct {
	Credentials     []IssuedCredential
	TransactionID   string
	Interval        int64
	NotificationID  string
	Shape           ResponseShape
	CNonce          string
	CNonceExpiresIn int64
}

// MarshalJSON writes the response in its Shape.
func (r CredentialResponse) MarshalJSON() ([]byte, error) {
	type final struct {
		Credentials     []IssuedCredential `json:"credentials,omitempty"`
		Credential      json.RawMessage    `json:"credential,omitempty"`
		TransactionID   string             `json:"transaction_id,omitempty"`
		Interval        int64              `json:"interval,omitempty"`
		NotificationID  string             `json:"notification_id,omitempty"`
		CNonce          string             `json:"c_nonce,omitempty"`
		CNonceExpiresIn int64              `json:"c_nonce_expires_in,omitempty"`
	}
	out := final{Credentials: r.Credentials, TransactionID: r.TransactionID, Interval: r.Interval, NotificationID: r.NotificationID}
	if r.Shape == ShapeFinal {
		return json.Marshal(out)
	}
	out.CNonce, out.CNonceExpiresIn = r.CNonce, r.CNonceExpiresIn
	switch r.Shape {
	case ShapeDraft13:
		out.Credentials = nil
		if len(r.Credentials) > 0 {
			out.Credential = r.Credentials[0].Credential
		}
	case ShapeTransitional:
		if len(r.Credentials) > 0 {
			out.Credential = r.Credentials[0].Credential
		}
	case ShapeDraftBatch:
		type batch struct {
			Credentials []json.RawMessage `json:"credentials,omitempty"`
			final
		}
		b := batch{final: out}
		b.final.Credentials = nil
		for _, c := range r.Credentials {
			b.Credentials = append(b.Credentials, c.Credential)
		}
		return json.Marshal(b)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the 1.0 form (wallet side and tests).
func (r *CredentialResponse) UnmarshalJSON(b []byte) error {
	var v struct {
		Credentials     []IssuedCredential `json:"credentials"`
		TransactionID   string             `json:"transaction_id"`
		Interval        int64              `json:"interval"`
		NotificationID  string             `json:"notification_id"`
		CNonce          string             `json:"c_nonce"`
		CNonceExpiresIn int64              `json:"c_nonce_expires_in"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = CredentialResponse{Credentials: v.Credentials, TransactionID: v.TransactionID, Interval: v.Interval,
		NotificationID: v.NotificationID, CNonce: v.CNonce, CNonceExpiresIn: v.CNonceExpiresIn}
	return nil
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
// Unknown members are ignored. Besides the 1.0 members it reads the
// pre-final ones deployed wallets send: format with credential_definition
// (draft 13) instead of credential_configuration_id, and the singular proof
// ({"proof_type": "jwt", "jwt": …}) instead of proofs.
//
// Errors are *Error: invalid_credential_request for a malformed request, one
// with more or fewer than one of credential_identifier,
// credential_configuration_id and format, an ill-formed
// credential_definition, or both proof and proofs; invalid_proof for a
// proof or proofs member of the wrong shape (proofs: not exactly one proof
// type, or an empty or ill-typed list). A missing proof is not an error
// here; the issuer decides whether proofs are required.
func ParseCredentialRequest(body []byte) (CredentialRequest, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidCredentialRequest, "%s", msg) }
	m, err := members(body)
	if err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	var r CredentialRequest
	var hasID, hasConf, hasFormat bool
	if r.CredentialIdentifier, hasID, err = optString(m, "credential_identifier"); err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	if r.CredentialConfigurationID, hasConf, err = optString(m, "credential_configuration_id"); err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	if r.Format, hasFormat, err = optString(m, "format"); err != nil {
		return CredentialRequest{}, bad(err.Error())
	}
	switch {
	case hasID && hasConf:
		return CredentialRequest{}, bad("send either credential_identifier or credential_configuration_id, not both")
	case hasFormat && (hasID || hasConf):
		return CredentialRequest{}, bad("format names the credential the pre-final way: send it without credential_identifier and credential_configuration_id")
	case !hasID && !hasConf && !hasFormat:
		return CredentialRequest{}, bad("credential_identifier or credential_configuration_id is required")
	}
	if raw, ok := m["credential_definition"]; ok && hasFormat && !isNull(raw) {
		if r.Definition, err = parseDefinition(raw); err != nil {
			return CredentialRequest{}, err
		}
	}
	if raw, ok := m["credential_response_encryption"]; ok && !isNull(raw) {
		r.ResponseEncryption = raw
	}
	single, hasSingle := m["proof"]
	hasSingle = hasSingle && !isNull(single)
	rawProofs, hasProofs := m["proofs"]
	switch {
	case hasSingle && hasProofs:
		return CredentialRequest{}, bad("send proofs, or the pre-final proof, not both")
	case hasSingle:
		p, err := parseSingleProof(single)
		if err != nil {
			return CredentialRequest{}, err
		}
		r.Proofs, r.SingleProof = p, true
	case hasProofs:
		p, err := parseProofs(rawProofs)
		if err != nil {
			return CredentialRequest{}, err
		}
		r.Proofs = p
	}
	return r, nil
}

// parseDefinition reads a request's credential_definition (draft 13
// §E.1.1.5, §E.1.3.5): an object with type, a non-empty array of strings,
// and for JSON-LD formats @context, an array of strings. Other members
// (credentialSubject) are ignored.
func parseDefinition(raw json.RawMessage) (*CredentialDefinition, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidCredentialRequest, "credential_definition%s", msg) }
	m, err := members(raw)
	if err != nil {
		return nil, bad(" must be a JSON object: " + err.Error())
	}
	d := &CredentialDefinition{}
	rawType, ok := m["type"]
	if !ok || json.Unmarshal(rawType, &d.Type) != nil || len(d.Type) == 0 || slices.Contains(d.Type, "") {
		return nil, bad(".type must be a non-empty array of credential types")
	}
	if rawCtx, ok := m["@context"]; ok {
		if json.Unmarshal(rawCtx, &d.Context) != nil || len(d.Context) == 0 || slices.Contains(d.Context, "") {
			return nil, bad(".@context must be a non-empty array of context URLs")
		}
	}
	return d, nil
}

// parseSingleProof reads the singular proof of pre-final drafts (draft 13
// §7.2.1): {"proof_type": "jwt", "jwt": "<compact JWT>"}. Other proof
// types are kept raw in Other.
func parseSingleProof(raw json.RawMessage) (*Proofs, error) {
	bad := func(msg string) error { return Errorf(CodeInvalidProof, "%s", msg) }
	m, err := members(raw)
	if err != nil {
		return nil, bad("proof must be a JSON object: " + err.Error())
	}
	typ, ok, err := optString(m, "proof_type")
	if err != nil || !ok {
		return nil, bad("proof.proof_type (a non-empty string) is required")
	}
	if typ != ProofTypeJWT {
		return &Proofs{Type: typ, Other: []json.RawMessage{raw}}, nil
	}
	jwt, ok, err := optString(m, ProofTypeJWT)
	if err != nil || !ok {
		return nil, bad("proof.jwt must be a compact JWT string")
	}
	return &Proofs{Type: ProofTypeJWT, JWT: []string{jwt}}, nil
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
