package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/store/bolt"
)

// badIRIs are values that cannot become an IRI in a canonicalized
// credential (N-Quads IRIREF): each once made every ldp_vc issue a 500.
var badIRIs = []string{`https://example.org/a"b`, "https://example.org/<x>", `https://example.org/a\b`,
	"https://example.org/a b", "https://example.org/{x}", "https://example.org/a|b", "https://example.org/a^b", "https://example.org/a`b"}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestIRIFieldsRefused checks that every IRI-valued input field is
// refused with a 400 naming it, wherever the IRI would go into a
// credential, instead of failing in signing.
func TestIRIFieldsRefused(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	ach := func(extra string) string {
		return `{"name":"x","description":"y","criteria":{"narrative":"z"}` + extra + `}`
	}
	iss := func(extra string) string {
		return `{"achievementId":"` + a.ID + `","recipient":{"email":"a@example.org"}` + extra + `}`
	}
	for _, bad := range badIRIs {
		q := jsonString(bad)
		tests := []struct {
			name, method, path, body, field string
		}{
			{"achievement criteria.id", "POST", "/api/v1/achievements", `{"name":"x","description":"y","criteria":{"id":` + q + `}}`, "criteria.id"},
			{"achievement update criteria.id", "PUT", "/api/v1/achievements/" + a.ID, `{"name":"x","description":"y","criteria":{"id":` + q + `}}`, "criteria.id"},
			{"achievement image.id", "POST", "/api/v1/achievements", ach(`,"image":{"id":` + q + `}`), "image.id"},
			{"achievement data image", "POST", "/api/v1/achievements", ach(`,"image":{"id":` + jsonString("data:image/svg+xml;utf8,<svg/>") + `}`), "image.id"},
			{"achievement alignment", "POST", "/api/v1/achievements", ach(`,"alignments":[{"targetName":"t","targetUrl":` + q + `}]`), "alignments[0].targetUrl"},
			{"achievement result description id", "POST", "/api/v1/achievements", ach(`,"resultDescriptions":[{"id":` + q + `,"name":"n","resultType":"Percent"}]`), "resultDescriptions[0].id"},
			{"achievement rubric level id", "POST", "/api/v1/achievements", ach(`,"resultDescriptions":[{"name":"n","resultType":"RubricCriterionLevel","rubricCriterionLevel":[{"id":` + q + `,"name":"l"}]}]`), "resultDescriptions[0].rubricCriterionLevel[0].id"},
			{"achievement result description alignment", "POST", "/api/v1/achievements", ach(`,"resultDescriptions":[{"name":"n","resultType":"Percent","alignment":[{"targetName":"t","targetUrl":` + q + `}]}]`), "resultDescriptions[0].alignment[0].targetUrl"},
			{"profile url", "POST", "/api/v1/profiles", `{"name":"p","url":` + q + `}`, "url"},
			{"profile image", "PUT", "/api/v1/profiles/" + issuer.DefaultProfileID, `{"name":"p","image":{"id":` + q + `}}`, "image.id"},
			{"recipient url", "POST", "/api/v1/credentials", `{"achievementId":"` + a.ID + `","recipient":{"url":` + q + `}}`, "recipient.url"},
			{"evidence id", "POST", "/api/v1/credentials", iss(`,"evidence":[{"id":` + q + `}]`), "evidence[0].id"},
			{"result alignment", "POST", "/api/v1/credentials", iss(`,"results":[{"alignment":[{"targetName":"t","targetUrl":` + q + `}]}]`), "results[0].alignment[0].targetUrl"},
			{"vc-api subject id", "POST", "/credentials/issue", `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],
				"type":["VerifiableCredential"],"credentialSubject":{"id":` + q + `,"alumniOf":"x"}}}`, "credentialSubject.id"},
		}
		for _, tt := range tests {
			t.Run(tt.name+"/"+bad, func(t *testing.T) {
				w := f.do(tt.method, tt.path, testToken, tt.body)
				if w.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", w.Code, w.Body)
				}
				p := decodeProblem(t, w)
				if all := strings.Join(p.Errors, " | "); !strings.Contains(all, tt.field+":") {
					t.Errorf("errors %q do not name %s", all, tt.field)
				}
			})
		}
	}
	var page issuer.CredentialPage
	mustJSON(t, f.do("GET", "/api/v1/credentials", testToken, ""), 200, &page)
	if page.Total != 0 {
		t.Errorf("refused requests issued %d credentials", page.Total)
	}
}

// TestIssueBatchBadIRIRowFailsAlone checks that a batch row whose recipient
// URL cannot be signed fails alone and the batch answers 200: it once
// stopped the batch with a 500 after issuing the rows before it, so a
// retry issued them twice.
func TestIssueBatchBadIRIRowFailsAlone(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	var rows []string
	for i := range 6 {
		u := fmt.Sprintf("https://example.org/people/%d", i)
		if i == 2 || i == 4 {
			u = fmt.Sprintf(`https://example.org/people/"%d"`, i)
		}
		rows = append(rows, `{"recipient":{"url":`+jsonString(u)+`}}`)
	}
	body := `{"achievementId":"` + a.ID + `","format":"ldp_vc","rows":[` + strings.Join(rows, ",") + `]}`
	res := postBatch(t, f, "", "application/json", body, http.StatusOK)
	if res.Issued != 4 || res.Failed != 2 || res.NotAttempted != 0 {
		t.Fatalf("issued %d, failed %d, not attempted %d; want 4, 2, 0", res.Issued, res.Failed, res.NotAttempted)
	}
	for _, i := range []int{2, 4} {
		it := res.Items[i]
		if it.Error == nil || it.Error.Code != issuer.RowInvalid || len(it.Error.Fields) == 0 || it.Error.Fields[0].Field != "recipient.url" {
			t.Errorf("row %d: %+v", i, it.Error)
		}
	}
	for _, i := range []int{0, 1, 3, 5} {
		verifyIssued(t, f, res.Items[i].ID)
	}
}

