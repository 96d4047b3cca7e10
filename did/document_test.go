package did

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
)

const richDoc = `{
  "@context": ["https://www.w3.org/ns/did/v1", {"@vocab": "https://example.org/#", "n": 1}],
  "id": "did:example:123",
  "controller": ["did:example:123", "did:example:ctrl"],
  "alsoKnownAs": ["https://example.org/alice"],
  "verificationMethod": [
    {"id": "did:example:123#key-1", "type": "Multikey", "controller": "did:example:123", "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
    {"id": "#key-2", "type": "JsonWebKey2020", "controller": "did:example:123", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik", "kid": "k2"}},
    {"id": "did:example:123#foreign", "type": "Multikey", "controller": "did:example:other", "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}
  ],
  "authentication": [
    "#key-2",
    {"id": "did:example:123#auth-only", "type": "Ed25519VerificationKey2018", "controller": "did:example:123", "publicKeyBase58": "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"}
  ],
  "assertionMethod": ["did:example:123#key-1", "did:example:123#foreign", "did:example:123#missing"],
  "keyAgreement": [],
  "service": [
    {"id": "did:example:123#linked", "type": "LinkedDomains", "serviceEndpoint": "https://example.org"},
    {"id": "#hub", "type": ["A", "B"], "serviceEndpoint": {"origins": ["https://a.example", "https://b.example"]}}
  ]
}`

func decodeDoc(t testing.TB, s string) *Document {
	t.Helper()
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("Unmarshal(document) error = %v", err)
	}
	return &d
}

func TestDocumentJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // "" means same as in
	}{
		{"ok/rich document (empty relationships are left out)", richDoc, strings.Replace(richDoc, `"keyAgreement": [],`, "", 1)},
		{"ok/digest did:key example", digestExample, ""},
		{"ok/minimal", `{"id": "did:example:1"}`, ""},
		{"ok/string context becomes array", `{"@context": "https://www.w3.org/ns/did/v1", "id": "did:example:1"}`,
			`{"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:example:1"}`},
		{"ok/one-element controller becomes string", `{"id": "did:example:1", "controller": ["did:example:2"]}`,
			`{"id": "did:example:1", "controller": "did:example:2"}`},
		{"ok/string controller", `{"id": "did:example:1", "controller": "did:example:2"}`, ""},
		{"ok/null context", `{"@context": null, "id": "did:example:1"}`, `{"id": "did:example:1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := decodeDoc(t, tt.in)
			got, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if diff := jsonDiff(t, []byte(want), got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDocumentUnmarshalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"fail/relationship number", `{"id": "did:example:1", "authentication": [1]}`, nil},
		{"fail/relationship null", `{"id": "did:example:1", "authentication": [null]}`, nil},
		{"fail/relationship not array", `{"id": "did:example:1", "authentication": "did:example:1#k"}`, nil},
		{"fail/controller number", `{"id": "did:example:1", "controller": 5}`, nil},
		{"fail/private jwk", `{"id": "did:example:1", "verificationMethod": [{"id": "#k", "type": "JsonWebKey2020", "controller": "did:example:1",
			"publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"}}]}`, keys.ErrPrivateJWK},
		{"fail/embedded private jwk", `{"id": "did:example:1", "assertionMethod": [{"id": "#k", "type": "JsonWebKey2020", "controller": "did:example:1",
			"publicKeyJwk": {"kty": "RSA", "n": "AA", "e": "AQAB", "p": "AA"}}]}`, keys.ErrPrivateJWK},
		{"fail/jwk not object", `{"id": "did:example:1", "verificationMethod": [{"id": "#k", "type": "JsonWebKey2020", "publicKeyJwk": "x"}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d Document
			err := json.Unmarshal([]byte(tt.in), &d)
			if err == nil {
				t.Fatal("Unmarshal() error = nil, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Unmarshal() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRelationshipJSON(t *testing.T) {
	t.Parallel()
	rels := []Relationship{Ref("did:example:1#a"), Embed(VerificationMethod{ID: "did:example:1#b", Type: "Multikey", Controller: "did:example:1", PublicKeyMultibase: "z6Mk"})}
	got, err := json.Marshal(rels)
	if err != nil {
		t.Fatal(err)
	}
	want := `["did:example:1#a",{"id":"did:example:1#b","type":"Multikey","controller":"did:example:1","publicKeyMultibase":"z6Mk"}]`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	var back []Relationship
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rels, back); diff != "" {
		t.Errorf("Unmarshal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"did:example:1#a", "did:example:1#b"}, ids(back)); diff != "" {
		t.Errorf("ID() (-want +got):\n%s", diff)
	}
}

func TestDocumentMethod(t *testing.T) {
	t.Parallel()
	doc := decodeDoc(t, richDoc)
	tests := []struct {
		name         string
		didURL       string
		relationship string
		wantID       string
		wantType     string
		wantErr      error
	}{
		{"ok/absolute, assertionMethod", "did:example:123#key-1", AssertionMethod, "did:example:123#key-1", "Multikey", nil},
		{"ok/relative lookup", "#key-1", AssertionMethod, "did:example:123#key-1", "Multikey", nil},
		{"ok/no relationship check", "did:example:123#key-1", "", "did:example:123#key-1", "Multikey", nil},
		{"ok/relative id and ref in document", "did:example:123#key-2", Authentication, "did:example:123#key-2", "JsonWebKey2020", nil},
		{"ok/embedded in its relationship", "did:example:123#auth-only", Authentication, "did:example:123#auth-only", "Ed25519VerificationKey2018", nil},
		{"ok/embedded without relationship check", "did:example:123#auth-only", "", "did:example:123#auth-only", "Ed25519VerificationKey2018", nil},
		{"fail/embedded elsewhere", "did:example:123#auth-only", AssertionMethod, "", "", ErrNotAuthorized},
		{"fail/not listed", "did:example:123#key-1", Authentication, "", "", ErrNotAuthorized},
		{"fail/empty relationship", "did:example:123#key-1", KeyAgreement, "", "", ErrNotAuthorized},
		{"fail/absent relationship", "did:example:123#key-1", CapabilityDelegation, "", "", ErrNotAuthorized},
		{"fail/unknown relationship", "did:example:123#key-1", "assertion", "", "", ErrNotAuthorized},
		{"fail/other controller", "did:example:123#foreign", AssertionMethod, "", "", ErrNotAuthorized},
		{"fail/listed but missing", "did:example:123#missing", AssertionMethod, "", "", ErrKeyNotFound},
		{"fail/no such fragment", "did:example:123#nope", "", "", "", ErrKeyNotFound},
		{"fail/another DID", "did:example:evil#key-1", AssertionMethod, "", "", ErrKeyNotFound},
		{"fail/DID prefix trick", "did:example:1234#key-1", AssertionMethod, "", "", ErrKeyNotFound},
		{"fail/bare DID", "did:example:123", AssertionMethod, "", "", ErrKeyNotFound},
		{"fail/empty", "", "", "", "", ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vm, err := doc.Method(tt.didURL, tt.relationship)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Method(%q, %q) error = %v, want %v", tt.didURL, tt.relationship, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := [3]string{vm.ID, vm.Type, vm.Controller}
			if diff := cmp.Diff([3]string{tt.wantID, tt.wantType, doc.ID}, got); diff != "" {
				t.Errorf("Method(%q, %q) id, type, controller (-want +got):\n%s", tt.didURL, tt.relationship, diff)
			}
			if _, err := vm.PublicKey(); err != nil {
				t.Errorf("PublicKey() error = %v", err)
			}
		})
	}
	// The returned method is a copy.
	vm, _ := doc.Method("#key-2", "")
	vm.PublicKeyJwk.X = "changed"
	vm.Controller = "changed"
	if doc.VerificationMethod[1].PublicKeyJwk.X == "changed" || doc.VerificationMethod[1].Controller == "changed" {
		t.Error("changing the returned method changed the document")
	}
}

func TestVerificationMethodPublicKey(t *testing.T) {
	t.Parallel()
	ed := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	edJWK, _ := keys.PublicJWK(ed)
	p256Pub, err := keys.DecodeMultikey("zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv")
	if err != nil {
		t.Fatal(err)
	}
	p256JWK, _ := keys.PublicJWK(p256Pub)
	tests := []struct {
		name    string
		vm      VerificationMethod
		want    any
		wantErr error
	}{
		{"ok/Multikey ed25519", VerificationMethod{Type: "Multikey", PublicKeyMultibase: testKeyMultibase}, ed, nil},
		{"ok/Multikey p-256", VerificationMethod{Type: "Multikey", PublicKeyMultibase: "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"}, p256Pub, nil},
		{"ok/Ed25519VerificationKey2020", VerificationMethod{Type: "Ed25519VerificationKey2020", PublicKeyMultibase: testKeyMultibase}, ed, nil},
		{"ok/Ed25519VerificationKey2018", VerificationMethod{Type: "Ed25519VerificationKey2018", PublicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"}, ed, nil},
		{"ok/JsonWebKey2020 OKP", VerificationMethod{Type: "JsonWebKey2020", PublicKeyJwk: &edJWK}, ed, nil},
		{"ok/JsonWebKey EC", VerificationMethod{Type: "JsonWebKey", PublicKeyJwk: &p256JWK}, p256Pub, nil},
		{"fail/Ed25519VerificationKey2020 with p-256", VerificationMethod{Type: "Ed25519VerificationKey2020", PublicKeyMultibase: "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"}, nil, keys.ErrInvalidPublicKey},
		{"fail/Multikey missing", VerificationMethod{Type: "Multikey", PublicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"}, nil, keys.ErrInvalidPublicKey},
		{"fail/Multikey bad multibase", VerificationMethod{Type: "Multikey", PublicKeyMultibase: "u6Mk"}, nil, keys.ErrInvalidMultibase},
		{"fail/2020 missing", VerificationMethod{Type: "Ed25519VerificationKey2020"}, nil, keys.ErrInvalidPublicKey},
		{"fail/2018 missing", VerificationMethod{Type: "Ed25519VerificationKey2018"}, nil, keys.ErrInvalidPublicKey},
		{"fail/2018 short", VerificationMethod{Type: "Ed25519VerificationKey2018", PublicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4Mc"}, nil, keys.ErrInvalidPublicKey},
		{"fail/2018 not base58", VerificationMethod{Type: "Ed25519VerificationKey2018", PublicKeyBase58: "0OIl"}, nil, keys.ErrInvalidPublicKey},
		{"fail/JsonWebKey2020 missing", VerificationMethod{Type: "JsonWebKey2020", PublicKeyMultibase: testKeyMultibase}, nil, keys.ErrInvalidPublicKey},
		{"fail/JsonWebKey bad curve", VerificationMethod{Type: "JsonWebKey", PublicKeyJwk: &keys.JWK{Kty: "EC", Crv: "P-521"}}, nil, keys.ErrUnsupportedKeyType},
		{"fail/unknown type", VerificationMethod{Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyMultibase: testKeyMultibase}, nil, keys.ErrUnsupportedKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.vm.PublicKey()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("PublicKey() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PublicKey() (-want +got):\n%s", diff)
			}
		})
	}
	if _, ok := p256Pub.(*ecdsa.PublicKey); !ok {
		t.Fatalf("p256 key is %T", p256Pub)
	}
}

func TestDocumentClone(t *testing.T) {
	t.Parallel()
	orig := decodeDoc(t, richDoc)
	pristine := decodeDoc(t, richDoc)
	c := orig.Clone()
	if diff := cmp.Diff(orig, c); diff != "" {
		t.Fatalf("Clone() differs (-orig +clone):\n%s", diff)
	}
	c.Context[1].(map[string]any)["@vocab"] = "changed"
	c.Controller[0] = "changed"
	c.AlsoKnownAs[0] = "changed"
	c.VerificationMethod[1].PublicKeyJwk.X = "changed"
	c.Authentication[0].Ref = "changed"
	c.Authentication[1].Embedded.PublicKeyBase58 = "changed"
	c.AssertionMethod = append(c.AssertionMethod, Ref("appended")) // must not spill into a neighbour
	c.Service[1].ServiceEndpoint[0] = ' '
	c.Service[1].Type[0] = "changed"
	if diff := cmp.Diff(pristine, orig); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
	if c.KeyAgreement == nil || len(c.KeyAgreement) != 0 {
		t.Errorf("Clone() keyAgreement = %#v, want empty non-nil", c.KeyAgreement)
	}
	if (*Document)(nil).Clone() != nil {
		t.Error("nil Clone() != nil")
	}
}

func TestContextHas(t *testing.T) {
	t.Parallel()
	doc := decodeDoc(t, richDoc)
	if !doc.Context.Has(ContextDIDv1) || doc.Context.Has(ContextMultikey) {
		t.Errorf("Context.Has on %v wrong", doc.Context)
	}
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("resolve: %w", ErrInvalidDID), "invalidDid"},
		{fmt.Errorf("resolve: %w", ErrMethodNotSupported), "methodNotSupported"},
		{fmt.Errorf("resolve: %w", ErrNotFound), "notFound"},
		{fmt.Errorf("resolve: %w", ErrKeyNotFound), "notFound"},
		{fmt.Errorf("resolve: %w", ErrInvalidDocument), "invalidDidDocument"},
		{fmt.Errorf("resolve: %w", ErrNotAuthorized), "internalError"},
		{context.DeadlineExceeded, "internalError"},
		{errors.New("boom"), "internalError"},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// fakeResolver serves fixed documents and counts calls.
type fakeResolver struct {
	docs  map[string]*Document
	err   error
	calls atomic.Int64
}

func (f *fakeResolver) Resolve(_ context.Context, did string) (*Document, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	if d, ok := f.docs[did]; ok {
		return d.Clone(), nil
	}
	return nil, fmt.Errorf("fake: %w", ErrNotFound)
}

func TestMulti(t *testing.T) {
	t.Parallel()
	example := &fakeResolver{docs: map[string]*Document{"did:example:123": decodeDoc(t, richDoc)}}
	m := Multi{"key": KeyResolver{}, "jwk": JWKResolver{}, "example": example, "nil": nil}
	tests := []struct {
		name    string
		did     string
		wantErr error
	}{
		{"ok/key", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", nil},
		{"ok/example", "did:example:123", nil},
		{"fail/unknown method", "did:web:example.com", ErrMethodNotSupported},
		{"fail/nil resolver", "did:nil:x", ErrMethodNotSupported},
		{"fail/malformed", "did:Key:x", ErrInvalidDID},
		{"fail/DID URL", "did:example:123#key-1", ErrInvalidDID},
		{"fail/not found", "did:example:456", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := m.Resolve(t.Context(), tt.did)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Resolve(%q) error = %v, want %v", tt.did, err, tt.wantErr)
			}
			if err == nil && doc.ID != tt.did {
				t.Errorf("Resolve(%q) id = %q", tt.did, doc.ID)
			}
		})
	}
}

func TestResolveMethod(t *testing.T) {
	t.Parallel()
	const dk = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	failing := &fakeResolver{err: errors.New("upstream down")}
	r := Multi{"key": KeyResolver{}, "example": &fakeResolver{docs: map[string]*Document{"did:example:123": decodeDoc(t, richDoc)}}, "down": failing}
	tests := []struct {
		name         string
		didURL       string
		relationship string
		wantErr      error
	}{
		{"ok/did:key assertion", dk + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", AssertionMethod, nil},
		{"ok/did:key authentication", dk + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Authentication, nil},
		{"fail/did:key key agreement", dk + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", KeyAgreement, ErrNotAuthorized},
		{"fail/did:key wrong fragment", dk + "#key-1", AssertionMethod, ErrKeyNotFound},
		{"ok/example with path-free fragment", "did:example:123#key-2", Authentication, nil},
		{"fail/example not authorized", "did:example:123#key-2", AssertionMethod, ErrNotAuthorized},
		{"fail/malformed", "did:key:#x", "", ErrInvalidDID},
		{"fail/relative", "#key-1", "", ErrInvalidDID},
		{"fail/unsupported", "did:web:example.com#key-1", "", ErrMethodNotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vm, err := ResolveMethod(t.Context(), r, tt.didURL, tt.relationship)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ResolveMethod(%q, %q) error = %v, want %v", tt.didURL, tt.relationship, err, tt.wantErr)
			}
			if err == nil && vm.ID != tt.didURL {
				t.Errorf("ResolveMethod(%q) id = %q", tt.didURL, vm.ID)
			}
		})
	}
	if _, err := ResolveMethod(t.Context(), failing, "did:down:1#k", ""); err == nil || ErrorCode(err) != CodeInternalError {
		t.Errorf("ResolveMethod(failing) error = %v, want an internal error", err)
	}
}
