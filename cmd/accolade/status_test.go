package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// TestRevocationSeenByVerifier runs the whole loop over real HTTP: issue,
// verify (the verifier fetches our status list through the guarded client
// and checks its proof), revoke, and verify again after the list's ttl.
func TestRevocationSeenByVerifier(t *testing.T) {
	const token = "status-test-admin-token-0"
	vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_STATUS_TTL": "1s"}
	s := startServe(t, t.TempDir(), vars)
	for _, format := range []string{"ldp_vc", "jwt_vc"} {
		t.Run(format, func(t *testing.T) {
			ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"B","description":"d","criteria":{"narrative":"n"}}`)
			rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"r@example.org"},"format":"`+format+`"}`)
			verify := func() map[string]any {
				body, _ := json.Marshal(map[string]any{"verifiableCredential": rec["credential"]})
				resp, err := http.Post(s.base+"/credentials/verify", "application/json", strings.NewReader(string(body)))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				return out
			}
			if out := verify(); out["verified"] != true || !strings.Contains(strings.Join(toStrings(out["checks"]), ","), "status") {
				t.Fatalf("before revocation: %v", out)
			}
			postStatus(t, s.base+"/api/v1/credentials/"+rec["id"].(string)+"/revoke", token)
			// The verifier caches the list for its ttl (1s): ask until
			// the revocation shows.
			var out map[string]any
			if !eventually(15*time.Second, func() bool {
				out = verify()
				errs, _ := json.Marshal(out["errors"])
				return out["verified"] == false && strings.Contains(string(errs), `"status"`) && strings.Contains(string(errs), "revoked")
			}) {
				t.Errorf("15s after revocation: %v", out)
			}
		})
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func postStatus(t *testing.T, url, token string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

// TestOwnVerifierSeesRevocationAtOnce: with the default 5-minute ttl, the
// server's own verifier and the public badge page see a revocation made on
// the same node at once (the issuer clears its checker's copy of the list).
func TestOwnVerifierSeesRevocationAtOnce(t *testing.T) {
	const token = "status-test-admin-token-1"
	vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token}
	s := startServe(t, t.TempDir(), vars)
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"B","description":"d","criteria":{"narrative":"n"}}`)
	rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"r@example.org"},"format":"ldp_vc"}`)
	verify := func() map[string]any {
		body, _ := json.Marshal(map[string]any{"verifiableCredential": rec["credential"]})
		resp, err := http.Post(s.base+"/credentials/verify", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	page := func() string {
		resp, err := http.Get(s.base + "/badges/" + strings.TrimPrefix(rec["id"].(string), "urn:uuid:"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if out := verify(); out["verified"] != true {
		t.Fatalf("before revocation: %v", out)
	}
	if p := page(); !strings.Contains(p, "Verified") {
		t.Fatalf("badge page before revocation does not say Verified")
	}
	postStatus(t, s.base+"/api/v1/credentials/"+rec["id"].(string)+"/revoke", token)
	out := verify()
	if errs, _ := json.Marshal(out["errors"]); out["verified"] != false || !strings.Contains(string(errs), "revoked") {
		t.Errorf("right after revocation, within the list's ttl: %v", out)
	}
	if p := page(); !strings.Contains(p, "Revoked") {
		t.Errorf("badge page right after revocation does not say Revoked")
	}
}

// TestBadgePagesCanBeTurnedOff: with ACCOLADE_BADGE_PAGES=false an issued
// credential has no public page (the route does not exist), and issuing
// and verifying work as before.
func TestBadgePagesCanBeTurnedOff(t *testing.T) {
	const token = "status-test-admin-token-2"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_BADGE_PAGES": "false"})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"B","description":"d","criteria":{"narrative":"n"}}`)
	rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"r@example.org"},"format":"ldp_vc"}`)
	for _, path := range []string{"/badges/" + strings.TrimPrefix(rec["id"].(string), "urn:uuid:"), "/badges/assets/badge.js"} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s with badge pages off: %d, want 404", path, resp.StatusCode)
		}
	}
	body, _ := json.Marshal(map[string]any{"verifiableCredential": rec["credential"]})
	resp, err := http.Post(s.base+"/credentials/verify", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("verify with badge pages off: %d", resp.StatusCode)
	}
}
