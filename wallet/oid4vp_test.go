package wallet_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
)

// fakeVerifier makes one unsigned redirect_uri: request, passed by value
// in the link (§5.9.3), and records the direct_post response.
type fakeVerifier struct {
	srv  *httptest.Server
	req  oid4vp.RequestObject
	form map[string]string
}

func newFakeVerifier(t *testing.T, queries ...oid4vp.CredentialQuery) *fakeVerifier {
	f := &fakeVerifier{}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.req = oid4vp.RequestObject{ResponseType: oid4vp.ResponseTypeVPToken, ResponseMode: oid4vp.ResponseModeDirectPost,
		ResponseURI: f.srv.URL + "/response", ClientID: oid4vp.PrefixRedirectURI + f.srv.URL + "/response",
		Nonce: "n-0S6_WzA2Mj", State: "st-1", DCQLQuery: oid4vp.DCQLQuery{Credentials: queries}}
	mux.HandleFunc("POST /response", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.form = map[string]string{"vp_token": r.PostForm.Get("vp_token"), "state": r.PostForm.Get("state")}
		_, _ = w.Write([]byte(`{}`))
	})
	return f
}

func (f *fakeVerifier) link() string { return oid4vp.RequestLinkByValue(&f.req) }

func TestPresentOverOID4VP(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "p@example.org")
	other := e.signUp(t, "o@example.org")
	ldp, err := e.w.Import(ctx, h.ID, e.signDI(t, e.credential(h.DefaultDID, newID(), "Go Concurrency")))
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Rust Basics")))
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeVerifier(t,
		oid4vp.OBQuery("ob_ldp", oid4vp.FormatLDPVC, "https://badges.example.org/achievements/go-concurrency", e.issDID),
		oid4vp.OBQuery("ob_jwt", oid4vp.FormatJWTVCJSON, "", ""))
	x, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: f.link()})
	if err != nil {
		t.Fatal(err)
	}
	if !x.Satisfiable || len(x.Queries) != 2 || len(x.Queries[0].Matches) != 1 || x.Queries[0].Matches[0].ID != ldp.ID ||
		len(x.Queries[1].Matches) != 1 || x.Queries[1].Matches[0].ID != jwt.ID {
		t.Fatalf("evaluated %+v", x)
	}
	if f.form != nil {
		t.Fatal("evaluating sent something")
	}
	// Another holder cannot answer this holder's exchange.
	if _, err := e.w.RespondPresentationRequest(ctx, other.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{ldp.ID}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other holder: %v", err)
	}
	// A credential that matches no query is refused.
	if _, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{"nope"}}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("unknown credential: %v", err)
	}
	a, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{ldp.ID, jwt.ID}})
	if err != nil || !a.Accepted {
		t.Fatalf("respond: %+v %v", a, err)
	}
	if f.form["state"] != "st-1" {
		t.Errorf("state %q", f.form["state"])
	}
	var tok map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(f.form["vp_token"]), &tok); err != nil || len(tok["ob_ldp"]) != 1 || len(tok["ob_jwt"]) != 1 {
		t.Fatalf("vp_token %s", f.form["vp_token"])
	}
	// Each VP is bound to the nonce and the full client_id.
	for qid, vp := range tok {
		var in any
		_ = json.Unmarshal(vp[0], &in)
		rep := e.v.VerifyPresentation(ctx, in, verifier.PresentationOptions{Challenge: f.req.Nonce, Domain: f.req.ClientID})
		if !rep.Verified || rep.Holder != h.DefaultDID {
			t.Errorf("%s: %+v", qid, rep)
		}
	}
	// The exchange is over.
	if _, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{ldp.ID}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second respond: %v", err)
	}
	// A request whose client_id is not redirect_uri:<response_uri> is refused.
	f.req.ClientID = oid4vp.PrefixRedirectURI + "https://elsewhere.example/collect"
	_, err = e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: f.link()})
	var xe *wallet.ExchangeError
	if !errors.As(err, &xe) || xe.Step != wallet.StepRequest || xe.Code != oid4vp.CodeInvalidRequest {
		t.Errorf("client_id mismatch: %v", err)
	}
}

