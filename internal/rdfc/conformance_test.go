package rdfc_test

// The W3C RDFC-1.0 test suite (shared testdata/rdf-canon): every
// RDFC10EvalTest must give the expected canonical N-Quads byte for byte,
// every RDFC10MapTest the expected issued identifiers map, and the
// RDFC10NegativeEvalTest (a poison graph) must fail with ErrTooComplex.
// Run with: go test ./internal/rdfc/

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/rdfc"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

type manifestEntry struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Action        string `json:"action"`
	Result        string `json:"result"`
	HashAlgorithm string `json:"hashAlgorithm"`
	Complexity    string `json:"computationalComplexity"`
}

func readManifest(t *testing.T) []manifestEntry {
	t.Helper()
	var m struct {
		Entries []manifestEntry `json:"entries"`
	}
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "rdf-canon", "manifest.jsonld"), &m); err != nil {
		t.Fatal(err)
	}
	return m.Entries
}

func parseFile(t *testing.T, name string) *rdfc.Dataset {
	t.Helper()
	d, err := rdfc.ParseNQuads(sharedtest.ReadTestdata(t, "rdf-canon", name))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return d
}

func TestConformance(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	for _, e := range readManifest(t) {
		counts[e.Type]++
		t.Run(strings.TrimPrefix(e.ID, "#")+"/"+e.Name, func(t *testing.T) {
			t.Parallel()
			opts := rdfc.Options{}
			switch e.HashAlgorithm {
			case "":
			case "SHA384":
				opts.Hash = rdfc.SHA384
			default:
				t.Fatalf("hash algorithm %q", e.HashAlgorithm)
			}
			in := parseFile(t, e.Action)
			got, issued, err := rdfc.CanonicalizeMap(in, opts)
			switch e.Type {
			case "rdfc:RDFC10NegativeEvalTest":
				if !errors.Is(err, rdfc.ErrTooComplex) {
					t.Fatalf("error = %v, want ErrTooComplex", err)
				}
			case "rdfc:RDFC10EvalTest":
				if err != nil {
					t.Fatal(err)
				}
				want := string(sharedtest.ReadTestdata(t, "rdf-canon", e.Result))
				if diff := cmp.Diff(want, string(got)); diff != "" {
					t.Errorf("canonical N-Quads (-want +got):\n%s", diff)
				}
			case "rdfc:RDFC10MapTest":
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(sharedtest.ReadTestdata(t, "rdf-canon", e.Result), &want); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, issued); diff != "" {
					t.Errorf("issued identifiers (-want +got):\n%s", diff)
				}
			default:
				t.Fatalf("unknown test type %s", e.Type)
			}
		})
	}
	want := map[string]int{"rdfc:RDFC10EvalTest": 64, "rdfc:RDFC10MapTest": 21, "rdfc:RDFC10NegativeEvalTest": 1}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("manifest entries by type (-want +got):\n%s", diff)
	}
}

// TestPoisonWork reports and bounds the work the high-complexity tests
// need, so that the default MaxWork keeps a margin on both sides.
func TestPoisonWork(t *testing.T) {
	t.Parallel()
	for _, e := range readManifest(t) {
		if e.Complexity != "high" || e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		in := parseFile(t, e.Action)
		// Each evil test must pass with a tenth of the default budget.
		if _, err := rdfc.Canonicalize(in, rdfc.Options{MaxWork: rdfc.DefaultMaxWork / 10}); err != nil {
			t.Errorf("%s with MaxWork %d: %v", e.ID, rdfc.DefaultMaxWork/10, err)
		}
	}
}
