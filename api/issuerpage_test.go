package api

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/accolade-badges/accolade/issuer"
)

// pngBytes is a 1x1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestBadgeImage serves a badge's image: the issuer's image fetched
// through the configured fetcher when it is an https image, else (absent,
// plain http, unreachable, not an image) a drawn one, so the page never
// shows a broken image.
func TestBadgeImage(t *testing.T) {
	f := newBadgeFixture(t)
	var calls atomic.Int32
	fetched := map[string]struct {
		body []byte
		ct   string
		err  error
	}{
		"https://img.example/ok.png":   {pngBytes, "image/png", nil},
		"https://img.example/down.png": {nil, "", errors.New("dial tcp: connection refused")},
		"https://img.example/page.png": {[]byte("<!doctype html><p>not found</p>"), "text/html", nil},
		"https://img.example/liar.png": {[]byte("<!doctype html><p>hi</p>"), "image/png", nil},
	}
	f.srv.cfg.FetchImage = func(_ context.Context, u string) ([]byte, string, error) {
		calls.Add(1)
		r := fetched[u]
		return r.body, r.ct, r.err
	}
	tests := []struct {
		name, image string // "" for no image
		wantType    string
		wantCalls   int32
	}{
		{"ok/https image fetched", "https://img.example/ok.png", "image/png", 1},
		{"ok/unreachable image drawn", "https://img.example/down.png", "image/svg+xml", 1},
		{"ok/not an image drawn", "https://img.example/page.png", "image/svg+xml", 1},
		{"ok/content not matching its type drawn", "https://img.example/liar.png", "image/svg+xml", 1},
		{"ok/plain http not fetched, drawn", "http://img.example/ok.png", "image/svg+xml", 0},
		{"ok/data URI served", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwAAAQEABRjYTgAAAABJRU5ErkJggg==", "image/png", 0},
		{"ok/no image drawn", "", "image/svg+xml", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"name": "Go Concurrency Basics", "description": "d", "criteria": map[string]any{"narrative": "n"}}
			if tt.image != "" {
				body["image"] = map[string]any{"id": tt.image}
			}
			raw, _ := json.Marshal(body)
			var a issuer.Achievement
			mustJSON(t, f.do("POST", "/api/v1/achievements", testToken, string(raw)), http.StatusCreated, &a)
			rec := issue(t, f.fixture, `{"achievementId":"`+a.ID+`","recipient":{"email":"`+badgeRecipient+`"}}`)
			before := calls.Load()
			for i := range 2 { // the second is served from the cache
				w := f.do("GET", "/badges/"+bareUUID(rec.ID)+"/image", "", "")
				if w.Code != http.StatusOK || w.Header().Get("Content-Type") != tt.wantType {
					t.Fatalf("GET %d = %d %q, want %s", i, w.Code, w.Header().Get("Content-Type"), tt.wantType)
				}
				if w.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("headers %v", w.Header())
				}
				if tt.wantType == "image/svg+xml" {
					title := wellFormedSVG(t, w.Body.Bytes())
					if title != "Go Concurrency Basics" || !strings.Contains(w.Body.String(), ">GC</text>") {
						t.Errorf("drawn image: title %q\n%s", title, w.Body)
					}
				} else if tt.image == "https://img.example/ok.png" && w.Body.String() != string(pngBytes) {
					t.Error("the fetched image was not served as fetched")
				}
			}
			if got := calls.Load() - before; got != tt.wantCalls {
				t.Errorf("%d fetches, want %d", got, tt.wantCalls)
			}
		})
	}
	t.Run("fail/unknown badge", func(t *testing.T) {
		if w := f.do("GET", "/badges/0190a3c4-0000-7000-8000-000000000000/image", "", ""); w.Code != http.StatusNotFound {
			t.Errorf("= %d", w.Code)
		}
	})
}

