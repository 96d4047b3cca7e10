package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// issueOverHTTP creates an achievement and issues one credential through a
// running server, returning the credential JSON (object or JWS string).
func issueOverHTTP(t *testing.T, s *server, token, format string) json.RawMessage {
	t.Helper()
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"CLI Badge","description":"d","criteria":{"narrative":"n"}}`)
	rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"cli@example.org"},"format":"`+format+`"}`)
	raw, _ := json.Marshal(rec["credential"])
	return raw
}

func postJSON(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %v", url, resp.StatusCode, m)
	}
	return m
}

func TestVerifyCommand(t *testing.T) {
	dataDir := t.TempDir()
	ctxDirs := sharedtest.LoaderDirs(t)
	vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": ctxDirs, "ACCOLADE_OFFLINE": "true", "ACCOLADE_ADMIN_TOKEN": "cli-test-admin-token-000"}
	s := startServe(t, dataDir, vars)
	ldp := issueOverHTTP(t, s, "cli-test-admin-token-000", "ldp_vc")
	var jwt string
	_ = json.Unmarshal(issueOverHTTP(t, s, "cli-test-admin-token-000", "jwt_vc"), &jwt)

	// verify works while the server holds the data directory: it needs no store.
	file := filepath.Join(t.TempDir(), "badge.json")
	if err := os.WriteFile(file, ldp, 0o600); err != nil {
		t.Fatal(err)
	}
	envVars := map[string]string{"ACCOLADE_CONTEXTS_DIR": ctxDirs, "ACCOLADE_OFFLINE": "true", "ACCOLADE_DATA_DIR": dataDir}
	env, out, errb := testEnv(envVars)
	if code := run(context.Background(), env, []string{"verify", file}); code != 0 {
		t.Fatalf("verify ldp: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "VERIFIED") || !strings.Contains(out.String(), "[ok  ] proof") {
		t.Errorf("report:\n%s", out.String())
	}

	env, out, _ = testEnv(envVars)
	env.stdin = strings.NewReader(jwt)
	if code := run(context.Background(), env, []string{"verify", "-", "--json"}); code != 0 {
		t.Fatalf("verify jwt from stdin: exit %d\n%s", code, out.String())
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil || rep["verified"] != true || rep["format"] != "jwt_vc" {
		t.Errorf("--json report: %v %s", err, out.String())
	}

	var vc map[string]any
	_ = json.Unmarshal(ldp, &vc)
	vc["name"] = "Tampered"
	b, _ := json.Marshal(vc)
	_ = os.WriteFile(file, b, 0o600)
	env, out, _ = testEnv(envVars)
	if code := run(context.Background(), env, []string{"verify", file}); code != 1 {
		t.Errorf("tampered: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "NOT VERIFIED") || !strings.Contains(out.String(), "[FAIL] proof") {
		t.Errorf("tampered report:\n%s", out.String())
	}
	env, _, _ = testEnv(envVars)
	if code := run(context.Background(), env, []string{"verify"}); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
}

func TestContextsImportAndList(t *testing.T) {
	dataDir := t.TempDir()
	vars := map[string]string{"ACCOLADE_DATA_DIR": dataDir, "ACCOLADE_OFFLINE": "true"}
	env, out, errb := testEnv(vars)
	if code := run(context.Background(), env, []string{"contexts", "list"}); code != 0 {
		t.Fatalf("list: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "none") || !strings.Contains(out.String(), "https://www.w3.org/ns/credentials/v2") {
		t.Errorf("list before import:\n%s", out.String())
	}
	env, out, errb = testEnv(vars)
	if code := run(context.Background(), env, []string{"contexts", "import", sharedtest.ContextsDir(t)}); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "imported https://www.w3.org/ns/credentials/v2") {
		t.Errorf("import output:\n%s", out.String())
	}
	env, out, _ = testEnv(vars)
	run(context.Background(), env, []string{"contexts", "list"})
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasSuffix(line, "https://www.w3.org/ns/credentials/v2") && !strings.Contains(line, "cache") {
			t.Errorf("after import the v2 context should come from the store cache: %q", line)
		}
	}
	// The server now issues with contexts from the store only (the schema
	// is imported too), with no offline directory.
	env, _, errb = testEnv(vars)
	if code := run(context.Background(), env, []string{"contexts", "import", sharedtest.Testdata(t, "ob3", "schema")}); code != 0 {
		t.Fatalf("import schemas: %s", errb.String())
	}
	vars["ACCOLADE_ADMIN_TOKEN"] = "ctx-test-admin-token-000"
	s := startServe(t, dataDir, vars)
	issueOverHTTP(t, s, "ctx-test-admin-token-000", "ldp_vc")
}

// accolade verify loads contexts and schemas from where the server does:
// from the running server while it holds the store, from the store's cache
// when it is stopped; with no network (offline) and no contexts directory
// of its own. It never creates a store.
func TestVerifyUsesTheServersContexts(t *testing.T) {
	dataDir := t.TempDir()
	addr := "127.0.0.1:" + fmt.Sprint(freePort(t))
	s := startServe(t, dataDir, map[string]string{"ACCOLADE_ADDR": addr, "ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true"})
	tok := readAdminToken(t, dataDir)
	file := filepath.Join(t.TempDir(), "badge.json")
	if err := os.WriteFile(file, issueOverHTTP(t, s, tok, "ldp_vc"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := map[string]string{"ACCOLADE_ADDR": addr, "ACCOLADE_DATA_DIR": dataDir, "ACCOLADE_OFFLINE": "true"}
	verify := func(t *testing.T, vars map[string]string, flags ...string) {
		t.Helper()
		env, out, errb := testEnv(vars)
		if code := run(context.Background(), env, append([]string{"verify", file}, flags...)); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errb)
		}
	}
	t.Run("ok/while the server runs", func(t *testing.T) { verify(t, cli) })

	s.stop(t)
	t.Run("ok/from the store's cache", func(t *testing.T) {
		for _, dir := range []string{sharedtest.ContextsDir(t), sharedtest.Testdata(t, "ob3", "schema")} {
			env, _, errb := testEnv(cli)
			if code := run(context.Background(), env, []string{"contexts", "import", dir}); code != 0 {
				t.Fatalf("import: %s", errb)
			}
		}
		// The status list is the stopped server's: leave that check out.
		verify(t, cli, "--checks", "format,proof,issuer,validity,schema")
	})
	t.Run("fail/no store, no directory, offline", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "none")
		env, out, _ := testEnv(map[string]string{"ACCOLADE_DATA_DIR": empty, "ACCOLADE_OFFLINE": "true"})
		if code := run(context.Background(), env, []string{"verify", file}); code != 1 || !strings.Contains(out.String(), "NOT VERIFIED") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		if _, err := os.Stat(empty); err == nil {
			t.Errorf("verify created %s", empty)
		}
	})
}
