package proof

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStdlibOnly keeps package proof to the standard library: it holds only
// the vocabulary its subpackages share.
func TestStdlibOnly(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/accolade-badges/accolade/proof" {
			t.Errorf("proof depends on %s; only the standard library is allowed", dep)
		}
	}
}
