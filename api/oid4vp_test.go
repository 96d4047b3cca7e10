package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/verifier"
)

// newRemoteWallet is a wallet service (with its own store, issuer identity
// and verifier) that reaches issuers and status lists over real HTTP with
// client.
func newRemoteWallet(t testing.TB, client *http.Client) *fixture {
	t.Helper()
	const publicURL = "http://localhost:8090"
	db, err := bolt.Open(filepath.Join(t.TempDir(), "rw.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ti := newTestIssuer(t, db, 9, issuer.IdentityConfig{PublicURL: publicURL, ProfileName: "Wallet host", DIDMethod: "key"})
	kek, id, contexts, canon, resolver, iss := ti.kek, ti.id, ti.contexts, ti.canon, ti.resolver, ti.iss
	var ver *verifier.Verifier
	checker := status.NewChecker(status.CheckerConfig{
		TTL: time.Millisecond, ErrorTTL: -1,
		Fetch: func(ctx context.Context, u, accept string) ([]byte, string, error) {
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			req.Header.Set("Accept", accept)
			resp, err := client.Do(req)
			if err != nil {
				return nil, "", err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				return nil, "", fmt.Errorf("GET %s: %d", u, resp.StatusCode)
			}
			return b, resp.Header.Get("Content-Type"), nil
		},
		VerifyList: func(ctx context.Context, raw []byte) (map[string]any, string, error) {
			rep := ver.Verify(ctx, raw, verifier.Options{Checks: []string{verifier.CheckProof, verifier.CheckIssuer}})
			if !rep.Verified {
				return nil, "", fmt.Errorf("status list does not verify: %+v", rep.Failed())
			}
			return rep.Credential, rep.Issuer, nil
		},
	})
	ver, err = verifier.New(verifier.Config{Resolver: resolver, Canonicalizer: canon, Schema: credential.NewSchemaValidator(contexts), Status: checker})
	if err != nil {
		t.Fatal(err)
	}
	mail := &walletMail{}
	w := newTestWallet(t, db, kek, canon, ver, publicURL, nil, mail)
	f := &fixture{logs: &bytes.Buffer{}, id: id, mail: mail}
	f.srv = New(Config{
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil)), Store: db, Identity: id, Resolver: resolver,
		Issuer: iss, Verifier: ver, Wallet: w, AdminToken: testToken, PublicURL: publicURL, MaxBodyBytes: 256 << 10,
	})
	return f
}

