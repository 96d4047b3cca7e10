package did

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/keys"
)

// Context URIs (DID Core §4.1, did:key v0.7 §3.1.1, did:jwk).
const (
	ContextDIDv1    = "https://www.w3.org/ns/did/v1"
	ContextMultikey = "https://w3id.org/security/multikey/v1"
	ContextJWS2020  = "https://w3id.org/security/suites/jws-2020/v1"
)

// Verification relationships (DID Core §5.3).
const (
	Authentication       = "authentication"
	AssertionMethod      = "assertionMethod"
	KeyAgreement         = "keyAgreement"
	CapabilityInvocation = "capabilityInvocation"
	CapabilityDelegation = "capabilityDelegation"
)

// Document is a DID document (DID Core §5) in its JSON(-LD) representation.
//
// Documents returned by a Resolver belong to the caller, who may change them
// without affecting other callers or a cache.
type Document struct {
	Context              Context              `json:"@context,omitempty"`
	ID                   string               `json:"id"`
	Controller           StringOrSet          `json:"controller,omitempty"`
	AlsoKnownAs          []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []Relationship       `json:"authentication,omitempty"`
	AssertionMethod      []Relationship       `json:"assertionMethod,omitempty"`
	KeyAgreement         []Relationship       `json:"keyAgreement,omitempty"`
	CapabilityInvocation []Relationship       `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []Relationship       `json:"capabilityDelegation,omitempty"`
	Service              []Service            `json:"service,omitempty"`
}

// Context is the JSON-LD "@context": context URIs (strings) and embedded
// context objects (decoded as map[string]any). A bare string in the input
// decodes to a one-element Context; Context always encodes as an array,
// which JSON-LD treats the same.
type Context []any

// UnmarshalJSON accepts a string, an object or an array of them.
func (c *Context) UnmarshalJSON(data []byte) error {
	switch firstByte(data) {
	case '[':
		var list []any
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*c = list
	case 'n':
		*c = nil
	default:
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*c = Context{v}
	}
	return nil
}

// Has reports whether uri is one of the context's string entries.
func (c Context) Has(uri string) bool {
	for _, e := range c {
		if s, ok := e.(string); ok && s == uri {
			return true
		}
	}
	return false
}

// StringOrSet is a DID Core property that is a string or a set of strings
// ("controller", a service "type"). A single element encodes as a bare
// string, more as an array.
type StringOrSet []string

// UnmarshalJSON accepts a string or an array of strings.
func (s *StringOrSet) UnmarshalJSON(data []byte) error {
	switch firstByte(data) {
	case '[':
		var list []string
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*s = list
	case 'n':
		*s = nil
	default:
		var one string
		if err := json.Unmarshal(data, &one); err != nil {
			return err
		}
		*s = StringOrSet{one}
	}
	return nil
}

// MarshalJSON encodes one element as a string, otherwise an array.
func (s StringOrSet) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// VerificationMethod is a DID Core §5.2 verification method. Exactly one of
// the key fields is expected, matching Type.
type VerificationMethod struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Controller string `json:"controller"`
	// PublicKeyMultibase is used by Multikey and Ed25519VerificationKey2020.
	PublicKeyMultibase string `json:"publicKeyMultibase,omitempty"`
	// PublicKeyBase58 is used by the legacy Ed25519VerificationKey2018.
	PublicKeyBase58 string `json:"publicKeyBase58,omitempty"`
	// PublicKeyJwk is used by JsonWebKey2020 and JsonWebKey.
	PublicKeyJwk *keys.JWK `json:"publicKeyJwk,omitempty"`
}

// UnmarshalJSON decodes a verification method and refuses a publicKeyJwk
// carrying private key members (keys.ErrPrivateJWK): a document that
// publishes a private key must not be trusted.
func (m *VerificationMethod) UnmarshalJSON(data []byte) error {
	type plain VerificationMethod // no UnmarshalJSON method
	var aux struct {
		plain
		PublicKeyJwk json.RawMessage `json:"publicKeyJwk"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*m = VerificationMethod(aux.plain)
	if len(aux.PublicKeyJwk) == 0 || string(aux.PublicKeyJwk) == "null" {
		m.PublicKeyJwk = nil
		return nil
	}
	if _, _, err := keys.ParsePublicJWK(aux.PublicKeyJwk); errors.Is(err, keys.ErrPrivateJWK) {
		return fmt.Errorf("verification method %q: publicKeyJwk: %w", m.ID, err)
	}
	var j keys.JWK
	if err := json.Unmarshal(aux.PublicKeyJwk, &j); err != nil {
		return fmt.Errorf("verification method %q: publicKeyJwk: %w", m.ID, err)
	}
	m.PublicKeyJwk = &j
	return nil
}

