package jose_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoForbiddenImports keeps proof/jose to the standard library and keys
// (STYLE.md §1: no HTTP, no storage, no services above it). lestrrat-go/jwx
// is used by the interop test only.
func TestNoForbiddenImports(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not in PATH: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/accolade-badges/accolade/"
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == module+"proof/jose", dep == module+"keys",
			dep == "github.com/mr-tron/base58", strings.HasPrefix(dep, "golang.org/x/crypto/"): // via keys
		default:
			t.Errorf("proof/jose depends on %s", dep)
		}
	}
	std, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(std)) {
		if dep == "net/http" {
			t.Error("proof/jose imports net/http: it makes no network calls")
		}
	}
}
