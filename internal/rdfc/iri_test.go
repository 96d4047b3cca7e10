package rdfc_test

import (
	"testing"

	"github.com/accolade-badges/accolade/internal/rdfc"
)

func TestHasScheme(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://example.org/a", true},
		{"urn:uuid:1", true},
		{"did:key:z6Mk", true},
		{"a+b-c.d:x", true},
		{"_:b0", false},
		{"1http://x", false},
		{"+a:b", false},
		{":x", false},
		{"relative/path", false},
		{"", false},
		{"ab cd:x", false},
	}
	for _, tt := range tests {
		if got := rdfc.HasScheme(tt.in); got != tt.want {
			t.Errorf("HasScheme(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