// TestIssueRefusesStoredBadIRI checks that an achievement stored before
// its IRIs were checked (written straight to the store here) makes issue a
// 400 naming the credential member, in a single issue and in each batch
// row, never a 500.
func TestIssueRefusesStoredBadIRI(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := newFixtureOn(t, db, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	raw, err := db.Get(context.Background(), "achievements", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["criteria"] = map[string]any{"id": `https://example.org/"criteria"`}
	raw, _ = json.Marshal(doc)
	if err := db.Put(context.Background(), "achievements", a.ID, raw); err != nil {
		t.Fatal(err)
	}
	// A fresh fixture on the same store: no cached copy of the achievement.
	f = newFixtureOn(t, db, "http://localhost:8080", nil)
	for _, format := range []string{"ldp_vc", "jwt_vc"} {
		w := f.do("POST", "/api/v1/credentials", testToken, `{"achievementId":"`+a.ID+`","format":"`+format+`","recipient":{"email":"a@example.org"}}`)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400: %s", format, w.Code, w.Body)
		}
		if p := decodeProblem(t, w); !strings.Contains(strings.Join(p.Errors, " "), "credentialSubject.achievement.criteria.id") {
			t.Errorf("%s: errors %q", format, p.Errors)
		}
	}
	res := postBatch(t, f, "", "application/json", `{"achievementId":"`+a.ID+`","rows":[{"recipient":{"email":"a@example.org"}},{"recipient":{"email":"b@example.org"}}]}`, http.StatusOK)
	if res.Issued != 0 || res.Failed != 2 {
		t.Errorf("batch: issued %d, failed %d; want 0, 2", res.Issued, res.Failed)
	}
}

// FuzzIssueIRIs sends random achievements and recipients through the real
// handlers (achievement create, then issue in both formats, then a batch)
// and asserts that every answer is 2xx or 4xx, never 5xx: whatever is
// accepted on input must be signable. Run it with
// go test -run '^$' -fuzz FuzzIssueIRIs ./api/
func FuzzIssueIRIs(f *testing.F) {
	f.Add("https://example.org/criteria", "https://example.org/i.png", "https://example.org/people/1", "https://example.org/e", "Badge")
	f.Add(`https://example.org/"`, "data:image/png;base64,AA==", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "data:,x", "x")
	for _, bad := range badIRIs {
		f.Add(bad, bad, bad, bad, bad)
	}
	f.Add("https://例え.jp/%22", "https://x.org/\x7f", "http://a", "https://e.org/\u00a0", "ext:Thing")
	fx := newFixture(f, "http://localhost:8080", nil)
	f.Fuzz(func(t *testing.T, criteria, image, recipient, evidence, achType string) {
		ach, _ := json.Marshal(map[string]any{
			"name": "n", "description": "d", "criteria": map[string]any{"id": criteria, "narrative": "x"},
			"image": map[string]any{"id": image}, "achievementType": achType,
			"alignments": []any{map[string]any{"targetName": "t", "targetUrl": criteria}},
		})
		w := fx.do("POST", "/api/v1/achievements", testToken, string(ach))
		if w.Code >= 500 {
			t.Fatalf("create achievement: %d %s", w.Code, w.Body)
		}
		var achID string
		if w.Code == http.StatusCreated {
			var a issuer.Achievement
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			achID = a.ID
		} else {
			// Issue against the fixed achievement so the recipient and
			// evidence still reach signing.
			w = fx.do("POST", "/api/v1/achievements", testToken, achievementBody)
			var a issuer.Achievement
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			achID = a.ID
		}
		rcpt := map[string]any{"url": recipient}
		if strings.HasPrefix(recipient, "did:") {
			rcpt = map[string]any{"did": recipient}
		}
		for _, format := range []string{"ldp_vc", "jwt_vc"} {
			req, _ := json.Marshal(map[string]any{"achievementId": achID, "format": format, "recipient": rcpt,
				"evidence": []any{map[string]any{"id": evidence}}})
			if w := fx.do("POST", "/api/v1/credentials", testToken, string(req)); w.Code >= 500 {
				t.Fatalf("issue %s: %d %s", format, w.Code, w.Body)
			}
		}
		batch, _ := json.Marshal(map[string]any{"achievementId": achID, "rows": []any{
			map[string]any{"recipient": map[string]any{"email": "a@example.org"}},
			map[string]any{"recipient": rcpt, "evidence": []any{map[string]any{"id": evidence}}},
		}})
		if w := fx.do("POST", "/api/v1/credentials/batch", testToken, string(batch)); w.Code >= 500 {
			t.Fatalf("batch: %d %s", w.Code, w.Body)
		}
	})
}
