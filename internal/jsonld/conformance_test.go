package jsonld_test

// The W3C JSON-LD 1.1 API test suite, expand and toRdf manifests (shared
// testdata/jsonld-api). Every test runs except those in outOfScope, which
// says why; the test checks that the list names only tests of the
// manifests. Expand results are compared as JSON-LD objects (arrays
// unordered except @list), toRdf results as RDFC-1.0 canonical N-Quads
// (isomorphism). Run with: go test ./internal/jsonld/

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/rdfc"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

const suiteBase = "https://w3c.github.io/json-ld-api/tests/"

type suiteEntry struct {
	ID              string   `json:"@id"`
	Type            []string `json:"@type"`
	Name            string   `json:"name"`
	Input           string   `json:"input"`
	Expect          string   `json:"expect"`
	ExpectErrorCode string   `json:"expectErrorCode"`
	Option          struct {
		SpecVersion           string `json:"specVersion"`
		ProcessingMode        string `json:"processingMode"`
		Base                  string `json:"base"`
		ExpandContext         string `json:"expandContext"`
		ProduceGeneralizedRdf bool   `json:"produceGeneralizedRdf"`
		RDFDirection          string `json:"rdfDirection"`
		UseJCS                bool   `json:"useJCS"`
		Normative             *bool  `json:"normative"`
	} `json:"option"`
}

func (e *suiteEntry) is(t string) bool {
	for _, x := range e.Type {
		if x == t {
			return true
		}
	}
	return false
}