// Verification method types handled by PublicKey.
const (
	TypeMultikey                   = "Multikey"
	TypeJSONWebKey                 = "JsonWebKey"
	TypeJSONWebKey2020             = "JsonWebKey2020"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	TypeEd25519VerificationKey2018 = "Ed25519VerificationKey2018"
)

// Relationship is one entry of a verification relationship (DID Core §5.3):
// either a reference to a verification method by DID URL, or an embedded
// method usable only for that relationship. It encodes back to the form it
// was decoded from.
type Relationship struct {
	// Ref is the DID URL of a referenced method; empty when embedded.
	Ref string
	// Embedded is the embedded method; nil when referenced.
	Embedded *VerificationMethod
}

// Ref returns a relationship entry referencing the method with DID URL id.
func Ref(id string) Relationship { return Relationship{Ref: id} }

// Embed returns a relationship entry embedding m.
func Embed(m VerificationMethod) Relationship { return Relationship{Embedded: &m} }

// ID returns the DID URL of the referenced or embedded method.
func (r Relationship) ID() string {
	if r.Embedded != nil {
		return r.Embedded.ID
	}
	return r.Ref
}

// MarshalJSON encodes a reference as a string, an embedded method as an
// object.
func (r Relationship) MarshalJSON() ([]byte, error) {
	if r.Embedded != nil {
		return json.Marshal(r.Embedded)
	}
	return json.Marshal(r.Ref)
}

// UnmarshalJSON accepts a DID URL string or an embedded method object.
func (r *Relationship) UnmarshalJSON(data []byte) error {
	switch firstByte(data) {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*r = Relationship{Ref: s}
	case '{':
		var m VerificationMethod
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		*r = Relationship{Embedded: &m}
	default:
		return errors.New("verification relationship entry: want a DID URL string or a method object")
	}
	return nil
}

// Service is a DID Core §5.4 service. ServiceEndpoint is kept as raw JSON
// because it may be a URI, a map or a set of them.
type Service struct {
	ID              string          `json:"id"`
	Type            StringOrSet     `json:"type"`
	ServiceEndpoint json.RawMessage `json:"serviceEndpoint"`
}

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// Clone returns a deep copy of d.
func (d *Document) Clone() *Document {
	if d == nil {
		return nil
	}
	c := *d
	c.Context = cloneContext(d.Context)
	c.Controller = slices.Clone(d.Controller)
	c.AlsoKnownAs = slices.Clone(d.AlsoKnownAs)
	if d.VerificationMethod != nil {
		c.VerificationMethod = make([]VerificationMethod, len(d.VerificationMethod))
		for i := range d.VerificationMethod {
			c.VerificationMethod[i] = d.VerificationMethod[i].clone()
		}
	}
	// One backing array for all relationship entries.
	rels := [...]*[]Relationship{&c.Authentication, &c.AssertionMethod, &c.KeyAgreement, &c.CapabilityInvocation, &c.CapabilityDelegation}
	n := 0
	for _, r := range rels {
		n += len(*r)
	}
	backing := make([]Relationship, 0, n)
	for _, r := range rels {
		if *r == nil {
			continue
		}
		start := len(backing)
		for _, e := range *r {
			if e.Embedded != nil {
				m := e.Embedded.clone()
				e.Embedded = &m
			}
			backing = append(backing, e)
		}
		*r = backing[start:len(backing):len(backing)]
	}
	if d.Service != nil {
		c.Service = make([]Service, len(d.Service))
		for i, s := range d.Service {
			s.Type = slices.Clone(s.Type)
			s.ServiceEndpoint = slices.Clone(s.ServiceEndpoint)
			c.Service[i] = s
		}
	}
	return &c
}

func (m VerificationMethod) clone() VerificationMethod {
	if m.PublicKeyJwk != nil {
		j := *m.PublicKeyJwk
		m.PublicKeyJwk = &j
	}
	return m
}

func cloneContext(c Context) Context {
	if c == nil {
		return nil
	}
	out := make(Context, len(c))
	for i, e := range c {
		out[i] = jcs.Clone(e)
	}
	return out
}
