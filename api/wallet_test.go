package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
)

// walletReport adapts a verifier report to the wallet's, as cmd does.
func walletReport(r *verifier.Report) *wallet.Report {
	out := &wallet.Report{Verified: r.Verified, Format: r.Format, Shape: r.Shape, Issuer: r.Issuer, ProofMethod: r.ProofMethod, Credential: r.Credential}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, wallet.Check{Name: c.Name, Status: c.Status, Message: c.Message})
	}
	return out
}

// newTestWallet builds the wallet service on db with light password
// hashing. now, when set, is the wallet's clock.
// walletMail is a wallet.Mailer keeping the mails it is given.
type walletMail struct {
	mu    sync.Mutex
	mails [][3]string // to, subject, body
}

func (m *walletMail) SendMail(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, [3]string{to, subject, body})
	return nil
}

// lastTo returns the body of the last mail to to.
func (m *walletMail) lastTo(t testing.TB, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.mails) - 1; i >= 0; i-- {
		if m.mails[i][0] == to {
			return m.mails[i][2]
		}
	}
	t.Fatalf("no mail to %s", to)
	return ""
}

// confirmLink returns the sign-up confirmation link of the last mail to to.
func (m *walletMail) confirmLink(t testing.TB, to string) string {
	t.Helper()
	for _, f := range strings.Fields(m.lastTo(t, to)) {
		if strings.Contains(f, wallet.SignUpPath+"?token=") {
			return f
		}
	}
	t.Fatalf("no confirmation link in the mail to %s", to)
	return ""
}

func newTestWallet(t testing.TB, db wallet.Store, kek *keys.KEK, canon di.Canonicalizer, ver *verifier.Verifier, publicURL string, now func() time.Time, mail wallet.Mailer) *wallet.Service {
	t.Helper()
	w, err := wallet.New(wallet.Config{
		Store: db, KEK: kek, DI: &di.Signer{Canonicalizer: canon}, PublicURL: publicURL, Now: now, Mailer: mail,
		Verifier: wallet.VerifierFunc(func(ctx context.Context, in any) *wallet.Report {
			return walletReport(ver.Verify(ctx, in, verifier.Options{}))
		}),
		Argon2: wallet.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1},
		SignIn: wallet.Limits{PerEmail: 5, PerIP: 50, Window: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// walletFixture is the whole service over bolt, with a verifier that
// checks status lists through the router itself, and a wallet whose clock
// can be moved.
type walletFixture struct {
	*fixture
	skew       atomic.Int64 // added to the wallet's clock, in ns
	statusSkew atomic.Int64 // added to the status checker's clock, in ns
}

func newWalletFixture(t testing.TB) *walletFixture {
	t.Helper()
	const publicURL = "http://localhost:8080"
	db, err := bolt.Open(filepath.Join(t.TempDir(), "w.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ti := newTestIssuer(t, db, 5, issuer.IdentityConfig{PublicURL: publicURL, ProfileName: "Test", DIDMethod: "key"})
	kek, id, contexts, canon, resolver, iss := ti.kek, ti.id, ti.contexts, ti.canon, ti.resolver, ti.iss
	f := &walletFixture{fixture: &fixture{logs: &bytes.Buffer{}, id: id}}
	var ver *verifier.Verifier
	checker := status.NewChecker(status.CheckerConfig{
		TTL: time.Millisecond, ErrorTTL: -1,
		Now: func() time.Time { return time.Now().Add(time.Duration(f.statusSkew.Load())) },
		Fetch: func(_ context.Context, u, accept string) ([]byte, string, error) {
			pu, err := url.Parse(u)
			if err != nil {
				return nil, "", err
			}
			w := f.do("GET", pu.Path, "", "", "Accept", accept)
			if w.Code != 200 {
				return nil, "", fmt.Errorf("GET %s: %d", u, w.Code)
			}
			return w.Body.Bytes(), w.Header().Get("Content-Type"), nil
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
	f.mail = &walletMail{}
	w := newTestWallet(t, db, kek, canon, ver, publicURL, func() time.Time { return time.Now().Add(time.Duration(f.skew.Load())) }, f.mail)
	f.srv = New(Config{
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil)), Store: db, Identity: id, Resolver: resolver,
		Issuer: iss, Verifier: ver, Wallet: w, AdminToken: testToken, PublicURL: publicURL, MaxBodyBytes: 256 << 10,
	})
	return f
}

type walletHolder struct {
	token string
	id    string
	did   string
}

func (f *walletFixture) signUp(t *testing.T, email string) walletHolder {
	t.Helper()
	body := `{"email":"` + email + `","password":"correct horse battery"}`
	mustJSON(t, f.do("POST", "/wallet/v1/signup", "", body), http.StatusAccepted, nil)
	link := f.mail.confirmLink(t, email)
	_, tok, _ := strings.Cut(link, "?token=")
	var h wallet.Holder
	mustJSON(t, f.do("POST", wallet.SignUpPath, "", `{"token":"`+tok+`"}`), http.StatusCreated, &h)
	var sess struct {
		Token     string `json:"access_token"`
		Type      string `json:"token_type"`
		ExpiresIn int    `json:"expires_in"`
	}
	mustJSON(t, f.do("POST", "/wallet/v1/signin", "", body), http.StatusOK, &sess)
	if sess.Type != "Bearer" || sess.ExpiresIn < 3600 {
		t.Fatalf("session %+v", sess)
	}
	return walletHolder{token: sess.Token, id: h.ID, did: h.DefaultDID}
}

// issueTo issues a credential to a DID through the admin API.
func (f *walletFixture) issueTo(t *testing.T, achievementID, subject, format string) issued {
	t.Helper()
	return issue(t, f.fixture, `{"achievementId":"`+achievementID+`","recipient":{"did":"`+subject+`"},"format":"`+format+`"}`)
}

func (f *walletFixture) importJSON(t *testing.T, h walletHolder, cred json.RawMessage) wallet.Credential {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"credential": cred})
	var c wallet.Credential
	mustJSON(t, f.do("POST", "/wallet/v1/credentials", h.token, string(body)), http.StatusCreated, &c)
	return c
}

type presentationResult struct {
	Verified          bool           `json:"verified"`
	Holder            string         `json:"holder"`
	Checks            []string       `json:"checks"`
	Errors            []vcapiProblem `json:"errors"`
	CredentialResults []struct {
		Verified bool `json:"verified"`
	} `json:"credentialResults"`
}

func (f *walletFixture) verifyPresentation(t *testing.T, vp json.RawMessage, challenge, domain string) (int, presentationResult) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"verifiablePresentation": vp, "options": map[string]any{"challenge": challenge, "domain": domain}})
	w := f.do("POST", "/presentations/verify", "", string(body))
	var res presentationResult
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("verify response %s: %v", w.Body, err)
	}
	return w.Code, res
}

