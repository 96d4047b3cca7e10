package jsonld_test

// Benchmarks of expansion and RDF conversion of OB 3.0 credentials over the
// shared contexts. Run with: go test -run '^$' -bench . -benchmem ./internal/jsonld/

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// dirLoader serves the shared contexts directory by its index.json, parsing
// each document once.
type dirLoader struct {
	dir   string
	files map[string]string
	mu    sync.Mutex
	docs  map[string]any
	loads int
}

func newDirLoader(tb testing.TB) *dirLoader {
	tb.Helper()
	dir := sharedtest.ContextsDir(tb)
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var index struct {
		Contexts map[string]struct {
			File string `json:"file"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		tb.Fatal(err)
	}
	l := &dirLoader{dir: dir, files: map[string]string{}, docs: map[string]any{}}
	for url, c := range index.Contexts {
		l.files[url] = c.File
	}
	return l
}

func (l *dirLoader) JSON(_ context.Context, url string) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads++
	if d, ok := l.docs[url]; ok {
		return d, nil
	}
	file, ok := l.files[url]
	if !ok {
		return nil, fmt.Errorf("unknown context %s", url)
	}
	raw, err := os.ReadFile(filepath.Join(l.dir, file))
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
