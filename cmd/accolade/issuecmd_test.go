package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/google/go-cmp/cmp"
)

// accolade issue bulk issues a CSV larger than one batch on a running
// server, and writes one result row per input row.
func TestIssueBulkAgainstServer(t *testing.T) {
	dataDir := t.TempDir()
	s := startServe(t, dataDir, map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true"})
	tok, err := os.ReadFile(filepath.Join(dataDir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	var ach struct {
		ID string `json:"id"`
	}
	if code := httpJSON(t, "POST", s.base+"/api/v1/achievements", token, `{"name":"GopherCon 2025","description":"Attended GopherCon 2025.",
		"criteria":{"narrative":"Attend the conference."},"achievementType":"Badge"}`, &ach); code != http.StatusCreated {
		t.Fatalf("create achievement: HTTP %d", code)
	}

	const rows = 1200
	bad := map[int]string{7: "no-at-sign.example.org", 1033: "two@@example.org"}
	var in strings.Builder
	in.WriteString("Email,Name\n")
	for i := range rows {
		email := fmt.Sprintf("attendee-%d@example.org", i)
		if b, ok := bad[i]; ok {
			email = b
		}
		fmt.Fprintf(&in, "%s,\"Attendee %d, GopherCon\"\n", email, i)
	}
	csvPath := filepath.Join(t.TempDir(), "attendees.csv")
	if err := os.WriteFile(csvPath, []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(t.TempDir(), "results.csv")
	env, _, errb := testEnv(map[string]string{"ACCOLADE_DATA_DIR": dataDir})
	code := run(context.Background(), env, []string{"issue", "bulk", "--server", s.base, "--csv", csvPath,
		"--achievement", ach.ID, "--chunk", "500", "--out", outPath})
	if code != 1 {
		t.Errorf("exit %d, want 1 (two rows failed)\nstderr: %s", code, errb)
	}

	// The attendee's Name column is not read (it must not name the badge),
	// only copied to the results; the command says so first.
	if !strings.Contains(errb.String(), "ignoring columns Name (the columns read are") {
		t.Errorf("no warning about the ignored Name column:\n%s", errb)
	}
	// Progress after each of the three chunks, then the failure summary.
	progress := regexp.MustCompile(`(?m)^(\d+)/1200 rows, (\d+) issued, (\d+) failed, [\d,]+/s$`)
	var got []string
	for _, m := range progress.FindAllStringSubmatch(errb.String(), -1) {
		got = append(got, m[1]+" "+m[2]+" "+m[3])
	}
	if want := []string{"500 499 1", "1000 999 1", "1200 1198 2"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("progress %q, want %q\nstderr: %s", got, want, errb)
	}
	if !strings.Contains(errb.String(), "2 of 1200 rows failed; see the error column of "+outPath) {
		t.Errorf("no failure summary:\n%s", errb)
	}

	f, err := os.Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != rows+1 || strings.Join(out[0], ",") != "Email,Name,credentialId,error" {
		t.Fatalf("%d result lines, header %q; want %d and Email,Name,credentialId,error", len(out), out[0], rows+1)
	}
	ids := map[string]bool{}
	for i, rec := range out[1:] {
		wantEmail := fmt.Sprintf("attendee-%d@example.org", i)
		if b, ok := bad[i]; ok {
			wantEmail = b
		}
		if rec[0] != wantEmail || rec[1] != fmt.Sprintf("Attendee %d, GopherCon", i) {
			t.Fatalf("result row %d is for %q %q: order or columns lost", i, rec[0], rec[1])
		}
		if _, isBad := bad[i]; isBad {
			if rec[2] != "" || rec[3] != "recipient.email: is not an email address" {
				t.Errorf("bad row %d: id %q, error %q", i, rec[2], rec[3])
			}
			continue
		}
		if !strings.HasPrefix(rec[2], "urn:uuid:") || rec[3] != "" || ids[rec[2]] {
			t.Fatalf("row %d: id %q, error %q (duplicate id: %v)", i, rec[2], rec[3], ids[rec[2]])
		}
		ids[rec[2]] = true
	}
	if len(ids) != rows-len(bad) {
		t.Errorf("%d credential ids, want %d", len(ids), rows-len(bad))
	}

	// The server holds them all, and they verify.
	var page struct {
		Total int `json:"total"`
	}
	if code, _ := getJSON(t, s.base+"/api/v1/credentials?limit=1&achievementId="+ach.ID, token, &page); code != 200 || page.Total != rows-len(bad) {
		t.Errorf("server lists %d credentials (HTTP %d), want %d", page.Total, code, rows-len(bad))
	}
	for _, row := range []int{0, 499, 500, 1199} {
		var rec issuedRecord
		if code, _ := getJSON(t, s.base+"/api/v1/credentials/"+out[row+1][2], token, &rec); code != 200 {
			t.Fatalf("row %d: GET credential: HTTP %d", row, code)
		}
		if res := verifyOverHTTP(t, s, rec.Credential); res["verified"] != true {
			t.Errorf("row %d: credential does not verify: %v", row, res)
		}
	}

	// Run again with the same file: nothing new is issued, and every row
	// reports the credential issued the first time.
	againPath := filepath.Join(t.TempDir(), "again.csv")
	env, _, errb = testEnv(map[string]string{"ACCOLADE_DATA_DIR": dataDir})
	code = run(context.Background(), env, []string{"issue", "bulk", "--server", s.base, "--csv", csvPath,
		"--achievement", ach.ID, "--chunk", "500", "--out", againPath})
	if code != 1 || !strings.Contains(errb.String(), "1200/1200 rows, 1198 issued (1198 of them before), 2 failed") {
		t.Errorf("second run: exit %d\nstderr: %s", code, errb)
	}
	af, err := os.Open(againPath)
	if err != nil {
		t.Fatal(err)
	}
	defer af.Close()
	again, err := csv.NewReader(af).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if strings.Join(again[i], ",") != strings.Join(out[i], ",") {
			t.Fatalf("second run, line %d: %q, first run %q", i+1, again[i], out[i])
		}
	}
	if code, _ := getJSON(t, s.base+"/api/v1/credentials?limit=1&achievementId="+ach.ID, token, &page); code != 200 || page.Total != rows-len(bad) {
		t.Errorf("after the second run the server lists %d credentials, want %d", page.Total, rows-len(bad))
	}
}

// When the server stops a batch part way (storage unavailable), the results
// keep what was issued, and the rows after it say they were not sent.
func TestIssueBulkStopsOnOutage(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recs, err := csv.NewReader(r.Body).ReadAll()
		if err != nil || r.Header.Get("Authorization") != "Bearer "+strings.Repeat("x", 20) || r.URL.Query().Get("achievementId") != "ach" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		calls++
		res := issuer.BatchResult{}
		for i := range recs[1:] {
			it := issuer.BatchItem{Row: i, Line: i + 2, ID: fmt.Sprintf("urn:uuid:%d-%d", calls, i)}
			if calls == 2 && i >= 2 {
				it = issuer.BatchItem{Row: i, Line: i + 2, Error: &issuer.RowError{Code: issuer.RowNotAttempted, Reason: "not issued"}}
				res.NotAttempted++
			} else {
				res.Issued++
			}
			res.Items = append(res.Items, it)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		if calls == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:accolade:problem:storage-unavailable", "status": 503,
				"detail": "storage is unavailable; retry later", "batch": res})
			return
		}
		_ = json.NewEncoder(w).Encode(res)
	}))
	defer srv.Close()
	var in strings.Builder
	in.WriteString("email\n")
	for i := range 10 {
		fmt.Fprintf(&in, "p%d@example.org\n", i)
	}
	csvPath := filepath.Join(t.TempDir(), "in.csv")
	_ = os.WriteFile(csvPath, []byte(in.String()), 0o600)
	env, out, errb := testEnv(map[string]string{"ACCOLADE_ADMIN_TOKEN": strings.Repeat("x", 20)})
	if code := run(context.Background(), env, []string{"issue", "bulk", "--server", srv.URL, "--csv", csvPath, "--achievement", "ach", "--chunk", "4"}); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if calls != 2 {
		t.Errorf("%d requests, want 2 (none after the outage)", calls)
	}
	want := `email,credentialId,error
p0@example.org,urn:uuid:1-0,
p1@example.org,urn:uuid:1-1,
p2@example.org,urn:uuid:1-2,
p3@example.org,urn:uuid:1-3,
p4@example.org,urn:uuid:2-0,
p5@example.org,urn:uuid:2-1,
p6@example.org,,not issued: the server stopped the batch before this row
p7@example.org,,not issued: the server stopped the batch before this row
p8@example.org,,not sent: the run stopped before this row
p9@example.org,,not sent: the run stopped before this row
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !strings.Contains(errb.String(), "stopped: storage is unavailable; retry later (HTTP 503)") || !strings.Contains(errb.String(), "6 of 10 rows issued") {
		t.Errorf("stderr:\n%s", errb)
	}
}

func TestIssueBulkRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	malformed := filepath.Join(dir, "malformed.csv")
	empty := filepath.Join(dir, "empty.csv")
	_ = os.WriteFile(good, []byte("email\nada@example.org\n"), 0o600)
	_ = os.WriteFile(malformed, []byte("email,name\nada@example.org,\"Ada\"x\n"), 0o600)
	_ = os.WriteFile(empty, nil, 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"fail/no csv", []string{"--achievement", "a"}, "--csv FILE is required"},
		{"fail/no achievement", []string{"--csv", good}, "--achievement ID is required"},
		{"fail/bad format", []string{"--csv", good, "--achievement", "a", "--format", "pdf"}, "--format must be ldp_vc or jwt_vc"},
		{"fail/chunk too large", []string{"--csv", good, "--achievement", "a", "--chunk", "1001"}, "--chunk must be from 1 to 1000"},
		{"fail/missing file", []string{"--csv", filepath.Join(dir, "nope.csv"), "--achievement", "a"}, "no such file"},
		{"fail/malformed csv", []string{"--csv", malformed, "--achievement", "a"}, "line 2"},
		{"fail/empty csv", []string{"--csv", empty, "--achievement", "a"}, "is empty"},
		{"fail/server down", []string{"--csv", good, "--achievement", "a", "--server", "http://127.0.0.1:1"}, "stopped: batch request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, out, errb := testEnv(map[string]string{"ACCOLADE_ADMIN_TOKEN": strings.Repeat("x", 20)})
			if code := run(context.Background(), env, append([]string{"issue", "bulk"}, tt.args...)); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", errb, tt.want)
			}
			if tt.name == "fail/server down" && !strings.Contains(out.String(), "ada@example.org,,outcome unknown") {
				t.Errorf("results do not report the row:\n%s", out)
			}
		})
	}
}

// issue bulk and bench issue take the format words the server takes:
// ldp_vc, jwt_vc_json and its alias jwt_vc, and send them as given.
func TestIssueBulkFormatNames(t *testing.T) {
	for _, format := range []string{"ldp_vc", "jwt_vc_json", "jwt_vc"} {
		t.Run("ok/"+format, func(t *testing.T) {
			var got string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.Query().Get("format")
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(issuer.BatchResult{Issued: 1, Items: []issuer.BatchItem{{Row: 0, ID: "urn:uuid:1"}}})
			}))
			defer srv.Close()
			csvPath := filepath.Join(t.TempDir(), "in.csv")
			_ = os.WriteFile(csvPath, []byte("email\nada@example.org\n"), 0o600)
			env, _, errb := testEnv(map[string]string{"ACCOLADE_ADMIN_TOKEN": strings.Repeat("x", 20)})
			if code := run(context.Background(), env, []string{"issue", "bulk", "--server", srv.URL, "--csv", csvPath, "--achievement", "a", "--format", format}); code != 0 {
				t.Fatalf("exit %d: %s", code, errb)
			}
			if got != format {
				t.Errorf("sent format %q, want %q", got, format)
			}
		})
	}
}
