package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func testEnv(vars map[string]string) (*environment, *syncBuffer, *syncBuffer) {
	out, errb := &syncBuffer{}, &syncBuffer{}
	return &environment{stdout: out, stderr: errb, stdin: strings.NewReader(""), getenv: func(k string) string { return vars[k] }}, out, errb
}

// server is one running "accolade serve" in-process.
type server struct {
	base   string
	cancel context.CancelFunc
	done   chan int
	logs   *syncBuffer
	// skew moves the server's clock (environment.now) forward.
	skew *atomic.Int64
	// mailDir is the mail drop (ACCOLADE_MAIL_DIR).
	mailDir string
}

// confirmLink returns the wallet sign-up confirmation link mailed to email
// (the latest such mail in the mail drop).
func (s *server) confirmLink(t *testing.T, email string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.mailDir, "*.eml"))
	sort.Strings(files)
	for i := len(files) - 1; i >= 0; i-- {
		b, _ := os.ReadFile(files[i])
		if !bytes.Contains(b, []byte("To: "+email+"\r\n")) {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if strings.Contains(f, "/wallet/v1/signup/verify?token=") {
				return f
			}
		}
	}
	t.Fatalf("no confirmation link mailed to %s in %s", email, s.mailDir)
	return ""
}

func startServe(t *testing.T, dataDir string, extra map[string]string) *server {
	t.Helper()
	port := freePort(t)
	vars := map[string]string{
		"ACCOLADE_ADDR":       fmt.Sprintf("127.0.0.1:%d", port),
		"ACCOLADE_DATA_DIR":   dataDir,
		"ACCOLADE_LOG_FORMAT": "json",
		"ACCOLADE_MAIL_DIR":   filepath.Join(dataDir, "mail"),
		// Tests send nothing beyond loopback: no fetch of documents that
		// are not bundled, no achievement images.
		"ACCOLADE_OFFLINE": "true",
	}
	for k, v := range extra {
		vars[k] = v
	}
	env, _, logs := testEnv(vars)
	skew := new(atomic.Int64)
	env.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{base: "http://" + vars["ACCOLADE_ADDR"], cancel: cancel, done: make(chan int, 1), logs: logs, skew: skew, mailDir: vars["ACCOLADE_MAIL_DIR"]}
	go func() { s.done <- run(ctx, env, []string{"serve"}) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited with %d:\n%s", code, s.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("serve did not stop within 20s")
	}
}

func getJSON(t *testing.T, url, token string, v any) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: decode %q: %v", url, body, err)
		}
	}
	return resp.StatusCode, resp.Header
}

func TestServeFirstStartAndRestartKeepIdentity(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, dataDir, nil)

	for _, name := range []string{"kek", "admin-token", "accolade.db"} {
		st, err := os.Stat(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatalf("first start did not create %s: %v", name, err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, perm)
		}
	}
	tokenBytes, _ := os.ReadFile(filepath.Join(dataDir, "admin-token"))
	token := strings.TrimSpace(string(tokenBytes))
	if strings.Contains(s.logs.String(), token) {
		t.Error("the admin token appears in the log")
	}
	if !strings.Contains(s.logs.String(), filepath.Join(dataDir, "admin-token")) {
		t.Error("the log does not name the admin token file")
	}

	var first map[string]any
	if code, _ := getJSON(t, s.base+"/api/v1/issuer", token, &first); code != http.StatusOK {
		t.Fatalf("GET /api/v1/issuer = %d", code)
	}
	if code, _ := getJSON(t, s.base+"/api/v1/issuer", "wrong-token-wrong-token", nil); code != http.StatusUnauthorized {
		t.Errorf("wrong admin token: %d, want 401", code)
	}
	var doc map[string]any
	code, hdr := getJSON(t, s.base+"/.well-known/did.json", "", &doc)
	if code != http.StatusOK || hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("did.json: %d %v", code, hdr)
	}
	webDID := first["didWeb"].(string)
	if doc["id"] != webDID {
		t.Errorf("did.json id %v, want %v", doc["id"], webDID)
	}

	// The server resolves its own did:web over loopback.
	var res struct {
		DIDDocument map[string]any `json:"didDocument"`
	}
	if code, _ := getJSON(t, s.base+"/1.0/identifiers/"+webDID, "", &res); code != http.StatusOK {
		t.Fatalf("resolve own did:web: %d", code)
	}
	if diff := cmp.Diff(doc, res.DIDDocument); diff != "" {
		t.Errorf("resolved did:web differs from did.json (-served +resolved):\n%s", diff)
	}
	var ready map[string]any
	if code, _ := getJSON(t, s.base+"/readyz", "", &ready); code != http.StatusOK {
		t.Errorf("readyz = %d", code)
	}
	s.stop(t)

	s2 := startServe(t, dataDir, map[string]string{"ACCOLADE_ADDR": strings.TrimPrefix(s.base, "http://")})
	var second map[string]any
	if code, _ := getJSON(t, s2.base+"/api/v1/issuer", token, &second); code != http.StatusOK {
		t.Fatalf("after restart GET /api/v1/issuer = %d", code)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("identity changed across restart (-first +second):\n%s", diff)
	}
	if strings.Contains(s2.logs.String(), "issuer identity created") {
		t.Error("second start created a new identity")
	}
}

