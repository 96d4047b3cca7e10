package jsonld_test

// Benchmarks of expansion and RDF conversion of OB 3.0 credentials over the
// shared contexts. Run with: go test -run '^$' -bench . -benchmem ./internal/jsonld/

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
)

// dirLoader serves the pinned contexts through package ldcontext (the
// bundled ones, and the shared contexts directory when it is here),
// parsing each document once.
type dirLoader struct {
	l     *ldcontext.Loader
	mu    sync.Mutex
	docs  map[string]any
	loads int
}

func newDirLoader(tb testing.TB) *dirLoader {
	tb.Helper()
	l, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(tb), Offline: true})
	if err != nil {
		tb.Fatal(err)
	}
	return &dirLoader{l: l, docs: map[string]any{}}
}

func (l *dirLoader) JSON(ctx context.Context, url string) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads++
	if d, ok := l.docs[url]; ok {
		return d, nil
	}
	raw, err := l.l.Get(ctx, url)
	if err != nil {
		return nil, err
	}
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	l.docs[url] = d
	return d, nil
}

func readShared(tb testing.TB, elem ...string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(tb, elem...), &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func BenchmarkToRDF(b *testing.B) {
	for _, name := range []string{"basic-openbadgecredential.json", "complete-openbadgecredential.json"} {
		b.Run(name, func(b *testing.B) {
			doc := readShared(b, "ob3", "examples", name)
			delete(doc, "proof")
			p := jsonld.New(jsonld.Config{Loader: newDirLoader(b)})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.ToRDF(ctx, doc, jsonld.Options{Strict: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
