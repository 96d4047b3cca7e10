package credential_test

import (
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/google/go-cmp/cmp"
)

func TestIRIProblem(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://example.org/a", true},
		{"urn:uuid:9d8c2a5e-5c1a-4f53-8a43-6f4a2e3b1c10", true},
		{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", true},
		{"https://例え.jp/パス?q=%22", true},
		{"data:image/png;base64,iVBORw0KGgo=", true},
		{"", false},
		{"no-scheme", false},
		{"1http://x", false},
		{":x", false},
		{`https://example.org/"`, false},
		{"https://example.org/<x>", false},
		{"https://example.org/a b", false},
		{`https://example.org/a\b`, false},
		{"https://example.org/{x}", false},
		{"https://example.org/a|b", false},
		{"https://example.org/a^b", false},
		{"https://example.org/a`b", false},
		{"https://example.org/\x00", false},
		{"https://example.org/\t", false},
		{"https://example.org/\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := credential.ValidIRI(tt.in); got != tt.ok {
				t.Errorf("ValidIRI(%q) = %v (%s), want %v", tt.in, got, credential.IRIProblem(tt.in), tt.ok)
			}
			ve := credential.CheckIRI("f", tt.in)
			if (ve == nil) != tt.ok || ve != nil && ve.Field != "f" {
				t.Errorf("CheckIRI(%q) = %v", tt.in, ve)
			}
		})
	}
}

func TestCheckIRIs(t *testing.T) {
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "not checked <>"},
		"id":       "urn:uuid:1",
		"type":     []any{"VerifiableCredential", "Open Badge"},
		"issuer":   map[string]any{"id": "did:example:1", "image": "https://example.org/i\".png"},
		"credentialSubject": map[string]any{
			"id": "_:b0",
			"achievement": map[string]any{
				"id":       "https://example.org/a",
				"criteria": map[string]any{"id": "https://example.org/c<r>", "narrative": "free text <is> fine"},
				"image":    map[string]any{"id": "https://example.org/ok.png"},
			},
		},
		"evidence": []any{map[string]any{"id": "https://example.org/e 1"}, map[string]any{"id": "https://example.org/e2"}},
	}
	var got []string
	for _, ve := range credential.CheckIRIs(doc) {
		got = append(got, ve.Field)
	}
	want := []string{"credentialSubject.achievement.criteria.id", "evidence[0].id", "issuer.image", "type[1]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}