func TestServeBadConfigListsEveryProblem(t *testing.T) {
	env, _, errb := testEnv(map[string]string{"ACCOLADE_ADDR": "nope", "ACCOLADE_KEY_ALG": "RS1", "ACCOLADE_STORE": "ftp://x"})
	if code := run(context.Background(), env, []string{"serve"}); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	for _, want := range []string{"ACCOLADE_ADDR", "ACCOLADE_KEY_ALG", "ACCOLADE_STORE"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr misses %s:\n%s", want, errb.String())
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"did", "--help"}, {"did", "resolve", "--help"},
		{"keys", "--help"}, {"keys", "list", "--help"}, {"keys", "rotate", "--help"}, {"version", "--help"},
		{"verify", "--help"}, {"contexts", "--help"}, {"contexts", "import", "--help"}, {"contexts", "list", "--help"},
		{"bench", "--help"}, {"bench", "issue", "--help"},
		{"issue", "--help"}, {"issue", "bulk", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			env, out, _ := testEnv(nil)
			if code := run(context.Background(), env, args); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if !strings.Contains(out.String(), "Usage") {
				t.Errorf("no usage text:\n%s", out.String())
			}
		})
	}
	env, out, _ := testEnv(nil)
	run(context.Background(), env, []string{"serve", "--help"})
	for _, want := range []string{"ACCOLADE_ADDR", "ACCOLADE_PUBLIC_URL", "ACCOLADE_DATA_DIR", "ACCOLADE_STORE", "ACCOLADE_ADMIN_TOKEN", "ACCOLADE_CONTEXTS_DIR", "127.0.0.1:8080"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help misses %s", want)
		}
	}
}

func TestKeysRotateKeepsOldKeysInDIDDocument(t *testing.T) {
	dataDir := t.TempDir()
	vars := map[string]string{"ACCOLADE_DATA_DIR": dataDir}
	env, _, errb := testEnv(vars)
	if code := run(context.Background(), env, []string{"keys", "rotate", "--alg", "ES256"}); code != 0 {
		t.Fatalf("keys rotate: %d %s", code, errb.String())
	}
	env, out, errb := testEnv(vars)
	if code := run(context.Background(), env, []string{"keys", "list"}); code != 0 {
		t.Fatalf("keys list: %d %s", code, errb.String())
	}
	for _, want := range []string{"key-1", "EdDSA", "retired", "key-2", "ES256", "active"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("keys list misses %q:\n%s", want, out.String())
		}
	}
	s := startServe(t, dataDir, nil)
	var doc struct {
		VerificationMethod []struct{ ID string } `json:"verificationMethod"`
		AssertionMethod    []string              `json:"assertionMethod"`
	}
	getJSON(t, s.base+"/.well-known/did.json", "", &doc)
	if len(doc.VerificationMethod) != 2 || len(doc.AssertionMethod) != 2 {
		t.Errorf("did:web document should list both keys for assertions: %+v", doc)
	}
}

func TestDIDResolveCommand(t *testing.T) {
	env, out, errb := testEnv(nil)
	const d = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	if code := run(context.Background(), env, []string{"did", "resolve", d}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil || doc["id"] != d {
		t.Fatalf("output is not the DID document: %v %s", err, out.String())
	}
	env, out, errb = testEnv(nil)
	if code := run(context.Background(), env, []string{"did", "resolve", d, "--result"}); code != 0 || !strings.Contains(out.String(), "didResolutionMetadata") {
		t.Errorf("flag after the DID was not honoured: exit %d, %s %s", code, out.String(), errb.String())
	}
	env, _, errb = testEnv(nil)
	if code := run(context.Background(), env, []string{"did", "resolve", "did:example:123"}); code != 1 {
		t.Errorf("unknown method: exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "methodNotSupported") {
		t.Errorf("stderr: %s", errb.String())
	}
}

// TestServeMetricsListener checks the wiring of ACCOLADE_METRICS_ADDR and
// ACCOLADE_METRICS_TOKEN: /metrics leaves the public listener and is served
// on its own address, behind the token.
func TestServeMetricsListener(t *testing.T) {
	const tok = "metrics-token-0123456789"
	maddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_METRICS_ADDR": maddr, "ACCOLADE_METRICS_TOKEN": tok,
		"ACCOLADE_ADMIN_TOKEN": "metrics-test-admin-token"})
	get := func(u, auth string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(s.base+"/metrics", tok); code != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d", code)
	}
	if code := get("http://"+maddr+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("metrics listener without token: %d", code)
	}
	if code := get("http://"+maddr+"/metrics", tok); code != http.StatusOK {
		t.Errorf("metrics listener with token: %d", code)
	}
}
