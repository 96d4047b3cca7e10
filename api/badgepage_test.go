package api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/google/go-cmp/cmp"
)

const (
	// badgeRecipient must never reach a public page, asset or download.
	badgeRecipient   = "ada.secret@example.org"
	badgeName        = `Go <script>alert(1)</script> & Friends`
	badgeIssuerName  = `Acme <Academy> & Co`
	badgeIssuerURL   = "https://acme.example/academy?a=1&b=2"
	badgeImage       = "https://example.org/go.png"
	badgeNarrative   = "Pass the <b>graded</b> lab."
	badgeDescription = "Safe use of goroutines & channels."
)

// badgeFixture is the service with a verifier that reads status lists
// through the router (so a revocation shows at once), an issuer profile and
// an achievement whose texts need escaping.
type badgeFixture struct {
	*walletFixture
	achievement issuer.Achievement
}

func newBadgeFixture(t *testing.T) *badgeFixture {
	t.Helper()
	f := &badgeFixture{walletFixture: newWalletFixture(t)}
	var p issuer.Profile
	body, _ := json.Marshal(map[string]any{"name": badgeIssuerName, "url": badgeIssuerURL})
	mustJSON(t, f.do("POST", "/api/v1/profiles", testToken, string(body)), http.StatusCreated, &p)
	body, _ = json.Marshal(map[string]any{
		"name": badgeName, "description": badgeDescription, "criteria": map[string]any{"narrative": badgeNarrative},
		"achievementType": "Certificate", "image": map[string]any{"id": badgeImage}, "profileId": p.ID,
	})
	mustJSON(t, f.do("POST", "/api/v1/achievements", testToken, string(body)), http.StatusCreated, &f.achievement)
	return f
}

// issueBadge issues the fixture's badge to badgeRecipient; extra is more
// members of the issue request, each with a leading comma.
func (f *badgeFixture) issueBadge(t *testing.T, format, extra string) issued {
	t.Helper()
	return issue(t, f.fixture, `{"achievementId":"`+f.achievement.ID+`","recipient":{"email":"`+badgeRecipient+`"},"format":"`+format+`"`+extra+`}`)
}

func bareUUID(id string) string { return strings.TrimPrefix(id, "urn:uuid:") }

