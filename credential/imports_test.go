package credential_test

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestImports enforces the package comment: the standard library only,
// except the JSON Schema validator in schema.go and schemafast.go; in
// particular credential never imports ldcontext or any other package of
// this module.
func TestImports(t *testing.T) {
	t.Parallel()
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
			if !strings.Contains(first, ".") {
				continue
			}
			if (name == "schema.go" || name == "schemafast.go") && path == "github.com/santhosh-tekuri/jsonschema/v6" {
				continue
			}
			t.Errorf("%s imports %s", name, path)
		}
	}
}
