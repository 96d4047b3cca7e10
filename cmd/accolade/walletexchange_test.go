package main

import (
	"encoding/json"
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
	if out := alice.mustRun("", "answer", link); !strings.Contains(out, credID) || !strings.Contains(out, "1 matching") ||
		!strings.Contains(out, "request signed by decentralized_identifier:did:key:") {
		t.Fatalf("answer (list only): %s", out)
	}
	// An unsigned request says so.
	unsigned := postJSON(t, s.base+"/api/v1/presentation-requests", token, `{"clientIdPrefix":"redirect_uri","responseMode":"direct_post.jwt"}`)
	if out := alice.mustRun("", "answer", unsigned["link"].(string)); !strings.Contains(out, "unsigned request: nothing proves who the verifier is") ||
		!strings.Contains(out, "encrypted") {
		t.Fatalf("answer (unsigned): %s", out)
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

// TestWalletCLIShareEmailBadge shares a badge awarded to an email address
// (a bearer credential: no subject DID): the wallet flags it before
// presenting, and the server's verifier accepts it under its default
// policy, reporting holder binding as not applicable.
func TestWalletCLIShareEmailBadge(t *testing.T) {
	const token = "wallet-bearer-admin-0000"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Email Badge","description":"d","criteria":{"narrative":"n"}}`)
	issued := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"email":"bo@example.org"}}`)
	raw, _ := json.Marshal(issued["credential"])
	bo := newWalletCLI(t, s, filepath.Join(t.TempDir(), "wallet-token"))
	bo.mustRun("correct horse battery\n", "signup", "--email", "bo@example.org")
	bo.mustRun("", "confirm", s.confirmLink(t, "bo@example.org"))
	bo.mustRun("correct horse battery\n", "signin", "--email", "bo@example.org")
	out := bo.mustRun(string(raw), "import", "-")
	credID := strings.TrimSuffix(strings.Fields(out)[1], ":")

	req := postJSON(t, s.base+"/api/v1/presentation-requests", token, `{"achievementId":"`+ach["id"].(string)+`"}`)
	link := req["link"].(string)
	if out := bo.mustRun("", "answer", link); !strings.Contains(out, credID+"  Email Badge") || !strings.Contains(out, "[bearer credential]") ||
		!strings.Contains(out, "anyone holding a copy can present it") {
		t.Fatalf("answer (list only): %s", out)
	}
	code, out, errs := bo.run("", "answer", "--send", credID, link)
	if code != 0 || !strings.Contains(out, "accepted") || !strings.Contains(errs, "note: credential "+credID) {
		t.Fatalf("answer --send: exit %d\n%s%s", code, out, errs)
	}
	_, st := request(t, "GET", s.base+"/api/v1/presentation-requests/"+req["id"].(string), token, "")
	if st["status"] != "verified" {
		t.Fatalf("verifier status after the answer: %v", st)
	}
	if b, _ := json.Marshal(st); !strings.Contains(string(b), "not applicable: bearer credential") {
		t.Errorf("the verifier's result does not report holder binding as not applicable: %s", b)
	}
}
