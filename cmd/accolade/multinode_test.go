package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// childServeEnv makes the test binary run "accolade serve" instead of the
// tests: multi-node tests start real, separate server processes this way.
const childServeEnv = "ACCOLADE_TEST_CHILD_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(childServeEnv) == "1" {
		os.Exit(run(context.Background(), &environment{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}, []string{"serve"}))
	}
	os.Exit(m.Run())
}

// proc is one "accolade serve" child process.
type proc struct {
	base string
	cmd  *exec.Cmd
	logs *syncBuffer
}

func spawnServe(t *testing.T, vars map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childServeEnv+"=1")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{base: "http://" + vars["ACCOLADE_ADDR"], cmd: cmd, logs: logs}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	waitHTTP(t, p.base+"/healthz", 200, 30*time.Second, logs)
	return p
}

func waitHTTP(t *testing.T, url string, want int, timeout time.Duration, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %d within %s:\n%s", url, want, timeout, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func request(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	code, m, err := doRequest(method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return code, m
}

func doRequest(method, url, token, body string) (int, map[string]any, error) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, nil
}

// TestMultiNodeRedis runs two accolade processes on one Redis and checks they
// behave as one service: concurrent issuing through both hands out no status
// index twice, every credential is retrievable from both, and a revocation
// through one is seen by the other's verifier within the list ttl.
func TestMultiNodeRedis(t *testing.T) {
	prefix := redisPrefix(t)
	shared := t.TempDir()
	const token = "multinode-admin-token-000"
	portA, portB := freePort(t), freePort(t)
	common := map[string]string{
		"ACCOLADE_STORE": testRedisURL(), "ACCOLADE_REDIS_PREFIX": prefix, "ACCOLADE_ADMIN_TOKEN": token,
		"ACCOLADE_KEK_FILE": filepath.Join(shared, "kek"), "ACCOLADE_PUBLIC_URL": fmt.Sprintf("http://localhost:%d", portA),
		"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true", "ACCOLADE_STATUS_TTL": "1s",
		"ACCOLADE_LOG_LEVEL": "warn",
	}
	// The key-encryption key is shared by copying its file, never through Redis.
	if _, err := os.Stat(filepath.Join(shared, "kek")); err == nil {
		t.Fatal("unexpected kek")
	}
	nodeVars := func(port int) map[string]string {
		m := map[string]string{"ACCOLADE_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "ACCOLADE_DATA_DIR": filepath.Join(t.TempDir(), "data")}
		for k, v := range common {
			m[k] = v
		}
		return m
	}
	// Start both at once: bootstrapping races must yield one identity.
	var nodes [2]*proc
	var wg sync.WaitGroup
	for i, port := range []int{portA, portB} {
		wg.Add(1)
		go func() { defer wg.Done(); nodes[i] = spawnServe(t, nodeVars(port)) }()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	a, b := nodes[0], nodes[1]
	_, idA := request(t, "GET", a.base+"/api/v1/issuer", token, "")
	_, idB := request(t, "GET", b.base+"/api/v1/issuer", token, "")
	if idA["did"] == nil || idA["did"] != idB["did"] {
		t.Fatalf("nodes disagree on the issuer: %v vs %v", idA["did"], idB["did"])
	}
	code, ach := request(t, "POST", a.base+"/api/v1/achievements", token, `{"name":"Multi","description":"d","criteria":{"narrative":"n"}}`)
	if code != 201 {
		t.Fatalf("achievement: %d %v", code, ach)
	}
	const issuers, each = 8, 6
	type issued struct {
		id, node, slot string
		cred           any
	}
	var mu sync.Mutex
	var all []issued
	for w := range issuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[w%2]
			for i := range each {
				format := "jwt_vc"
				if i%3 == 0 {
					format = "ldp_vc"
				}
				code, rec := request(t, "POST", node.base+"/api/v1/credentials", token,
					`{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"w`+strconv.Itoa(w)+`@example.org"},"format":"`+format+`"}`)
				if code != 201 {
					t.Errorf("issue via %s: %d %v", node.base, code, rec)
					return
				}
				st := rec["status"].(map[string]any)
				mu.Lock()
				all = append(all, issued{id: rec["id"].(string), node: node.base, slot: fmt.Sprint(st["listId"], "#", st["index"]), cred: rec["credential"]})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(all) != issuers*each {
		t.Fatalf("%d credentials issued, want %d", len(all), issuers*each)
	}
	slots := map[string]string{}
	for _, c := range all {
		if prev, dup := slots[c.slot]; dup {
			t.Errorf("status index %s handed to %s and %s", c.slot, prev, c.id)
		}
		slots[c.slot] = c.id
		for _, n := range nodes {
			if code, _ := request(t, "GET", n.base+"/api/v1/credentials/"+c.id, token, ""); code != 200 {
				t.Errorf("credential %s (issued via %s) not retrievable via %s: %d", c.id, c.node, n.base, code)
			}
		}
	}
	_, pa := request(t, "GET", a.base+"/api/v1/credentials?limit=1", token, "")
	_, pb := request(t, "GET", b.base+"/api/v1/credentials?limit=1", token, "")
	if pa["total"] != float64(issuers*each) || pb["total"] != pa["total"] {
		t.Errorf("listing totals: %v and %v, want %d", pa["total"], pb["total"], issuers*each)
	}

	// Revoke through B what A issued; A's verifier sees it within the ttl.
	var target issued
	for _, c := range all {
		if c.node == a.base {
			target = c
			break
		}
	}
	body, _ := json.Marshal(map[string]any{"verifiableCredential": target.cred})
	if code, out := request(t, "POST", a.base+"/credentials/verify", "", string(body)); code != 200 {
		t.Fatalf("verify before revocation: %d %v", code, out)
	}
	if code, out := request(t, "POST", b.base+"/api/v1/credentials/"+target.id+"/revoke", token, `{"reason":"multi-node"}`); code != 200 {
		t.Fatalf("revoke via B: %d %v", code, out)
	}
	// A's verifier caches the list for its ttl (1s): ask until the revocation shows.
	var out map[string]any
	if !eventually(15*time.Second, func() bool {
		code, out = request(t, "POST", a.base+"/credentials/verify", "", string(body))
		errs, _ := json.Marshal(out["errors"])
		return code == 400 && strings.Contains(string(errs), "revoked")
	}) {
		t.Errorf("A's verifier 15s after B's revocation: %d %v", code, out)
	}
}

// redisServer is a private redis-server with AOF, for restart tests.
type redisServer struct {
	port int
	dir  string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T, port int, dir string) *redisServer {
	t.Helper()
	const how = "install Redis (apt-get install redis-server) to run it"
	server, cli := sharedtest.Program(t, "redis-server", how), sharedtest.Program(t, "redis-cli", how)
	cmd := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	r := &redisServer{port: port, dir: dir, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command(cli, "-p", strconv.Itoa(port), "ping").Output()
		if err == nil && strings.TrimSpace(string(out)) == "PONG" {
			return r
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("private redis on %d did not start: %s", port, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisServer) kill9() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	_ = r.cmd.Wait()
}

// TestRedisRestartLosesNothing issues through a node on a private Redis with
// appendfsync always, kills Redis with SIGKILL, checks the node fails fast
// with 503 and a red /readyz, restarts Redis and checks every acknowledged
// credential is still there and issuing resumes by itself.
func TestRedisRestartLosesNothing(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	rs := startRedis(t, port, dir)
	t.Cleanup(rs.kill9)
	const token = "restart-admin-token-0000"
	node := spawnServe(t, map[string]string{
		"ACCOLADE_ADDR": fmt.Sprintf("127.0.0.1:%d", freePort(t)), "ACCOLADE_DATA_DIR": filepath.Join(dir, "data"),
		"ACCOLADE_STORE": fmt.Sprintf("redis://127.0.0.1:%d/0", port), "ACCOLADE_ADMIN_TOKEN": token,
		"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true", "ACCOLADE_LOG_LEVEL": "warn",
	})
	_, ach := request(t, "POST", node.base+"/api/v1/achievements", token, `{"name":"R","description":"d","criteria":{"narrative":"n"}}`)
	var acked []string
	for i := range 20 {
		code, rec := request(t, "POST", node.base+"/api/v1/credentials", token,
			`{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"r`+strconv.Itoa(i)+`@example.org"},"format":"jwt_vc"}`)
		if code != 201 {
			t.Fatalf("issue: %d %v", code, rec)
		}
		acked = append(acked, rec["id"].(string))
	}
	rs.kill9()

	code, prob := request(t, "POST", node.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"x@example.org"}}`)
	if code != http.StatusServiceUnavailable || prob["type"] != "urn:accolade:problem:storage-unavailable" {
		t.Errorf("issue with Redis down: %d %v", code, prob)
	}
	if code, _ := request(t, "GET", node.base+"/readyz", "", ""); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: %d", code)
	}

	rs = startRedis(t, port, dir)
	t.Cleanup(rs.kill9)
	waitHTTP(t, node.base+"/readyz", 200, 20*time.Second, node.logs)
	for _, id := range acked {
		if code, _ := request(t, "GET", node.base+"/api/v1/credentials/"+id, token, ""); code != 200 {
			t.Errorf("acknowledged credential %s lost after Redis restart: %d", id, code)
		}
	}
	if code, rec := request(t, "POST", node.base+"/api/v1/credentials", token,
		`{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"after@example.org"}}`); code != 201 {
		t.Errorf("issuing did not resume: %d %v", code, rec)
	}
	// The AOF holds what was written.
	f, err := os.Open(filepath.Join(dir, "appendonlydir"))
	if err == nil {
		f.Close()
	} else if _, err := os.Stat(filepath.Join(dir, "appendonly.aof")); err != nil {
		t.Error("no AOF file written")
	}
	_ = bufio.NewReader
}

// TestMultiNodeRevocationSeenAtOnce runs two nodes on one Redis behind one
// public URL, with a long status list ttl: after a revocation through one
// node, the other node's verifier says revoked at once, since it reads the
// lists it serves itself from the store instead of keeping a cached copy
// for the ttl.
func TestMultiNodeRevocationSeenAtOnce(t *testing.T) {
	prefix := redisPrefix(t)
	shared := t.TempDir()
	const token = "multinode-revoke-token-00"
	portA, portB := freePort(t), freePort(t)
	vars := func(port int) map[string]string {
		return map[string]string{
			"ACCOLADE_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "ACCOLADE_DATA_DIR": filepath.Join(t.TempDir(), "data"),
			"ACCOLADE_STORE": testRedisURL(), "ACCOLADE_REDIS_PREFIX": prefix, "ACCOLADE_ADMIN_TOKEN": token,
			"ACCOLADE_KEK_FILE": filepath.Join(shared, "kek"), "ACCOLADE_PUBLIC_URL": fmt.Sprintf("http://localhost:%d", portA),
			"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true", "ACCOLADE_STATUS_TTL": "10m",
			"ACCOLADE_LOG_LEVEL": "warn",
		}
	}
	a := spawnServe(t, vars(portA))
	b := spawnServe(t, vars(portB))
	code, ach := request(t, "POST", a.base+"/api/v1/achievements", token, `{"name":"Revoke","description":"d","criteria":{"narrative":"n"}}`)
	if code != 201 {
		t.Fatalf("achievement: %d %v", code, ach)
	}
	for _, format := range []string{"jwt_vc", "ldp_vc"} {
		code, rec := request(t, "POST", a.base+"/api/v1/credentials", token,
			`{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"r@example.org"},"format":"`+format+`"}`)
		if code != 201 {
			t.Fatalf("issue: %d %v", code, rec)
		}
		body, _ := json.Marshal(map[string]any{"verifiableCredential": rec["credential"]})
		for _, n := range []*proc{a, b} {
			if code, out := request(t, "POST", n.base+"/credentials/verify", "", string(body)); code != 200 {
				t.Fatalf("%s: verify at %s before revocation: %d %v", format, n.base, code, out)
			}
		}
		if code, out := request(t, "POST", a.base+"/api/v1/credentials/"+rec["id"].(string)+"/revoke", token, `{"reason":"test"}`); code != 200 {
			t.Fatalf("revoke via A: %d %v", code, out)
		}
		for _, n := range []*proc{b, a} {
			code, out := request(t, "POST", n.base+"/credentials/verify", "", string(body))
			if errs, _ := json.Marshal(out["errors"]); code != 400 || !strings.Contains(string(errs), "revoked") {
				t.Errorf("%s: verify at %s right after A revoked: %d %v", format, n.base, code, out)
			}
		}
	}
}
