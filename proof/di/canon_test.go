package di

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/piprate/json-gold/ld"
)

// TestCanonicalizeRefuses covers JSONGold's strictness: what json-gold would
// drop or serialize unlike RDFC-1.0 is an error, never silently unsigned.
func TestCanonicalizeRefuses(t *testing.T) {
	t.Parallel()
	subject := func(d map[string]any) map[string]any { return d["credentialSubject"].(map[string]any) }
	tests := []struct {
		name    string
		mutate  func(d map[string]any)
		limits  Limits
		wantErr error
		wantMsg string // a substring of the error, if set
	}{
		{
			name:    "undefined top-level property",
			mutate:  func(d map[string]any) { d["favouriteColour"] = "green" },
			wantErr: ErrUndefinedTerm,
			wantMsg: `property "favouriteColour" at / is not defined by any context`,
		},
		{
			name:    "undefined nested property",
			mutate:  func(d map[string]any) { subject(d)["shoeSize"] = 42.0 },
			wantErr: ErrUndefinedTerm,
			wantMsg: `property "shoeSize" at /credentialSubject`,
		},
		{
			name: "undefined type",
			mutate: func(d map[string]any) {
				d["credentialSchema"] = []any{map[string]any{
					"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
					"type": "1EdTechJsonSchemaValidator2019",
				}}
			},
			wantErr: ErrUndefinedTerm,
			wantMsg: `"1EdTechJsonSchemaValidator2019" is a relative IRI`,
		},
		{
			name:    "relative id",
			mutate:  func(d map[string]any) { d["id"] = "credentials/3527" },
			wantErr: ErrUndefinedTerm,
			wantMsg: `"credentials/3527" is a relative IRI`,
		},
		{
			name: "unknown context",
			mutate: func(d map[string]any) {
				d["@context"] = append(d["@context"].([]any), "https://example.org/unknown-context")
			},
			wantErr: errUnknownContext,
		},
		{
			name:    "backspace in a string",
			mutate:  func(d map[string]any) { d["name"] = "Team\bwork" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "form feed in a string",
			mutate:  func(d map[string]any) { d["name"] = "Team\fwork" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "DEL in a string",
			mutate:  func(d map[string]any) { d["name"] = "Team\x7fwork" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "invalid UTF-8",
			mutate:  func(d map[string]any) { d["name"] = "Team\xffwork" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "space in an IRI",
			mutate:  func(d map[string]any) { d["id"] = "urn:example:a b" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "URL json-gold drops",
			mutate:  func(d map[string]any) { d["id"] = "https://example.com/" + strings.Repeat("a", 2100) },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "IRI with a bad escape",
			mutate:  func(d map[string]any) { d["id"] = "https://example.com/%zz" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "invalid language tag",
			mutate:  func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@language": "en_GB"} },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "base direction",
			mutate:  func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@direction": "rtl"} },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "blank node predicate",
			mutate:  func(d map[string]any) { d["_:p"] = "x" },
			wantErr: ErrUnsupportedContent,
		},
		{
			name:    "Go value encoding/json does not produce",
			mutate:  func(d map[string]any) { d["name"] = 42 },
			wantErr: ErrInvalidDocument,
		},
		{
			name:    "too large",
			mutate:  func(map[string]any) {},
			limits:  Limits{MaxBytes: 500},
			wantErr: ErrTooComplex,
		},
		{
			name:    "too deep",
			mutate:  func(map[string]any) {},
			limits:  Limits{MaxDepth: 3},
			wantErr: ErrTooComplex,
		},
		{
			name:    "too many statements",
			mutate:  func(map[string]any) {},
			limits:  Limits{MaxQuads: 10},
			wantErr: ErrTooComplex,
		},
		{
			name:    "too many blank nodes",
			mutate:  func(d map[string]any) { delete(subject(d), "id") },
			limits:  Limits{MaxBlankNodes: 1},
			wantErr: ErrTooComplex,
		},
		{
			name: "look-alike blank nodes",
			mutate: func(d map[string]any) {
				// Two identical results, each with ten identical
				// alignments: json-gold would try 10! orderings for each,
				// for minutes.
				d["credentialSubject"].(map[string]any)["result"] = []any{lookAlike(10), lookAlike(10)}
			},
			wantErr: ErrTooComplex,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := obUnsigned(t)
			tt.mutate(doc)
			j := NewJSONGold(newDirLoader(t), tt.limits)
			_, err := j.Canonicalize(context.Background(), doc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

// lookAlike returns an OB Result whose n alignments are identical blank
// nodes.
func lookAlike(n int) map[string]any {
	var align []any
	for range n {
		align = append(align, map[string]any{"type": []any{"Alignment"}, "targetName": "Same", "targetUrl": "https://example.org/t"})
	}
	return map[string]any{"type": []any{"Result"}, "value": "A", "alignment": align}
}

// TestCanonicalizeAccepts: what strictness must not refuse.
func TestCanonicalizeAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(d map[string]any)
	}{
		{"tab, LF and CR in strings", func(d map[string]any) { d["name"] = "Team\twork\r\nbadge \"quoted\" \\ back" }},
		{"non-ASCII", func(d map[string]any) { d["name"] = "Équipe ∞ 🏅 \u00a0" }},
		{"language tag", func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@language": "en-GB"} }},
		{"json.Number", func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["result"] = []any{map[string]any{"type": []any{"Result"}, "value": json.Number("92")}}
		}},
		{"undefined type with extensions.json", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
			d["credentialSchema"] = []any{map[string]any{
				"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
				"type": "1EdTechJsonSchemaValidator2019",
			}}
		}},
		{"a few look-alike blank nodes", func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["result"] = []any{lookAlike(3), lookAlike(3)}
		}},
		{"null value", func(d map[string]any) { d["description"] = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := obUnsigned(t)
			tt.mutate(doc)
			out, err := testCanon(t).Canonicalize(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Errorf("output %q does not end in a newline", out)
			}
		})
	}
}

// goldNormalize is json-gold's own Normalize, for comparison.
func goldNormalize(t *testing.T, doc map[string]any) string {
	t.Helper()
	opts := goldOptions(&goldLoader{ctx: context.Background(), loader: newDirLoader(t), copyDocs: true})
	opts.SafeMode = false
	out, err := ld.NewJsonLdProcessor().Normalize(jcs.Clone(doc), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out.(string)
}

// importLoader serves a context that @imports another; json-gold merges
// into the imported document, so the adapter must hand out a copy.
type importLoader struct {
	mu   sync.Mutex
	docs map[string]any
}

func (l *importLoader) JSON(_ context.Context, url string) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.docs[url]
	if !ok {
		return nil, errUnknownContext
	}
	return d, nil
}

// TestNoNetworkLoader makes sure the options never carry json-gold's
// default (HTTP) document loader.
func TestNoNetworkLoader(t *testing.T) {
	t.Parallel()
	opts := goldOptions(&goldLoader{})
	if _, ok := opts.DocumentLoader.(*goldLoader); !ok {
		t.Fatalf("document loader is %T", opts.DocumentLoader)
	}
	j := NewJSONGold(newDirLoader(t), Limits{})
	doc := map[string]any{"@context": "https://www.w3.org/ns/did/v99", "@id": "urn:x"}
	if _, err := j.Canonicalize(context.Background(), doc); !errors.Is(err, errUnknownContext) {
		t.Fatalf("error = %v, want the loader's errUnknownContext", err)
	}
}
