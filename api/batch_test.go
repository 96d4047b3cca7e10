package api

// Batch issuing over HTTP: JSON and CSV bodies, the problems, a fuzz
// target for the CSV parser and a benchmark.
//   go test -run '^$' -bench IssueBatch -benchmem ./api/
//   go test -run '^$' -fuzz FuzzBatchCSV -fuzztime 30s ./api/

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/google/go-cmp/cmp"
)

func postBatch(t *testing.T, f *fixture, query, contentType, body string, want int) issuer.BatchResult {
	t.Helper()
	var res issuer.BatchResult
	mustJSON(t, f.do("POST", "/api/v1/credentials/batch"+query, testToken, body, "Content-Type", contentType), want, &res)
	return res
}

// verifyIssued fetches an issued credential by id and has the server's
// verifier check it.
func verifyIssued(t *testing.T, f *fixture, id string) {
	t.Helper()
	var rec issued
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+id, testToken, ""), http.StatusOK, &rec)
	if code, res := verify(t, f, rec.Credential); code != http.StatusOK || !res.Verified {
		t.Errorf("credential %s does not verify: %d %+v", id, code, res)
	}
}

func TestIssueBatchJSON(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	body := `{"achievementId":"` + a.ID + `","format":"ldp_vc","includeCredentials":true,"rows":[
		{"recipient":{"email":"ada@example.org"}},
		{"recipient":{"email":"not an email"}},
		{"recipient":{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},"name":"Speaker",
		 "results":[{"resultDescription":"urn:uuid:9d8c2a5e-5c1a-4f53-8a43-6f4a2e3b1c10","value":"92"}]},
		{"recipient":{}}]}`
	res := postBatch(t, f, "", "application/json", body, http.StatusOK)
	if res.Issued != 2 || res.Failed != 2 || res.NotAttempted != 0 || len(res.Items) != 4 {
		t.Fatalf("issued %d, failed %d, not attempted %d, %d items; want 2, 2, 0, 4", res.Issued, res.Failed, res.NotAttempted, len(res.Items))
	}
	wantErrs := map[int]*issuer.RowError{
		1: {Code: issuer.RowInvalid, Reason: "recipient.email: is not an email address", Fields: []*credential.ValidationError{{Field: "recipient.email", Reason: "is not an email address"}}},
		3: {Code: issuer.RowInvalid, Reason: "recipient: give exactly one of email, did or url", Fields: []*credential.ValidationError{{Field: "recipient", Reason: "give exactly one of email, did or url"}}},
	}
	for i, it := range res.Items {
		if it.Row != i || it.Line != 0 {
			t.Errorf("item %d: row %d, line %d", i, it.Row, it.Line)
		}
		if want := wantErrs[i]; want != nil {
			if diff := cmp.Diff(want, it.Error); diff != "" || it.ID != "" {
				t.Errorf("row %d (-want +got):\n%s", i, diff)
			}
			continue
		}
		if it.Error != nil || !strings.HasPrefix(it.ID, "urn:uuid:") {
			t.Fatalf("row %d: %+v", i, it)
		}
		// includeCredentials: the signed credential is in the item.
		code, vr := verify(t, f, it.Credential)
		if code != http.StatusOK || !vr.Verified {
			t.Errorf("row %d: included credential does not verify: %d %+v", i, code, vr)
		}
		verifyIssued(t, f, it.ID)
	}
	var vc map[string]any
	_ = json.Unmarshal(res.Items[2].Credential, &vc)
	if vc["name"] != "Speaker" {
		t.Errorf("row name override: credential name %v", vc["name"])
	}
}

