package main

// OpenID4VP end to end over a real "accolade serve": the issuer offers a
// badge, the holder's wallet receives it over OpenID4VCI, the verifier
// (the same installation, as an employer would run it) asks for it over
// OpenID4VP, and the wallet presents it on the holder's consent. Then the
// refusals, each by name: a VP replayed to another request, someone else's
// credential, a tampered credential inside a valid VP, an expired request.

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

func walletHolderToken(t *testing.T, s *server, email string) (token, holderDID string) {
	t.Helper()
	body := `{"email":"` + email + `","password":"correct horse battery"}`
	if code, m := request(t, "POST", s.base+"/wallet/v1/signup", "", body); code != http.StatusAccepted {
		t.Fatalf("signup: %d %v", code, m)
	}
	link, _ := url.Parse(s.confirmLink(t, email))
	code, h := request(t, "POST", s.base+"/wallet/v1/signup/verify", "", `{"token":"`+link.Query().Get("token")+`"}`)
	if code != http.StatusCreated {
		t.Fatalf("confirm sign-up: %d %v", code, h)
	}
	code, sess := request(t, "POST", s.base+"/wallet/v1/signin", "", body)
	if code != http.StatusOK {
		t.Fatalf("signin: %d %v", code, sess)
	}
	return sess["access_token"].(string), h["defaultDid"].(string)
}