// credentialDoc returns the credential of an issue record as a JSON object
// (a VC-JWT's payload).
func credentialDoc(t *testing.T, rec issued) map[string]any {
	t.Helper()
	if rec.Format == issuer.FormatJWT {
		return decodeJWTPayload(t, jwtOf(t, rec))
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Credential, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func jwtOf(t *testing.T, rec issued) string {
	t.Helper()
	var tok string
	if err := json.Unmarshal(rec.Credential, &tok); err != nil {
		t.Fatalf("not a VC-JWT record: %s", rec.Credential)
	}
	return tok
}

var (
	bannerTitle   = regexp.MustCompile(`<strong id="banner-title">([^<]*)</strong>`)
	linkedInAdd   = regexp.MustCompile(`href="(https://www\.linkedin\.com/profile/add\?[^"]*)"`)
	linkedInShare = regexp.MustCompile(`href="(https://www\.linkedin\.com/sharing/share-offsite/\?[^"]*)"`)
	checkItem     = regexp.MustCompile(`<li class="check check-([a-z-]+)" data-check="([a-z]+)">`)
	assetRef      = regexp.MustCompile(`(?:src|href)="(/badges/assets/[^"?]+)\?v=[0-9a-f]+"`)
)

// metaContent returns the unescaped content of <meta property|name=key>.
func metaContent(t *testing.T, page, attr, key string) string {
	t.Helper()
	m := regexp.MustCompile(`<meta ` + attr + `="` + regexp.QuoteMeta(key) + `" content="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no <meta %s=%q> in the page", attr, key)
	}
	return html.UnescapeString(m[1])
}

func banner(t *testing.T, page string) string {
	t.Helper()
	m := bannerTitle.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no banner in the page:\n%s", page)
	}
	return m[1]
}

func getPage(t *testing.T, f *badgeFixture, id string) *httptest.ResponseRecorder {
	t.Helper()
	return f.do("GET", "/badges/"+id, "", "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
}

func checkBadgeHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Robots-Tag":           "noindex",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "img-src 'self' https: data:", "style-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d+";") && !strings.HasSuffix(csp, d) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("Content-Security-Policy %q allows unsafe sources", csp)
	}
}

// TestBadgePage renders the page of a Data Integrity and of a VC-JWT badge
// and checks what it shows, what it hides, its meta tags and its links.
func TestBadgePage(t *testing.T) {
	f := newBadgeFixture(t)
	for _, format := range []string{issuer.FormatLDP, issuer.FormatJWT} {
		t.Run("ok/"+format, func(t *testing.T) {
			rec := f.issueBadge(t, format, `,"validUntil":"2099-03-01T00:00:00Z"`)
			id := bareUUID(rec.ID)
			pageURL := "http://localhost:8080/badges/" + id
			w := getPage(t, f, id)
			if w.Code != http.StatusOK {
				t.Fatalf("GET /badges/%s = %d: %s", id, w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			checkBadgeHeaders(t, w.Header())
			page := w.Body.String()

			if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>graded") || strings.Contains(page, "<Academy>") {
				t.Error("achievement or issuer text reached the page unescaped")
			}
			for _, want := range []string{
				html.EscapeString(badgeName), html.EscapeString(badgeIssuerName), html.EscapeString(badgeNarrative),
				html.EscapeString(badgeDescription), ">Certificate<", `src="/badges/` + id + `/image"`,
				"Awarded to a hashed email address", rec.ID, `<time datetime="2099-03-01T00:00:00Z">1 March 2099</time>`, "<dt>Issued on</dt>",
				`id="verify-again" data-credential-url="/badges/` + id + `/credential" data-verify-url="/credentials/verify" data-format="` + format + `"`,
				`href="/badges/` + id + `/credential" download`, `href="/badges/` + id + `/badge.svg" download`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if got := banner(t, page); got != "Verified" {
				t.Errorf("banner %q, want Verified", got)
			}
			var checks []string
			for _, m := range checkItem.FindAllStringSubmatch(page, -1) {
				checks = append(checks, m[2]+":"+m[1])
			}
			schema := "schema:passed"
			if sharedtest.OBSchemaDir() == "" {
				schema = "schema:skipped" // no OB JSON Schemas here
			}
			want := []string{"format:passed", "proof:passed", "issuer:passed", "validity:passed", schema, "status:passed"}
			if diff := cmp.Diff(want, checks); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}

			for _, m := range []struct{ attr, key, want string }{
				{"property", "og:title", badgeName},
				{"property", "og:url", pageURL},
				{"property", "og:type", "website"},
				{"property", "og:image", pageURL + "/image"},
				{"property", "og:description", badgeDescription},
				{"name", "twitter:title", badgeName},
			} {
				if got := metaContent(t, page, m.attr, m.key); got != m.want {
					t.Errorf("%s = %q, want %q", m.key, got, m.want)
				}
			}

			doc := credentialDoc(t, rec)
			validFrom, err := time.Parse(time.RFC3339, doc["validFrom"].(string))
			if err != nil {
				t.Fatal(err)
			}
			m := linkedInAdd.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no LinkedIn add-to-profile link")
			}
			u, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k := range u.Query() {
				got[k] = u.Query().Get(k)
			}
			wantQ := map[string]string{
				"startTask": "CERTIFICATION_NAME", "name": badgeName, "organizationName": badgeIssuerName,
				"issueYear": strconv.Itoa(validFrom.Year()), "issueMonth": strconv.Itoa(int(validFrom.Month())),
				"expirationYear": "2099", "expirationMonth": "3", "certUrl": pageURL, "certId": rec.ID,
			}
			if diff := cmp.Diff(wantQ, got); diff != "" {
				t.Errorf("add-to-profile query (-want +got):\n%s", diff)
			}
			m = linkedInShare.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no LinkedIn share link")
			}
			if u, err := url.Parse(html.UnescapeString(m[1])); err != nil || u.Query().Get("url") != pageURL {
				t.Errorf("share link %q: %v", m[1], err)
			}
			for _, a := range regexp.MustCompile(`<a [^>]*href="https://www\.linkedin\.com[^>]*>`).FindAllString(page, -1) {
				if !strings.Contains(a, `rel="noopener noreferrer"`) {
					t.Errorf("link without rel=noopener noreferrer: %s", a)
				}
			}
			noInlineCode(t, page)
			noRecipient(t, f, "page", page)
		})
	}
	t.Run("ok/did recipient", func(t *testing.T) {
		const subject = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
		rec := issue(t, f.fixture, `{"achievementId":"`+f.achievement.ID+`","recipient":{"did":"`+subject+`"},"format":"jwt_vc"}`)
		page := getPage(t, f, bareUUID(rec.ID)).Body.String()
		if !strings.Contains(page, "Awarded to "+subject) || banner(t, page) != "Verified" {
			t.Errorf("page of a DID recipient:\n%s", page)
		}
	})
	t.Run("ok/backdated", func(t *testing.T) {
		rec := f.issueBadge(t, issuer.FormatLDP, `,"validFrom":"2024-05-01T00:00:00Z"`)
		page := getPage(t, f, bareUUID(rec.ID)).Body.String()
		if !strings.Contains(page, `<dt>Valid from</dt>`+"\n"+`<dd><time datetime="2024-05-01T00:00:00Z">1 May 2024</time></dd>`) {
			t.Error("the page does not show a validFrom before the issue date")
		}
		u, _ := url.Parse(html.UnescapeString(linkedInAdd.FindStringSubmatch(page)[1]))
		if q := u.Query(); q.Get("issueYear") != "2024" || q.Get("issueMonth") != "5" || q.Has("expirationYear") {
			t.Errorf("add-to-profile dates: %s", u.RawQuery)
		}
	})
}