func TestIssueBatchCSV(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	csvBody := "\ufeffEmail, DID ,credentialName\r\n" + // line 1: header (with a BOM, as Excel writes it)
		"ada@example.org,,\r\n" + // 2
		"bob@,,\r\n" + // 3: bad email
		"carol@example.org,did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp,\r\n" + // 4: two recipients
		"dave@example.org\r\n" + // 5: one field
		"\r\n" + // 6: blank, skipped
		`eve@example.org,,"Speaker, ""keynote"""` + "\r\n" + // 7
		",did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp,\"Multi\nline\"\r\n" + // 8-9
		"frank@example.org,,\r\n" // 10
	res := postBatch(t, f, "?achievementId="+a.ID+"&format=jwt_vc", "text/csv; charset=utf-8", csvBody, http.StatusOK)
	type outcome struct {
		Row, Line int
		Issued    bool
		Code      string
		Field     string
	}
	var got []outcome
	for _, it := range res.Items {
		o := outcome{Row: it.Row, Line: it.Line, Issued: it.ID != ""}
		if it.Error != nil {
			o.Code, o.Field = it.Error.Code, it.Error.Fields[0].Field
		}
		got = append(got, o)
	}
	want := []outcome{
		{0, 2, true, "", ""},
		{1, 3, false, "invalid", "recipient.email"},
		{2, 4, false, "invalid", "recipient"},
		{3, 5, false, "invalid", "row"},
		{4, 7, true, "", ""},
		{5, 8, true, "", ""},
		{6, 10, true, "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if res.Issued != 4 || res.Failed != 3 {
		t.Errorf("issued %d, failed %d; want 4, 3", res.Issued, res.Failed)
	}
	for i, want := range map[int]string{
		1: "line 3: recipient.email: is not an email address",
		2: "line 4: recipient: give exactly one of email, did or url",
		3: "line 5: row: has 1 fields, the header has 3",
	} {
		if r := res.Items[i].Error.Reason; r != want {
			t.Errorf("row %d: reason %q, want %q", i, r, want)
		}
	}
	for _, i := range []int{0, 4, 5, 6} {
		verifyIssued(t, f, res.Items[i].ID)
	}
	var rec issued
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+res.Items[4].ID, testToken, ""), http.StatusOK, &rec)
	var tok string
	_ = json.Unmarshal(rec.Credential, &tok)
	if vc := decodeJWTPayload(t, tok); vc["name"] != `Speaker, "keynote"` {
		t.Errorf("quoted name column: credential name %v", vc["name"])
	}
	// Every credential of the batch is listed under the achievement.
	var page struct {
		Total int `json:"total"`
	}
	mustJSON(t, f.do("GET", "/api/v1/credentials?achievementId="+a.ID, testToken, ""), http.StatusOK, &page)
	if page.Total != 4 {
		t.Errorf("listed %d credentials, want 4", page.Total)
	}
}