func errorNames(r presentationResult) string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Name)
	}
	return strings.Join(out, ",")
}

func smallPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWalletEndToEnd runs the wallet over HTTP: issue via the admin API,
// import in every form, list, present in both formats, verify the
// presentations, then revoke and see the wallet notice.
func TestWalletEndToEnd(t *testing.T) {
	f := newWalletFixture(t)
	ach := createAchievement(t, f.fixture)
	h := f.signUp(t, "holder@example.org")

	ldp := f.issueTo(t, ach.ID, h.did, "ldp_vc")
	jwt := f.issueTo(t, ach.ID, h.did, "jwt_vc")
	var tok string
	_ = json.Unmarshal(jwt.Credential, &tok)
	pngSrc := f.issueTo(t, ach.ID, h.did, "jwt_vc")
	var pngTok string
	_ = json.Unmarshal(pngSrc.Credential, &pngTok)
	baked, err := bake.BakePNG(smallPNG(t), []byte(pngTok))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := bake.BakeSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), f.issueTo(t, ach.ID, h.did, "ldp_vc").Credential)
	if err != nil {
		t.Fatal(err)
	}

	var held []wallet.Credential
	held = append(held, f.importJSON(t, h, ldp.Credential))
	var c wallet.Credential
	mustJSON(t, f.do("POST", "/wallet/v1/credentials", h.token, tok, "Content-Type", "application/vc+jwt"), http.StatusCreated, &c)
	held = append(held, c)
	mustJSON(t, f.do("POST", "/wallet/v1/credentials", h.token, `{"image":"data:image/png;base64,`+base64.StdEncoding.EncodeToString(baked)+`"}`), http.StatusCreated, &c)
	held = append(held, c)
	w := f.do("POST", "/wallet/v1/credentials", h.token, string(svg), "Content-Type", "image/svg+xml")
	mustJSON(t, w, http.StatusCreated, &c)
	if w.Header().Get("Location") != "/wallet/v1/credentials/"+c.ID {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	held = append(held, c)
	for i, want := range []string{"json", "jwt", "png", "svg"} {
		if held[i].Source != want || held[i].State != wallet.StateValid || held[i].SubjectID != h.did || held[i].AchievementName != "Go Concurrency" {
			t.Errorf("import %s: %+v", want, held[i])
		}
		if s, _ := reportCheck(held[i].Report, verifier.CheckStatus); s.Status != verifier.Passed {
			t.Errorf("import %s: status check %+v", want, s)
		}
	}

	var page struct {
		Items []wallet.Credential `json:"items"`
		Next  *string             `json:"next"`
		Total int                 `json:"total"`
	}
	mustJSON(t, f.do("GET", "/wallet/v1/credentials?limit=3", h.token, ""), 200, &page)
	if len(page.Items) != 3 || page.Total != 4 || page.Next == nil || page.Items[0].Credential != nil {
		t.Fatalf("page: %+v", page)
	}
	mustJSON(t, f.do("GET", "/wallet/v1/credentials?achievement=concurrency&type=OpenBadgeCredential&status=valid&from=2020-01-01&until="+time.Now().Format(time.DateOnly), h.token, ""), 200, &page)
	if page.Total != 4 {
		t.Errorf("filtered total %d", page.Total)
	}
	mustJSON(t, f.do("GET", "/wallet/v1/credentials?issuer=did:web:elsewhere", h.token, ""), 200, &page)
	if page.Total != 0 || page.Items == nil {
		t.Errorf("other issuer: %+v", page)
	}

	ids := []string{held[0].ID, held[1].ID, held[2].ID, held[3].ID}
	for _, format := range []string{"ldp_vp", "jwt_vp"} {
		t.Run(format, func(t *testing.T) {
			body, _ := json.Marshal(wallet.PresentRequest{CredentialIDs: ids, Format: format, Challenge: "ch-" + format, Domain: "https://employer.example"})
			var p wallet.Presentation
			mustJSON(t, f.do("POST", "/wallet/v1/presentations", h.token, string(body)), http.StatusCreated, &p)
			code, res := f.verifyPresentation(t, p.VerifiablePresentation, "ch-"+format, "https://employer.example")
			if code != 200 || !res.Verified || res.Holder != h.did || len(res.CredentialResults) != 4 {
				t.Fatalf("verify: %d %+v", code, res)
			}
			for _, want := range []string{"presentation.proof", "presentation.holder", "verifiableCredential[3].holder-binding", "verifiableCredential[0].status"} {
				if !strings.Contains(strings.Join(res.Checks, ","), want) {
					t.Errorf("checks lack %s: %v", want, res.Checks)
				}
			}
			// The same presentation replayed to an exchange with another challenge.
			code, res = f.verifyPresentation(t, p.VerifiablePresentation, "another-challenge", "https://employer.example")
			if code != 400 || res.Verified || errorNames(res) != "presentation.proof" {
				t.Errorf("replay: %d %s", code, errorNames(res))
			}
		})
	}

	// The issuer revokes the JSON-LD one; re-verification in the wallet shows it.
	mustJSON(t, f.do("POST", "/api/v1/credentials/"+ldp.ID+"/revoke", testToken, `{}`), 200, nil)
	f.statusSkew.Add(int64(time.Second)) // past the verifier's status list ttl
	mustJSON(t, f.do("POST", "/wallet/v1/credentials/"+held[0].ID+"/verify", h.token, ""), 200, &c)
	if c.State != wallet.StateRevoked || c.Report.Verified {
		t.Fatalf("after revocation: %s %+v", c.State, c.Report.Checks)
	}
	mustJSON(t, f.do("GET", "/wallet/v1/credentials?status=revoked", h.token, ""), 200, &page)
	if page.Total != 1 || page.Items[0].ID != held[0].ID {
		t.Errorf("revoked filter: %+v", page)
	}
	var bundle wallet.Bundle
	w = f.do("GET", "/wallet/v1/export", h.token, "")
	mustJSON(t, w, 200, &bundle)
	if len(bundle.Credentials) != 4 || len(bundle.DIDs) != 1 || bundle.Holder.ID != h.id || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %+v", bundle)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("wallet answers are cacheable: %q", w.Header().Get("Cache-Control"))
	}
	for _, c := range bundle.Credentials {
		if len(c.Credential) == 0 || c.Report == nil {
			t.Errorf("exported credential lacks its credential or report: %+v", c)
		}
	}
	// Sign out ends the session.
	if w := f.do("POST", "/wallet/v1/signout", h.token, ""); w.Code != http.StatusNoContent {
		t.Fatalf("signout: %d", w.Code)
	}
	if w := f.do("GET", "/wallet/v1/dids", h.token, ""); w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("after signout: %d", w.Code)
	}
}