// noInlineCode checks that the page holds no inline script, style or event
// handler, which the CSP would block anyway.
func noInlineCode(t *testing.T, page string) {
	t.Helper()
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(tag, ` src="`) {
			t.Errorf("inline script: %s", tag)
		}
	}
	if regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(page) {
		t.Error("a script element has content")
	}
	if strings.Contains(page, "<style") || regexp.MustCompile(`\sstyle="`).MatchString(page) {
		t.Error("inline style")
	}
	if regexp.MustCompile(`\son[a-z]+="`).MatchString(page) {
		t.Error("inline event handler")
	}
	refs := assetRef.FindAllStringSubmatch(page, -1)
	if len(refs) != 2 {
		t.Errorf("asset references %v, want the stylesheet and the script", refs)
	}
}

// noRecipient fails if body, or any asset the page links, names the
// recipient's email address in any case or escaping.
func noRecipient(t *testing.T, f *badgeFixture, what, body string) {
	t.Helper()
	for _, form := range []string{badgeRecipient, strings.ToUpper(badgeRecipient), url.QueryEscape(badgeRecipient), "ada.secret", "ada%2esecret"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(form)) {
			t.Errorf("%s shows the recipient's email address (%q)", what, form)
		}
	}
	for _, m := range assetRef.FindAllStringSubmatch(body, -1) {
		w := f.do("GET", m[1], "", "")
		if strings.Contains(strings.ToLower(w.Body.String()), "ada.secret") {
			t.Errorf("asset %s shows the recipient's email address", m[1])
		}
	}
}