func TestIssueBatchProblems(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	q := "?achievementId=" + a.ID
	tooMany := "email\n" + strings.Repeat("a@example.org\n", issuer.MaxBatchRows+1)
	jsonRows := func(n int) string {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = `{"recipient":{"email":"a@example.org"}}`
		}
		return `{"achievementId":"` + a.ID + `","rows":[` + strings.Join(rows, ",") + `]}`
	}
	tests := []struct {
		name, query, token, contentType, body string
		status                                int
		want                                  string // in the detail or errors
	}{
		{"fail/no admin token", q, "", "text/csv", "email\nada@example.org\n", 401, "bearer token"},
		{"fail/no recipient column", q, testToken, "text/csv", "First Name,score\nAda,90\n", 400, `needs an email, did or url column (it has First Name, score`},
		{"fail/no recipient column", q, testToken, "text/csv", "name\nAda\n", 400, "needs an email, did or url column"},
		{"fail/duplicate column", q, testToken, "text/csv", "email,EMAIL\na@example.org,b@example.org\n", 400, `column "email" twice`},
		{"fail/empty header cell", q, testToken, "text/csv", "email,\na@example.org,\n", 400, "column 2 of the CSV header has no name"},
		{"fail/empty csv", q, testToken, "text/csv", "\n", 400, "the CSV is empty"},
		{"fail/header only", q, testToken, "text/csv", "email\n", 400, "rows: give at least one row"},
		{"fail/bare quote", q, testToken, "text/csv", "email,name\na@example.org,\"x\"y\n", 400, "line 2"},
		{"fail/not utf-8", q, testToken, "text/csv", "email,name\na@example.org,\xff\n", 400, "not valid UTF-8"},
		{"fail/latin-1", q, testToken, "text/csv; charset=iso-8859-1", "email\na@example.org\n", 415, "text/csv (UTF-8)"},
		{"fail/too many csv rows", q, testToken, "text/csv", tooMany, 400, "at most 1000 per request"},
		{"fail/too many json rows", "", testToken, "application/json", jsonRows(issuer.MaxBatchRows + 1), 400, "at most 1000 per request"},
		{"fail/no json rows", "", testToken, "application/json", jsonRows(0), 400, "rows: give at least one row"},
		{"fail/unknown achievement", "?achievementId=nope", testToken, "text/csv", "email\na@example.org\n", 400, `no achievement "nope"`},
		{"fail/missing achievement", "", testToken, "text/csv", "email\na@example.org\n", 400, "achievementId: is required"},
		{"fail/bad format", q + "&format=pdf", testToken, "text/csv", "email\na@example.org\n", 400, "format"},
		{"fail/bad includeCredentials", q + "&includeCredentials=maybe", testToken, "text/csv", "email\na@example.org\n", 400, "includeCredentials must be true or false"},
		{"fail/unknown query parameter", q + "&achievement=x", testToken, "text/csv", "email\na@example.org\n", 400, `unknown query parameter "achievement"`},
		{"fail/unknown json member", "", testToken, "application/json", `{"achievementId":"` + a.ID + `","rows":[{"recipient":{"email":"a@example.org"},"score":1}]}`, 400, `unknown field "score"`},
		{"fail/other media type", q, testToken, "application/xml", "<rows/>", 415, "application/json or text/csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", "/api/v1/credentials/batch"+tt.query, tt.token, tt.body, "Content-Type", tt.contentType)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			p := decodeProblem(t, w)
			if all := p.Detail + " | " + strings.Join(p.Errors, " | "); !strings.Contains(all, tt.want) {
				t.Errorf("problem %q does not mention %q", all, tt.want)
			}
			if p.Batch != nil {
				t.Errorf("a refused request reports a batch: %+v", p.Batch)
			}
		})
	}
	var page struct {
		Total int `json:"total"`
	}
	mustJSON(t, f.do("GET", "/api/v1/credentials", testToken, ""), http.StatusOK, &page)
	if page.Total != 0 {
		t.Errorf("refused requests issued %d credentials", page.Total)
	}
}

// outageDB is bbolt whose batched writes (credential records) fail with
// store.ErrUnavailable once ok reaches zero.
type outageDB struct {
	*bolt.DB
	mu sync.Mutex
	ok int
}

func (d *outageDB) Apply(ctx context.Context, writes []store.Write) error {
	d.mu.Lock()
	if d.ok == 0 {
		d.mu.Unlock()
		return fmt.Errorf("apply: %w", store.ErrUnavailable)
	}
	d.ok--
	d.mu.Unlock()
	return d.DB.Apply(ctx, writes)
}