func TestWalletReceivesOverOID4VCI(t *testing.T) {
	vci := newVCIServer(t, "")
	wf := &walletFixture{fixture: newRemoteWallet(t, vci.client)}
	h := wf.signUp(t, "receiver@example.org")
	other := wf.signUp(t, "other@example.org")

	for _, tc := range []struct {
		format, field string
		txCode        bool
	}{
		{"ldp_vc", "offer", true},
		{"jwt_vc_json", "credentialOfferUri", false},
	} {
		t.Run(tc.format, func(t *testing.T) {
			o := vci.offer(t, fmt.Sprintf(`,"format":%q,"txCode":%v`, tc.format, tc.txCode))
			link := o.OfferURI
			if tc.field == "credentialOfferUri" {
				link = o.CredentialOfferURI
			}
			body, _ := json.Marshal(map[string]any{tc.field: link, "txCode": o.TxCode})
			w := wf.do("POST", "/wallet/v1/offers", h.token, string(body))
			if w.Code != http.StatusCreated {
				t.Fatalf("receive: %d %s", w.Code, w.Body)
			}
			var got struct {
				CredentialIssuer string `json:"credentialIssuer"`
				Holder           string `json:"holder"`
				Credentials      []struct {
					ID        string `json:"id"`
					SubjectID string `json:"subjectId"`
					Report    struct {
						Verified bool `json:"verified"`
					} `json:"report"`
				} `json:"credentials"`
			}
			_ = json.Unmarshal(w.Body.Bytes(), &got)
			if got.Holder != h.did || len(got.Credentials) != 1 || got.CredentialIssuer != vci.base {
				t.Fatalf("received %s (holder DID %s)", w.Body, h.did)
			}
			c := got.Credentials[0]
			if !c.Report.Verified || c.SubjectID != h.did {
				t.Errorf("credential not verified or not bound to the holder: %s", w.Body)
			}
			// Stored: the holder reads it back, another holder does not.
			if w := wf.do("GET", "/wallet/v1/credentials/"+c.ID, h.token, ""); w.Code != 200 {
				t.Errorf("get: %d %s", w.Code, w.Body)
			}
			if w := wf.do("GET", "/wallet/v1/credentials/"+c.ID, other.token, ""); w.Code != 404 {
				t.Errorf("other holder get: %d", w.Code)
			}
			// The offer is single-use: a second redemption is refused by the issuer.
			w = wf.do("POST", "/wallet/v1/offers", h.token, string(body))
			if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), "invalid_grant") {
				t.Errorf("second redemption: %d %s", w.Code, w.Body)
			}
		})
	}

	t.Run("wrong tx_code", func(t *testing.T) {
		o := vci.offer(t, `,"format":"ldp_vc","txCode":true`)
		body, _ := json.Marshal(map[string]any{"offer": o.OfferURI, "txCode": "000000x"})
		w := wf.do("POST", "/wallet/v1/offers", h.token, string(body))
		p := decodeProblem(t, w)
		if w.Code != http.StatusBadGateway || !strings.Contains(p.Detail, "token step failed with invalid_grant") {
			t.Errorf("wrong tx_code: %d %+v", w.Code, p)
		}
		// A missing one is the holder's mistake, caught before any call.
		body, _ = json.Marshal(map[string]any{"offer": o.OfferURI})
		if w := wf.do("POST", "/wallet/v1/offers", h.token, string(body)); w.Code != http.StatusBadRequest {
			t.Errorf("missing tx_code: %d %s", w.Code, w.Body)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		if w := wf.do("POST", "/wallet/v1/offers", "", `{"offer":"x"}`); w.Code != 401 {
			t.Errorf("no token: %d", w.Code)
		}
		if w := wf.do("POST", "/wallet/v1/offers", h.token, `{"offer":"openid-credential-offer://?nothing=1"}`); w.Code != 400 {
			t.Errorf("bad link: %d %s", w.Code, w.Body)
		}
		o := vci.offer(t, `,"format":"ldp_vc"`)
		body, _ := json.Marshal(map[string]any{"offer": o.OfferURI, "did": other.did})
		if w := wf.do("POST", "/wallet/v1/offers", h.token, string(body)); w.Code != 404 {
			t.Errorf("another holder's DID: %d %s", w.Code, w.Body)
		}
	})
}

// vpServer is a verifier (an employer) alone, with OpenID4VP, served over
// loopback HTTP; its clock can be moved.
type vpServer struct {
	base string
	skew atomic.Int64
}

