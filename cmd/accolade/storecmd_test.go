package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/store/bolt"
)

// The store commands work while a server holds the embedded database: they
// go through its admin API, found from the same settings (ACCOLADE_ADDR,
// ACCOLADE_DATA_DIR) the server was started with.
func TestStoreCommandsWhileServing(t *testing.T) {
	dataDir := t.TempDir()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s := startServe(t, dataDir, map[string]string{"ACCOLADE_ADDR": addr, "ACCOLADE_OFFLINE": "true", "ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t)})
	tok := readAdminToken(t, dataDir)
	issueOverHTTP(t, s, tok, "ldp_vc")
	// The CLI has no contexts directory: import goes to the server's store.
	vars := map[string]string{"ACCOLADE_ADDR": addr, "ACCOLADE_DATA_DIR": dataDir, "ACCOLADE_OFFLINE": "true"}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"keys", "list"}, []string{"key-1", "active"}},
		{[]string{"status", "list"}, []string{"LIST", "revocation", "/status/1"}},
		{[]string{"status", "show", "1"}, []string{"purpose", "revocation", "allocated"}},
		{[]string{"status", "show", "1", "--json"}, []string{`"purpose": "revocation"`}},
		{[]string{"contexts", "import", sharedtest.ContextsDir(t)}, []string{"imported https://www.w3.org/ns/credentials/v2", "documents imported from"}},
		{[]string{"contexts", "list"}, []string{"https://www.w3.org/ns/credentials/v2"}},
		{[]string{"keys", "rotate"}, []string{"new active key key-2"}},
		{[]string{"keys", "list"}, []string{"key-2", "retired"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			env, out, errb := testEnv(vars)
			if code := run(context.Background(), env, tc.args); code != 0 {
				t.Fatalf("exit %d\nstderr: %s", code, errb)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("fail/unknown list", func(t *testing.T) {
		env, _, errb := testEnv(vars)
		if code := run(context.Background(), env, []string{"status", "show", "999"}); code != 1 || !strings.Contains(errb.String(), "HTTP 404") {
			t.Errorf("exit %d: %s", code, errb)
		}
	})
}

// When another process holds the database and no server answers, the
// command says so and what to do, within the lock wait.
func TestStoreCommandsLockedWithoutServer(t *testing.T) {
	dataDir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dataDir, "accolade.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vars := map[string]string{"ACCOLADE_ADDR": fmt.Sprintf("127.0.0.1:%d", freePort(t)), "ACCOLADE_DATA_DIR": dataDir,
		"ACCOLADE_ADMIN_TOKEN": strings.Repeat("t", 20)}
	for _, args := range [][]string{{"keys", "list"}, {"status", "list"}, {"contexts", "list"}} {
		env, _, errb := testEnv(vars)
		if code := run(context.Background(), env, args); code != 1 {
			t.Errorf("%s: exit %d, want 1", args, code)
		}
		if !strings.Contains(errb.String(), "is in use by another process, and no accolade server answers at http://localhost:") ||
			!strings.Contains(errb.String(), "--server") {
			t.Errorf("%s: stderr %s", args, errb)
		}
	}
}

func readAdminToken(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
