package did

import (
	"context"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/keys"
	"github.com/google/go-cmp/cmp"
)

type jwkVector struct {
	DID         string          `json:"did"`
	DecodedJWK  json.RawMessage `json:"decodedJwk"`
	DIDDocument json.RawMessage `json:"didDocument"`
	KnownTypo   string          `json:"knownTypo"`
}

func TestJWKResolverVectors(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"jwk/p256.json", "jwk/x25519.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			var v jwkVector
			readJSON(t, file, &v)
			want := v.DIDDocument
			if v.KnownTypo != "" {
				// The spec example's authentication entry reads "did:jwk:$eyJ...".
				fixed := strings.ReplaceAll(string(want), `"did:jwk:$`, `"did:jwk:`)
				if fixed == string(want) {
					t.Fatal("vector declares knownTypo but has no stray '$'")
				}
				want = json.RawMessage(fixed)
			}
			doc, err := JWKResolver{}.Resolve(t.Context(), v.DID)
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			got, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if diff := jsonDiff(t, want, got); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
			var wantJWK keys.JWK
			if err := json.Unmarshal(v.DecodedJWK, &wantJWK); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&wantJWK, doc.VerificationMethod[0].PublicKeyJwk); diff != "" {
				t.Errorf("publicKeyJwk (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJWKDID(t *testing.T) {
	t.Parallel()
	var v jwkVector
	readJSON(t, "jwk/p256.json", &v)
	pub, _, err := keys.ParsePublicJWK(v.DecodedJWK)
	if err != nil {
		t.Fatal(err)
	}
	// The vector's JWK is already in lexicographic member order.
	if got, err := JWKDID(pub); err != nil || got != v.DID {
		t.Errorf("JWKDID(p256 vector) = %q, %v; want %q", got, err, v.DID)
	}

	edPub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public()
	tests := []struct {
		name     string
		pub      any
		wantJSON string
	}{
		{"ok/ed25519", edPub, `{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`},
		{"ok/p-384", ecdsaKey(t, elliptic.P384()), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := JWKDID(tt.pub)
			if err != nil {
				t.Fatalf("JWKDID() error = %v", err)
			}
			if tt.wantJSON != "" {
				if diff := cmp.Diff("did:jwk:"+base64.RawURLEncoding.EncodeToString([]byte(tt.wantJSON)), d); diff != "" {
					t.Errorf("JWKDID() (-want +got):\n%s", diff)
				}
			}
			vm, err := ResolveMethod(t.Context(), JWKResolver{}, d+"#0", AssertionMethod)
			if err != nil {
				t.Fatalf("ResolveMethod() error = %v", err)
			}
			got, err := vm.PublicKey()
			if err != nil {
				t.Fatalf("PublicKey() error = %v", err)
			}
			if diff := cmp.Diff(tt.pub, got); diff != "" {
				t.Errorf("resolved key (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := JWKDID(42); !errors.Is(err, keys.ErrUnsupportedKeyType) {
		t.Errorf("JWKDID(int) error = %v, want keys.ErrUnsupportedKeyType", err)
	}
}

func jwkDID(jwk string) string {
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(jwk))
}

func TestJWKResolverUse(t *testing.T) {
	t.Parallel()
	const x = `"x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"`
	all := []string{AssertionMethod, Authentication, CapabilityInvocation, CapabilityDelegation, KeyAgreement}
	tests := []struct {
		name string
		jwk  string
		want []string
	}{
		{"ok/no use", `{"kty":"OKP","crv":"Ed25519",` + x + `}`, all},
		{"ok/use sig", `{"kty":"OKP","crv":"Ed25519","use":"sig",` + x + `}`, all[:4]},
		{"ok/use enc", `{"kty":"OKP","crv":"X25519","use":"enc",` + x + `}`, all[4:]},
		{"ok/kid ignored", `{"kty":"OKP","crv":"Ed25519","kid":"key-7",` + x + `}`, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := jwkDID(tt.jwk)
			doc, err := JWKResolver{}.Resolve(t.Context(), d)
			if err != nil {
				t.Fatalf("Resolve() error = %v", err)
			}
			var got []string
			for _, rel := range all {
				if _, err := doc.Method(d+"#0", rel); err == nil {
					got = append(got, rel)
				} else if !errors.Is(err, ErrNotAuthorized) {
					t.Errorf("Method(#0, %s) error = %v, want nil or ErrNotAuthorized", rel, err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("relationships (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJWKResolverErrors(t *testing.T) {
	t.Parallel()
	const x = `"x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"`
	tests := []struct {
		name    string
		did     string
		wantErr []error
	}{
		{"fail/private member d", jwkDID(`{"kty":"OKP","crv":"Ed25519",` + x + `,"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`), []error{ErrInvalidDID, keys.ErrPrivateJWK}},
		{"fail/private member k", jwkDID(`{"kty":"oct","k":"c2VjcmV0"}`), []error{ErrInvalidDID, keys.ErrPrivateJWK}},
		{"fail/not base64url", "did:jwk:eyJ%2B", []error{ErrInvalidDID}},
		{"fail/non-canonical base64 bits", "did:jwk:e31", []error{ErrInvalidDID}},
		{"fail/not JSON", jwkDID(`not json`), []error{ErrInvalidDID}},
		{"fail/JSON array", jwkDID(`[1,2]`), []error{ErrInvalidDID}},
		{"fail/empty object", jwkDID(`{}`), []error{ErrInvalidDID, keys.ErrUnsupportedKeyType}},
		{"fail/bad point", jwkDID(`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`), []error{ErrInvalidDID, keys.ErrInvalidPublicKey}},
		{"fail/other method", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", []error{ErrMethodNotSupported}},
		{"fail/malformed", "did:jwk", []error{ErrInvalidDID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := JWKResolver{}.Resolve(t.Context(), tt.did)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Resolve(%q) error = %v, want %v", tt.did, err, want)
				}
			}
		})
	}
}

// FuzzJWKResolve feeds arbitrary strings, and did:jwk DIDs wrapping
// arbitrary JSON, to the did:jwk resolver: no panics, only the documented
// errors, and every document it builds is self-consistent and round-trips
// through JSON.
func FuzzJWKResolve(f *testing.F) {
	var v jwkVector
	readJSON(f, "jwk/p256.json", &v)
	f.Add(v.DID, "")
	readJSON(f, "jwk/x25519.json", &v)
	f.Add(v.DID, "")
	f.Add("", `{"kty":"OKP","crv":"Ed25519","use":"sig","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`)
	f.Add("", `{"kty":"OKP","crv":"Ed25519","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik","d":"AA"}`)
	f.Add("", `{"kty":"RSA","n":"AQAB","e":"AQAB"}`)
	f.Add("did:jwk:e30", "")
	f.Fuzz(func(t *testing.T, s, jwk string) {
		if jwk != "" {
			s = jwkDID(jwk)
		}
		doc, err := JWKResolver{}.Resolve(context.Background(), s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDID) && !errors.Is(err, ErrMethodNotSupported) {
				t.Fatalf("Resolve(%q) error = %v, not ErrInvalidDID or ErrMethodNotSupported", s, err)
			}
			return
		}
		if doc.ID != s || len(doc.VerificationMethod) != 1 || doc.VerificationMethod[0].ID != s+"#0" {
			t.Fatalf("Resolve(%q): unexpected document %+v", s, doc)
		}
		if _, err := doc.VerificationMethod[0].PublicKey(); err != nil {
			t.Fatalf("Resolve(%q): PublicKey() error = %v", s, err)
		}
		if _, err := doc.Method("#0", ""); err != nil {
			t.Fatalf("Resolve(%q): Method(#0) error = %v", s, err)
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
