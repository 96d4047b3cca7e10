package api

import (
	"encoding/base64"
	"encoding/json"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/issuer"
)

func mustJSON(t *testing.T, w *httptest.ResponseRecorder, want int, v any) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
	}
	if v != nil {
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("decode %s: %v", w.Body, err)
		}
	}
}

const achievementBody = `{"name":"Go Concurrency","description":"Safe use of goroutines.","criteria":{"narrative":"Pass the lab."},
 "achievementType":"Badge","image":{"id":"https://example.org/go.png","caption":"Gopher"},
 "alignments":[{"targetName":"Concurrency","targetUrl":"https://example.org/skills/concurrency","targetFramework":"Example"}],
 "tags":["go","concurrency"],
 "resultDescriptions":[{"id":"urn:uuid:9d8c2a5e-5c1a-4f53-8a43-6f4a2e3b1c10","name":"Score","resultType":"Percent","valueMin":"0","valueMax":"100"}]}`

func createAchievement(t *testing.T, f *fixture) issuer.Achievement {
	t.Helper()
	var a issuer.Achievement
	mustJSON(t, f.do("POST", "/api/v1/achievements", testToken, achievementBody), http.StatusCreated, &a)
	return a
}

type issued struct {
	ID         string          `json:"id"`
	Format     string          `json:"format"`
	Credential json.RawMessage `json:"credential"`
}

func issue(t *testing.T, f *fixture, body string) issued {
	t.Helper()
	var rec issued
	mustJSON(t, f.do("POST", "/api/v1/credentials", testToken, body), http.StatusCreated, &rec)
	return rec
}

type vcapiResult struct {
	Verified bool           `json:"verified"`
	Checks   []string       `json:"checks"`
	Errors   []vcapiProblem `json:"errors"`
	Warnings []vcapiProblem `json:"warnings"`
}

func verify(t *testing.T, f *fixture, vc json.RawMessage) (int, vcapiResult) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"verifiableCredential": vc, "options": map[string]any{}})
	w := f.do("POST", "/credentials/verify", "", string(body))
	var res vcapiResult
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("verify response %s: %v", w.Body, err)
	}
	return w.Code, res
}

func failedChecks(r vcapiResult) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Name)
	}
	return out
}

func TestAchievementCRUD(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	if a.ID == "" || a.URL != "http://localhost:8080/achievements/"+a.ID || a.Image.Type != "Image" || a.Alignments[0].Type[0] != "Alignment" {
		t.Fatalf("created achievement %+v", a)
	}
	var got issuer.Achievement
	mustJSON(t, f.do("GET", "/api/v1/achievements/"+a.ID, testToken, ""), 200, &got)
	if got.Name != "Go Concurrency" {
		t.Errorf("get: %+v", got)
	}
	// Public definition at the achievement's id URL.
	var pub map[string]any
	mustJSON(t, f.do("GET", "/achievements/"+a.ID, "", ""), 200, &pub)
	if pub["id"] != a.URL || pub["name"] != "Go Concurrency" {
		t.Errorf("public achievement %v", pub)
	}
	mustJSON(t, f.do("PUT", "/api/v1/achievements/"+a.ID, testToken, strings.Replace(achievementBody, "Go Concurrency", "Go Concurrency II", 1)), 200, &got)
	if got.Name != "Go Concurrency II" || !got.Created.Equal(a.Created) {
		t.Errorf("update: %+v", got)
	}
	var page struct {
		Items []issuer.Achievement `json:"items"`
		Next  *string              `json:"next"`
		Total int                  `json:"total"`
	}
	createAchievement(t, f)
	mustJSON(t, f.do("GET", "/api/v1/achievements?limit=1", testToken, ""), 200, &page)
	if len(page.Items) != 1 || page.Total != 2 || page.Next == nil {
		t.Fatalf("page 1: %+v", page)
	}
	mustJSON(t, f.do("GET", "/api/v1/achievements?limit=1&cursor="+*page.Next, testToken, ""), 200, &page)
	if len(page.Items) != 1 || page.Next != nil {
		t.Errorf("page 2: %+v", page)
	}
	if w := f.do("DELETE", "/api/v1/achievements/"+a.ID, testToken, ""); w.Code != http.StatusNoContent {
		t.Errorf("delete: %d", w.Code)
	}
	if w := f.do("GET", "/api/v1/achievements/"+a.ID, testToken, ""); w.Code != 404 {
		t.Errorf("get after delete: %d", w.Code)
	}
}