// TestOID4VPBearerAndUnpresentable evaluates a request against a wallet
// holding a credential bound to the holder, a bearer credential (an OB
// email recipient), one revoked after import and one expired since: only
// the first two are offered, the bearer one flagged; presenting it says
// so, and Accolade's verifier accepts it with a bearer warning.
func TestOID4VPBearerAndUnpresentable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "b@example.org")
	imp := func(doc map[string]any) wallet.Credential {
		t.Helper()
		c, err := e.w.Import(ctx, h.ID, e.signDI(t, doc))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bound := imp(e.credential(h.DefaultDID, newID(), "Go Concurrency"))
	bearer := imp(e.credential("", newID(), "Rust Basics", func(m map[string]any) {
		cs := m["credentialSubject"].(map[string]any)
		delete(cs, "id")
		cs["identifier"] = []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
			"salt": "s1", "identityHash": "sha256$9f1cbd0e0a7a1f0d0c3e2c1b0a9f8e7d6c5b4a3928171615141312111009080a"}}
	}))
	revokedID := newID()
	revoked := imp(e.credential(h.DefaultDID, revokedID, "Zig"))
	expiring := imp(e.credential(h.DefaultDID, newID(), "Elm", func(m map[string]any) {
		m["validUntil"] = e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	}))
	if !bearer.Bearer || bound.Bearer {
		t.Fatalf("bearer flags: bearer %v, bound %v", bearer.Bearer, bound.Bearer)
	}
	e.mu.Lock()
	e.revoked[revokedID] = true
	e.mu.Unlock()
	e.clock.Add(2 * time.Hour)

	f := newFakeVerifier(t, oid4vp.OBQuery("ob", oid4vp.FormatLDPVC, "", ""))
	x, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: f.link()})
	if err != nil {
		t.Fatal(err)
	}
	q := x.Queries[0]
	got := map[string]string{}
	for _, m := range q.Matches {
		got[m.ID] = "offered"
		if m.Bearer != (m.ID == bearer.ID) {
			t.Errorf("match %s: bearer = %v", m.AchievementName, m.Bearer)
		}
	}
	for _, m := range q.Excluded {
		got[m.ID] = m.State
	}
	want := map[string]string{bound.ID: "offered", bearer.ID: "offered", revoked.ID: wallet.StateRevoked, expiring.ID: wallet.StateExpired}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("matches (-want +got):\n%s", diff)
	}
	if _, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{revoked.ID}}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("presenting a revoked credential: %v", err)
	}
	a, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{bearer.ID}})
	if err != nil || !a.Accepted {
		t.Fatalf("respond: %+v %v", a, err)
	}
	if diff := cmp.Diff([]string{bearer.ID}, a.BearerCredentials); diff != "" {
		t.Errorf("bearer credentials (-want +got):\n%s", diff)
	}
	var tok map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(f.form["vp_token"]), &tok); err != nil || len(tok["ob"]) != 1 {
		t.Fatalf("vp_token %s", f.form["vp_token"])
	}
	var in any
	_ = json.Unmarshal(tok["ob"][0], &in)
	rep := e.v.VerifyPresentation(ctx, in, verifier.PresentationOptions{Challenge: f.req.Nonce, Domain: f.req.ClientID, Now: e.clock.Now()})
	if !rep.Verified || len(rep.Credentials) != 1 {
		t.Fatalf("verifier: %+v", rep)
	}
	if c, _ := rep.Credentials[0].Check(verifier.CheckHolderBinding); c.Status != verifier.Warning || !strings.HasPrefix(c.Message, "not applicable: bearer credential") {
		t.Errorf("holder binding %+v", c)
	}

	// Present (the VC-API-style endpoint) says so too.
	p, err := e.w.Present(ctx, h.ID, wallet.PresentRequest{CredentialIDs: []string{bound.ID, bearer.ID}, Challenge: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{bearer.ID}, p.BearerCredentials); diff != "" || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "bearer credential") {
		t.Errorf("presentation bearer %v warnings %q", p.BearerCredentials, p.Warnings)
	}
}