// TestBadgePageStatus follows a badge through revocation, suspension and
// expiry: the page verifies on each request and names the outcome.
func TestBadgePageStatus(t *testing.T) {
	f := newBadgeFixture(t)
	revoked := f.issueBadge(t, issuer.FormatLDP, "")
	suspended := f.issueBadge(t, issuer.FormatJWT, `,"statusPurpose":"suspension"`)
	expired := f.issueBadge(t, issuer.FormatLDP, `,"validFrom":"2020-01-01T00:00:00Z","validUntil":"2021-06-01T00:00:00Z"`)

	for _, id := range []string{revoked.ID, suspended.ID} {
		if got := banner(t, getPage(t, f, bareUUID(id)).Body.String()); got != "Verified" {
			t.Fatalf("%s before any change: %q", id, got)
		}
	}
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+revoked.ID+"/revoke", testToken, `{"reason":"plagiarism"}`), http.StatusOK, nil)
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+suspended.ID+"/suspend", testToken, `{"reason":"under review"}`), http.StatusOK, nil)

	tests := []struct {
		name, id, banner, failed string
	}{
		{"fail/revoked", revoked.ID, "Revoked", "status"},
		{"fail/suspended", suspended.ID, "Suspended", "status"},
		{"fail/expired", expired.ID, "Expired", "validity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := getPage(t, f, bareUUID(tt.id))
			if w.Code != http.StatusOK {
				t.Fatalf("page = %d", w.Code)
			}
			page := w.Body.String()
			if got := banner(t, page); got != tt.banner {
				t.Errorf("banner %q, want %q", got, tt.banner)
			}
			if !strings.Contains(page, `<li class="check check-failed" data-check="`+tt.failed+`">`) {
				t.Errorf("check %s is not shown failed", tt.failed)
			}
			if strings.Contains(page, "plagiarism") || strings.Contains(page, "under review") {
				t.Error("the page shows the reason for the status change")
			}
			if tt.banner != "Expired" && strings.Contains(page, "linkedin.com") {
				t.Error("a revoked or suspended badge offers LinkedIn buttons")
			}
			noRecipient(t, f, "page", page)
		})
	}
	t.Run("ok/unsuspended", func(t *testing.T) {
		mustJSON(t, f.do("POST", "/api/v1/credentials/"+suspended.ID+"/unsuspend", testToken, `{}`), http.StatusOK, nil)
		if got := banner(t, getPage(t, f, bareUUID(suspended.ID)).Body.String()); got != "Verified" {
			t.Errorf("banner %q after unsuspend, want Verified", got)
		}
	})
	t.Run("ok/expired link has expiration", func(t *testing.T) {
		m := linkedInAdd.FindStringSubmatch(getPage(t, f, bareUUID(expired.ID)).Body.String())
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("issueYear") != "2020" || q.Get("issueMonth") != "1" || q.Get("expirationYear") != "2021" || q.Get("expirationMonth") != "6" {
			t.Errorf("dates in %s", u.RawQuery)
		}
	})
}