func TestAchievementValidation(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	tests := []struct {
		name, body string
		want       []string
	}{
		{"fail/missing everything", `{}`, []string{"name: is required", "description: is required", "criteria"}},
		{"fail/bad type", `{"name":"x","description":"y","criteria":{"narrative":"z"},"achievementType":"Trophy"}`, []string{"achievementType"}},
		{"fail/image as string", `{"name":"x","description":"y","criteria":{"narrative":"z"},"image":"https://e.org/i.png"}`, []string{`field "image"`}},
		{"fail/alignment without url", `{"name":"x","description":"y","criteria":{"narrative":"z"},"alignments":[{"targetName":"a"}]}`, []string{"alignments[0].targetUrl"}},
		{"fail/unknown creator", `{"name":"x","description":"y","criteria":{"narrative":"z"},"creator":"nope"}`, []string{"creator"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", "/api/v1/achievements", testToken, tt.body)
			if w.Code != 400 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			p := decodeProblem(t, w)
			all := p.Detail + " " + strings.Join(p.Errors, " | ")
			for _, want := range tt.want {
				if !strings.Contains(all, want) {
					t.Errorf("problem %q lacks %q", all, want)
				}
			}
		})
	}
}

func TestIssueAndVerifyBothFormats(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	for _, tc := range []struct {
		name, format, recipient string
	}{
		{"ldp/email", "ldp_vc", `{"email":"Ada@Example.org"}`},
		{"ldp/did", "ldp_vc", `{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}`},
		{"jwt/email", "jwt_vc", `{"email":"ada@example.org"}`},
		{"jwt/url", "jwt_vc", `{"url":"https://example.org/people/ada"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := issue(t, f, `{"achievementId":"`+a.ID+`","recipient":`+tc.recipient+`,"format":"`+tc.format+`",
				"evidence":[{"id":"https://example.org/lab/42","name":"Lab report"}],
				"results":[{"resultDescription":"urn:uuid:9d8c2a5e-5c1a-4f53-8a43-6f4a2e3b1c10","value":"92"}],
				"validUntil":"2099-01-01T00:00:00Z"}`)
			if rec.Format != tc.format || !strings.HasPrefix(rec.ID, "urn:uuid:") {
				t.Fatalf("record %+v", rec)
			}
			if tc.format == "jwt_vc" {
				var tok string
				if err := json.Unmarshal(rec.Credential, &tok); err != nil || strings.Count(tok, ".") != 2 {
					t.Fatalf("jwt_vc credential is not a compact JWS: %s", rec.Credential)
				}
			} else {
				var vc map[string]any
				_ = json.Unmarshal(rec.Credential, &vc)
				ctx := vc["@context"].([]any)
				if ctx[0] != "https://www.w3.org/ns/credentials/v2" || ctx[1] != "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" {
					t.Errorf("context order %v", ctx)
				}
				if _, ok := vc["proof"].([]any); !ok {
					t.Errorf("proof must be an array for the OB schema: %T", vc["proof"])
				}
			}
			code, res := verify(t, f, rec.Credential)
			if code != 200 || !res.Verified {
				t.Fatalf("verify: %d %+v", code, res)
			}
			wantChecks := []string{"format", "proof", "issuer", "validity", "schema", "status"}
			if sharedtest.OBSchemaDir() == "" {
				// Without the OB JSON Schemas the schema check is skipped
				// (verifier.TestVerifySchemaUnavailableIsSkipped).
				wantChecks = []string{"format", "proof", "issuer", "validity", "status"}
			}
			for _, want := range wantChecks {
				if !strings.Contains(strings.Join(res.Checks, ","), want) {
					t.Errorf("check %s did not run: %v", want, res.Checks)
				}
			}
		})
	}
}

func TestEmailRecipientGetsStableSubjectForJWT(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	subject := func(email string) map[string]any {
		rec := issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"email":"`+email+`"},"format":"jwt_vc"}`)
		var tok string
		_ = json.Unmarshal(rec.Credential, &tok)
		payload := decodeJWTPayload(t, tok)
		cs := payload["credentialSubject"].(map[string]any)
		if payload["sub"] != cs["id"] {
			t.Errorf("sub %v != credentialSubject.id %v", payload["sub"], cs["id"])
		}
		return cs
	}
	first, second := subject("ada@example.org"), subject("  ADA@example.org ")
	if first["id"] == nil || first["id"] != second["id"] || !strings.HasPrefix(first["id"].(string), "urn:uuid:") {
		t.Errorf("subject ids %v and %v: want one stable urn:uuid", first["id"], second["id"])
	}
	id := first["identifier"].([]any)[0].(map[string]any)
	if id["identityType"] != "emailAddress" || id["hashed"] != true || !strings.HasPrefix(id["identityHash"].(string), "sha256$") {
		t.Errorf("identifier %v", id)
	}
	if strings.Contains(string(mustMarshal(first)), "ada@example.org") {
		t.Error("the email address appears in clear in the credential")
	}
}

