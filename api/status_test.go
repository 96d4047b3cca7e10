package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