// TestBadgePageEarnerView covers what the earner sees: their name when the
// issuer gave it, an "Issued by" link to the issuer's page, alignments and
// evidence; and no LinkedIn buttons once the badge is revoked.
func TestBadgePageEarnerView(t *testing.T) {
	f := newBadgeFixture(t)
	rec := issue(t, f.fixture, `{"achievementId":"`+f.achievement.ID+`","recipient":{"email":"`+badgeRecipient+`","name":"Ada <Lovelace>"},`+
		`"evidence":[{"id":"https://example.org/portfolio/42","name":"Final project","narrative":"Built a <b>scheduler</b>."}]}`)
	var a issuer.Achievement
	raw, _ := json.Marshal(map[string]any{"name": "Aligned", "description": "d", "criteria": map[string]any{"narrative": "n"},
		"alignments": []any{map[string]any{"targetName": "Concurrency", "targetUrl": "https://example.org/skills/concurrency", "targetFramework": "Skills <Framework>"}}})
	mustJSON(t, f.do("POST", "/api/v1/achievements", testToken, string(raw)), http.StatusCreated, &a)
	aligned := issue(t, f.fixture, `{"achievementId":"`+a.ID+`","recipient":{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}}`)

	if doc := credentialDoc(t, rec); strings.Contains(string(mustMarshal(doc)), "Lovelace") {
		t.Error("the recipient's name is in the credential")
	}
	page := getPage(t, f, bareUUID(rec.ID)).Body.String()
	for _, want := range []string{
		"Awarded to Ada &lt;Lovelace&gt;", "<dt>Awarded to</dt>\n<dd>Ada &lt;Lovelace&gt;</dd>",
		`<a href="/issuers/acme-academy-co">` + html.EscapeString(badgeIssuerName) + `</a>`,
		`(<a href="` + html.EscapeString(badgeIssuerURL) + `" rel="noopener noreferrer">website</a>)`,
		"<h2>Evidence</h2>", `<a href="https://example.org/portfolio/42" rel="noopener noreferrer">Final project</a>`, "Built a &lt;b&gt;scheduler&lt;/b&gt;.",
		"www.linkedin.com/profile/add",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	noInlineCode(t, page)
	page = getPage(t, f, bareUUID(aligned.ID)).Body.String()
	for _, want := range []string{"<h2>Aligned to</h2>", `<a href="https://example.org/skills/concurrency" rel="noopener noreferrer">Concurrency</a>`, "(Skills &lt;Framework&gt;)"} {
		if !strings.Contains(page, want) {
			t.Errorf("aligned page lacks %q", want)
		}
	}
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+rec.ID+"/revoke", testToken, `{}`), http.StatusOK, nil)
	page = getPage(t, f, bareUUID(rec.ID)).Body.String()
	if banner(t, page) != "Revoked" || strings.Contains(page, "linkedin.com") || !strings.Contains(page, "not offered for sharing") {
		t.Errorf("revoked page offers LinkedIn buttons or lacks the note:\n%s", page)
	}
}

// TestIssuerPage serves /issuers/{slug}: a page with the issuer's name,
// logo, website, DIDs (full text, copy buttons added by an external
// script) and achievements, or its OB 3.0 Profile as JSON.
func TestIssuerPage(t *testing.T) {
	f := newBadgeFixture(t)
	w := f.do("GET", "/issuers/acme-academy-co", "", "", "Accept", "text/html")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("= %d %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	checkBadgeHeaders(t, w.Header())
	page := w.Body.String()
	sum, err := f.id.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h1>" + html.EscapeString(badgeIssuerName) + "</h1>", `src="/issuers/acme-academy-co/image"`, `alt="Logo of ` + html.EscapeString(badgeIssuerName) + `"`,
		`<a href="` + html.EscapeString(badgeIssuerURL) + `" rel="noopener noreferrer">`,
		`<code class="did" title="` + sum.DID + `" data-did="` + sum.DID + `">` + sum.DID + `</code>`,
		"<h3>" + html.EscapeString(badgeName) + "</h3>", `src="/issuers/acme-academy-co/image?achievement=` + f.achievement.ID + `"`,
		`/badges/assets/copy.js?v=`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("issuer page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " onclick=") {
		t.Error("inline script on the issuer page")
	}
	if w := f.do("GET", "/badges/assets/copy.js", "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "clipboard") {
		t.Errorf("copy.js = %d", w.Code)
	}
	// The default profile has its own page, derived from its name.
	if w := f.do("GET", "/issuers/test", "", "", "Accept", "text/html"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "This issuer has no achievements yet.") {
		t.Errorf("default profile page = %d", w.Code)
	}

	w = f.do("GET", "/issuers/acme-academy-co", "", "", "Accept", "application/json")
	var prof map[string]any
	mustJSON(t, w, http.StatusOK, &prof)
	if prof["id"] != sum.DID || prof["name"] != badgeIssuerName || prof["url"] != badgeIssuerURL ||
		!strings.Contains(string(mustMarshal(prof["type"])), `"Profile"`) || !strings.Contains(string(mustMarshal(prof["@context"])), "purl.imsglobal.org/spec/ob/v3p0/context") {
		t.Errorf("profile JSON %v", prof)
	}

	for _, tt := range []struct{ accept string }{{"text/html"}, {"application/json"}} {
		w := f.do("GET", "/issuers/nobody", "", "", "Accept", tt.accept)
		if w.Code != http.StatusNotFound {
			t.Errorf("unknown issuer (%s) = %d", tt.accept, w.Code)
		}
		if tt.accept == "text/html" && !strings.Contains(w.Body.String(), "Issuer not found") {
			t.Errorf("unknown issuer page: %s", w.Body)
		}
	}
	if w := f.do("GET", "/issuers/acme-academy-co/image", "", ""); w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" {
		t.Errorf("logo = %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if w := f.do("GET", "/issuers/acme-academy-co/image?achievement=nope", "", ""); w.Code != http.StatusNotFound {
		t.Errorf("unknown achievement image = %d", w.Code)
	}
}