// TestIssueBatchStorageOutage checks that a batch stopped by a storage
// outage is a 503 problem that still tells which rows were issued.
func TestIssueBatchStorageOutage(t *testing.T) {
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	db := &outageDB{DB: bdb, ok: -1}
	f := newFixtureOn(t, db, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	db.mu.Lock()
	db.ok = 3
	db.mu.Unlock()
	var body strings.Builder
	body.WriteString("url\n")
	for i := range 100 {
		fmt.Fprintf(&body, "https://example.org/people/%d\n", i)
	}
	w := f.do("POST", "/api/v1/credentials/batch?format=jwt_vc&achievementId="+a.ID, testToken, body.String(), "Content-Type", "text/csv")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", w.Code, w.Body)
	}
	p := decodeProblem(t, w)
	if p.Type != problemTypeBase+"storage-unavailable" || p.Batch == nil {
		t.Fatalf("problem %+v", p)
	}
	res := p.Batch
	if res.Issued != 3 || res.Failed != 0 || res.NotAttempted != 97 || len(res.Items) != 100 {
		t.Fatalf("issued %d, failed %d, not attempted %d, %d items; want 3, 0, 97, 100", res.Issued, res.Failed, res.NotAttempted, len(res.Items))
	}
	for i, it := range res.Items {
		if it.Line != i+2 {
			t.Errorf("row %d: line %d", i, it.Line)
		}
		if it.ID != "" {
			verifyIssued(t, f, it.ID)
		} else if it.Error == nil || it.Error.Code != issuer.RowNotAttempted {
			t.Errorf("row %d: %+v", i, it)
		}
	}
}

// TestIssueBatchFitsTheDefaultBodyLimit checks that a full batch of 1000
// recipients with long addresses and names fits the default 1 MiB body
// limit, as CSV and as JSON.
func TestIssueBatchFitsTheDefaultBodyLimit(t *testing.T) {
	var csvBody, jsonBody strings.Builder
	csvBody.WriteString("email,name\n")
	jsonBody.WriteString(`{"achievementId":"0193b5a4-0000-7000-8000-000000000000","format":"ldp_vc","rows":[`)
	for i := range issuer.MaxBatchRows {
		email := fmt.Sprintf("firstname.lastname-%04d@attendees.example-conference.org", i)
		name := "Attendee, Example Conference 2025: Advanced Go Workshop"
		fmt.Fprintf(&csvBody, "%s,%q\n", email, name)
		if i > 0 {
			jsonBody.WriteString(",")
		}
		fmt.Fprintf(&jsonBody, `{"recipient":{"email":%q},"name":%q}`, email, name)
	}
	jsonBody.WriteString("]}")
	const limit = 1 << 20 // api.New's default MaxBodyBytes
	if csvBody.Len() > limit/4 || jsonBody.Len() > limit/4 {
		t.Errorf("a full batch takes %d bytes as CSV and %d as JSON; want well under %d", csvBody.Len(), jsonBody.Len(), limit)
	}
	parsed, err := parseBatchCSV([]byte(csvBody.String()))
	if err != nil || len(parsed.rows) != issuer.MaxBatchRows {
		t.Errorf("parse: %d rows, %v", len(parsed.rows), err)
	}
}

// An attendee export's other columns are not read, only reported: a plain
// "Name" column (the attendee's) must not become the badge's name.
func TestIssueBatchCSVIgnoresOtherColumns(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	body := "Name,Email,Company,Ticket\nAda Lovelace,ada@example.org,Analytical Engines,VIP\n"
	res := postBatch(t, f, "?achievementId="+a.ID+"&format=jwt_vc", "text/csv", body, http.StatusOK)
	if res.Issued != 1 || len(res.Items) != 1 || res.Items[0].ID == "" {
		t.Fatalf("issued %d: %+v", res.Issued, res.Items)
	}
	if got := strings.Join(res.IgnoredColumns, "|"); got != "Name|Company|Ticket" {
		t.Errorf("ignoredColumns %q, want Name|Company|Ticket", got)
	}
	var rec issued
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+res.Items[0].ID, testToken, ""), http.StatusOK, &rec)
	var tok string
	_ = json.Unmarshal(rec.Credential, &tok)
	if vc := decodeJWTPayload(t, tok); vc["name"] != a.Name {
		t.Errorf("credential name %v, want the achievement's %q", vc["name"], a.Name)
	}
}

