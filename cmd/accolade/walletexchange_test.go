package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// TestWalletCLIReceiveAndAnswer drives the whole loop from the command line:
// an issuer offer received with `accolade wallet receive`, then an OpenID4VP
// request listed and answered with `accolade wallet answer`.
func TestWalletCLIReceiveAndAnswer(t *testing.T) {
	const token = "wallet-exchange-admin-00"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"CLI Exchange","description":"d","criteria":{"narrative":"n"}}`)
	alice := newWalletCLI(t, s, filepath.Join(t.TempDir(), "wallet-token"))
	alice.mustRun("correct horse battery\n", "signup", "--email", "alice@example.org")
	alice.mustRun("", "confirm", s.confirmLink(t, "alice@example.org"))
	alice.mustRun("correct horse battery\n", "signin", "--email", "alice@example.org")

	offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+ach["id"].(string)+`","recipients":[{"email":"alice@example.org"}],"txCode":true}`)
	o := offers["offers"].([]any)[0].(map[string]any)
	if code, _, errs := alice.run("", "receive", "--tx-code", "000000", o["offerUri"].(string)); code == 0 || !strings.Contains(errs, "invalid_grant") {
		t.Errorf("receive with a wrong tx code: exit %d, %s", code, errs)
	}
	offers = postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+ach["id"].(string)+`","recipients":[{"email":"alice@example.org"}],"txCode":true}`)
	o = offers["offers"].([]any)[0].(map[string]any)
	out := alice.mustRun("", "receive", "--tx-code", o["txCode"].(string), o["offerUri"].(string))
	if !strings.HasPrefix(out, "received ") || !strings.Contains(out, "CLI Exchange") || !strings.Contains(out, "bound to did:key:") {
		t.Fatalf("receive: %s", out)
	}
	credID := strings.TrimSuffix(strings.Fields(out)[1], ":")

	req := postJSON(t, s.base+"/api/v1/presentation-requests", token, `{"achievementId":"`+ach["id"].(string)+`"}`)
	link := req["link"].(string)
	if out := alice.mustRun("", "answer", link); !strings.Contains(out, credID) || !strings.Contains(out, "1 matching") {
		t.Fatalf("answer (list only): %s", out)
	}
	if _, st := request(t, "GET", s.base+"/api/v1/presentation-requests/"+req["id"].(string), token, ""); st["status"] != "pending" {
		t.Fatalf("listing sent something: %v", st)
	}
	if out := alice.mustRun("", "answer", "--send", credID, link); !strings.Contains(out, "accepted") {
		t.Fatalf("answer --send: %s", out)
	}
	if _, st := request(t, "GET", s.base+"/api/v1/presentation-requests/"+req["id"].(string), token, ""); st["status"] != "verified" {
		t.Errorf("verifier status after the answer: %v", st)
	}
}
