package credential_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
)

// The OB 3.0 vectors in shared testdata/ob3/identity-hash-vectors.json.
func TestIdentityHashVectors(t *testing.T) {
	t.Parallel()
	doc := readJSON(t, "ob3", "identity-hash-vectors.json")
	vectors, _ := doc["vectors"].([]any)
	if len(vectors) < 2 {
		t.Fatalf("%d vectors", len(vectors))
	}
	for _, v := range vectors {
		v := v.(map[string]any)
		id, salt, want := v["identifier"].(string), v["salt"].(string), v["identityHash"].(string)
		t.Run(id, func(t *testing.T) {
			if got := credential.IdentityHash(id, salt); got != want {
				t.Errorf("IdentityHash(%q, %q) = %s, want %s", id, salt, got, want)
			}
			obj := credential.NewIdentityObject(id, salt)
			if obj.IdentityHash != want || !obj.Matches(id) {
				t.Errorf("NewIdentityObject: %+v", obj)
			}
			// Upper-case hex from another issuer matches too.
			upper := obj
			upper.IdentityHash = "sha256$" + strings.ToUpper(strings.TrimPrefix(want, "sha256$"))
			if !upper.Matches(id) {
				t.Error("upper-case hex does not match")
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a@example.com", "a@example.com"},
		{"  A@Example.COM\n", "a@example.com"},
		{"First.Last+Tag@Example.com", "first.last+tag@example.com"},
		{"ÜBER@Bücher.example", "über@bücher.example"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := credential.NormalizeEmail(tt.in); got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewIdentityObject(t *testing.T) {
	t.Parallel()
	got := credential.NewIdentityObject(" A@Example.com", "Kosher")
	want := credential.IdentityObject{
		Type:         "IdentityObject",
		Hashed:       true,
		IdentityHash: "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
		IdentityType: "emailAddress",
		Salt:         "Kosher",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewIdentityObject (-want +got):\n%s", diff)
	}
}

func TestIdentityObjectMatches(t *testing.T) {
	t.Parallel()
	hashed := credential.NewIdentityObject("a@example.com", "Kosher")
	tests := []struct {
		name       string
		obj        credential.IdentityObject
		identifier string
		want       bool
	}{
		{"ok/hashed", hashed, "a@example.com", true},
		{"fail/other address", hashed, "b@example.com", false},
		{"fail/not normalized by caller", hashed, "A@example.com", false},
		{"fail/wrong salt", credential.IdentityObject{Hashed: true, IdentityHash: hashed.IdentityHash, Salt: "x"}, "a@example.com", false},
		{"fail/md5 not supported", credential.IdentityObject{Hashed: true, IdentityHash: "md5$0cc175b9c0f1b6a831c399e269772661"}, "a", false},
		{"ok/plain", credential.IdentityObject{IdentityHash: "a@example.com"}, "a@example.com", true},
		{"fail/plain differs", credential.IdentityObject{IdentityHash: "a@example.com"}, "a@example.org", false},
	}
	for _, tt := range tests {
		if got := tt.obj.Matches(tt.identifier); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}
