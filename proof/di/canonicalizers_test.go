package di

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// Tests every RDFC canonicalizer must pass alike (the golden vectors in
// golden_test.go run over canonCases too): the OB spec examples, no
// mutation, @import, concurrency and cancellation. What each one refuses or accepts differs and stays in
// canon_test.go (JSONGold) and fast_test.go (Fast).

// canonCase is one canonicalizer under test.
type canonCase struct {
	name string
	// shared returns the instance shared by the tests.
	shared func(tb testing.TB) Canonicalizer
	// fresh builds a new one over loader.
	fresh func(loader ContextLoader, lim Limits) Canonicalizer
	// zero is its nil value, which must refuse rather than panic.
	zero Canonicalizer
}

var canonCases = []canonCase{
	{"JSONGold", func(tb testing.TB) Canonicalizer { return testCanon(tb) },
		func(l ContextLoader, lim Limits) Canonicalizer { return NewJSONGold(l, lim) }, (*JSONGold)(nil)},
	{"Fast", func(tb testing.TB) Canonicalizer { return testFast(tb) },
		func(l ContextLoader, lim Limits) Canonicalizer { return NewFast(l, lim) }, (*Fast)(nil)},
}

// TestCanonicalizeOBExamples canonicalizes every OB 3.0 spec example and
// checks the serialization against json-gold's own.
func TestCanonicalizeOBExamples(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(sharedtest.Testdata(t, "ob3", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			doc := readJSON(t, "ob3", "examples", e.Name())
			delete(doc, "proof")
			want := goldNormalize(t, doc)
			for _, cc := range canonCases {
				got, err := cc.shared(t).Canonicalize(context.Background(), doc)
				if err != nil {
					t.Fatalf("%s: %v", cc.name, err)
				}
				if diff := cmp.Diff(want, string(got)); diff != "" {
					t.Errorf("%s differs from json-gold's serialization (-json-gold +%s):\n%s", cc.name, cc.name, diff)
				}
			}
		})
	}
}

// TestCanonicalizeDoesNotMutate checks that neither the document nor the
// shared context documents change.
func TestCanonicalizeDoesNotMutate(t *testing.T) {
	t.Parallel()
	for _, cc := range canonCases {
		t.Run(cc.name, func(t *testing.T) {
			t.Parallel()
			loader := newDirLoader(t)
			c := cc.fresh(loader, Limits{})
			doc := readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")
			delete(doc, "proof")
			before := jcs.Clone(doc)
			if _, err := c.Canonicalize(context.Background(), doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, doc); diff != "" {
				t.Errorf("document changed (-before +after):\n%s", diff)
			}
			fresh := newDirLoader(t)
			loader.mu.Lock()
			defer loader.mu.Unlock()
			if len(loader.docs) < 3 {
				t.Fatalf("only %d contexts loaded", len(loader.docs))
			}
			for url, d := range loader.docs {
				want, err := fresh.JSON(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, d); diff != "" {
					t.Errorf("context %s changed (-want +got):\n%s", url, diff)
				}
			}
		})
	}
}

// TestCanonicalizeImport: a context that @imports another, at the top and
// in an inline context deeper in the document, and the imported document
// stays as it was (json-gold merges into it, so its adapter must copy).
func TestCanonicalizeImport(t *testing.T) {
	t.Parallel()
	for _, cc := range canonCases {
		t.Run(cc.name, func(t *testing.T) {
			t.Parallel()
			base := map[string]any{"@context": map[string]any{"name": "https://schema.org/name"}}
			l := &importLoader{docs: map[string]any{
				"https://example.org/base":  base,
				"https://example.org/outer": map[string]any{"@context": map[string]any{"@version": 1.1, "@import": "https://example.org/base", "desc": "https://schema.org/description"}},
			}}
			c := cc.fresh(l, Limits{})
			doc := map[string]any{"@context": "https://example.org/outer", "@id": "urn:x", "name": "n", "desc": "d"}
			out, err := c.Canonicalize(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			want := "<urn:x> <https://schema.org/description> \"d\" .\n<urn:x> <https://schema.org/name> \"n\" .\n"
			if diff := cmp.Diff(want, string(out)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			nested := map[string]any{
				"@context": map[string]any{"sub": "https://schema.org/subjectOf"},
				"@id":      "urn:y",
				"sub": map[string]any{
					"@context": map[string]any{"@import": "https://example.org/base", "desc": "https://schema.org/description"},
					"@id":      "urn:z", "name": "n", "desc": "d",
				},
			}
			if _, err := c.Canonicalize(context.Background(), nested); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"@context": map[string]any{"name": "https://schema.org/name"}}, base); diff != "" {
				t.Errorf("imported context changed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCanonicalizeConcurrent runs one canonicalizer from many goroutines
// (run with -race); each output equals JSONGold's.
func TestCanonicalizeConcurrent(t *testing.T) {
	t.Parallel()
	docs := []map[string]any{obUnsigned(t), readJSON(t, "eddsa", "unsigned.json"), obExample(t)}
	want := make([][]byte, len(docs))
	for i, d := range docs {
		out, err := testCanon(t).Canonicalize(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	for _, cc := range canonCases {
		t.Run(cc.name, func(t *testing.T) {
			t.Parallel()
			c := cc.fresh(newDirLoader(t), Limits{})
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 6 {
						k := (g + i) % len(docs)
						out, err := c.Canonicalize(context.Background(), docs[k])
						if err != nil {
							t.Error(err)
							return
						}
						if string(out) != string(want[k]) {
							t.Errorf("document %d: output differs from JSONGold's", k)
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestCanonicalizeCanceled: a canceled context, a nil canonicalizer, one
// without a loader and a nil document are errors, never a panic.
func TestCanonicalizeCanceled(t *testing.T) {
	t.Parallel()
	for _, cc := range canonCases {
		t.Run(cc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := cc.fresh(newDirLoader(t), Limits{}).Canonicalize(ctx, obUnsigned(t)); !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if _, err := cc.zero.Canonicalize(context.Background(), obUnsigned(t)); !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("nil %s: error = %v, want ErrInvalidDocument", cc.name, err)
			}
			if _, err := cc.fresh(nil, Limits{}).Canonicalize(context.Background(), obUnsigned(t)); !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("no loader: error = %v, want ErrInvalidDocument", err)
			}
			if _, err := cc.shared(t).Canonicalize(context.Background(), nil); !errors.Is(err, ErrInvalidDocument) {
				t.Fatalf("nil document: error = %v, want ErrInvalidDocument", err)
			}
		})
	}
}