func TestTamperedCredentialFailsNamedCheck(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	rec := issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"email":"a@example.org"}}`)
	var vc map[string]any
	_ = json.Unmarshal(rec.Credential, &vc)
	vc["name"] = "Forged Badge"
	code, res := verify(t, f, mustMarshal(vc))
	if code != 400 || res.Verified || strings.Join(failedChecks(res), ",") != "proof,issuer" {
		t.Errorf("tampered: %d %+v", code, res)
	}

	rec = issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"email":"a@example.org"},"validFrom":"2020-01-01T00:00:00Z","validUntil":"2021-01-01T00:00:00Z"}`)
	code, res = verify(t, f, rec.Credential)
	if code != 400 || strings.Join(failedChecks(res), ",") != "validity" {
		t.Errorf("expired: %d %+v", code, res)
	}
}

func TestIssueValidation(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	tests := []struct{ name, body, want string }{
		{"fail/no achievement", `{"recipient":{"email":"a@example.org"}}`, "achievementId: is required"},
		{"fail/unknown achievement", `{"achievementId":"nope","recipient":{"email":"a@example.org"}}`, "no achievement"},
		{"fail/two recipients", `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org","did":"did:key:z6Mk"}}`, "exactly one"},
		{"fail/bad email", `{"achievementId":"` + a.ID + `","recipient":{"email":"not-an-email"}}`, "recipient.email"},
		{"fail/bad did", `{"achievementId":"` + a.ID + `","recipient":{"did":"did:"}}`, "recipient.did"},
		{"fail/bad format", `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org"},"format":"mso_mdoc"}`, "format"},
		{"fail/validFrom without zone", `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org"},"validFrom":"2025-01-01T00:00:00"}`, "validFrom"},
		{"fail/validUntil before validFrom", `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org"},"validFrom":"2025-01-01T00:00:00Z","validUntil":"2024-01-01T00:00:00Z"}`, "validUntil"},
		{"fail/unknown result description", `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org"},"results":[{"resultDescription":"urn:x","value":"1"}]}`, "resultDescription"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", "/api/v1/credentials", testToken, tt.body)
			if w.Code != 400 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			p := decodeProblem(t, w)
			if all := strings.Join(p.Errors, " | "); !strings.Contains(all, tt.want) {
				t.Errorf("errors %q lack %q", all, tt.want)
			}
		})
	}
	var page issuer.CredentialPage
	mustJSON(t, f.do("GET", "/api/v1/credentials", testToken, ""), 200, &page)
	if page.Total != 0 {
		t.Errorf("bad requests stored %d credentials", page.Total)
	}
}