func TestBadgePageAddresses(t *testing.T) {
	f := newBadgeFixture(t)
	rec := f.issueBadge(t, issuer.FormatLDP, "")
	id := bareUUID(rec.ID)
	// A credential signed through the VC-API is this issuer's too, but its
	// content is the caller's: it gets no public page.
	mustJSON(t, f.do("POST", "/credentials/issue", testToken, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],
		"id":"urn:uuid:2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c","type":["VerifiableCredential"],"validFrom":"2025-01-01T00:00:00Z",
		"credentialSubject":{"id":"did:example:ada","email":"`+badgeRecipient+`"}},"options":{"format":"jwt_vc"}}`), http.StatusCreated, nil)
	if w := f.do("GET", "/api/v1/credentials/urn:uuid:2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c", testToken, ""); w.Code != http.StatusOK {
		t.Fatalf("the VC-API credential was not stored: %d", w.Code)
	}

	tests := []struct {
		name, path, accept string
		status             int
		contentType        string
	}{
		{"ok/bare uuid", "/badges/" + id, "text/html", 200, "text/html; charset=utf-8"},
		{"ok/urn:uuid prefix", "/badges/" + rec.ID, "text/html", 200, "text/html; charset=utf-8"},
		{"ok/escaped urn:uuid prefix", "/badges/urn%3Auuid%3A" + id, "", 200, "text/html; charset=utf-8"},
		{"ok/upper case", "/badges/" + strings.ToUpper(id), "*/*", 200, "text/html; charset=utf-8"},
		{"fail/unknown", "/badges/0190a3c4-0000-7000-8000-000000000000", "text/html", 404, "text/html; charset=utf-8"},
		{"fail/malformed", "/badges/not-a-uuid", "text/html", 404, "text/html; charset=utf-8"},
		{"fail/uuid without hyphens", "/badges/" + strings.ReplaceAll(id, "-", ""), "", 404, "text/html; charset=utf-8"},
		{"fail/path in id", "/badges/..%2F..%2Fapi", "", 404, "text/html; charset=utf-8"},
		{"fail/VC-API credential", "/badges/2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c", "", 404, "text/html; charset=utf-8"},
		{"fail/unknown as JSON", "/badges/0190a3c4-0000-7000-8000-000000000000", "application/json", 404, "application/problem+json"},
		{"fail/unknown as problem", "/badges/not-a-uuid", "application/problem+json", 404, "application/problem+json"},
		{"fail/page as JSON", "/badges/" + id, "application/json", 406, "application/problem+json"},
		{"fail/unknown credential", "/badges/0190a3c4-0000-7000-8000-000000000000/credential", "", 404, "application/problem+json"},
		{"fail/unknown baked badge", "/badges/0190a3c4-0000-7000-8000-000000000000/badge.svg", "", 404, "application/problem+json"},
		{"fail/unknown credential in a browser", "/badges/not-a-uuid/credential", "text/html", 404, "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", tt.path, "", "", "Accept", tt.accept)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != tt.contentType {
				t.Fatalf("Content-Type %q, want %q", ct, tt.contentType)
			}
			body := w.Body.String()
			switch {
			case tt.contentType == "application/problem+json":
				decodeProblem(t, w)
			case tt.status == 404:
				checkBadgeHeaders(t, w.Header())
				if !strings.Contains(body, "Badge not found") {
					t.Errorf("404 page: %s", body)
				}
				if strings.Contains(body, "<script") || strings.Contains(body, "<style") || len(assetRef.FindAllString(body, -1)) != 1 {
					t.Errorf("404 page markup: %s", body)
				}
			default:
				if got := metaContent(t, body, "property", "og:url"); got != "http://localhost:8080/badges/"+id {
					t.Errorf("og:url %q", got)
				}
			}
			noRecipient(t, f, "response", body)
		})
	}
}

// TestBadgeDownloads checks the credential and the baked badge of both
// formats: the same credential as stored, with the right media types.
func TestBadgeDownloads(t *testing.T) {
	f := newBadgeFixture(t)
	for _, tt := range []struct{ format, mediaType string }{
		{issuer.FormatLDP, "application/vc"},
		{issuer.FormatJWT, "application/vc+jwt"},
	} {
		rec := f.issueBadge(t, tt.format, "")
		want := []byte(rec.Credential)
		if tt.format == issuer.FormatJWT {
			want = []byte(jwtOf(t, rec))
		}
		id := bareUUID(rec.ID)
		t.Run("ok/credential/"+tt.format, func(t *testing.T) {
			w := f.do("GET", "/badges/"+id+"/credential", "", "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != tt.mediaType {
				t.Errorf("Content-Type %q, want %q", ct, tt.mediaType)
			}
			if !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("credential differs from the stored one:\n%s\n%s", w.Body, want)
			}
			if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			noRecipient(t, f, "credential", w.Body.String())
			// The page's "Verify again" posts exactly this to the verifier.
			body, _ := json.Marshal(map[string]any{"verifiableCredential": json.RawMessage(rec.Credential)})
			var res struct {
				Verified bool             `json:"verified"`
				Results  []verifier.Check `json:"results"`
			}
			mustJSON(t, f.do("POST", "/credentials/verify", "", string(body)), 200, &res)
			if !res.Verified || len(res.Results) != len(verifier.AllChecks) {
				t.Errorf("verify again: %+v", res)
			}
		})
		t.Run("ok/baked svg/"+tt.format, func(t *testing.T) {
			w := f.do("GET", "/badges/"+id+"/badge.svg", "", "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			img := w.Body.Bytes()
			got, kind, err := bake.Unbake(img)
			if err != nil || kind != bake.KindSVG {
				t.Fatalf("unbake: %q %v", kind, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("baked credential differs from the stored one:\n%s\n%s", got, want)
			}
			title := wellFormedSVG(t, img)
			if title != badgeName {
				t.Errorf("svg title %q, want %q", title, badgeName)
			}
			if bytes.Contains(img, []byte("<script")) {
				t.Error("the badge name reached the SVG as markup")
			}
			noRecipient(t, f, "baked badge", string(img))
		})
	}
}

// wellFormedSVG parses img strictly as XML and returns its title text.
func wellFormedSVG(t *testing.T, img []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(img))
	dec.Strict = true
	var root, title string
	inTitle := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, img)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Space + " " + el.Name.Local
			}
			inTitle = el.Name.Local == "title"
		case xml.CharData:
			if inTitle {
				title += string(el)
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q", root)
	}
	return title
}

func TestBadgeAssets(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	tests := []struct {
		name, path  string
		status      int
		contentType string
	}{
		{"ok/stylesheet", "/badges/assets/badge.css", 200, "text/css; charset=utf-8"},
		{"ok/script", "/badges/assets/badge.js", 200, "text/javascript; charset=utf-8"},
		{"ok/script with version", "/badges/assets/badge.js?v=" + badgeAssetVersion, 200, "text/javascript; charset=utf-8"},
		{"fail/template", "/badges/assets/page.html", 404, "application/problem+json"},
		{"fail/unknown", "/badges/assets/nope.js", 404, "application/problem+json"},
		{"fail/traversal", "/badges/assets/..%2Fpage.html", 404, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", tt.path, "", "")
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if tt.status == 200 && w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
		})
	}
	js := f.do("GET", "/badges/assets/badge.js", "", "").Body.String()
	for _, bad := range []string{"eval(", "new Function", "Function(", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "setTimeout(\"", "setInterval(\"", "javascript:"} {
		if strings.Contains(js, bad) {
			t.Errorf("badge.js uses %s", bad)
		}
	}
	// The script's verdict rule names the same checks as the verifier.
	for _, name := range verifier.AllChecks {
		if !strings.Contains(js, `"`+name+`"`) {
			t.Errorf("badge.js does not know check %q", name)
		}
	}
}

// TestBannerFor pins the verdict rule that badge.js mirrors.
func TestBannerFor(t *testing.T) {
	rep := func(checks ...verifier.Check) *verifier.Report {
		r := &verifier.Report{Verified: true, Checks: checks}
		for _, c := range checks {
			if c.Status == verifier.Failed {
				r.Verified = false
			}
		}
		return r
	}
	ok := func(name string) verifier.Check { return verifier.Check{Name: name, Status: verifier.Passed} }
	bad := func(name, msg string) verifier.Check {
		return verifier.Check{Name: name, Status: verifier.Failed, Message: msg}
	}
	tests := []struct {
		name  string
		rep   *verifier.Report
		state string
	}{
		{"ok/verified", rep(ok("format"), ok("proof"), ok("status")), "verified"},
		{"ok/verified with a warning", rep(ok("format"), verifier.Check{Name: "status", Status: verifier.Warning}), "verified"},
		{"fail/revoked", rep(ok("proof"), bad("status", "revoked: bit 5 of https://x/status/1 is set")), "revoked"},
		{"fail/suspended", rep(ok("proof"), bad("status", "suspended: bit 5 of https://x/status/1 is set")), "suspended"},
		{"fail/expired", rep(ok("proof"), bad("validity", "expired: validUntil was 2021-01-01T00:00:00Z")), "expired"},
		{"fail/revoked and expired", rep(bad("validity", "expired: x"), bad("status", "revoked: x")), "revoked"},
		{"fail/bad proof beats revoked", rep(bad("proof", "signature invalid"), bad("status", "revoked: x")), "not-verified"},
		{"fail/not yet valid", rep(bad("validity", "not yet valid: validFrom is 2099-01-01T00:00:00Z")), "not-verified"},
		{"fail/status list unreachable", rep(bad("status", "status list retrieval error: GET: 503")), "not-verified"},
		{"fail/nothing ran", &verifier.Report{}, "not-verified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, _ := bannerFor(tt.rep); got != tt.state {
				t.Errorf("state %q, want %q", got, tt.state)
			}
		})
	}
}

func TestBadgeSVGText(t *testing.T) {
	tests := []struct {
		name, badge, issuer string
	}{
		{"ok/short", "Go", "Acme"},
		{"ok/markup", `</text><script>alert(1)</script>`, `"Acme" & <Co>`},
		{"ok/long", strings.Repeat("Concurrency ", 20), strings.Repeat("Organisation ", 10)},
		{"ok/long word", strings.Repeat("x", 200), ""},
		{"ok/control characters", "Go\x00\x1b badge", "Ac\x01me"},
		{"ok/multibyte", strings.Repeat("バッジ ", 30), "研究所"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := badgeSVG(tt.badge, tt.issuer)
			title := wellFormedSVG(t, img)
			if !strings.Contains(tt.badge, "\x00") && title != tt.badge {
				t.Errorf("title %q, want %q", title, tt.badge)
			}
			if bytes.Contains(img, []byte("<script")) {
				t.Error("markup in the SVG")
			}
			baked, err := bake.BakeSVG(img, []byte(`{"id":"urn:uuid:1"}`))
			if err != nil {
				t.Fatalf("bake: %v", err)
			}
			if got, _, err := bake.Unbake(baked); err != nil || string(got) != `{"id":"urn:uuid:1"}` {
				t.Errorf("unbake: %s %v", got, err)
			}
		})
	}
}