func postForm(t *testing.T, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func TestOID4VPOverServe(t *testing.T) {
	const token = "oid4vp-test-admin-token"
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_MAIL_DIR": t.TempDir(), "ACCOLADE_WALLET_PRESENTATION_TTL": "10s"})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Verified Hire","description":"Shown to an employer.",
		"criteria":{"narrative":"Present it."},"image":{"id":"https://badges.example.org/hire.png","caption":"A handshake"}}`)
	achID := ach["id"].(string)
	alice, aliceDID := walletHolderToken(t, s, "alice@example.org")
	mallory, _ := walletHolderToken(t, s, "mallory@example.org")

	// 1. Receive over OpenID4VCI, with a transaction code.
	offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"alice@example.org"}],
		"format":"ldp_vc","grants":["pre-authorized_code"],"txCode":true}`)
	o := offers["offers"].([]any)[0].(map[string]any)
	if code, m := request(t, "POST", s.base+"/wallet/v1/offers", alice, `{"offer":"`+o["offerUri"].(string)+`","txCode":"wrong"}`); code != http.StatusBadGateway ||
		!strings.Contains(fmt.Sprint(m["detail"]), "invalid_grant") {
		t.Fatalf("wrong tx_code: %d %v", code, m)
	}
	offers = postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"alice@example.org"}],
		"format":"ldp_vc","grants":["pre-authorized_code"],"txCode":true}`)
	o = offers["offers"].([]any)[0].(map[string]any)
	code, got := request(t, "POST", s.base+"/wallet/v1/offers", alice, `{"offer":"`+o["offerUri"].(string)+`","txCode":"`+o["txCode"].(string)+`"}`)
	if code != http.StatusCreated {
		t.Fatalf("receive: %d %v", code, got)
	}
	cred := got["credentials"].([]any)[0].(map[string]any)
	credID := cred["id"].(string)
	if cred["subjectId"] != aliceDID || cred["report"].(map[string]any)["verified"] != true {
		t.Fatalf("received %v", cred)
	}

	newRequest := func(body string) (id, link string, ro map[string]any) {
		t.Helper()
		r := postJSON(t, s.base+"/api/v1/presentation-requests", token, body)
		return r["id"].(string), r["link"].(string), r["request"].(map[string]any)
	}
	evaluate := func(tok, link string) map[string]any {
		t.Helper()
		code, x := request(t, "POST", s.base+"/wallet/v1/presentation-requests", tok, `{"request":"`+link+`"}`)
		if code != http.StatusCreated {
			t.Fatalf("evaluate: %d %v", code, x)
		}
		return x
	}
	respond := func(tok, xid, cid string) map[string]any {
		t.Helper()
		code, a := request(t, "POST", s.base+"/wallet/v1/presentation-requests/"+xid+"/respond", tok, `{"credentialIds":["`+cid+`"]}`)
		if code != http.StatusOK {
			t.Fatalf("respond: %d %v", code, a)
		}
		return a
	}
	status := func(id string) map[string]any {
		t.Helper()
		code, m := request(t, "GET", s.base+"/api/v1/presentation-requests/"+id, token, "")
		if code != 200 {
			t.Fatalf("status: %d %v", code, m)
		}
		return m
	}
	direct := func(ro map[string]any, qid string, vp any) (int, map[string]any) {
		t.Helper()
		tok, _ := json.Marshal(map[string]any{qid: []any{vp}})
		return postForm(t, ro["response_uri"].(string), url.Values{"vp_token": {string(tok)}, "state": {ro["state"].(string)}})
	}

	// 2-4. The verifier asks, the wallet matches and presents, the verifier accepts.
	id, link, _ := newRequest(`{"achievementId":"` + achievementIRI(t, cred) + `"}`)
	x := evaluate(alice, link)
	if x["satisfiable"] != true {
		t.Fatalf("evaluated %v", x)
	}
	if a := respond(alice, x["id"].(string), credID); a["accepted"] != true {
		t.Fatalf("verifier refused: %v", a)
	}
	if st := status(id); st["status"] != "verified" || st["result"].(map[string]any)["verified"] != true {
		t.Fatalf("status %v", st)
	}

	t.Run("replayed VP", func(t *testing.T) {
		_, _, ro1 := newRequest(`{}`)
		id2, _, ro2 := newRequest(`{}`)
		body, _ := json.Marshal(map[string]any{"credentialIds": []string{credID}, "challenge": ro1["nonce"], "domain": ro1["client_id"]})
		code, p := request(t, "POST", s.base+"/wallet/v1/presentations", alice, string(body))
		if code != http.StatusCreated {
			t.Fatalf("present: %d %v", code, p)
		}
		code, m := direct(ro2, "openbadge_ldp_vc", p["verifiablePresentation"])
		if code != 400 || !strings.Contains(fmt.Sprint(m["error_description"]), "presentation.proof") {
			t.Errorf("replay: %d %v", code, m)
		}
		// The failed response is recorded but does not use the request up.
		if st := status(id2); st["status"] != "pending" || len(st["attempts"].([]any)) != 1 {
			t.Errorf("status %v, attempts %v", st["status"], st["attempts"])
		}
	})

	t.Run("someone else's credential", func(t *testing.T) {
		_, c := request(t, "GET", s.base+"/wallet/v1/credentials/"+credID, alice, "")
		body, _ := json.Marshal(map[string]any{"credential": c["credential"]})
		code, stolen := request(t, "POST", s.base+"/wallet/v1/credentials", mallory, string(body))
		if code != http.StatusCreated {
			t.Fatalf("import: %d %v", code, stolen)
		}
		_, link, _ := newRequest(`{}`)
		x := evaluate(mallory, link)
		a := respond(mallory, x["id"].(string), stolen["id"].(string))
		if a["accepted"] != false || !strings.Contains(fmt.Sprint(a["answer"]), "holder-binding") {
			t.Errorf("stolen: %v", a)
		}
	})

	t.Run("tampered credential in a valid VP", func(t *testing.T) {
		k, err := keys.Generate(keys.EdDSA, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := did.KeyDID(k.Public())
		kid := d + "#" + strings.TrimPrefix(d, "did:key:")
		issued := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+achID+`","recipient":{"did":"`+d+`"},"format":"jwt_vc"}`)
		jwt := issued["credential"].(string)
		parts := strings.Split(jwt, ".")
		pl, _ := base64.RawURLEncoding.DecodeString(parts[1])
		pl = bytes.Replace(pl, []byte("Verified Hire"), []byte("Verified Hire, Summa Cum Laude"), 1)
		parts[1] = base64.RawURLEncoding.EncodeToString(pl)
		_, _, ro := newRequest(`{"formats":["jwt_vc_json"]}`)
		vp, err := jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"},
			"holder": d, "verifiableCredential": []any{strings.Join(parts, ".")}}, k, kid, ro["client_id"].(string), ro["nonce"].(string), time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		code, m := direct(ro, "openbadge_jwt_vc", vp)
		desc := fmt.Sprint(m["error_description"])
		if code != 400 || !strings.Contains(desc, "proof") || strings.Contains(desc, "presentation.proof") {
			t.Errorf("tampered: %d %v", code, m)
		}
	})

	t.Run("expired request", func(t *testing.T) {
		id, link, _ := newRequest(`{}`)
		x := evaluate(alice, link)
		s.skew.Store(int64(10*time.Second + 200*time.Millisecond))
		defer s.skew.Store(0)
		a := respond(alice, x["id"].(string), credID)
		if a["accepted"] != false || a["status"] != float64(http.StatusGone) || !strings.Contains(fmt.Sprint(a["answer"]), "request_expired") {
			t.Errorf("expired: %v", a)
		}
		if st := status(id); st["status"] != "expired" {
			t.Errorf("status %v", st["status"])
		}
	})
}

// achievementIRI reads the achievement id of a received credential from the
// wallet's summary.
func achievementIRI(t *testing.T, cred map[string]any) string {
	t.Helper()
	a, _ := cred["achievementId"].(string)
	if a == "" {
		t.Fatalf("no achievementId in %v", cred)
	}
	return a
}
