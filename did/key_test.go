package did

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
	"github.com/mr-tron/base58"
)

// vectorMethod is a verification method in the CCG did:key vectors, which
// use older types (Ed25519VerificationKey2018, P256Key2021, X25519...2019).
type vectorMethod struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	Controller      string          `json:"controller"`
	PublicKeyBase58 string          `json:"publicKeyBase58"`
	PublicKeyJwk    json.RawMessage `json:"publicKeyJwk"`
}

type vectorDoc struct {
	ID                   string         `json:"id"`
	VerificationMethod   []vectorMethod `json:"verificationMethod"`
	Authentication       []string       `json:"authentication"`
	AssertionMethod      []string       `json:"assertionMethod"`
	CapabilityInvocation []string       `json:"capabilityInvocation"`
	CapabilityDelegation []string       `json:"capabilityDelegation"`
	KeyAgreement         []string       `json:"keyAgreement"`
}

func (m vectorMethod) raw(t *testing.T) []byte {
	t.Helper()
	if m.PublicKeyBase58 != "" {
		b, err := base58.Decode(m.PublicKeyBase58)
		if err != nil {
			t.Fatalf("vector publicKeyBase58: %v", err)
		}
		return b
	}
	pub, _, err := keys.ParsePublicJWK(m.PublicKeyJwk)
	if err != nil {
		t.Fatalf("vector publicKeyJwk: %v", err)
	}
	return rawKey(t, pub)
}

type keyVector struct {
	did  string
	seed string
	vm   vectorMethod
	doc  vectorDoc
}

func loadKeyVectors(t *testing.T) []keyVector {
	t.Helper()
	var out []keyVector
	var ed map[string]struct {
		Seed string       `json:"seed"`
		VM   vectorMethod `json:"verificationKeyPair"`
		Doc  vectorDoc    `json:"didDocument"`
	}
	readJSON(t, "key/ed25519-x25519.json", &ed)
	for did, v := range ed {
		out = append(out, keyVector{did, v.Seed, v.VM, v.Doc})
	}
	var nist map[string]struct {
		VM  vectorMethod `json:"verificationMethod"`
		Doc vectorDoc    `json:"didDocument"`
	}
	readJSON(t, "key/nist-curves.json", &nist)
	for did, v := range nist {
		out = append(out, keyVector{did, "", v.VM, v.Doc})
	}
	var x struct {
		Docs map[string]vectorDoc `json:"didDocument"`
	}
	readJSON(t, "key/x25519.json", &x)
	for did, d := range x.Docs {
		out = append(out, keyVector{did, "", d.VerificationMethod[0], d})
	}
	if len(out) < 15 {
		t.Fatalf("loaded %d did:key vectors, want at least 15", len(out))
	}
	return out
}

func TestKeyResolverVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadKeyVectors(t) {
		t.Run(v.did, func(t *testing.T) {
			t.Parallel()
			doc, err := KeyResolver{}.Resolve(t.Context(), v.did)
			if v.vm.PublicKeyJwk != nil && json.Valid(v.vm.PublicKeyJwk) {
				var j struct{ Crv string }
				_ = json.Unmarshal(v.vm.PublicKeyJwk, &j)
				if j.Crv == "P-521" {
					// keys does not handle P-521: the DID is refused as invalid.
					if !errors.Is(err, ErrInvalidDID) || !errors.Is(err, keys.ErrUnsupportedKeyType) {
						t.Fatalf("Resolve(P-521) error = %v, want ErrInvalidDID and keys.ErrUnsupportedKeyType", err)
					}
					return
				}
			}
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			mb := v.did[len("did:key:"):]
			vmID := v.did + "#" + mb
			if len(doc.VerificationMethod) != 1 {
				t.Fatalf("got %d verification methods, want 1", len(doc.VerificationMethod))
			}
			vm := doc.VerificationMethod[0]
			got := struct{ DocID, ID, Type, Controller, Multibase, VectorID string }{doc.ID, vm.ID, vm.Type, vm.Controller, vm.PublicKeyMultibase, doc.abs(v.vm.ID)}
			want := struct{ DocID, ID, Type, Controller, Multibase, VectorID string }{v.did, vmID, TypeMultikey, v.did, mb, vmID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verification method (-want +got):\n%s", diff)
			}
			pub, err := vm.PublicKey()
			if err != nil {
				t.Fatalf("PublicKey() error = %v", err)
			}
			if diff := cmp.Diff(v.vm.raw(t), rawKey(t, pub)); diff != "" {
				t.Errorf("public key differs from the vector (-want +got):\n%s", diff)
			}
			if v.seed != "" {
				seed, _ := hex.DecodeString(v.seed)
				if diff := cmp.Diff(ed25519.NewKeyFromSeed(seed).Public(), pub); diff != "" {
					t.Errorf("key from seed (-want +got):\n%s", diff)
				}
			}
			if d, err := KeyDID(pub); err != nil || d != v.did {
				t.Errorf("KeyDID() = %q, %v; want %q", d, err, v.did)
			}
			// Relationships: the vectors also list NIST and derived X25519
			// keys under keyAgreement; we do not derive encryption keys.
			gotRels := [][]string{ids(doc.Authentication), ids(doc.AssertionMethod), ids(doc.CapabilityInvocation), ids(doc.CapabilityDelegation)}
			wantRels := [][]string{v.doc.Authentication, v.doc.AssertionMethod, v.doc.CapabilityInvocation, v.doc.CapabilityDelegation}
			if diff := cmp.Diff(wantRels, gotRels); diff != "" {
				t.Errorf("authentication, assertionMethod, capabilityInvocation, capabilityDelegation (-want +got):\n%s", diff)
			}
			if v.doc.Authentication == nil { // X25519: key agreement only
				if diff := cmp.Diff(v.doc.KeyAgreement, ids(doc.KeyAgreement)); diff != "" {
					t.Errorf("keyAgreement (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// digestExample is the Multikey-form did:key document of the W3C EdDSA test
// key, from the project's DID digest (specs/dids.md §2).
const digestExample = `{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
  "verificationMethod": [{
    "id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "type": "Multikey",
    "controller": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}],
  "authentication": ["did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"],
  "assertionMethod": ["did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"],
  "capabilityInvocation": ["did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"],
  "capabilityDelegation": ["did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"]
}`

func TestKeyResolverDigestExample(t *testing.T) {
	t.Parallel()
	doc, err := KeyResolver{}.Resolve(t.Context(), "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
	if err != nil {
		t.Fatalf("Resolve() error = %v", err)
	}
	got, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if diff := jsonDiff(t, []byte(digestExample), got); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	var back Document
	if err := json.Unmarshal([]byte(digestExample), &back); err != nil {
		t.Fatalf("Unmarshal(example) error = %v", err)
	}
	if diff := cmp.Diff(doc, &back); diff != "" {
		t.Errorf("example decoded (-resolved +decoded):\n%s", diff)
	}
}

func TestKeyDID(t *testing.T) {
	t.Parallel()
	p256 := func(x, y string) *ecdsa.PublicKey {
		pub, err := keys.JWK{Kty: "EC", Crv: "P-256", X: x, Y: y}.PublicKey()
		if err != nil {
			t.Fatalf("JWK: %v", err)
		}
		return pub.(*ecdsa.PublicKey)
	}
	tests := []struct {
		name string
		pub  any
		want string
	}{
		{"ok/ed25519 seed 0", ed25519.NewKeyFromSeed(make([]byte, 32)).Public(), "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
		{"ok/p-256 digest vector", p256("igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns", "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM"), "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := KeyDID(tt.pub)
			if err != nil || got != tt.want {
				t.Fatalf("KeyDID() = %q, %v; want %q", got, err, tt.want)
			}
			doc, err := KeyResolver{}.Resolve(t.Context(), got)
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			vm, err := doc.Method(got+"#"+got[len("did:key:"):], AssertionMethod)
			if err != nil {
				t.Fatalf("Method() error = %v", err)
			}
			pub, err := vm.PublicKey()
			if err != nil {
				t.Fatalf("PublicKey() error = %v", err)
			}
			if diff := cmp.Diff(tt.pub, pub); diff != "" {
				t.Errorf("resolved key (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := KeyDID(ecdsaKey(t, elliptic.P224())); !errors.Is(err, keys.ErrUnsupportedKeyType) {
		t.Errorf("KeyDID(P-224) error = %v, want keys.ErrUnsupportedKeyType", err)
	}
	if _, err := KeyDID("not a key"); !errors.Is(err, keys.ErrUnsupportedKeyType) {
		t.Errorf("KeyDID(string) error = %v, want keys.ErrUnsupportedKeyType", err)
	}
}

func TestKeyResolverErrors(t *testing.T) {
	t.Parallel()
	// x = 1 is not the x coordinate of any P-256 point.
	p256X1 := append(make([]byte, 31), 1)
	mk := func(prefix []byte, key []byte) string {
		return "did:key:z" + base58.Encode(append(append([]byte{}, prefix...), key...))
	}
	tests := []struct {
		name    string
		did     string
		wantErr []error
	}{
		{"fail/malformed", "did:key:", []error{ErrInvalidDID}},
		{"fail/other method", "did:web:example.com", []error{ErrMethodNotSupported}},
		{"fail/not base58btc", "did:key:u7QFTdmVyc2lvbjE", []error{ErrInvalidDID}},
		{"fail/base58 alphabet", "did:key:z6Mk0OIl", []error{ErrInvalidDID, keys.ErrInvalidMultibase}},
		{"fail/too short", "did:key:z1", []error{ErrInvalidDID}},
		{"fail/ed25519 short key", mk([]byte{0xed, 0x01}, make([]byte, 31)), []error{ErrInvalidDID, keys.ErrInvalidPublicKey}},
		{"fail/p-256 not on curve", mk([]byte{0x80, 0x24}, append([]byte{0x02}, p256X1...)), []error{ErrInvalidDID, keys.ErrInvalidPublicKey}},
		{"fail/p-256 uncompressed", mk([]byte{0x80, 0x24}, append([]byte{0x04}, make([]byte, 64)...)), []error{ErrInvalidDID, keys.ErrInvalidPublicKey}},
		{"fail/secp256k1", mk([]byte{0xe7, 0x01}, append([]byte{0x02}, make([]byte, 32)...)), []error{ErrInvalidDID, keys.ErrUnsupportedKeyType}},
		{"fail/version 2", "did:key:2:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", []error{ErrInvalidDID}},
		{"fail/fragment", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#x", []error{ErrInvalidDID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := KeyResolver{}.Resolve(t.Context(), tt.did)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Resolve(%q) error = %v, want %v", tt.did, err, want)
				}
			}
		})
	}
	// Version 1 is the default and may be spelled out.
	doc, err := KeyResolver{}.Resolve(t.Context(), "did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	if err != nil {
		t.Fatalf("Resolve(version 1) error = %v", err)
	}
	if _, err := doc.Method("#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Authentication); err != nil {
		t.Errorf("Method(version 1) error = %v", err)
	}
}

// FuzzKeyResolve checks that did:key resolution never panics, fails only
// with the documented errors, and that every resolved DID is canonical: its
// key encodes back to the same DID.
func FuzzKeyResolve(f *testing.F) {
	for _, s := range []string{
		"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
		"did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9",
		"did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F",
		"did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7",
		"did:key:z", "did:key:zQ3s", "did:jwk:e30",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := KeyResolver{}.Resolve(context.Background(), s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDID) && !errors.Is(err, ErrMethodNotSupported) {
				t.Fatalf("Resolve(%q) error = %v, not ErrInvalidDID or ErrMethodNotSupported", s, err)
			}
			return
		}
		if doc.ID != s || len(doc.VerificationMethod) != 1 {
			t.Fatalf("Resolve(%q): id %q, %d methods", s, doc.ID, len(doc.VerificationMethod))
		}
		vm := doc.VerificationMethod[0]
		pub, err := vm.PublicKey()
		if err != nil {
			t.Fatalf("Resolve(%q): PublicKey() error = %v", s, err)
		}
		canonical, err := KeyDID(pub)
		if err != nil || "did:key:"+vm.PublicKeyMultibase != canonical {
			t.Fatalf("Resolve(%q): KeyDID = %q, %v; want did:key:%s", s, canonical, err, vm.PublicKeyMultibase)
		}
		if _, err := doc.Method(vm.ID, ""); err != nil {
			t.Fatalf("Resolve(%q): Method(%s) error = %v", s, vm.ID, err)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("Marshal() error = %v", err)
		}
		var back Document
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal() error = %v", err)
		}
		if diff := cmp.Diff(doc, &back); diff != "" {
			t.Fatalf("JSON round trip (-resolved +decoded):\n%s", diff)
		}
	})
}

// BenchmarkResolveKey measures did:key resolution, which does no I/O.
// Run with: go test -run '^$' -bench ResolveKey -benchmem ./did/
func BenchmarkResolveKey(b *testing.B) {
	for _, bc := range []struct{ name, did string }{
		{"ed25519", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
		{"p256", "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				if _, err := (KeyResolver{}).Resolve(ctx, bc.did); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
