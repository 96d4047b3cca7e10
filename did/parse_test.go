package did

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want DID
		ok   bool
	}{
		{"ok/key", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", DID{"key", "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}, true},
		{"ok/web with port and path", "did:web:example.com%3A3000:user:alice", DID{"web", "example.com%3A3000:user:alice"}, true},
		{"ok/empty inner segment", "did:example::b", DID{"example", ":b"}, true},
		{"ok/digits in method", "did:ion2:abc", DID{"ion2", "abc"}, true},
		{"ok/all idchars", "did:x:aZ09.-_%2f", DID{"x", "aZ09.-_%2f"}, true},
		{"fail/empty", "", DID{}, false},
		{"fail/no scheme", "key:z6Mk", DID{}, false},
		{"fail/uppercase scheme", "DID:key:z6Mk", DID{}, false},
		{"fail/uppercase method", "did:Key:z6Mk", DID{}, false},
		{"fail/empty method", "did::abc", DID{}, false},
		{"fail/no id", "did:key:", DID{}, false},
		{"fail/no id separator", "did:key", DID{}, false},
		{"fail/trailing colon", "did:web:example.com:", DID{}, false},
		{"fail/bad char", "did:key:z6 Mk", DID{}, false},
		{"fail/bad pct", "did:web:example.com%3", DID{}, false},
		{"fail/bad pct hex", "did:web:example.com%zz", DID{}, false},
		{"fail/fragment", "did:key:z6Mk#z6Mk", DID{}, false},
		{"fail/path", "did:web:example.com/x", DID{}, false},
		{"fail/query", "did:web:example.com?x=1", DID{}, false},
		{"fail/non-ascii", "did:web:exämple.com", DID{}, false},
		{"fail/too long", "did:x:" + strings.Repeat("a", MaxLength), DID{}, false},
		{"fail/method with hyphen", "did:my-method:a", DID{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("Parse(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrInvalidDID) {
					t.Errorf("Parse(%q) error = %v, want ErrInvalidDID", tt.in, err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want DIDURL
		ok   bool
	}{
		{"ok/bare did", "did:web:example.com", DIDURL{DID: DID{"web", "example.com"}}, true},
		{"ok/fragment", "did:web:example.com#key-1", DIDURL{DID: DID{"web", "example.com"}, Fragment: "key-1"}, true},
		{"ok/did:key fragment", "did:key:z6Mk#z6Mk", DIDURL{DID: DID{"key", "z6Mk"}, Fragment: "z6Mk"}, true},
		{"ok/path query fragment", "did:example:123/path/to;x=1?service=agent&relativeRef=/credentials#degree",
			DIDURL{DID: DID{"example", "123"}, Path: "/path/to;x=1", Query: "service=agent&relativeRef=/credentials", Fragment: "degree"}, true},
		{"ok/query with ? and fragment with /", "did:example:1?a?b#c/d?e", DIDURL{DID: DID{"example", "1"}, Query: "a?b", Fragment: "c/d?e"}, true},
		{"ok/empty path segments", "did:example:1//", DIDURL{DID: DID{"example", "1"}, Path: "//"}, true},
		{"ok/pct in fragment", "did:example:1#a%20b", DIDURL{DID: DID{"example", "1"}, Fragment: "a%20b"}, true},
		{"ok/sub-delims", "did:example:1/!$&'()*+,;=:@~#!$&'()*+,;=:@~", DIDURL{DID: DID{"example", "1"}, Path: "/!$&'()*+,;=:@~", Fragment: "!$&'()*+,;=:@~"}, true},
		{"fail/second hash", "did:example:1#a#b", DIDURL{}, false},
		{"fail/space in path", "did:example:1/a b", DIDURL{}, false},
		{"fail/bad pct in query", "did:example:1?a=%G0", DIDURL{}, false},
		{"fail/truncated pct in fragment", "did:example:1#%4", DIDURL{}, false},
		{"fail/bracket", "did:example:1#[0]", DIDURL{}, false},
		{"fail/no id before fragment", "did:example:#frag", DIDURL{}, false},
		{"fail/relative", "#key-1", DIDURL{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseURL(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseURL(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrInvalidDID) {
					t.Errorf("ParseURL(%q) error = %v, want ErrInvalidDID", tt.in, err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseURL(%q) (-want +got):\n%s", tt.in, diff)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

// FuzzParse checks that Parse and ParseURL never panic, that what they
// accept round-trips through String, and that they agree with each other.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"did:web:example.com%3A3000:user:alice",
		"did:example:123/path?service=agent&relativeRef=/x#frag",
		"did:key:z6Mk#z6Mk", "did:a::b", "did:a:b:", "did:a:%zz", "did:A:b", "did:a:b?#", "#x", "did:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, errURL := ParseURL(s)
		d, errDID := Parse(s)
		if errDID == nil {
			if d.String() != s {
				t.Fatalf("Parse(%q).String() = %q", s, d.String())
			}
			if errURL != nil || u.DID != d || u.Path != "" || u.Query != "" || u.Fragment != "" {
				t.Fatalf("Parse(%q) ok but ParseURL = %+v, %v", s, u, errURL)
			}
		} else if !errors.Is(errDID, ErrInvalidDID) {
			t.Fatalf("Parse(%q) error = %v, not ErrInvalidDID", s, errDID)
		}
		if errURL != nil {
			if !errors.Is(errURL, ErrInvalidDID) {
				t.Fatalf("ParseURL(%q) error = %v, not ErrInvalidDID", s, errURL)
			}
			return
		}
		again, err := ParseURL(u.String())
		if err != nil {
			t.Fatalf("ParseURL(%q) ok, but its String %q fails: %v", s, u.String(), err)
		}
		if again != u {
			t.Fatalf("round trip of %q: %+v != %+v", s, again, u)
		}
		if _, err := Parse(u.DID.String()); err != nil {
			t.Fatalf("DID of %q does not parse: %v", s, err)
		}
	})
}