func newVPServer(t testing.TB) *vpServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	_, port, _ := strings.Cut(ts.Listener.Addr().String(), ":")
	s := &vpServer{base: "http://localhost:" + port}
	db, err := bolt.Open(filepath.Join(t.TempDir(), "v.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	kek, _ := keys.NewKEK(bytes.Repeat([]byte{3}, 32))
	id, err := issuer.NewIdentity(issuer.IdentityConfig{Store: db, KEK: kek, PublicURL: s.base, ProfileName: "Employer", DIDMethod: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	canon := di.NewFast(contexts, di.Limits{})
	resolver := did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}
	now := func() time.Time { return time.Now().Add(time.Duration(s.skew.Load())) }
	ver, err := verifier.New(verifier.Config{Resolver: resolver, Canonicalizer: canon, Schema: credential.NewSchemaValidator(contexts), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	signer := verifier.RequestSignerFunc(func(ctx context.Context) (verifier.RequestKey, error) {
		sg, err := id.ActiveSigner(ctx)
		return verifier.RequestKey{Key: sg.Key, DID: sg.DID, KeyID: sg.VerificationMethod}, err
	})
	vp, err := verifier.NewOID4VP(verifier.OID4VPConfig{Verifier: ver, Store: db, PublicURL: s.base, TTL: 5 * time.Minute, Now: now, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = New(Config{Store: db, Identity: id, Resolver: resolver, Verifier: ver, OID4VP: vp,
		AdminToken: testToken, PublicURL: s.base, MaxBodyBytes: 1 << 20})
	ts.Start()
	t.Cleanup(ts.Close)
	return s
}

func httpJSON(t testing.TB, method, u, token, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func (s *vpServer) newRequest(t testing.TB, body string) map[string]any {
	t.Helper()
	code, m := httpJSON(t, "POST", s.base+"/api/v1/presentation-requests", testToken, "application/json", body)
	if code != http.StatusCreated || !strings.HasPrefix(m["link"].(string), "openid4vp://?") || !strings.HasPrefix(m["qrPng"].(string), "data:image/png;base64,") {
		t.Fatalf("create request: %d %v", code, m)
	}
	return m
}

func (s *vpServer) status(t testing.TB, id string) map[string]any {
	t.Helper()
	code, m := httpJSON(t, "GET", s.base+"/api/v1/presentation-requests/"+id, testToken, "", "")
	if code != 200 {
		t.Fatalf("status: %d %v", code, m)
	}
	return m
}

// receiveBoth gives holder h one ldp_vc and one jwt_vc_json badge over
// OpenID4VCI and returns their wallet IDs.
func receiveBoth(t *testing.T, vci *vciServer, wf *walletFixture, h walletHolder) (ldp, jwt string) {
	t.Helper()
	for _, f := range []string{"ldp_vc", "jwt_vc_json"} {
		o := vci.offer(t, `,"format":"`+f+`"`)
		var got struct {
			Credentials []struct{ ID string } `json:"credentials"`
		}
		mustJSON(t, wf.do("POST", "/wallet/v1/offers", h.token, `{"offer":"`+o.OfferURI+`"}`), http.StatusCreated, &got)
		if f == "ldp_vc" {
			ldp = got.Credentials[0].ID
		} else {
			jwt = got.Credentials[0].ID
		}
	}
	return ldp, jwt
}

type exchangeView struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	Signed      bool   `json:"signed"`
	Satisfiable bool   `json:"satisfiable"`
	Queries     []struct {
		ID      string `json:"id"`
		Matches []struct {
			ID string `json:"id"`
		} `json:"matches"`
	} `json:"queries"`
}

type vpAnswer struct {
	Accepted bool           `json:"accepted"`
	Status   int            `json:"status"`
	Answer   map[string]any `json:"answer"`
}

func TestOID4VPEndToEnd(t *testing.T) {
	vci := newVCIServer(t, "")
	wf := &walletFixture{fixture: newRemoteWallet(t, vci.client)}
	vs := newVPServer(t)
	h := wf.signUp(t, "alice@example.org")
	mallory := wf.signUp(t, "mallory@example.org")
	ldpID, jwtID := receiveBoth(t, vci, wf, h)

	evaluate := func(t *testing.T, who walletHolder, link string) exchangeView {
		t.Helper()
		var x exchangeView
		mustJSON(t, wf.do("POST", "/wallet/v1/presentation-requests", who.token, `{"request":"`+link+`"}`), http.StatusCreated, &x)
		return x
	}
	respond := func(t *testing.T, who walletHolder, xid string, ids ...string) vpAnswer {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"credentialIds": ids})
		var a vpAnswer
		mustJSON(t, wf.do("POST", "/wallet/v1/presentation-requests/"+xid+"/respond", who.token, string(body)), http.StatusOK, &a)
		return a
	}

	for _, tc := range []struct{ name, cred, body, prefix string }{
		{"ldp_vc", ldpID, `{}`, "decentralized_identifier:did:key:"},
		{"jwt_vc_json", jwtID, `{}`, "decentralized_identifier:did:key:"},
		{"ldp_vc/redirect_uri by value", ldpID, `{"clientIdPrefix":"redirect_uri"}`, "redirect_uri:" + vs.base},
		{"jwt_vc_json/request_uri post", jwtID, `{"requestUriMethod":"post"}`, "decentralized_identifier:did:key:"},
		{"ldp_vc/direct_post.jwt", ldpID, `{"responseMode":"direct_post.jwt","requestUriMethod":"post"}`, "decentralized_identifier:did:key:"},
		{"jwt_vc_json/redirect_uri direct_post.jwt", jwtID, `{"responseMode":"direct_post.jwt","clientIdPrefix":"redirect_uri"}`, "redirect_uri:" + vs.base},
	} {
		t.Run("accepted/"+tc.name, func(t *testing.T) {
			r := vs.newRequest(t, tc.body)
			x := evaluate(t, h, r["link"].(string))
			if !x.Satisfiable || len(x.Queries) != 2 || x.ClientID != r["request"].(map[string]any)["client_id"] || !strings.HasPrefix(x.ClientID, tc.prefix) ||
				x.Signed != strings.HasPrefix(tc.prefix, "decentralized_identifier:") {
				t.Fatalf("evaluated %+v", x)
			}
			for _, q := range x.Queries {
				if len(q.Matches) != 1 {
					t.Errorf("query %s matches %d credentials, want 1", q.ID, len(q.Matches))
				}
			}
			a := respond(t, h, x.ID, tc.cred)
			if !a.Accepted {
				t.Fatalf("verifier refused: %+v", a)
			}
			st := vs.status(t, r["id"].(string))
			if st["status"] != "verified" {
				t.Errorf("status %v", st)
			}
			// Single use: the wallet cannot answer twice, nor fetch it again.
			if w := wf.do("POST", "/wallet/v1/presentation-requests/"+x.ID+"/respond", h.token, `{"credentialIds":["`+tc.cred+`"]}`); w.Code != 404 {
				t.Errorf("second respond: %d %s", w.Code, w.Body)
			}
			if r["requestUri"] != nil {
				if w := wf.do("POST", "/wallet/v1/presentation-requests", h.token, `{"request":"`+r["link"].(string)+`"}`); w.Code != http.StatusBadGateway {
					t.Errorf("refetch of an answered request: %d %s", w.Code, w.Body)
				}
			}
		})
	}

	t.Run("filters", func(t *testing.T) {
		r := vs.newRequest(t, `{"formats":["ldp_vc"],"achievementId":"https://nowhere.example/achievements/none"}`)
		x := evaluate(t, h, r["link"].(string))
		if x.Satisfiable || len(x.Queries) != 1 || len(x.Queries[0].Matches) != 0 {
			t.Errorf("a filter on another achievement matched: %+v", x)
		}
		if w := wf.do("POST", "/wallet/v1/presentation-requests/"+x.ID+"/respond", h.token, `{"credentialIds":["`+ldpID+`"]}`); w.Code != 400 {
			t.Errorf("presenting a non-matching credential: %d %s", w.Code, w.Body)
		}
		if w := wf.do("POST", "/wallet/v1/presentation-requests/"+x.ID+"/respond", mallory.token, `{"credentialIds":["`+ldpID+`"]}`); w.Code != 404 {
			t.Errorf("another holder's exchange: %d %s", w.Code, w.Body)
		}
	})

	postDirect := func(t *testing.T, r map[string]any, vp json.RawMessage, queryID string) (int, map[string]any) {
		t.Helper()
		ro := r["request"].(map[string]any)
		tok, _ := json.Marshal(map[string]any{queryID: []json.RawMessage{vp}})
		form := url.Values{"vp_token": {string(tok)}, "state": {ro["state"].(string)}}
		return httpJSON(t, "POST", ro["response_uri"].(string), "", "application/x-www-form-urlencoded", form.Encode())
	}

	t.Run("replay to another request", func(t *testing.T) {
		r1, r2 := vs.newRequest(t, `{}`), vs.newRequest(t, `{}`)
		ro1 := r1["request"].(map[string]any)
		var p struct {
			VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
		}
		body, _ := json.Marshal(map[string]any{"credentialIds": []string{ldpID}, "challenge": ro1["nonce"], "domain": ro1["client_id"]})
		mustJSON(t, wf.do("POST", "/wallet/v1/presentations", h.token, string(body)), http.StatusCreated, &p)
		code, m := postDirect(t, r2, p.VerifiablePresentation, "openbadge_ldp_vc")
		if code != 400 || !strings.Contains(m["error_description"].(string), "presentation.proof") {
			t.Errorf("replayed VP: %d %v", code, m)
		}
		if st := vs.status(t, r2["id"].(string)); st["status"] != "pending" || len(st["attempts"].([]any)) != 1 {
			t.Errorf("status after replay %v, attempts %v", st["status"], st["attempts"])
		}
		// The VP was made for r1: there it is accepted, once.
		if code, m := postDirect(t, r1, p.VerifiablePresentation, "openbadge_ldp_vc"); code != 200 {
			t.Errorf("VP at its own request: %d %v", code, m)
		}
		if code, m := postDirect(t, r1, p.VerifiablePresentation, "openbadge_ldp_vc"); code != http.StatusGone || !strings.Contains(m["error_description"].(string), "request_used") {
			t.Errorf("second post: %d %v", code, m)
		}
	})

	t.Run("declined and junk responses leave the request open", func(t *testing.T) {
		// Whoever saw the QR code can post to response_uri: an error
		// response, junk or a wrong state is recorded for the verifier
		// but the holder can still answer.
		r := vs.newRequest(t, `{}`)
		ro := r["request"].(map[string]any)
		state := ro["state"].(string)
		for _, body := range []string{
			url.Values{"error": {"access_denied"}, "state": {state}}.Encode(),
			url.Values{"vp_token": {"not json"}, "state": {state}}.Encode(),
			url.Values{"vp_token": {`{"openbadge_ldp_vc":["x"]}`}, "state": {"guess"}}.Encode(),
		} {
			if code, m := httpJSON(t, "POST", ro["response_uri"].(string), "", "application/x-www-form-urlencoded", body); code != 400 {
				t.Errorf("post %s: %d %v", body, code, m)
			}
		}
		st := vs.status(t, r["id"].(string))
		attempts, _ := st["attempts"].([]any)
		if st["status"] != "pending" || len(attempts) != 3 || attempts[0].(map[string]any)["error"] != "access_denied" {
			t.Fatalf("after error posts: %v", st)
		}
		x := evaluate(t, h, r["link"].(string))
		if a := respond(t, h, x.ID, ldpID); !a.Accepted {
			t.Fatalf("holder's answer after error posts refused: %+v", a)
		}
		if st := vs.status(t, r["id"].(string)); st["status"] != "verified" || len(st["attempts"].([]any)) != 3 {
			t.Errorf("after the holder answered: %v", st)
		}
	})

	t.Run("someone else's credential", func(t *testing.T) {
		// Mallory imports Alice's badge (it verifies: it is a genuine
		// badge) and presents it with her own key.
		raw := wf.do("GET", "/wallet/v1/credentials/"+ldpID, h.token, "")
		var c struct {
			Credential json.RawMessage `json:"credential"`
		}
		_ = json.Unmarshal(raw.Body.Bytes(), &c)
		stolen := wf.importJSON(t, mallory, c.Credential)
		r := vs.newRequest(t, `{}`)
		x := evaluate(t, mallory, r["link"].(string))
		a := respond(t, mallory, x.ID, stolen.ID)
		if a.Accepted || a.Status != 400 || !strings.Contains(fmt.Sprint(a.Answer["error_description"]), "holder-binding") {
			t.Errorf("stolen credential: %+v", a)
		}
	})

	t.Run("tampered credential inside a valid VP", func(t *testing.T) {
		// A holder key of our own, a genuine badge issued to it, changed,
		// then presented in a VP-JWT the holder validly signs.
		k := newTestHolder(t, keys.EdDSA)
		var rec issued
		vci.mustJSON(t, "POST", vci.root()+"/api/v1/credentials", testToken,
			`{"achievementId":"`+vci.achID+`","recipient":{"did":"`+k.did+`"},"format":"jwt_vc"}`, http.StatusCreated, &rec)
		var tok string
		_ = json.Unmarshal(rec.Credential, &tok)
		parts := strings.Split(tok, ".")
		pl, _ := base64.RawURLEncoding.DecodeString(parts[1])
		pl = bytes.Replace(pl, []byte(`"Go Concurrency"`), []byte(`"Go Concurrency (Distinction)"`), 1)
		parts[1] = base64.RawURLEncoding.EncodeToString(pl)
		tampered := strings.Join(parts, ".")
		r := vs.newRequest(t, `{"formats":["jwt_vc_json"]}`)
		ro := r["request"].(map[string]any)
		vp, err := jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"},
			"holder": k.did, "verifiableCredential": []any{tampered}}, k.key, k.kid, ro["client_id"].(string), ro["nonce"].(string), time.Now(), 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		vpJSON, _ := json.Marshal(vp)
		code, m := postDirect(t, r, vpJSON, "openbadge_jwt_vc")
		desc := fmt.Sprint(m["error_description"])
		if code != 400 || !strings.Contains(desc, "proof") || strings.Contains(desc, "presentation.proof") {
			t.Errorf("tampered credential: %d %v", code, m)
		}
		// The same VP around the genuine credential is accepted (the
		// test's VP is sound).
		r = vs.newRequest(t, `{"formats":["jwt_vc_json"]}`)
		ro = r["request"].(map[string]any)
		vp, _ = jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"},
			"holder": k.did, "verifiableCredential": []any{tok}}, k.key, k.kid, ro["client_id"].(string), ro["nonce"].(string), time.Now(), 5*time.Minute)
		vpJSON, _ = json.Marshal(vp)
		if code, m := postDirect(t, r, vpJSON, "openbadge_jwt_vc"); code != 200 {
			t.Errorf("genuine: %d %v", code, m)
		}
	})

	t.Run("expired request", func(t *testing.T) {
		r := vs.newRequest(t, `{}`)
		x := evaluate(t, h, r["link"].(string))
		vs.skew.Store(int64(6 * time.Minute))
		defer vs.skew.Store(0)
		a := respond(t, h, x.ID, ldpID)
		if a.Accepted || a.Status != http.StatusGone || !strings.Contains(fmt.Sprint(a.Answer["error_description"]), "request_expired") {
			t.Errorf("expired: %+v", a)
		}
		if st := vs.status(t, r["id"].(string)); st["status"] != "expired" {
			t.Errorf("status %v", st["status"])
		}
		w := wf.do("POST", "/wallet/v1/presentation-requests", h.token, `{"request":"`+r["link"].(string)+`"}`)
		if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), "request_expired") {
			t.Errorf("fetch of an expired request: %d %s", w.Code, w.Body)
		}
	})
}

