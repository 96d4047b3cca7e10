package keys_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoForbiddenImports keeps keys free of storage, HTTP and the packages
// above it (STYLE.md §1): it may use the standard library, base58 and
// golang.org/x/crypto only.
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
	allowed := func(dep string) bool {
		switch {
		case dep == "github.com/accolade-badges/accolade/keys",
			dep == "github.com/mr-tron/base58",
			strings.HasPrefix(dep, "golang.org/x/crypto/"):
			return true
		}
		return false
	}
	for _, dep := range strings.Fields(string(out)) {
		if !allowed(dep) {
			t.Errorf("keys depends on %s; only the standard library, base58 and x/crypto are allowed", dep)
		}
	}
	forbidden := map[string]string{
		"net/http": "keys does no network I/O",
	}
	std, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(std)) {
		if reason, bad := forbidden[dep]; bad {
			t.Errorf("keys imports %s: %s", dep, reason)
		}
	}
}
