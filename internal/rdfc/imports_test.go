package rdfc_test

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestImports enforces the package comment: the standard library only.
func TestImports(t *testing.T) {
	t.Parallel()
	checkImports(t, nil)
}

func checkImports(t *testing.T, allowed map[string]bool) {
	t.Helper()
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
			if strings.Contains(first, ".") && !allowed[path] || path == "net/http" {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