func TestListCredentials(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a, b := createAchievement(t, f), createAchievement(t, f)
	var ids []string
	for i := range 5 {
		ach := a.ID
		if i%2 == 1 {
			ach = b.ID
		}
		email := "x@example.org"
		if i >= 3 {
			email = "y@example.org"
		}
		ids = append(ids, issue(t, f, `{"achievementId":"`+ach+`","recipient":{"email":"`+email+`"},"format":"jwt_vc"}`).ID)
	}
	get := func(q string) issuer.CredentialPage {
		var p issuer.CredentialPage
		mustJSON(t, f.do("GET", "/api/v1/credentials"+q, testToken, ""), 200, &p)
		return p
	}
	all := get("?limit=2")
	if all.Total != 5 || len(all.Items) != 2 || all.Next == nil || all.Items[0].ID != ids[0] {
		t.Fatalf("first page %+v", all)
	}
	var seen []string
	for p := all; ; {
		for _, it := range p.Items {
			seen = append(seen, it.ID)
		}
		if p.Next == nil {
			break
		}
		p = get("?limit=2&cursor=" + *p.Next)
	}
	if strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Errorf("pages gave %v, want issue order %v", seen, ids)
	}
	if p := get("?achievementId=" + a.ID); p.Total != 3 || len(p.Items) != 3 {
		t.Errorf("by achievement: %+v", p)
	}
	if p := get("?recipient=Y@example.org"); p.Total != 2 {
		t.Errorf("by recipient: total %d", p.Total)
	}
	if p := get("?achievementId=" + a.ID + "&recipient=y@example.org"); p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != ids[4] {
		t.Errorf("by both: %+v", p)
	}
	var one issuer.Issued
	mustJSON(t, f.do("GET", "/api/v1/credentials/"+ids[2], testToken, ""), 200, &one)
	if one.ID != ids[2] {
		t.Errorf("get: %+v", one)
	}
	if w := f.do("GET", "/api/v1/credentials?limit=0", testToken, ""); w.Code != 400 {
		t.Errorf("limit=0: %d", w.Code)
	}
}

func TestVCAPIIssue(t *testing.T) {
	// The W3C examples context is not bundled (no npm package for it).
	sharedtest.ContextsDir(t)
	f := newFixture(t, "http://localhost:8080", nil)
	body := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],
		"type":["VerifiableCredential","ExampleAlumniCredential"],"validFrom":"2024-01-01T00:00:00Z",
		"credentialSubject":{"id":"did:example:abcdefgh","alumniOf":"The School of Examples"}},"options":{}}`
	if w := f.do("POST", "/credentials/issue", "", body); w.Code != 401 {
		t.Fatalf("issue without token: %d", w.Code)
	}
	var out struct {
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}
	mustJSON(t, f.do("POST", "/credentials/issue", testToken, body), http.StatusCreated, &out)
	vc := out.VerifiableCredential
	if vc["issuer"] == nil || vc["id"] == nil || vc["proof"] == nil {
		t.Fatalf("issued %v", vc)
	}
	code, res := verify(t, f, mustMarshal(vc))
	if code != 200 || !res.Verified {
		t.Errorf("verify VC-API credential: %d %+v", code, res)
	}
	// An undefined term cannot be signed.
	bad := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],
		"credentialSubject":{"id":"did:example:abcdefgh","undefinedTermXYZ":"x"}}}`
	w := f.do("POST", "/credentials/issue", testToken, bad)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "undefined") {
		t.Errorf("undefined term: %d %s", w.Code, w.Body)
	}
	// Malformed credentials get 400 with the reason.
	w = f.do("POST", "/credentials/issue", testToken, `{"credential":{"type":["VerifiableCredential"]}}`)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "@context") {
		t.Errorf("malformed: %d %s", w.Code, w.Body)
	}
}

func TestVCAPIVerifyInputs(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	rec := issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},"format":"jwt_vc"}`)
	var tok string
	_ = json.Unmarshal(rec.Credential, &tok)
	env := mustMarshal(map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok})
	if code, res := verify(t, f, env); code != 200 || !res.Verified {
		t.Errorf("enveloped: %d %+v", code, res)
	}
	// options.checks narrows the checks.
	body, _ := json.Marshal(map[string]any{"verifiableCredential": tok, "options": map[string]any{"checks": []string{"proof"}}})
	var res vcapiResult
	mustJSON(t, f.do("POST", "/credentials/verify", "", string(body)), 200, &res)
	if strings.Join(res.Checks, ",") != "format,proof" {
		t.Errorf("narrowed checks: %v", res.Checks)
	}
	for _, bad := range []string{`{"verifiableCredential":42}`, `{}`, `{"verifiableCredential":{"a":1},"options":{"checks":["magic"]}}`} {
		if w := f.do("POST", "/credentials/verify", "", bad); w.Code != 400 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	// alg none is refused as a format failure.
	none := "eyJhbGciOiJub25lIn0." + strings.Split(tok, ".")[1] + "."
	if code, res := verify(t, f, mustMarshal(none)); code != 400 || strings.Join(failedChecks(res), ",") != "format" {
		t.Errorf("alg none: %d %+v", code, res)
	}
}

func mustMarshal(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func decodeJWTPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	raw, err := b64url(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func b64url(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
