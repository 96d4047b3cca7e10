package di

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoForbiddenImports keeps proof/di below the services and away from
// HTTP frameworks and storage (STYLE.md §1).
func TestNoForbiddenImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/accolade-badges/accolade/"
	forbidden := map[string]string{
		"github.com/gin-gonic/":        "no HTTP framework",
		"go.etcd.io/bbolt":             "no storage driver",
		"github.com/redis/":            "no storage driver",
		module + "store":               "no storage",
		module + "issuer":              "the services sit above proof",
		module + "wallet":              "the services sit above proof",
		module + "verifier":            "the services sit above proof",
		module + "api":                 "nothing imports api",
		module + "internal/sharedtest": "test data is for tests only",
	}
	for _, dep := range strings.Fields(string(out)) {
		for prefix, reason := range forbidden {
			if strings.HasPrefix(dep, prefix) {
				t.Errorf("proof/di depends on %s: %s", dep, reason)
			}
		}
	}
}
