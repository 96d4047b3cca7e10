package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// oid4vpWallet runs interop/oid4vp/wallet.mjs: the wallet side of
// @openid4vc/openid4vp (oid4vc-ts, which Credo-based wallets use), an
// OpenID4VP 1.0 implementation that shares nothing with Accolade.
func oid4vpWallet(t *testing.T, in map[string]any) map[string]any {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "interop", "oid4vp")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal("interop/oid4vp/node_modules is missing: run 'make interop-deps' (npm ci in interop/oid4vp); make test does it")
	}
	body, _ := json.Marshal(in)
	cmd := exec.Command("node", filepath.Join(dir, "wallet.mjs"))
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("wallet.mjs: %v\n%s\n%s", err, out, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("wallet.mjs output %q: %v", out, err)
	}
	return res
}

// TestOID4VPInteropOID4VCTSWallet has a deployed OpenID4VP 1.0 wallet
// library (oid4vc-ts) take Accolade's links: it resolves signed
// decentralized_identifier: requests by reference (GET and
// request_uri_method post), checking the JAR signature against the DID, and
// unsigned redirect_uri: requests by value; it recognizes 1.0 final; and
// it submits Accolade-made presentations in direct_post and
// direct_post.jwt (its own JWE, with apu/apv), which Accolade's verifier
// accepts. A request whose link names another client is refused by it.
func TestOID4VPInteropOID4VCTSWallet(t *testing.T) {
	vci := newVCIServer(t, "")
	wf := &walletFixture{fixture: newRemoteWallet(t, vci.client)}
	vs := newVPServer(t)
	h := wf.signUp(t, "interop@example.org")
	ldpID, jwtID := receiveBoth(t, vci, wf, h)

	present := func(t *testing.T, ro map[string]any, format string) json.RawMessage {
		t.Helper()
		body := map[string]any{"credentialIds": []string{ldpID}, "challenge": ro["nonce"], "domain": ro["client_id"]}
		if format == "jwt_vc_json" {
			body = map[string]any{"credentialIds": []string{jwtID}, "format": "jwt_vp", "nonce": ro["nonce"], "audience": ro["client_id"]}
		}
		b, _ := json.Marshal(body)
		var p struct {
			VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
		}
		mustJSON(t, wf.do("POST", "/wallet/v1/presentations", h.token, string(b)), http.StatusCreated, &p)
		return p.VerifiablePresentation
	}

	for _, tc := range []struct {
		name, body, format, prefix, sendBy string
		walletMetadata                     bool
	}{
		{"signed/get/direct_post", `{"formats":["ldp_vc"]}`, "ldp_vc", "decentralized_identifier", "reference", false},
		{"signed/post/direct_post", `{"formats":["jwt_vc_json"],"requestUriMethod":"post"}`, "jwt_vc_json", "decentralized_identifier", "reference", true},
		{"signed/get/direct_post.jwt", `{"formats":["ldp_vc"],"responseMode":"direct_post.jwt"}`, "ldp_vc", "decentralized_identifier", "reference", false},
		{"unsigned by value/direct_post", `{"formats":["jwt_vc_json"],"clientIdPrefix":"redirect_uri"}`, "jwt_vc_json", "redirect_uri", "", false},
		{"unsigned by value/direct_post.jwt", `{"formats":["ldp_vc"],"clientIdPrefix":"redirect_uri","responseMode":"direct_post.jwt"}`, "ldp_vc", "redirect_uri", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := vs.newRequest(t, tc.body)
			ro := r["request"].(map[string]any)
			qid := "openbadge_" + strings.TrimSuffix(tc.format, "_json")
			res := oid4vpWallet(t, map[string]any{"link": r["link"], "walletMetadata": tc.walletMetadata,
				"vpToken": map[string]any{qid: []json.RawMessage{present(t, ro, tc.format)}}})
			if res["ok"] != true {
				t.Fatalf("the library refused the request: %v", res)
			}
			got := res["resolved"].(map[string]any)
			if got["clientIdPrefix"] != tc.prefix || got["clientId"] != ro["client_id"] || got["nonce"] != ro["nonce"] ||
				got["state"] != ro["state"] || got["responseMode"] != ro["response_mode"] || got["version"] != float64(100) {
				t.Errorf("resolved %v", got)
			}
			if tc.sendBy != "" && (got["sendBy"] != tc.sendBy || got["signed"] != true || !strings.HasPrefix(got["didUrl"].(string), strings.TrimPrefix(ro["client_id"].(string), "decentralized_identifier:")+"#")) {
				t.Errorf("JAR %v", got)
			}
			sub := res["submitted"].(map[string]any)
			if sub["status"] != float64(200) {
				t.Fatalf("the verifier refused the library's response: %v", sub)
			}
			if st := vs.status(t, r["id"].(string)); st["status"] != "verified" {
				t.Errorf("status %v", st)
			}
		})
	}

	t.Run("refused/client_id of the link differs", func(t *testing.T) {
		r := vs.newRequest(t, `{}`)
		link := strings.Replace(r["link"].(string), "decentralized_identifier%3Adid%3Akey%3Az", "decentralized_identifier%3Adid%3Akey%3AzX", 1)
		if res := oid4vpWallet(t, map[string]any{"link": link}); res["ok"] != false || !strings.Contains(fmt.Sprint(res["error_description"]), "client") {
			t.Errorf("the library took a request object for another client: %v", res)
		}
	})
}
