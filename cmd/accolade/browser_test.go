package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// browserNeeds returns node and the Chromium that interop/browser's
// puppeteer-core scripts drive ($ACCOLADE_CHROMIUM, else chromium on PATH;
// .ci/run installs Debian's). Whatever is missing stops the test through
// sharedtest: one line locally, a failure when CI=true.
func browserNeeds(t *testing.T) (node, browser string) {
	t.Helper()
	return sharedtest.Node(t, "interop/browser"), sharedtest.Chromium(t)
}

// TestBadgePageInChromium opens a public badge page in a real browser
// (interop/browser/badgepage.mjs, puppeteer-core on Chromium): the page
// loads under its Content-Security-Policy without errors, says Verified,
// offers the LinkedIn links, and after a revocation its "Verify again"
// button (the page's own script calling POST /credentials/verify) turns the
// verdict to Revoked.
func TestBadgePageInChromium(t *testing.T) {
	node, browser := browserNeeds(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "interop", "browser", "badgepage.mjs")
	const token = "browser-test-admin-token-0"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Tom & Jerry <Chase> Award","description":"Chased well.",
		"criteria":{"narrative":"Chase."},"achievementType":"Badge",
		"image":{"id":"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMCIgaGVpZ2h0PSIxMCI+PHJlY3Qgd2lkdGg9IjEwIiBoZWlnaHQ9IjEwIi8+PC9zdmc+"}}`)
	for _, format := range []string{"ldp_vc", "jwt_vc"} {
		t.Run(format, func(t *testing.T) {
			rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"ada@example.org"},"format":"`+format+`"}`)
			id := rec["id"].(string)
			pageURL := s.base + "/badges/" + strings.TrimPrefix(id, "urn:uuid:")
			in, _ := json.Marshal(map[string]string{"page": pageURL, "revoke": s.base + "/api/v1/credentials/" + id + "/revoke", "token": token})
			cmd := exec.Command(node, script)
			cmd.Env = append(os.Environ(), sharedtest.EnvChromium+"="+browser)
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("badgepage.mjs: %v\n%s", err, stderr.String())
			}
			var got struct {
				Status                 int      `json:"status"`
				OverflowX              int      `json:"overflowX"`
				BannerOnLoad           string   `json:"bannerOnLoad"`
				BannerAfterVerifyAgain string   `json:"bannerAfterVerifyAgain"`
				ChecksAfter            []string `json:"checksAfter"`
				Links                  []string `json:"links"`
				ImagesLoaded           int      `json:"imagesLoaded"`
				ConsoleErrors          []string `json:"consoleErrors"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("badgepage.mjs output %q: %v", out, err)
			}
			if got.Status != 200 || got.BannerOnLoad != "Verified" {
				t.Errorf("page: HTTP %d, banner %q; want 200 and Verified", got.Status, got.BannerOnLoad)
			}
			if len(got.ConsoleErrors) > 0 {
				t.Errorf("browser console errors (a blocked script, style or image under the CSP?): %q", got.ConsoleErrors)
			}
			if got.OverflowX > 0 {
				t.Errorf("at 360 px wide the page scrolls sideways by %d px", got.OverflowX)
			}
			if got.ImagesLoaded < 1 {
				t.Errorf("the badge image did not load")
			}
			if got.BannerAfterVerifyAgain != "Revoked" {
				t.Errorf("after revoking and pressing Verify again: banner %q, want Revoked (checks %q)", got.BannerAfterVerifyAgain, got.ChecksAfter)
			}
			if !slices.ContainsFunc(got.ChecksAfter, func(c string) bool { return strings.HasPrefix(c, "status failed") }) {
				t.Errorf("checks after Verify again: %q, want a failed status check", got.ChecksAfter)
			}
			var add *url.URL
			for _, l := range got.Links {
				if u, err := url.Parse(l); err == nil && u.Host == "www.linkedin.com" && u.Path == "/profile/add" {
					add = u
				}
			}
			if add == nil {
				t.Fatalf("no LinkedIn add-to-profile link among %q", got.Links)
			}
			// certUrl names the page under the server's public URL
			// (http://localhost:PORT here, while the test dials 127.0.0.1).
			wantCert := strings.Replace(pageURL, "127.0.0.1", "localhost", 1)
			if q := add.Query(); q.Get("name") != "Tom & Jerry <Chase> Award" || q.Get("certUrl") != wantCert || q.Get("certId") != id {
				t.Errorf("add-to-profile link %s: name %q, certUrl %q, certId %q", add, q.Get("name"), q.Get("certUrl"), q.Get("certId"))
			}
		})
	}
}

// TestIssuerPageInChromium opens an issuer page in a real browser: its
// images load although one achievement's image is unreachable (the server
// draws one), and copy.js adds a working copy button after each DID,
// without console errors under the page's CSP.
func TestIssuerPageInChromium(t *testing.T) {
	node, browser := browserNeeds(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "interop", "browser", "badgepage.mjs")
	const token = "browser-test-admin-token-1"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_ISSUER_NAME": "Browser Academy"})
	// Port 1 on loopback refuses connections: the image is unreachable.
	postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Unreachable Image","description":"d","criteria":{"narrative":"n"},
		"image":{"id":"https://127.0.0.1:1/missing.png"}}`)
	postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"No Image","description":"d","criteria":{"narrative":"n"}}`)
	in, _ := json.Marshal(map[string]string{"mode": "issuer", "page": s.base + "/issuers/browser-academy"})
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), sharedtest.EnvChromium+"="+browser)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("badgepage.mjs: %v\n%s", err, stderr.String())
	}
	var got struct {
		Status              int      `json:"status"`
		OverflowX           int      `json:"overflowX"`
		Images              int      `json:"images"`
		ImagesLoaded        int      `json:"imagesLoaded"`
		DIDs                []string `json:"dids"`
		CopyButtons         int      `json:"copyButtons"`
		CopyLabelAfterClick string   `json:"copyLabelAfterClick"`
		ConsoleErrors       []string `json:"consoleErrors"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("badgepage.mjs output %q: %v", out, err)
	}
	if got.Status != 200 || got.Images != 3 || got.ImagesLoaded != 3 {
		t.Errorf("HTTP %d, %d of %d images loaded; want 200 and the logo and both achievements' images", got.Status, got.ImagesLoaded, got.Images)
	}
	if len(got.DIDs) == 0 || got.CopyButtons != len(got.DIDs) || !strings.HasPrefix(got.DIDs[0], "did:") {
		t.Errorf("DIDs %q with %d copy buttons", got.DIDs, got.CopyButtons)
	}
	if got.CopyLabelAfterClick != "Copied" && got.CopyLabelAfterClick != "Select and copy" {
		t.Errorf("copy button label after a click: %q", got.CopyLabelAfterClick)
	}
	if len(got.ConsoleErrors) > 0 {
		t.Errorf("browser console errors: %q", got.ConsoleErrors)
	}
	if got.OverflowX > 0 {
		t.Errorf("at 360 px wide the page scrolls sideways by %d px", got.OverflowX)
	}
}
