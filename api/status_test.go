package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/status"
)

type issuedWithStatus struct {
	ID     string `json:"id"`
	Status struct {
		ListID  string `json:"listId"`
		Index   int    `json:"index"`
		Purpose string `json:"purpose"`
		State   string `json:"state"`
	} `json:"status"`
	Credential json.RawMessage `json:"credential"`
}

func TestStatusEndpoints(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	var rec issuedWithStatus
	mustJSON(t, f.do("POST", "/api/v1/credentials", testToken, `{"achievementId":"`+a.ID+`","recipient":{"email":"a@example.org"}}`), 201, &rec)
	var susp issuedWithStatus
	mustJSON(t, f.do("POST", "/api/v1/credentials", testToken, `{"achievementId":"`+a.ID+`","recipient":{"email":"b@example.org"},"statusPurpose":"suspension"}`), 201, &susp)
	if rec.Status.Purpose != "revocation" || susp.Status.Purpose != "suspension" || rec.Status.ListID == susp.Status.ListID {
		t.Fatalf("status: %+v %+v", rec.Status, susp.Status)
	}

	list := func(listID, accept string, hdr ...string) *httpResult {
		t.Helper()
		w := f.do("GET", "/status/"+listID, "", "", append([]string{"Accept", accept}, hdr...)...)
		return &httpResult{w.Code, w.Header(), w.Body.Bytes()}
	}
	first := list(rec.Status.ListID, "application/vc")
	if first.code != 200 || first.hdr.Get("ETag") == "" || !strings.Contains(first.hdr.Get("Cache-Control"), "max-age=300") {
		t.Fatalf("GET /status: %d %v", first.code, first.hdr)
	}
	if r := list(rec.Status.ListID, "application/vc", "If-None-Match", first.hdr.Get("ETag")); r.code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.code)
	}
	if bit(t, first.body, rec.Status.Index) {
		t.Error("bit set before revocation")
	}

	var out issuedWithStatus
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+rec.ID+"/revoke", testToken, `{"reason":"plagiarism"}`), 200, &out)
	if out.Status.State != "revoked" {
		t.Errorf("after revoke: %+v", out.Status)
	}
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+rec.ID+"/revoke", testToken, ``), 200, &out) // idempotent
	after := list(rec.Status.ListID, "application/vc")
	if after.hdr.Get("ETag") == first.hdr.Get("ETag") || !bit(t, after.body, rec.Status.Index) {
		t.Error("the list did not change after revocation")
	}
	w := f.do("POST", "/api/v1/credentials/"+rec.ID+"/unsuspend", testToken, `{}`)
	if w.Code != http.StatusConflict || !strings.Contains(decodeProblem(t, w).Detail, "revoked") {
		t.Errorf("unsuspend revoked: %d %s", w.Code, w.Body)
	}
	w = f.do("POST", "/api/v1/credentials/"+rec.ID+"/suspend", testToken, `{}`)
	if w.Code != http.StatusConflict {
		t.Errorf("suspend a revocation-list credential: %d", w.Code)
	}
	var audit struct {
		Items []map[string]any `json:"items"`
	}
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+rec.ID+"/audit", testToken, ""), 200, &audit)
	if len(audit.Items) != 1 || audit.Items[0]["reason"] != "plagiarism" {
		t.Errorf("audit: %+v", audit)
	}

	mustJSON(t, f.do("POST", "/api/v1/credentials/"+susp.ID+"/suspend", testToken, `{"reason":"review"}`), 200, &out)
	if out.Status.State != "suspended" || !bit(t, list(susp.Status.ListID, "").body, susp.Status.Index) {
		t.Errorf("suspend: %+v", out.Status)
	}
	// VC-API status update lifts it.
	if w := f.do("POST", "/credentials/status", testToken, `{"credentialId":"`+susp.ID+`","credentialStatus":[{"type":"BitstringStatusListCredential","status":"unsuspended"}]}`); w.Code != 200 {
		t.Fatalf("VC-API status: %d %s", w.Code, w.Body)
	}
	if bit(t, list(susp.Status.ListID, "").body, susp.Status.Index) {
		t.Error("VC-API unsuspend did not clear the bit")
	}
	if w := f.do("POST", "/credentials/status", "", `{}`); w.Code != 401 {
		t.Errorf("VC-API status without token: %d", w.Code)
	}

	jwt := list(rec.Status.ListID, "application/vc+jwt")
	if jwt.code != 200 || jwt.hdr.Get("Content-Type") != "application/vc+jwt" || strings.Count(string(jwt.body), ".") != 2 {
		t.Errorf("JWT list: %d %s", jwt.code, jwt.hdr.Get("Content-Type"))
	}
	if r := list("999", ""); r.code != 404 {
		t.Errorf("unknown list: %d", r.code)
	}
	var lists struct {
		Items []map[string]any `json:"items"`
	}
	mustJSON(t, f.do("GET", "/api/v1/status-lists", testToken, ""), 200, &lists)
	if len(lists.Items) != 2 {
		t.Errorf("status lists: %+v", lists)
	}
}