// reportCheck returns the named check of a wallet report.
func reportCheck(r *wallet.Report, name string) (wallet.Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return wallet.Check{}, false
}

// TestPresentationsRefusedByName: each way a presentation can be wrong is
// refused over HTTP, naming the check that failed.
func TestPresentationsRefusedByName(t *testing.T) {
	f := newWalletFixture(t)
	ach := createAchievement(t, f.fixture)
	a, b := f.signUp(t, "a@example.org"), f.signUp(t, "b@example.org")
	aCred := f.importJSON(t, a, f.issueTo(t, ach.ID, a.did, "ldp_vc").Credential)
	// b holds a copy of a's credential: it verifies, but is not about b.
	bCopy := f.importJSON(t, b, f.issueTo(t, ach.ID, a.did, "jwt_vc").Credential)
	present := func(h walletHolder, req wallet.PresentRequest) json.RawMessage {
		body, _ := json.Marshal(req)
		var p wallet.Presentation
		mustJSON(t, f.do("POST", "/wallet/v1/presentations", h.token, string(body)), http.StatusCreated, &p)
		return p.VerifiablePresentation
	}

	// A tampered credential inside a validly signed presentation: the
	// holder (here a key the test holds) alters its own credential, then
	// signs the presentation over the altered one.
	hk, err := keys.Generate(keys.EdDSA, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hdid, _ := did.KeyDID(hk.Public())
	var own map[string]any
	_ = json.Unmarshal(f.issueTo(t, ach.ID, hdid, "ldp_vc").Credential, &own)
	own["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Rocket Science"
	contexts, _ := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	signer := &di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}
	tamperedVP, err := signer.Sign(context.Background(), map[string]any{
		"@context": []any{credential.ContextVCv2}, "type": []any{"VerifiablePresentation"}, "holder": hdid,
		"verifiableCredential": []any{own},
	}, hk, di.Options{VerificationMethod: hdid + "#" + strings.TrimPrefix(hdid, "did:key:"), ProofPurpose: di.PurposeAuthentication, Challenge: "c1", Domain: "https://v.example", ProofObject: true})
	if err != nil {
		t.Fatal(err)
	}
	tampered, _ := json.Marshal(tamperedVP)

	// An expired VP-JWT: made with the wallet's clock an hour behind.
	f.skew.Store(int64(-time.Hour))
	expired := present(a, wallet.PresentRequest{CredentialIDs: []string{aCred.ID}, Format: "jwt_vp", Nonce: "c1", Audience: "https://v.example"})
	f.skew.Store(0)

	tests := []struct {
		name      string
		vp        json.RawMessage
		challenge string
		failed    string
	}{
		{"fail/replayed with another challenge", present(a, wallet.PresentRequest{CredentialIDs: []string{aCred.ID}, Challenge: "c1", Domain: "https://v.example"}), "c2", "presentation.proof"},
		{"fail/VP-JWT replayed with another nonce", present(a, wallet.PresentRequest{CredentialIDs: []string{aCred.ID}, Format: "jwt_vp", Challenge: "c1", Domain: "https://v.example"}), "c2", "presentation.proof"},
		{"fail/someone else's credential", present(b, wallet.PresentRequest{CredentialIDs: []string{bCopy.ID}, Challenge: "c1", Domain: "https://v.example"}), "c1", "verifiableCredential[0].holder-binding"},
		{"fail/someone else's credential in a VP-JWT", present(b, wallet.PresentRequest{CredentialIDs: []string{bCopy.ID}, Format: "jwt_vp", Challenge: "c1", Domain: "https://v.example"}), "c1", "verifiableCredential[0].holder-binding"},
		{"fail/tampered credential in a valid presentation", tampered, "c1", "verifiableCredential[0].proof"},
		{"fail/expired VP-JWT", expired, "c1", "presentation.proof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := f.verifyPresentation(t, tt.vp, tt.challenge, "https://v.example")
			names := errorNames(res)
			// The named check fails first; a credential's failure leaves
			// every presentation check passing.
			if code != 400 || res.Verified || !strings.HasPrefix(names, tt.failed) ||
				(!strings.HasPrefix(tt.failed, "presentation.") && strings.Contains(names, "presentation.")) {
				t.Errorf("%d verified=%v errors %q, want %s: %+v", code, res.Verified, names, tt.failed, res.Errors)
			}
			if tt.name == "fail/expired VP-JWT" && !strings.Contains(res.Errors[0].Message, "expired") {
				t.Errorf("message %q", res.Errors[0].Message)
			}
		})
	}
	for name, body := range map[string]string{
		"no presentation": `{}`,
		"a number":        `{"verifiablePresentation":5}`,
		"unknown check":   `{"verifiablePresentation":{},"options":{"checks":["vibes"]}}`,
	} {
		if w := f.do("POST", "/presentations/verify", "", body); w.Code != 400 || decodeProblem(t, w).Type == "" {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
}

// TestWalletHolderIsolation calls every wallet endpoint with another
// holder's token: what belongs to a is 404 for b, never 403, and the admin
// token opens nothing.
func TestWalletHolderIsolation(t *testing.T) {
	f := newWalletFixture(t)
	ach := createAchievement(t, f.fixture)
	a, b := f.signUp(t, "a@example.org"), f.signUp(t, "b@example.org")
	cred := f.importJSON(t, a, f.issueTo(t, ach.ID, a.did, "ldp_vc").Credential)
	var sh wallet.Share
	mustJSON(t, f.do("POST", "/wallet/v1/credentials/"+cred.ID+"/share", a.token, ""), http.StatusCreated, &sh)
	var jwkDID wallet.DID
	mustJSON(t, f.do("POST", "/wallet/v1/dids", a.token, `{"method":"jwk"}`), http.StatusCreated, &jwkDID)
	own := f.importJSON(t, b, f.issueTo(t, ach.ID, b.did, "jwt_vc").Credential)

	notFound := []struct{ method, path, body string }{
		{"GET", "/wallet/v1/credentials/" + cred.ID, ""},
		{"DELETE", "/wallet/v1/credentials/" + cred.ID, ""},
		{"POST", "/wallet/v1/credentials/" + cred.ID + "/verify", ""},
		{"POST", "/wallet/v1/credentials/" + cred.ID + "/share", ""},
		{"DELETE", "/wallet/v1/shares/" + sh.Token, ""},
		{"POST", "/wallet/v1/presentations", `{"credentialIds":["` + cred.ID + `"],"challenge":"c"}`},
		{"POST", "/wallet/v1/presentations", `{"credentialIds":["` + own.ID + `"],"did":"` + jwkDID.DID + `","format":"jwt_vp","challenge":"c","domain":"d"}`},
	}
	for _, r := range notFound {
		t.Run("b/"+r.method+" "+r.path, func(t *testing.T) {
			w := f.do(r.method, r.path, b.token, r.body)
			if w.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404: %s", w.Code, w.Body)
			}
			if p := decodeProblem(t, w); strings.Contains(p.Detail, a.id) || strings.Contains(w.Body.String(), "forbidden") {
				t.Errorf("the answer leaks: %s", w.Body)
			}
		})
	}
	// Listings show b only b's things.
	var page wallet.Page
	mustJSON(t, f.do("GET", "/wallet/v1/credentials", b.token, ""), 200, &page)
	if page.Total != 1 || page.Items[0].ID != own.ID {
		t.Errorf("b's credentials: %+v", page)
	}
	var shares, dids struct {
		Items []map[string]any `json:"items"`
	}
	mustJSON(t, f.do("GET", "/wallet/v1/shares", b.token, ""), 200, &shares)
	mustJSON(t, f.do("GET", "/wallet/v1/dids", b.token, ""), 200, &dids)
	if len(shares.Items) != 0 || len(dids.Items) != 1 || dids.Items[0]["did"] != b.did {
		t.Errorf("b's shares %v, DIDs %v", shares.Items, dids.Items)
	}
	var bundle wallet.Bundle
	mustJSON(t, f.do("GET", "/wallet/v1/export", b.token, ""), 200, &bundle)
	if len(bundle.Credentials) != 1 || bundle.Holder.ID != b.id || len(bundle.DIDs) != 1 {
		t.Errorf("b's export: %+v", bundle)
	}
	// b's writes land in b's wallet: a new DID, a sign-out of b's session only.
	mustJSON(t, f.do("POST", "/wallet/v1/dids", b.token, `{}`), http.StatusCreated, nil)
	mustJSON(t, f.do("GET", "/wallet/v1/dids", a.token, ""), 200, &dids)
	if len(dids.Items) != 2 {
		t.Errorf("a's DIDs after b added one: %d", len(dids.Items))
	}
	if w := f.do("POST", "/wallet/v1/signout", b.token, ""); w.Code != http.StatusNoContent {
		t.Fatalf("b signs out: %d", w.Code)
	}
	// Everything of a is still there and reachable by a.
	for _, r := range []struct{ method, path string }{{"GET", "/wallet/v1/credentials/" + cred.ID}, {"GET", "/share/" + sh.Token}} {
		if w := f.do(r.method, r.path, a.token, ""); w.Code != 200 {
			t.Errorf("a: %s %s = %d", r.method, r.path, w.Code)
		}
	}
	// Neither the admin token, nor no token, nor b's ended session opens
	// any holder endpoint.
	holderRoutes := []struct{ method, path string }{
		{"POST", "/wallet/v1/signout"}, {"GET", "/wallet/v1/dids"}, {"POST", "/wallet/v1/dids"},
		{"POST", "/wallet/v1/credentials"}, {"GET", "/wallet/v1/credentials"}, {"GET", "/wallet/v1/credentials/" + cred.ID},
		{"DELETE", "/wallet/v1/credentials/" + cred.ID}, {"POST", "/wallet/v1/credentials/" + cred.ID + "/verify"},
		{"POST", "/wallet/v1/credentials/" + cred.ID + "/share"}, {"GET", "/wallet/v1/export"}, {"POST", "/wallet/v1/presentations"},
		{"GET", "/wallet/v1/shares"}, {"DELETE", "/wallet/v1/shares/" + sh.Token},
	}
	for _, tok := range []string{testToken, "", b.token} {
		for _, r := range holderRoutes {
			if w := f.do(r.method, r.path, tok, ""); w.Code != http.StatusUnauthorized {
				t.Errorf("token %.8q: %s %s = %d", tok, r.method, r.path, w.Code)
			}
		}
	}
	if w := f.do("GET", "/wallet/v1/credentials/"+cred.ID, a.token, ""); w.Code != 200 {
		t.Errorf("a's credential after the unauthorized calls: %d", w.Code)
	}
}

func TestWalletSignUpAndSignIn(t *testing.T) {
	f := newWalletFixture(t)
	f.signUp(t, "x@example.org")
	tests := []struct {
		name, path, body string
		status           int
		slug             string
	}{
		{"fail/made-up confirmation token", wallet.SignUpPath, `{"token":"made-up"}`, 410, "confirmation-invalid"},
		{"fail/weak password", "/wallet/v1/signup", `{"email":"y@example.org","password":"short"}`, 400, "invalid-request"},
		{"fail/unknown field", "/wallet/v1/signup", `{"email":"y@example.org","password":"long enough one","admin":true}`, 400, "bad-request"},
		{"fail/wrong password", "/wallet/v1/signin", `{"email":"x@example.org","password":"not the password"}`, 401, "invalid-credentials"},
		{"fail/unknown address", "/wallet/v1/signin", `{"email":"nobody@example.org","password":"correct horse battery"}`, 401, "invalid-credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", tt.path, "", tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if p := decodeProblem(t, w); p.Type != problemTypeBase+tt.slug {
				t.Errorf("type %s", p.Type)
			}
		})
	}
	// Sign-up answers the same for an address with a wallet and one
	// without, so it reveals neither.
	taken := f.do("POST", "/wallet/v1/signup", "", `{"email":"X@example.org","password":"another password"}`)
	fresh := f.do("POST", "/wallet/v1/signup", "", `{"email":"new@example.org","password":"another password"}`)
	if taken.Code != http.StatusAccepted || fresh.Code != taken.Code || fresh.Body.String() != taken.Body.String() {
		t.Errorf("sign-up of a taken address %d %s, of a new one %d %s", taken.Code, taken.Body, fresh.Code, fresh.Body)
	}
	if body := f.mail.lastTo(t, "X@example.org"); strings.Contains(body, "token=") || !strings.Contains(body, "already has a wallet") {
		t.Errorf("mail to the taken address: %s", body)
	}
	// The new address has no wallet until the link is followed: the link
	// opens a page whose form confirms it.
	if w := f.do("POST", "/wallet/v1/signin", "", `{"email":"new@example.org","password":"another password"}`); w.Code != http.StatusUnauthorized {
		t.Errorf("sign-in before confirmation: %d", w.Code)
	}
	link := f.mail.confirmLink(t, "new@example.org")
	u, err := url.Parse(link)
	if err != nil || u.Path != wallet.SignUpPath {
		t.Fatalf("link %q", link)
	}
	page := f.do("GET", u.RequestURI(), "", "")
	if page.Code != 200 || !strings.Contains(page.Body.String(), `name="token" value="`+u.Query().Get("token")+`"`) ||
		!strings.Contains(page.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("confirmation page: %d %s", page.Code, page.Body)
	}
	if w := f.do("POST", "/wallet/v1/signin", "", `{"email":"new@example.org","password":"another password"}`); w.Code != http.StatusUnauthorized {
		t.Errorf("opening the link alone confirmed the address: %d", w.Code)
	}
	form := url.Values{"token": {u.Query().Get("token")}}.Encode()
	if w := f.do("POST", wallet.SignUpPath, "", form, "Content-Type", "application/x-www-form-urlencoded"); w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), "wallet is ready") {
		t.Fatalf("confirm form: %d %s", w.Code, w.Body)
	}
	if w := f.do("POST", "/wallet/v1/signin", "", `{"email":"new@example.org","password":"another password"}`); w.Code != http.StatusOK {
		t.Errorf("sign-in after confirmation: %d %s", w.Code, w.Body)
	}
	if w := f.do("POST", wallet.SignUpPath, "", form, "Content-Type", "application/x-www-form-urlencoded"); w.Code != http.StatusGone {
		t.Errorf("second use of the link: %d %s", w.Code, w.Body)
	}
	// Per address: 5 attempts a minute, then 429 with Retry-After.
	var w *httptest.ResponseRecorder
	for range 6 {
		w = f.do("POST", "/wallet/v1/signin", "", `{"email":"x@example.org","password":"guess guess guess"}`)
	}
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: %d", w.Code)
	}
	p := decodeProblem(t, w)
	ra, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if p.Type != problemTypeBase+"rate-limited" || err != nil || ra < 1 || ra > 60 {
		t.Errorf("429: %+v Retry-After %q", p, w.Header().Get("Retry-After"))
	}
	// Even the right password waits.
	if w := f.do("POST", "/wallet/v1/signin", "", `{"email":"x@example.org","password":"correct horse battery"}`); w.Code != http.StatusTooManyRequests {
		t.Errorf("right password while limited: %d", w.Code)
	}
	if strings.Contains(f.logs.String(), "correct horse") || strings.Contains(f.logs.String(), "guess guess") {
		t.Error("a password reached the log")
	}
}