// TestIssueBatchCSVRecipientName reads a recipientName column into the
// issue record (for the badge page), never into the credential.
func TestIssueBatchCSVRecipientName(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	body := "email,RecipientName\nada@example.org,Ada Lovelace\n"
	res := postBatch(t, f, "?achievementId="+a.ID, "text/csv", body, http.StatusOK)
	if res.Issued != 1 || len(res.IgnoredColumns) != 0 {
		t.Fatalf("issued %d, ignored %q", res.Issued, res.IgnoredColumns)
	}
	var rec issuer.Issued
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+res.Items[0].ID, testToken, ""), http.StatusOK, &rec)
	if rec.Recipient.Name != "Ada Lovelace" || strings.Contains(string(rec.Credential), "Lovelace") {
		t.Errorf("recipient %+v; the name must be on the record only", rec.Recipient)
	}
}

func FuzzBatchCSV(f *testing.F) {
	for _, seed := range []string{
		"email\nada@example.org\n",
		"\ufeffEmail,DID,url,credentialName,credentialDescription,Company\r\nada@example.org,,,Ada,,Acme\r\n,did:key:z6Mk,,,,\r\n,,https://e.org/p,,,\r\n",
		"email,name\na@example.org,\"x\"y\n",
		"email,did\na@example.org,did:example:1\n\n,\n  ,  \nb@example.org\n",
		"email,name\na@example.org,\"multi\nline\"\nb@example.org,\"unterminated\n",
		"email,First Name\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		parsed, err := parseBatchCSV(body)
		if err != nil {
			if parsed.rows != nil {
				t.Fatalf("rows with an error: %v", err)
			}
			return
		}
		if len(parsed.rows) != len(parsed.lines) || len(parsed.rows) != len(parsed.errs) || len(parsed.rows) > issuer.MaxBatchRows {
			t.Fatalf("%d rows, %d lines, %d errors", len(parsed.rows), len(parsed.lines), len(parsed.errs))
		}
		prev := 1
		for i, row := range parsed.rows {
			if parsed.lines[i] <= prev {
				t.Fatalf("row %d on line %d after line %d", i, parsed.lines[i], prev)
			}
			prev = parsed.lines[i]
			n := 0
			for _, v := range []string{row.Recipient.Email, row.Recipient.DID, row.Recipient.URL} {
				if v != "" {
					n++
				}
			}
			if rowErr := parsed.errs[i]; rowErr != nil {
				if n != 0 || rowErr.Code != issuer.RowInvalid || rowErr.Reason == "" || len(rowErr.Fields) != 1 {
					t.Fatalf("refused row %d: recipient %+v, error %+v", i, row.Recipient, rowErr)
				}
				continue
			}
			if n != 1 {
				t.Fatalf("accepted row %d has %d recipients: %+v", i, n, row.Recipient)
			}
		}
	})
}

// BenchmarkIssueBatchHTTPDI issues Data Integrity credentials in batches
// of 200 email recipients through the router, with bbolt.
func BenchmarkIssueBatchHTTPDI(b *testing.B) {
	f := newFixture(b, "https://badges.example.org", nil)
	w := f.do("POST", "/api/v1/achievements", testToken, achievementBody)
	if w.Code != http.StatusCreated {
		b.Fatalf("achievement: %d %s", w.Code, w.Body)
	}
	var a issuer.Achievement
	_ = json.Unmarshal(w.Body.Bytes(), &a)
	const rows = 200
	path := "/api/v1/credentials/batch?format=ldp_vc&achievementId=" + a.ID
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		// New addresses each time: a batch sent again issues nothing new.
		var body strings.Builder
		body.WriteString("email\n")
		for i := range rows {
			fmt.Fprintf(&body, "attendee-%d-%d@example.org\n", n, i)
		}
		w := f.do("POST", path, testToken, body.String(), "Content-Type", "text/csv")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), fmt.Sprintf(`"issued":%d,`, rows)) {
			b.Fatalf("batch: %d %.300s", w.Code, w.Body)
		}
		n++
	}
	b.ReportMetric(float64(n*rows)/b.Elapsed().Seconds(), "creds/s")
}