func TestPresentationRequestEndpoints(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	if w := f.do("POST", "/api/v1/presentation-requests", "", `{}`); w.Code != 401 {
		t.Errorf("no admin token: %d", w.Code)
	}
	if w := f.do("POST", "/api/v1/presentation-requests", testToken, `{"formats":["mso_mdoc"]}`); w.Code != 400 {
		t.Errorf("bad format: %d %s", w.Code, w.Body)
	}
	var r struct {
		ID      string         `json:"id"`
		Link    string         `json:"link"`
		Request map[string]any `json:"request"`
	}
	mustJSON(t, f.do("POST", "/api/v1/presentation-requests", testToken, `{"formats":["ldp_vc"],"issuerId":"did:web:academy.example"}`), http.StatusCreated, &r)
	if r.Request["client_id"] != "redirect_uri:http://localhost:8080/oid4vp/responses/"+r.ID || r.Request["response_mode"] != "direct_post" {
		t.Errorf("request %v", r.Request)
	}
	// Without a signing key the request is unsigned, its parameters in
	// the link (§5.9.3): there is no request object to fetch.
	ar, err := oid4vp.ParseAuthorizationRequest(r.Link)
	if err != nil || ar.Params == nil || ar.RequestURI != "" || ar.Params.Nonce != r.Request["nonce"] || ar.Params.ValidateUnsigned() != nil {
		t.Errorf("link %s: %+v %v", r.Link, ar, err)
	}
	if w := f.do("GET", "/oid4vp/requests/"+r.ID, "", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "passed by value") {
		t.Errorf("request object of a by-value request: %d %s", w.Code, w.Body)
	}
	for _, body := range []string{`{"clientIdPrefix":"decentralized_identifier"}`, `{"clientIdPrefix":"x509_san_dns"}`,
		`{"requestUriMethod":"post"}`, `{"responseMode":"fragment"}`} {
		if w := f.do("POST", "/api/v1/presentation-requests", testToken, body); w.Code != 400 {
			t.Errorf("%s: %d %s", body, w.Code, w.Body)
		}
	}
	if w := f.do("GET", "/oid4vp/requests/nope", "", ""); w.Code != 404 || !strings.Contains(w.Body.String(), `"error":"invalid_request"`) {
		t.Errorf("unknown: %d %s", w.Code, w.Body)
	}
	form := func(state string) string {
		return url.Values{"vp_token": {`{"openbadge_ldp_vc":[{}]}`}, "state": {state}}.Encode()
	}
	if w := f.do("POST", "/oid4vp/responses/"+r.ID, "", `{"vp_token":{}}`); w.Code != 400 {
		t.Errorf("JSON body: %d %s", w.Code, w.Body)
	}
	// A wrong state does not consume the request.
	if w := f.do("POST", "/oid4vp/responses/"+r.ID, "", form("other"), "Content-Type", "application/x-www-form-urlencoded"); w.Code != 400 || !strings.Contains(w.Body.String(), "state") {
		t.Errorf("wrong state: %d %s", w.Code, w.Body)
	}
	var st map[string]any
	mustJSON(t, f.do("GET", "/api/v1/presentation-requests/"+r.ID, testToken, ""), http.StatusOK, &st)
	if st["status"] != "pending" {
		t.Errorf("after a wrong state: %v", st["status"])
	}
	// A malformed presentation fails by name and does not consume it either.
	w := f.do("POST", "/oid4vp/responses/"+r.ID, "", form(r.Request["state"].(string)), "Content-Type", "application/x-www-form-urlencoded")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "presentation.format") {
		t.Errorf("empty VP: %d %s", w.Code, w.Body)
	}
	var view struct {
		Status   string                        `json:"status"`
		Attempts []verifier.PresentationResult `json:"attempts"`
	}
	mustJSON(t, f.do("GET", "/api/v1/presentation-requests/"+r.ID, testToken, ""), http.StatusOK, &view)
	if view.Status != "pending" || len(view.Attempts) != 3 || !strings.Contains(view.Attempts[0].Description, "x-www-form-urlencoded") ||
		!strings.Contains(view.Attempts[1].Description, "state") || !strings.Contains(view.Attempts[2].Description, "presentation.format") {
		t.Errorf("after a bad VP: %+v", view)
	}
	// Attempts are recorded up to verifier.MaxAttempts; more are answered
	// but not kept.
	for range verifier.MaxAttempts + 3 {
		if w := f.do("POST", "/oid4vp/responses/"+r.ID, "", "error=access_denied&state=x", "Content-Type", "application/x-www-form-urlencoded"); w.Code != 400 {
			t.Fatalf("error post: %d %s", w.Code, w.Body)
		}
	}
	mustJSON(t, f.do("GET", "/api/v1/presentation-requests/"+r.ID, testToken, ""), http.StatusOK, &view)
	if view.Status != "pending" || len(view.Attempts) != verifier.MaxAttempts {
		t.Errorf("after many posts: %s, %d attempts", view.Status, len(view.Attempts))
	}
}