func TestWalletImportRefusals(t *testing.T) {
	f := newWalletFixture(t)
	ach := createAchievement(t, f.fixture)
	h := f.signUp(t, "h@example.org")
	rec := f.issueTo(t, ach.ID, h.did, "ldp_vc")
	f.importJSON(t, h, rec.Credential)
	var m map[string]any
	_ = json.Unmarshal(rec.Credential, &m)
	m["name"] = "Forged"
	forged, _ := json.Marshal(m)

	w := f.do("POST", "/wallet/v1/credentials", h.token, `{"credential":`+string(forged)+`}`)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("forged: %d %s", w.Code, w.Body)
	}
	p := decodeProblem(t, w)
	if p.Type != problemTypeBase+"credential-rejected" || p.Report == nil || p.Report.Verified {
		t.Fatalf("forged: %+v", p)
	}
	if c, _ := reportCheck(p.Report, verifier.CheckProof); c.Status != verifier.Failed {
		t.Errorf("report %+v", p.Report.Checks)
	}
	tests := []struct {
		name, body, ctype string
		status            int
		detail            string
	}{
		{"fail/duplicate", string(rec.Credential), "application/vc", 409, "already holds"},
		{"fail/both fields", `{"credential":"a.b.c","image":"AAAA"}`, "", 400, "exactly one"},
		{"fail/neither", `{}`, "", 400, "exactly one"},
		{"fail/bad base64", `{"image":"***"}`, "", 400, "base64"},
		{"fail/not an image", `{"image":"` + base64.StdEncoding.EncodeToString([]byte("GIF89a")) + `"}`, "", 400, "see errors"},
		{"fail/media type", "x", "application/pdf", 415, "send"},
		{"fail/ob2 bake", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://example.org/a"/></svg>`, "image/svg+xml", 422, "Open Badges 2.0"},
		{"fail/too large", `{"credential":"` + strings.Repeat("a", 300<<10) + `"}`, "", 413, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{}
			if tt.ctype != "" {
				hdr = []string{"Content-Type", tt.ctype}
			}
			w := f.do("POST", "/wallet/v1/credentials", h.token, tt.body, hdr...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if p := decodeProblem(t, w); !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", p.Detail, tt.detail)
			}
		})
	}
}

