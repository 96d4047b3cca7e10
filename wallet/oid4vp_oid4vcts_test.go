package wallet_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/wallet"
)

// oid4vcTSVerifier starts interop/oid4vp/verifier.mjs: a verifier made with
// @openid4vc/openid4vp (oid4vc-ts) that serves one signed
// decentralized_identifier:did:jwk: request; it returns the request link
// and a function that waits for the verifier's verdict on the response.
func oid4vcTSVerifier(t *testing.T, format, mode string) (link string, verdict func() map[string]any) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "interop", "oid4vp")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal("interop/oid4vp/node_modules is missing: run 'make interop-deps' (npm ci in interop/oid4vp); make test does it")
	}
	cmd := exec.Command("node", filepath.Join(dir, "verifier.mjs"))
	in, _ := json.Marshal(map[string]string{"format": format, "responseMode": mode})
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Stderr = os.Stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewReader(stdout)
	read := func() map[string]any {
		t.Helper()
		done := make(chan map[string]any, 1)
		go func() {
			line, err := lines.ReadString('\n')
			var m map[string]any
			if err == nil || err == io.EOF {
				_ = json.Unmarshal([]byte(line), &m)
			}
			done <- m
		}()
		select {
		case m := <-done:
			if m == nil {
				t.Fatal("verifier.mjs wrote no line")
			}
			return m
		case <-time.After(30 * time.Second):
			t.Fatal("verifier.mjs did not answer in 30s")
		}
		return nil
	}
	return read()["link"].(string), read
}

// TestOID4VPAgainstOID4VCTSVerifier has Accolade's wallet answer a deployed
// verifier library (oid4vc-ts): its signed request object (JAR made by the
// library, client_id decentralized_identifier:did:jwk:) is checked and
// answered in both formats, with direct_post and direct_post.jwt; the
// library parses (and decrypts) the response and validates it against its
// DCQL query, and the harness checks the presentation's binding.
func TestOID4VPAgainstOID4VCTSVerifier(t *testing.T) {
	e := newEnv(t, func(c *wallet.Config) { c.HTTPClient = &http.Client{Timeout: 10 * time.Second} })
	ctx := context.Background()
	h := e.signUp(t, "oid4vcts@example.org")
	ldp, err := e.w.Import(ctx, h.ID, e.signDI(t, e.credential(h.DefaultDID, newID(), "Go Concurrency")))
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Rust Basics")))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ format, mode, cred string }{
		{"ldp_vc", "direct_post", ldp.ID},
		{"jwt_vc_json", "direct_post", jwt.ID},
		{"ldp_vc", "direct_post.jwt", ldp.ID},
		{"jwt_vc_json", "direct_post.jwt", jwt.ID},
	} {
		t.Run(tc.format+"/"+tc.mode, func(t *testing.T) {
			link, verdict := oid4vcTSVerifier(t, tc.format, tc.mode)
			x, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: link})
			if err != nil {
				t.Fatal(err)
			}
			if !x.Signed || !strings.HasPrefix(x.ClientID, "decentralized_identifier:did:jwk:") || x.ResponseMode != tc.mode ||
				len(x.Queries) != 1 || len(x.Queries[0].Matches) != 1 || x.Queries[0].Matches[0].ID != tc.cred {
				t.Fatalf("evaluated %+v", x)
			}
			a, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{tc.cred}})
			if err != nil {
				t.Fatal(err)
			}
			v := verdict()
			if !a.Accepted || v["ok"] != true || v["holder"] != h.DefaultDID || v["encrypted"] != (tc.mode == "direct_post.jwt") {
				t.Errorf("answer %+v, verifier %v", a, v)
			}
		})
	}
}
