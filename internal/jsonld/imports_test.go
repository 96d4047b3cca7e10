package jsonld_test

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestImports enforces the package comment: the standard library,
// internal/rdfc and internal/jcs only; no HTTP, no storage.
func TestImports(t *testing.T) {
	t.Parallel()
	allowed := map[string]bool{
		"github.com/accolade-badges/accolade/internal/rdfc": true,
		"github.com/accolade-badges/accolade/internal/jcs":  true,
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			first, _, _ := strings.Cut(path, "/")
			if (strings.Contains(first, ".") && !allowed[path]) || strings.HasPrefix(path, "net/") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