func TestShareLinks(t *testing.T) {
	f := newWalletFixture(t)
	ach := createAchievement(t, f.fixture)
	h := f.signUp(t, "h@example.org")
	rec := f.issueTo(t, ach.ID, h.did, "jwt_vc")
	c := f.importJSON(t, h, rec.Credential)
	var forever, soon wallet.Share
	mustJSON(t, f.do("POST", "/wallet/v1/credentials/"+c.ID+"/share", h.token, ""), http.StatusCreated, &forever)
	mustJSON(t, f.do("POST", "/wallet/v1/credentials/"+c.ID+"/share", h.token, `{"expires":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`), http.StatusCreated, &soon)
	if forever.URL != "http://localhost:8080/share/"+forever.Token {
		t.Errorf("url %q", forever.URL)
	}
	w := f.do("GET", "/share/"+forever.Token, "", "")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), rec.Credential) || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET /share: %d %s", w.Code, w.Body)
	}
	if w := f.do("POST", "/wallet/v1/credentials/"+c.ID+"/share", h.token, `{"expires":"2001-01-01T00:00:00Z"}`); w.Code != 400 {
		t.Errorf("past expiry: %d", w.Code)
	}
	// An hour later (the wallet's clock), the second link has expired.
	f.skew.Store(int64(2 * time.Hour))
	if w := f.do("GET", "/share/"+soon.Token, "", ""); w.Code != http.StatusGone {
		t.Errorf("expired link: %d", w.Code)
	}
	var list struct {
		Items []wallet.Share `json:"items"`
	}
	mustJSON(t, f.do("GET", "/wallet/v1/shares", h.token, ""), 200, &list)
	if len(list.Items) != 2 {
		t.Errorf("shares: %+v", list)
	}
	for _, it := range list.Items {
		// The token is shown once, at creation: the store keeps only its
		// keyed hash, which is the listed ID.
		if it.Token != "" || it.URL != "" || it.ID == "" || (it.ID != forever.ID && it.ID != soon.ID) {
			t.Errorf("listed share %+v", it)
		}
	}
	f.skew.Store(0)
	if w := f.do("DELETE", "/wallet/v1/shares/"+forever.Token, h.token, ""); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d", w.Code)
	}
	for _, tok := range []string{forever.Token, "never-made"} {
		if w := f.do("GET", "/share/"+tok, "", ""); w.Code != http.StatusNotFound {
			t.Errorf("revoked or unknown link %s: %d", tok, w.Code)
		}
	}
	if strings.Contains(f.logs.String(), forever.Token) || strings.Contains(f.logs.String(), soon.Token) {
		t.Error("a share token reached the log")
	}
}

// TestWalletRoutesNeedTheWallet: without a wallet configured, its routes do
// not exist.
func TestWalletRoutesNeedTheWallet(t *testing.T) {
	srv := New(Config{Store: pinger{}, AdminToken: testToken, PublicURL: "http://localhost:8080"})
	for _, r := range srv.Routes() {
		if strings.HasPrefix(r.Path, "/wallet/") || strings.HasPrefix(r.Path, "/share/") || r.Path == "/presentations/verify" {
			t.Errorf("route %s %s without a wallet or verifier", r.Method, r.Path)
		}
	}
}
