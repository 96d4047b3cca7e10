package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// accolade bench issue issues real credentials on a running server and has
// a sample of them verified by the server's verifier.
func TestBenchIssueAgainstServer(t *testing.T) {
	dataDir := t.TempDir()
	s := startServe(t, dataDir, map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true"})
	for _, format := range []string{"ldp_vc", "jwt_vc"} {
		t.Run(format, func(t *testing.T) {
			env, out, errb := testEnv(map[string]string{"ACCOLADE_DATA_DIR": dataDir})
			code := run(context.Background(), env, []string{"bench", "issue", "--server", s.base, "--format", format,
				"--requests", "40", "--concurrency", "4", "--verify", "5", "--json"})
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errb)
			}
			var rep benchReport
			if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
				t.Fatalf("report is not JSON: %v\n%s", err, out)
			}
			if rep.Issued != 40 || rep.Failed != 0 || rep.Requests != 40 {
				t.Errorf("issued %d, failed %d of %d requests; want 40, 0 of 40", rep.Issued, rep.Failed, rep.Requests)
			}
			if rep.Verified != 5 || rep.VerifyFailed != 0 {
				t.Errorf("verified %d, failed %d; want 5 verified", rep.Verified, rep.VerifyFailed)
			}
			if rep.PerSecond <= 0 || rep.LatencyMs.Max <= 0 || rep.LatencyMs.P50 > rep.LatencyMs.Max {
				t.Errorf("implausible figures: %+v", rep)
			}
		})
	}
	// Both runs' credentials and their two warm-up issues are in the store.
	tok, err := os.ReadFile(filepath.Join(dataDir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Total int `json:"total"`
	}
	if code, _ := getJSON(t, s.base+"/api/v1/credentials?limit=1", strings.TrimSpace(string(tok)), &page); code != 200 || page.Total != 82 {
		t.Errorf("credential list: HTTP %d, total %d; want 200 and 82", code, page.Total)
	}
}

func TestBenchIssueRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "pdf"}, {"--recipient", "phone"}, {"--concurrency", "0"}, {"--requests", "-1"},
	} {
		env, _, errb := testEnv(map[string]string{"ACCOLADE_ADMIN_TOKEN": strings.Repeat("x", 20)})
		if code := run(context.Background(), env, append([]string{"bench", "issue"}, args...)); code == 0 {
			t.Errorf("%v: exit 0, want failure", args)
		} else if errb.String() == "" {
			t.Errorf("%v: no error message", args)
		}
	}
}