func TestBulkRevokeEndpoint(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	for range 3 {
		issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"email":"a@example.org"},"format":"jwt_vc"}`)
	}
	var res map[string]any
	mustJSON(t, f.do("POST", "/api/v1/credentials/revoke", testToken, `{"achievementId":"`+a.ID+`","reason":"cancelled"}`), 200, &res)
	if res["matched"] != 3.0 || res["changed"] != 3.0 {
		t.Errorf("bulk revoke: %v", res)
	}
	if w := f.do("POST", "/api/v1/credentials/revoke", testToken, `{"reason":"x"}`); w.Code != 400 {
		t.Errorf("bulk revoke without filter: %d", w.Code)
	}
}

type httpResult struct {
	code int
	hdr  http.Header
	body []byte
}

// bit reads one entry of a served list credential.
func bit(t *testing.T, body []byte, index int) bool {
	t.Helper()
	var vc map[string]any
	if err := json.Unmarshal(body, &vc); err != nil {
		t.Fatalf("list credential %s: %v", body, err)
	}
	bits, err := status.Decode(vc["credentialSubject"].(map[string]any)["encodedList"].(string))
	if err != nil {
		t.Fatal(err)
	}
	v, err := status.Get(bits, index, 1)
	if err != nil {
		t.Fatal(err)
	}
	return v == 1
}

// issueForStatus issues one DI credential and returns its status list id.
func issueForStatus(t *testing.T, f *fixture) string {
	t.Helper()
	a := createAchievement(t, f)
	var rec issuedWithStatus
	mustJSON(t, f.do("POST", "/api/v1/credentials", testToken, `{"achievementId":"`+a.ID+`","recipient":{"email":"a@example.org"}}`), 201, &rec)
	return rec.Status.ListID
}

// TestStatusListAccept: the Accept header picks the representation, and
// the Content-Type names what was asked for, so JSON-LD clients that parse
// only json media types read the list.
func TestStatusListAccept(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	listID := issueForStatus(t, f)
	tests := []struct {
		name, accept, wantType string
		jwt                    bool
	}{
		{"ok/no Accept", "", "application/vc", false},
		{"ok/application/vc", "application/vc", "application/vc", false},
		{"ok/application/ld+json", "application/ld+json", "application/ld+json", false},
		{"ok/application/json", "application/json", "application/json", false},
		{"ok/Digital Bazaar http-client default", "application/ld+json, application/json", "application/ld+json", false},
		{"ok/json preferred by q", "application/ld+json;q=0.5, application/json", "application/json", false},
		{"ok/wildcard", "*/*", "application/vc", false},
		{"ok/unmatched falls back", "text/html", "application/vc", false},
		{"ok/browser-like", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/vc", false},
		{"ok/application/vc+jwt", "application/vc+jwt", "application/vc+jwt", true},
		{"ok/application/jwt", "application/jwt", "application/jwt", true},
		{"ok/jwt preferred over json", "application/json;q=0.1, application/vc+jwt", "application/vc+jwt", true},
		{"ok/q=0 refuses a type", "application/vc+jwt;q=0, application/json", "application/json", false},
	}
	var etag string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", "/status/"+listID, "", "", "Accept", tt.accept)
			if w.Code != 200 || w.Header().Get("Content-Type") != tt.wantType {
				t.Fatalf("Accept %q: %d Content-Type %q, want %q", tt.accept, w.Code, w.Header().Get("Content-Type"), tt.wantType)
			}
			if w.Header().Get("Vary") != "Accept" || w.Header().Get("ETag") == "" || !strings.Contains(w.Header().Get("Cache-Control"), "max-age=") {
				t.Errorf("headers %v", w.Header())
			}
			body := w.Body.String()
			if tt.jwt {
				if strings.Count(body, ".") != 2 || strings.HasPrefix(body, "{") {
					t.Errorf("want a compact JWS, got %.60s", body)
				}
				return
			}
			var vc map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &vc); err != nil || vc["proof"] == nil {
				t.Fatalf("want the signed list JSON: %v %.80s", err, body)
			}
			// Every JSON media type serves the same bytes.
			if etag == "" {
				etag = w.Header().Get("ETag")
			} else if w.Header().Get("ETag") != etag {
				t.Errorf("ETag %s differs from %s for the same JSON", w.Header().Get("ETag"), etag)
			}
		})
	}
}

// TestStatusListHead: HEAD answers GET's headers without a body, and 304 on
// a matching If-None-Match.
func TestStatusListHead(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	listID := issueForStatus(t, f)
	get := f.do("GET", "/status/"+listID, "", "", "Accept", "application/ld+json")
	for _, tt := range []struct{ name, accept, wantType string }{
		{"ok/ld+json", "application/ld+json", "application/ld+json"},
		{"ok/default", "", "application/vc"},
		{"ok/jwt", "application/vc+jwt", "application/vc+jwt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("HEAD", "/status/"+listID, "", "", "Accept", tt.accept)
			if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != tt.wantType {
				t.Fatalf("HEAD: %d %q, %d body bytes", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
			}
			if w.Header().Get("ETag") == "" || w.Header().Get("Cache-Control") == "" || w.Header().Get("Content-Length") == "" {
				t.Errorf("HEAD headers %v", w.Header())
			}
		})
	}
	w := f.do("HEAD", "/status/"+listID, "", "", "Accept", "application/ld+json")
	if w.Header().Get("ETag") != get.Header().Get("ETag") || w.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) {
		t.Errorf("HEAD ETag %s length %s, GET ETag %s length %d", w.Header().Get("ETag"), w.Header().Get("Content-Length"), get.Header().Get("ETag"), get.Body.Len())
	}
	for _, inm := range []string{get.Header().Get("ETag"), `"other", ` + get.Header().Get("ETag"), "W/" + get.Header().Get("ETag"), "*"} {
		for _, m := range []string{"GET", "HEAD"} {
			if w := f.do(m, "/status/"+listID, "", "", "Accept", "application/ld+json", "If-None-Match", inm); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
				t.Errorf("%s If-None-Match %s: %d", m, inm, w.Code)
			}
		}
	}
	if w := f.do("GET", "/status/"+listID, "", "", "If-None-Match", `"stale"`); w.Code != 200 {
		t.Errorf("stale If-None-Match: %d", w.Code)
	}
	if w := f.do("HEAD", "/status/999", "", ""); w.Code != 404 {
		t.Errorf("HEAD unknown list: %d", w.Code)
	}
}

// TestStatusListDigitalBazaarHTTPClient fetches a status list over a real
// socket with Digital Bazaar's @digitalbazaar/http-client (what its
// document loaders and vc-bitstring-status-list checkers use), with that
// client's default Accept header. The client parses a body only when the
// Content-Type names json; an application/vc answer left the list unread.
func TestStatusListDigitalBazaarHTTPClient(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed; the interop tests need Node 20 or newer")
	}
	root := moduleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "interop", "js", "node_modules", "@digitalbazaar", "http-client")); err != nil {
		t.Fatal("interop/js/node_modules is missing: run 'make interop-deps' (npm ci in interop/js); make test does it")
	}
	f := newFixture(t, "http://localhost:8080", nil)
	listID := issueForStatus(t, f)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	for _, accept := range []string{"", "application/json", "application/vc"} {
		t.Run("accept="+accept, func(t *testing.T) {
			args := []string{filepath.Join(root, "interop", "js", "http-fetch.mjs"), ts.URL + "/status/" + listID}
			if accept != "" {
				args = append(args, accept)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, "node", args...).Output()
			if err != nil {
				t.Fatalf("http-fetch.mjs: %v %s", err, out)
			}
			var res struct {
				Status      int            `json:"status"`
				ContentType string         `json:"contentType"`
				Parsed      bool           `json:"parsed"`
				Data        map[string]any `json:"data"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("output %s: %v", out, err)
			}
			wantParsed := accept != "application/vc" // the client parses only json media types
			if res.Status != 200 || res.Parsed != wantParsed {
				t.Fatalf("Accept %q: status %d, Content-Type %q, parsed %v (want %v)", accept, res.Status, res.ContentType, res.Parsed, wantParsed)
			}
			if !wantParsed {
				return
			}
			subj, _ := res.Data["credentialSubject"].(map[string]any)
			if !hasTypeValue(res.Data["type"], "BitstringStatusListCredential") || subj["encodedList"] == nil || res.Data["proof"] == nil {
				t.Errorf("parsed body is not the signed list: %.200s", out)
			}
		})
	}
}

func hasTypeValue(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return x == want
	case []any:
		for _, e := range x {
			if e == want {
				return true
			}
		}
	}
	return false
}

// moduleRoot finds the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
}