// TestSignedPresentationRequest checks the verifier's signed requests as a
// wallet following OpenID4VP 1.0 sees them: the link carries client_id
// (decentralized_identifier: with the verifier's DID) and request_uri;
// request_uri answers application/oauth-authz-req+jwt, typ
// oauth-authz-req+jwt, kid a verification method of that DID, signed by
// it; a request_uri POST gets wallet_nonce echoed (§5.10); direct_post.jwt
// requests carry an ECDH-ES key and take only encrypted responses.
func TestSignedPresentationRequest(t *testing.T) {
	vs := newVPServer(t)
	ctx := context.Background()
	trust := oid4vp.RequestTrust{Resolver: did.Multi{"key": did.KeyResolver{}}}
	fetch := func(t *testing.T, method, u, contentType, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Accept", oid4vp.MediaTypeRequestObject)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}

	r := vs.newRequest(t, `{"requestUriMethod":"post"}`)
	ar, err := oid4vp.ParseAuthorizationRequest(r["link"].(string))
	if err != nil || ar.RequestURI != r["requestUri"] || ar.RequestURIMethod != "post" || !strings.HasPrefix(ar.ClientID, "decentralized_identifier:did:key:z") {
		t.Fatalf("link %v: %+v %v", r["link"], ar, err)
	}
	code, ct, tok := fetch(t, "GET", ar.RequestURI, "", "")
	if code != 200 || ct != oid4vp.MediaTypeRequestObject {
		t.Fatalf("GET request_uri: %d %s %s", code, ct, tok)
	}
	hdr, claims, err := jose.ParseUnverified(tok)
	clientDID := strings.TrimPrefix(ar.ClientID, "decentralized_identifier:")
	if err != nil || hdr["typ"] != "oauth-authz-req+jwt" || !strings.HasPrefix(hdr["kid"].(string), clientDID+"#") ||
		claims["aud"] != oid4vp.AudienceSelfIssued || claims["wallet_nonce"] != nil || claims["exp"] == nil {
		t.Fatalf("request object %v %v %v", hdr, claims, err)
	}
	ro, err := trust.VerifyRequestObject(ctx, tok, ar.ClientID)
	if err != nil || ro.ResponseMode != "direct_post" || ro.Nonce != r["request"].(map[string]any)["nonce"] {
		t.Fatalf("verify: %+v %v", ro, err)
	}
	code, ct, tok = fetch(t, "POST", ar.RequestURI, "application/x-www-form-urlencoded",
		url.Values{"wallet_nonce": {"qPmxiNFCR3QTm19POc8u"}, "wallet_metadata": {`{"vp_formats_supported":{}}`}, "other": {"x"}}.Encode())
	if code != 200 || ct != oid4vp.MediaTypeRequestObject {
		t.Fatalf("POST request_uri: %d %s %s", code, ct, tok)
	}
	if ro, err := trust.VerifyRequestObject(ctx, tok, ar.ClientID); err != nil || ro.WalletNonce != "qPmxiNFCR3QTm19POc8u" {
		t.Errorf("POST: %+v %v", ro, err)
	}
	for _, tc := range []struct{ ct, body string }{
		{"application/json", `{"wallet_nonce":"abc"}`},
		{"application/x-www-form-urlencoded", "wallet_nonce=a%20b"},
		{"application/x-www-form-urlencoded", "wallet_nonce=a&wallet_nonce=b"},
	} {
		if code, _, body := fetch(t, "POST", ar.RequestURI, tc.ct, tc.body); code != 400 || !strings.Contains(body, `"error":"invalid_request"`) {
			t.Errorf("POST %s %s: %d %s", tc.ct, tc.body, code, body)
		}
	}
	// The same key cannot speak for another DID: the wallet's check
	// refuses the object when the link names another client.
	if _, err := trust.VerifyRequestObject(ctx, tok, "decentralized_identifier:did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"); !errors.Is(err, oid4vp.ErrInvalidRequest) {
		t.Errorf("other client_id: %v", err)
	}
	if code, _, _ := fetch(t, "GET", vs.base+"/oid4vp/requests/nope", "", ""); code != 404 {
		t.Errorf("unknown request: %d", code)
	}

	t.Run("direct_post.jwt", func(t *testing.T) {
		r := vs.newRequest(t, `{"responseMode":"direct_post.jwt","formats":["ldp_vc"]}`)
		req := r["request"].(map[string]any)
		md := req["client_metadata"].(map[string]any)
		keys := md["jwks"].(map[string]any)["keys"].([]any)
		k := keys[0].(map[string]any)
		if len(keys) != 1 || k["alg"] != "ECDH-ES" || k["kty"] != "EC" || k["use"] != "enc" || k["d"] != nil || k["kid"] != r["id"] {
			t.Fatalf("client_metadata %v", md)
		}
		if st := vs.status(t, r["id"].(string)); strings.Contains(fmt.Sprint(st), `"d"`) {
			t.Errorf("the admin view shows a private key: %v", st)
		}
		uri, state := req["response_uri"].(string), req["state"].(string)
		// A plain vp_token is refused: this request takes an encrypted one.
		plain := url.Values{"vp_token": {`{"openbadge_ldp_vc":[{}]}`}, "state": {state}}.Encode()
		if code, m := httpJSON(t, "POST", uri, "", "application/x-www-form-urlencoded", plain); code != 400 || !strings.Contains(fmt.Sprint(m["error_description"]), "direct_post.jwt") {
			t.Errorf("plain response: %d %v", code, m)
		}
		// So is a JWE encrypted to another key.
		_, otherJWKS, _ := oid4vp.NewResponseKey("other")
		jwe, err := oid4vp.EncryptResponse(map[string]any{"vp_token": map[string]any{"openbadge_ldp_vc": []any{map[string]any{}}}, "state": state},
			&oid4vp.ClientMetadata{JWKS: otherJWKS})
		if err != nil {
			t.Fatal(err)
		}
		if code, m := httpJSON(t, "POST", uri, "", "application/x-www-form-urlencoded", url.Values{"response": {jwe}}.Encode()); code != 400 || !strings.Contains(fmt.Sprint(m["error_description"]), "decrypted") {
			t.Errorf("JWE to another key: %d %v", code, m)
		}
		// An encrypted error response and a plain one are both recorded.
		var cm oid4vp.ClientMetadata
		raw, _ := json.Marshal(md)
		_ = json.Unmarshal(raw, &cm)
		jwe, _ = oid4vp.EncryptResponse(map[string]any{"error": "access_denied", "state": state}, &cm)
		// (a parameter beside response is ignored: only the encrypted ones count)
		if code, m := httpJSON(t, "POST", uri, "", "application/x-www-form-urlencoded", url.Values{"response": {jwe}, "state": {"junk"}}.Encode()); code != 400 || m["error"] != "access_denied" {
			t.Errorf("encrypted error: %d %v", code, m)
		}
		st := vs.status(t, r["id"].(string))
		attempts, _ := st["attempts"].([]any)
		if st["status"] != "pending" || len(attempts) != 3 || attempts[2].(map[string]any)["error"] != "access_denied" {
			t.Errorf("attempts %v", st)
		}
	})
}