// group lists tests that share a reason.
func group(reason string, ids ...string) map[string]string {
	m := map[string]string{}
	for _, id := range ids {
		m[id] = reason
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Reasons a test is out of scope.
const (
	reason10      = "JSON-LD 1.0 only (specVersion json-ld-1.0): a 1.1 processor behaves differently"
	reasonMode10  = "processingMode json-ld-1.0: only the json-ld-1.1 processing mode is implemented"
	reasonGenRDF  = "produceGeneralizedRdf: blank-node predicates are refused (Options.Strict) or dropped, never emitted"
	reasonRDFDir  = "rdfDirection i18n-datatype / compound-literal: outside what credentials need (the rdfDirection option is not offered); @direction is refused in strict mode"
	reasonNonNorm = "non-normative behaviour (normative: false)"
)

var expandOutOfScope = merge(
	group(reason10, "#t0026", "#t0038", "#t0071", "#t0115", "#t0116", "#ter02", "#ter03", "#ter24", "#ter32"),
	group(reasonMode10, "#tc029", "#tep02", "#ter21", "#ter42", "#tes01", "#tpi01", "#ttn01"),
)

var toRDFOutOfScope = merge(
	group(reason10, "#t0118", "#te014", "#te026", "#te038", "#te071", "#te115", "#te116", "#ter02", "#ter03", "#ter24", "#ter32"),
	group(reasonMode10, "#tc029", "#tep02", "#ter21", "#ter42", "#tpi01", "#ttn01"),
	group(reasonGenRDF, "#te075"),
	group(reasonRDFDir, "#tdi09", "#tdi10", "#tdi11", "#tdi12"),
)

// suiteLoader serves the suite's own files for URLs under suiteBase, and
// refuses everything else (as ldcontext refuses unpinned URLs).
type suiteLoader struct{ dir string }

func (l suiteLoader) JSON(_ context.Context, url string) (any, error) {
	rel, ok := strings.CutPrefix(url, suiteBase)
	if !ok {
		return nil, fmt.Errorf("not a suite document: %s", url)
	}
	b, err := os.ReadFile(filepath.Join(l.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

func readSuite(t *testing.T, manifest string) []suiteEntry {
	t.Helper()
	var m struct {
		Sequence []suiteEntry `json:"sequence"`
	}
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "jsonld-api", manifest), &m); err != nil {
		t.Fatal(err)
	}
	return m.Sequence
}

func readJSONFile(t *testing.T, elem ...string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, append([]string{"jsonld-api"}, elem...)...), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func suiteOptions(t *testing.T, e *suiteEntry) jsonld.Options {
	t.Helper()
	opts := jsonld.Options{Base: suiteBase + e.Input}
	if e.Option.Base != "" {
		opts.Base = e.Option.Base
	}
	if e.Option.ExpandContext != "" {
		opts.ExpandContext = readJSONFile(t, e.Option.ExpandContext)
	}
	return opts
}

// runSuite runs one manifest; check compares a positive result.
func runSuite(t *testing.T, manifest string, outOfScope map[string]string, run func(t *testing.T, p *jsonld.Processor, e *suiteEntry) error) {
	entries := readSuite(t, manifest)
	p := jsonld.New(jsonld.Config{Loader: suiteLoader{dir: sharedtest.Testdata(t, "jsonld-api")}})
	seen := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		seen[e.ID] = true
		if _, skip := outOfScope[e.ID]; skip {
			continue
		}
		t.Run(strings.TrimPrefix(e.ID, "#")+"/"+e.Name, func(t *testing.T) {
			err := run(t, p, e)
			if e.is("jld:NegativeEvaluationTest") {
				var jerr *jsonld.Error
				if !errors.As(err, &jerr) {
					t.Fatalf("error = %v, want JSON-LD error %q", err, e.ExpectErrorCode)
				}
				if jerr.Code != e.ExpectErrorCode {
					t.Fatalf("error code %q (%v), want %q", jerr.Code, err, e.ExpectErrorCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	for id, why := range outOfScope {
		if !seen[id] {
			t.Errorf("outOfScope lists %s (%s), which %s does not have", id, why, manifest)
		}
	}
	ran := len(entries) - len(outOfScope)
	t.Logf("%s: %d tests, %d run, %d out of scope", manifest, len(entries), ran, len(outOfScope))
}

func TestExpandSuite(t *testing.T) {
	t.Parallel()
	runSuite(t, "expand-manifest.jsonld", expandOutOfScope, func(t *testing.T, p *jsonld.Processor, e *suiteEntry) error {
		got, err := p.Expand(context.Background(), readJSONFile(t, e.Input), suiteOptions(t, e))
		if err != nil || !e.is("jld:PositiveEvaluationTest") {
			return err
		}
		want := readJSONFile(t, e.Expect)
		if !jsonldEqual(want, any(got), false) {
			wb, _ := json.MarshalIndent(want, "", " ")
			gb, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("expanded form differs (-want +got):\n%s", cmp.Diff(string(wb), string(gb)))
		}
		return nil
	})
}

func TestToRDFSuite(t *testing.T) {
	t.Parallel()
	runSuite(t, "toRdf-manifest.jsonld", toRDFOutOfScope, func(t *testing.T, p *jsonld.Processor, e *suiteEntry) error {
		ds, err := p.ToRDF(context.Background(), readJSONFile(t, e.Input), suiteOptions(t, e))
		if err != nil || !e.is("jld:PositiveEvaluationTest") {
			return err
		}
		got, err := rdfc.Canonicalize(ds, rdfc.Options{})
		if err != nil {
			t.Fatalf("canonicalize output: %v\n%s", err, rdfc.AppendNQuads(nil, ds))
		}
		wantDS, err := rdfc.ParseNQuads(sharedtest.ReadTestdata(t, "jsonld-api", e.Expect))
		if err != nil {
			t.Fatalf("parse expected: %v", err)
		}
		want, err := rdfc.Canonicalize(wantDS, rdfc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("canonical N-Quads (-want +got):\n%s", diff)
		}
		return nil
	})
}

// jsonldEqual is the JSON-LD object comparison of the suite: maps by
// entries, arrays as multisets except @list values (ordered).
func jsonldEqual(a, b any, ordered bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonldEqual(v, w, k == "@list") {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		if ordered {
			for i := range x {
				if !jsonldEqual(x[i], y[i], false) {
					return false
				}
			}
			return true
		}
		used := make([]bool, len(y))
	next:
		for _, v := range x {
			for j, w := range y {
				if !used[j] && jsonldEqual(v, w, false) {
					used[j] = true
					continue next
				}
			}
			return false
		}
		return true
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case json.Number:
			f, err := y.Float64()
			return err == nil && f == x
		}
		return false
	default:
		return a == b
	}
}
