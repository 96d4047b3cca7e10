package di

import (
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/jcs"
)

func TestHasDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		domain any
		want   bool
	}{
		{"string", "https://v.example", true},
		{"other string", "https://w.example", false},
		{"set", []any{"https://w.example", "https://v.example"}, true},
		{"set without", []any{"https://w.example"}, false},
		{"set with a number", []any{1.0, "https://v.example"}, false},
		{"absent", nil, false},
		{"number", 1.0, false},
	}
	for _, tt := range tests {
		if got := hasDomain(tt.domain, "https://v.example"); got != tt.want {
			t.Errorf("%s: hasDomain = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestContextPrefix(t *testing.T) {
	t.Parallel()
	v2, ob := "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	inline := map[string]any{"x": "urn:x"}
	tests := []struct {
		name       string
		proof, doc any
		want       bool
	}{
		{"equal", []any{v2, ob}, []any{v2, ob}, true},
		{"prefix", []any{v2}, []any{v2, ob}, true},
		{"string prefix", v2, []any{v2, ob}, true},
		{"both strings", v2, v2, true},
		{"empty list", []any{}, []any{v2}, true},
		{"inline contexts", []any{v2, inline}, []any{v2, map[string]any{"x": "urn:x"}, ob}, true},
		{"order", []any{ob, v2}, []any{v2, ob}, false},
		{"longer", []any{v2, ob}, []any{v2}, false},
		{"different inline", []any{inline}, []any{map[string]any{"x": "urn:y"}}, false},
		{"null", nil, []any{v2}, false},
		{"document without context", []any{v2}, nil, false},
	}
	for _, tt := range tests {
		if got := contextPrefix(tt.proof, tt.doc); got != tt.want {
			t.Errorf("%s: contextPrefix = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWithSuiteContext(t *testing.T) {
	t.Parallel()
	v1 := "https://www.w3.org/2018/credentials/v1"
	tests := []struct {
		name             string
		proofCtx, docCtx any
		want             any
	}{
		{"appended", nil, []any{v1}, []any{v1, ed25519Context2020}},
		{"present", nil, []any{v1, ed25519Context2020}, []any{v1, ed25519Context2020}},
		{"string", nil, v1, []any{v1, ed25519Context2020}},
		{"none", nil, nil, ed25519Context2020},
		{"proof's own", "https://w3id.org/security/v2", []any{v1}, []any{"https://w3id.org/security/v2", ed25519Context2020}},
	}
	for _, tt := range tests {
		got := withSuiteContext(tt.proofCtx, tt.docCtx)
		if !jcs.Equal(got, tt.want) {
			t.Errorf("%s: withSuiteContext = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	in := time.Date(2024, 1, 2, 5, 4, 5, 999_999_999, time.FixedZone("x", 2*3600))
	if got, want := formatTime(in), "2024-01-02T03:04:05Z"; got != want {
		t.Errorf("formatTime = %q, want %q", got, want)
	}
	for _, s := range []string{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5+01:00"} {
		if _, err := parseTime(s, "created"); err != nil {
			t.Errorf("parseTime(%q): %v", s, err)
		}
	}
	for _, v := range []any{"2024-01-02T03:04:05", "2024-01-02", 1.0, nil} {
		if _, err := parseTime(v, "created"); err == nil {
			t.Errorf("parseTime(%v): no error", v)
		}
	}
}
