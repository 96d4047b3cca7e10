package wallet_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fastArgon2 keeps tests quick; production uses wallet.DefaultArgon2.
var fastArgon2 = wallet.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

type env struct {
	w     *wallet.Service
	v     *verifier.Verifier
	canon di.Canonicalizer
	clock *clock
	kek   *keys.KEK
	st    *mem.Store
	// issuer signs test credentials.
	issKey *keys.Key
	issDID string
	issVM  string
	// revoked makes the verifier report these credential ids revoked.
	mu      sync.Mutex
	revoked map[string]bool
	mail    *mailbox
}

// mailbox is a wallet.Mailer keeping the mails it is given.
type mailbox struct {
	mu    sync.Mutex
	mails []sentMail
}

type sentMail struct{ to, subject, body string }

func (m *mailbox) SendMail(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, sentMail{to, subject, body})
	return nil
}

// last returns the last mail sent to to.
func (m *mailbox) last(t testing.TB, to string) sentMail {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.mails) - 1; i >= 0; i-- {
		if m.mails[i].to == to {
			return m.mails[i]
		}
	}
	t.Fatalf("no mail to %s", to)
	return sentMail{}
}

// confirmToken returns the token of the confirmation link in the last mail
// to to, or "" when it has none.
func (m *mailbox) confirmToken(t testing.TB, to string) string {
	t.Helper()
	_, after, ok := strings.Cut(m.last(t, to).body, wallet.SignUpPath+"?token=")
	if !ok {
		return ""
	}
	return strings.Fields(after)[0]
}

func newEnv(t testing.TB, mod ...func(*wallet.Config)) *env {
	t.Helper()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{canon: di.NewFast(contexts, di.Limits{}), clock: &clock{t: time.Now().UTC().Truncate(time.Second)}, revoked: map[string]bool{}, mail: &mailbox{}}
	e.v, err = verifier.New(verifier.Config{
		Resolver:      did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}},
		Canonicalizer: e.canon, Schema: credential.NewSchemaValidator(contexts), ClockSkew: time.Minute,
		Now: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.kek, err = keys.NewKEK(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.issKey, err = keys.FromEd25519Seed(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.issDID, _ = did.KeyDID(e.issKey.Public())
	e.issVM = e.issDID + "#" + strings.TrimPrefix(e.issDID, "did:key:")
	e.st = mem.New(mem.Options{Now: e.clock.Now})
	cfg := wallet.Config{
		Store: e.st, KEK: e.kek, Verifier: wallet.VerifierFunc(e.verify), DI: &di.Signer{Canonicalizer: e.canon},
		PublicURL: "https://wallet.example", Now: e.clock.Now, Argon2: fastArgon2,
		SignIn: wallet.Limits{PerEmail: 100, PerIP: 1000, Window: time.Minute}, Mailer: e.mail,
	}
	for _, m := range mod {
		m(&cfg)
	}
	e.w, err = wallet.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// verify adapts the verifier, as cmd does, and fakes a revocation for the
// credentials in e.revoked.
func (e *env) verify(ctx context.Context, in any) *wallet.Report {
	return AdaptReport(e.v.Verify(ctx, in, verifier.Options{}), func(id string) bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.revoked[id]
	})
}

// AdaptReport converts a verifier report into the wallet's.
func AdaptReport(r *verifier.Report, revoked func(string) bool) *wallet.Report {
	out := &wallet.Report{Verified: r.Verified, Format: r.Format, Shape: r.Shape, Issuer: r.Issuer, ProofMethod: r.ProofMethod, Credential: r.Credential}
	for _, c := range r.Checks {
		if c.Name == verifier.CheckStatus && revoked != nil && r.Credential != nil && revoked(fmt.Sprint(r.Credential["id"])) {
			c = verifier.Check{Name: c.Name, Status: verifier.Failed, Message: "revoked: bit 7 of https://issuer.example/status/1 is set"}
			out.Verified = false
		}
		out.Checks = append(out.Checks, wallet.Check{Name: c.Name, Status: c.Status, Message: c.Message})
	}
	return out
}

type holder struct {
	wallet.Holder
	token string
}

func (e *env) signUp(t testing.TB, email string) holder {
	t.Helper()
	if err := e.w.SignUp(context.Background(), wallet.Credentials{Email: email, Password: "correct horse battery", ClientIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	h, err := e.w.VerifySignUp(context.Background(), e.mail.confirmToken(t, email))
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.w.SignIn(context.Background(), wallet.Credentials{Email: email, Password: "correct horse battery", ClientIP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return holder{Holder: h, token: s.Token}
}

// credential builds an unsigned OB 3.0 credential about subject.
func (e *env) credential(subject, id, name string, mod ...func(map[string]any)) map[string]any {
	vc := credential.AchievementCredential{
		Context:   []any{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
		ID:        id,
		Type:      []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential},
		Name:      name,
		Issuer:    credential.Profile{ID: e.issDID, Type: []string{credential.TypeProfile}, Name: "Example Academy"},
		ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		CredentialSubject: credential.AchievementSubject{
			ID:   subject,
			Type: []string{credential.TypeAchievementSubject},
			Achievement: credential.Achievement{ID: "https://badges.example.org/achievements/" + strings.ReplaceAll(strings.ToLower(name), " ", "-"), Type: []string{credential.TypeAchievement},
				Name: name, Description: name + " skills", Criteria: credential.Criteria{Narrative: "Pass the lab."}},
		},
		CredentialSchema: []credential.CredentialSchema{{ID: credential.SchemaAchievementCredential, Type: credential.SchemaType1EdTech}},
	}
	m, _ := credential.AsMap(vc)
	for _, f := range mod {
		f(m)
	}
	return m
}

func (e *env) signDI(t testing.TB, doc map[string]any) []byte {
	t.Helper()
	out, err := (&di.Signer{Canonicalizer: e.canon}).Sign(context.Background(), doc, e.issKey, di.Options{VerificationMethod: e.issVM})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	return b
}

func (e *env) signJWT(t testing.TB, doc map[string]any) []byte {
	t.Helper()
	tok, err := jose.SignCredential(doc, e.issKey, e.issVM, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(tok)
}

func newID() string { return "urn:uuid:" + uuidish() }

var idMu sync.Mutex
var idN int

func uuidish() string {
	idMu.Lock()
	defer idMu.Unlock()
	idN++
	return fmt.Sprintf("6b1d0e7a-0000-4000-8000-%012d", idN)
}

func testPNG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSignUpSignInSignOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.w.SignUp(ctx, wallet.Credentials{Email: "Ada@Example.org", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	// Until the address is confirmed there is no wallet to sign in to.
	if _, err := e.w.SignIn(ctx, wallet.Credentials{Email: "ada@example.org", Password: "correct horse battery"}); !errors.Is(err, wallet.ErrBadCredentials) {
		t.Fatalf("sign-in before confirmation: %v", err)
	}
	tok := e.mail.confirmToken(t, "Ada@Example.org")
	h, err := e.w.VerifySignUp(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.DefaultDID, "did:key:z6Mk") || h.ID == "" || h.Email != "Ada@Example.org" {
		t.Errorf("holder %+v", h)
	}
	// A second sign-up of the address answers as the first did; the mail
	// says the wallet exists and carries no link.
	if err := e.w.SignUp(ctx, wallet.Credentials{Email: "ada@example.org", Password: "another long one"}); err != nil {
		t.Errorf("sign-up of a taken address: %v, want the same answer as a new one", err)
	}
	if m := e.mail.last(t, "ada@example.org"); e.mail.confirmToken(t, "ada@example.org") != "" || !strings.Contains(m.body, "already has a wallet") {
		t.Errorf("mail to a taken address: %+v", m)
	}
	// An unconfirmed sign-up expires.
	if err := e.w.SignUp(ctx, wallet.Credentials{Email: "late@example.org", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	lateTok := e.mail.confirmToken(t, "late@example.org")
	e.clock.Add(25 * time.Hour)
	tests := []struct {
		name    string
		do      func() error
		wantErr error
	}{
		{"fail/link used twice", func() error { _, err := e.w.VerifySignUp(ctx, tok); return err }, wallet.ErrVerificationInvalid},
		{"fail/link expired", func() error { _, err := e.w.VerifySignUp(ctx, lateTok); return err }, wallet.ErrVerificationInvalid},
		{"fail/made-up link", func() error { _, err := e.w.VerifySignUp(ctx, "made-up"); return err }, wallet.ErrVerificationInvalid},
		{"fail/short password", func() error {
			return e.w.SignUp(ctx, wallet.Credentials{Email: "b@example.org", Password: "short"})
		}, wallet.ErrInvalid},
		{"fail/not an email", func() error {
			return e.w.SignUp(ctx, wallet.Credentials{Email: "Bob <b@example.org>", Password: "long enough pass"})
		}, wallet.ErrInvalid},
		{"fail/wrong password", func() error {
			_, err := e.w.SignIn(ctx, wallet.Credentials{Email: "ada@example.org", Password: "wrong horse battery"})
			return err
		}, wallet.ErrBadCredentials},
		{"fail/unknown email", func() error {
			_, err := e.w.SignIn(ctx, wallet.Credentials{Email: "nobody@example.org", Password: "correct horse battery"})
			return err
		}, wallet.ErrBadCredentials},
		{"fail/unknown token", func() error { _, err := e.w.Authenticate(ctx, "nope"); return err }, wallet.ErrUnauthorized},
		{"fail/sign out unknown token", func() error { return e.w.SignOut(ctx, "nope") }, wallet.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
		})
	}
	s, err := e.w.SignIn(ctx, wallet.Credentials{Email: " ADA@example.org", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.w.Authenticate(ctx, s.Token); err != nil || got.ID != h.ID {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if err := e.w.SignOut(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Authenticate(ctx, s.Token); !errors.Is(err, wallet.ErrUnauthorized) {
		t.Errorf("after sign-out: %v", err)
	}
	// Sessions expire.
	s, _ = e.w.SignIn(ctx, wallet.Credentials{Email: "ada@example.org", Password: "correct horse battery"})
	e.clock.Add(13 * time.Hour)
	if _, err := e.w.Authenticate(ctx, s.Token); !errors.Is(err, wallet.ErrUnauthorized) {
		t.Errorf("after the session TTL: %v", err)
	}
	// The store never holds the token itself, nor the password.
	exp := e.st.ExportTokens(ctx)
	for tok, err := range exp {
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(tok.ID, s.Token) || bytes.Contains(tok.Value, []byte(s.Token)) {
			t.Error("a session token is stored in clear")
		}
	}
	for d, err := range e.st.ExportDocs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(d.Value, []byte("correct horse")) || bytes.Contains(d.Value, []byte("ada@example.org")) && d.Collection != "wallet-holders" {
			t.Errorf("%s/%s holds a password or an address", d.Collection, d.ID)
		}
		if d.Collection == "wallet-holders" && !bytes.Contains(d.Value, []byte(`"$argon2id$v=19$m=64,t=1,p=1$`)) {
			t.Errorf("password hash not in PHC argon2id form: %s", d.Value)
		}
	}
}

func TestSignInRateLimited(t *testing.T) {
	e := newEnv(t, func(c *wallet.Config) { c.SignIn = wallet.Limits{PerEmail: 3, PerIP: 5, Window: time.Minute} })
	ctx := context.Background()
	try := func(email, ip string) error {
		_, err := e.w.SignIn(ctx, wallet.Credentials{Email: email, Password: "whatever-whatever", ClientIP: ip})
		return err
	}
	for i := range 3 {
		if err := try("a@example.org", fmt.Sprintf("198.51.100.%d", i)); !errors.Is(err, wallet.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	err := try("a@example.org", "198.51.100.9")
	var rl *wallet.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, wallet.ErrRateLimited) || rl.RetryAfter < time.Second || rl.RetryAfter > time.Minute {
		t.Fatalf("4th attempt for one address: %v", err)
	}
	// Per IP: five addresses from one IP, then refused.
	for i := range 5 {
		if err := try(fmt.Sprintf("u%d@example.org", i), "203.0.113.7"); !errors.Is(err, wallet.ErrBadCredentials) {
			t.Fatalf("IP attempt %d: %v", i, err)
		}
	}
	if err := try("fresh@example.org", "203.0.113.7"); !errors.Is(err, wallet.ErrRateLimited) {
		t.Errorf("6th attempt from one IP: %v", err)
	}
	// The window refills.
	e.clock.Add(time.Minute)
	if err := try("a@example.org", "203.0.113.7"); !errors.Is(err, wallet.ErrBadCredentials) {
		t.Errorf("after the window: %v", err)
	}
}

func TestHolderDIDs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.signUp(t, "a@example.org"), e.signUp(t, "b@example.org")
	j, err := e.w.AddDID(ctx, a.ID, wallet.AddDIDRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(j.DID, "did:jwk:") || j.Alg != keys.ES256 || j.VerificationMethod != j.DID+"#0" || j.Default {
		t.Errorf("did:jwk %+v", j)
	}
	k, err := e.w.AddDID(ctx, a.ID, wallet.AddDIDRequest{Method: "key", Alg: "ES256"})
	if err != nil || !strings.HasPrefix(k.DID, "did:key:zDn") {
		t.Errorf("P-256 did:key %+v %v", k, err)
	}
	if _, err := e.w.AddDID(ctx, a.ID, wallet.AddDIDRequest{Method: "web"}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("did:web: %v", err)
	}
	list, err := e.w.DIDs(ctx, a.ID)
	if err != nil || len(list) != 3 || !list[0].Default || list[0].DID != a.DefaultDID {
		t.Fatalf("DIDs of a: %+v %v", list, err)
	}
	// Each DID resolves to a document listing its key for authentication.
	for _, d := range list {
		if _, err := did.ResolveMethod(ctx, did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, d.VerificationMethod, "authentication"); err != nil {
			t.Errorf("%s: %v", d.VerificationMethod, err)
		}
	}
	if list, _ := e.w.DIDs(ctx, b.ID); len(list) != 1 || list[0].DID == a.DefaultDID {
		t.Errorf("b sees %+v", list)
	}
	// Keys are sealed: no private key material in the store.
	for d, err := range e.st.ExportDocs(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(d.Collection, "wallet-dids:") && (!bytes.Contains(d.Value, []byte(`"ciphertext"`)) || bytes.Contains(d.Value, []byte(`"d"`))) {
			t.Errorf("DID record not sealed: %s", d.Value)
		}
	}
}

func TestImportForms(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	ldp := e.signDI(t, e.credential(h.DefaultDID, newID(), "Go"))
	jwt := e.signJWT(t, e.credential(h.DefaultDID, newID(), "Rust"))
	pngBaked, err := bake.BakePNG(testPNG(t), e.signJWT(t, e.credential(h.DefaultDID, newID(), "Zig")))
	if err != nil {
		t.Fatal(err)
	}
	svgBaked, err := bake.BakeSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>`), e.signDI(t, e.credential(h.DefaultDID, newID(), "Odin")))
	if err != nil {
		t.Fatal(err)
	}
	enveloped, _ := json.Marshal(jose.Envelope(string(e.signJWT(t, e.credential(h.DefaultDID, newID(), "Nim")))))
	quoted, _ := json.Marshal(string(e.signJWT(t, e.credential(h.DefaultDID, newID(), "Gleam"))))
	tests := []struct {
		name, source, format, achievement string
		in                                []byte
	}{
		{"ok/json-ld", wallet.SourceJSON, "ldp_vc", "Go", ldp},
		{"ok/jwt", wallet.SourceJWT, "jwt_vc", "Rust", jwt},
		{"ok/baked png", wallet.SourcePNG, "jwt_vc", "Zig", pngBaked},
		{"ok/baked svg", wallet.SourceSVG, "ldp_vc", "Odin", svgBaked},
		{"ok/enveloped", wallet.SourceJWT, "jwt_vc", "Nim", enveloped},
		{"ok/jwt as a JSON string", wallet.SourceJWT, "jwt_vc", "Gleam", quoted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.w.Import(ctx, h.ID, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if c.Source != tt.source || c.Format != tt.format || c.AchievementName != tt.achievement || c.State != wallet.StateValid ||
				c.Issuer != e.issDID || c.IssuerName != "Example Academy" || c.SubjectID != h.DefaultDID || c.Report == nil || !c.Report.Verified {
				t.Errorf("imported %+v", c)
			}
			got, err := e.w.Credential(ctx, h.ID, c.ID)
			if err != nil || got.Hash != c.Hash || len(got.Credential) == 0 || len(got.Report.Checks) == 0 {
				t.Errorf("get: %+v %v", got, err)
			}
		})
	}
}

func TestImportRefusalsAndDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	id := newID()
	doc := e.credential(h.DefaultDID, id, "Go")
	ldp := e.signDI(t, doc)
	first, err := e.w.Import(ctx, h.ID, ldp)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, ldp, "", "    ")
	tampered := bytes.Replace(ldp, []byte(`"name":"Go"`), []byte(`"name":"Forged"`), 1)
	expired := e.signDI(t, e.credential(h.DefaultDID, newID(), "Old", func(m map[string]any) { m["validUntil"] = "2025-07-01T00:00:00Z" }))
	otherIssuer := func() []byte {
		k, _ := keys.Generate(keys.EdDSA, rand.Reader)
		out, err := (&di.Signer{Canonicalizer: e.canon}).Sign(ctx, e.credential(h.DefaultDID, newID(), "Fake"), k, di.Options{VerificationMethod: mustKeyVM(t, k)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		return b
	}()
	tests := []struct {
		name    string
		in      []byte
		wantErr error
		failed  string
	}{
		{"fail/same bytes reformatted", pretty.Bytes(), wallet.ErrDuplicate, ""},
		{"fail/same id as a JWT", e.signJWT(t, doc), wallet.ErrDuplicate, ""},
		{"fail/tampered", tampered, wallet.ErrRejected, "proof"},
		{"fail/signed by someone other than the issuer", otherIssuer, wallet.ErrRejected, "issuer"},
		{"fail/not a credential", []byte(`{"hello":"world"}`), wallet.ErrRejected, "format"},
		{"fail/garbage", []byte("hello world"), wallet.ErrInvalid, ""},
		{"fail/url", []byte("https://example.org/assertions/1"), wallet.ErrInvalid, ""},
		{"fail/presentation", []byte(`{"type":["VerifiablePresentation"]}`), wallet.ErrInvalid, ""},
		{"fail/image without credential", testPNG(t), wallet.ErrInvalid, ""},
		{"fail/ob2 bake", []byte(ob2SVG), wallet.ErrUnsupported, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.w.Import(ctx, h.ID, tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			var de *wallet.DuplicateError
			if errors.As(err, &de) && de.ExistingID != first.ID {
				t.Errorf("duplicate of %s, want %s", de.ExistingID, first.ID)
			}
			var re *wallet.RejectedError
			if tt.failed != "" {
				if !errors.As(err, &re) || !hasFailed(re.Report, tt.failed) {
					t.Errorf("want the report to fail %s: %v", tt.failed, err)
				}
			}
		})
	}
	// An expired credential is kept and shows as expired.
	c, err := e.w.Import(ctx, h.ID, expired)
	if err != nil || c.State != wallet.StateExpired {
		t.Errorf("expired credential: %+v %v", c.State, err)
	}
	// Deleting frees the credential for a new import.
	if err := e.w.DeleteCredential(ctx, h.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Credential(ctx, h.ID, first.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if _, err := e.w.Import(ctx, h.ID, ldp); err != nil {
		t.Errorf("re-import after delete: %v", err)
	}
	// Another holder may import the same credential into their own wallet.
	o := e.signUp(t, "o@example.org")
	if _, err := e.w.Import(ctx, o.ID, ldp); err != nil {
		t.Errorf("another holder's import: %v", err)
	}
}

func hasFailed(r *wallet.Report, name string) bool {
	for _, c := range r.Checks {
		if c.Name == name && c.Status == wallet.StatusFailed {
			return true
		}
	}
	return false
}

func mustKeyVM(t testing.TB, k *keys.Key) string {
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return d + "#" + strings.TrimPrefix(d, "did:key:")
}

// ob2SVG is an Open Badges 2.0 baked SVG: its assertion is a URL.
const ob2SVG = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://example.org/a/1"/></svg>`

func TestListFiltersAndReverify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	ids := map[string]string{}
	for i, name := range []string{"Go", "Rust", "Go Advanced", "Zig"} {
		doc := e.credential(h.DefaultDID, newID(), name, func(m map[string]any) {
			m["validFrom"] = fmt.Sprintf("2025-0%d-01T00:00:00Z", i+1)
		})
		raw := e.signDI(t, doc)
		if i%2 == 1 {
			raw = e.signJWT(t, doc)
		}
		c, err := e.w.Import(ctx, h.ID, raw)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = c.ID
	}
	names := func(p wallet.Page) string {
		var out []string
		for _, c := range p.Items {
			out = append(out, c.AchievementName)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name  string
		q     wallet.Query
		want  string
		total int
	}{
		{"ok/all", wallet.Query{}, "Go,Rust,Go Advanced,Zig", 4},
		{"ok/achievement name", wallet.Query{Achievement: "go"}, "Go,Go Advanced", 2},
		{"ok/achievement id", wallet.Query{Achievement: "https://badges.example.org/achievements/zig"}, "Zig", 1},
		{"ok/issuer", wallet.Query{Issuer: e.issDID}, "Go,Rust,Go Advanced,Zig", 4},
		{"ok/other issuer", wallet.Query{Issuer: "did:web:elsewhere.example"}, "", 0},
		{"ok/type", wallet.Query{Type: "OpenBadgeCredential"}, "Go,Rust,Go Advanced,Zig", 4},
		{"ok/date range", wallet.Query{From: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)}, "Rust,Go Advanced", 2},
		{"ok/state valid", wallet.Query{State: wallet.StateValid}, "Go,Rust,Go Advanced,Zig", 4},
		{"ok/page of 2 filtered", wallet.Query{Type: "VerifiableCredential", Limit: 2}, "Go,Rust", 4},
		{"ok/page of 2", wallet.Query{Limit: 2}, "Go,Rust", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.w.Credentials(ctx, h.ID, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if names(p) != tt.want || p.Total != tt.total {
				t.Errorf("got %q (total %d), want %q (%d)", names(p), p.Total, tt.want, tt.total)
			}
			for _, c := range p.Items {
				if c.Credential != nil || c.Report != nil {
					t.Error("listing items carry the credential or report")
				}
			}
			if tt.q.Limit == 2 {
				if p.Next == nil {
					t.Fatal("no next cursor")
				}
				q := tt.q
				q.Cursor = *p.Next
				p2, err := e.w.Credentials(ctx, h.ID, q)
				if err != nil || names(p2) != "Go Advanced,Zig" || p2.Next != nil {
					t.Errorf("second page %q %v %v", names(p2), p2.Next, err)
				}
			}
		})
	}
	if _, err := e.w.Credentials(ctx, h.ID, wallet.Query{State: "lost"}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("unknown state: %v", err)
	}

	// The issuer revokes Rust: re-verification shows it.
	c, _ := e.w.Credential(ctx, h.ID, ids["Rust"])
	e.mu.Lock()
	e.revoked[c.CredentialID] = true
	e.mu.Unlock()
	c, err := e.w.Reverify(ctx, h.ID, ids["Rust"])
	if err != nil || c.State != wallet.StateRevoked || c.Report.Verified {
		t.Fatalf("after revocation: %s %v", c.State, err)
	}
	p, _ := e.w.Credentials(ctx, h.ID, wallet.Query{State: wallet.StateRevoked})
	if names(p) != "Rust" {
		t.Errorf("revoked filter: %q", names(p))
	}
	// Export holds everything, with states.
	b, err := e.w.Export(ctx, h.ID)
	if err != nil || len(b.Credentials) != 4 || len(b.DIDs) != 1 || b.Format != wallet.BundleFormat || b.Holder.ID != h.ID {
		t.Fatalf("export: %+v %v", b, err)
	}
	for _, c := range b.Credentials {
		if len(c.Credential) == 0 || c.Report == nil || (c.ID == ids["Rust"]) != (c.State == wallet.StateRevoked) {
			t.Errorf("exported %s %s", c.AchievementName, c.State)
		}
	}
}

// TestHolderIsolation: another holder's credentials, DIDs and share links
// are not found, never forbidden.
func TestHolderIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.signUp(t, "a@example.org"), e.signUp(t, "b@example.org")
	c, err := e.w.Import(ctx, a.ID, e.signDI(t, e.credential(a.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := e.w.Share(ctx, a.ID, c.ID, wallet.ShareRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for name, do := range map[string]func() error{
		"get":      func() error { _, err := e.w.Credential(ctx, b.ID, c.ID); return err },
		"delete":   func() error { return e.w.DeleteCredential(ctx, b.ID, c.ID) },
		"reverify": func() error { _, err := e.w.Reverify(ctx, b.ID, c.ID); return err },
		"share":    func() error { _, err := e.w.Share(ctx, b.ID, c.ID, wallet.ShareRequest{}); return err },
		"revoke":   func() error { return e.w.RevokeShare(ctx, b.ID, sh.Token) },
		"present": func() error {
			_, err := e.w.Present(ctx, b.ID, wallet.PresentRequest{CredentialIDs: []string{c.ID}, Challenge: "c"})
			return err
		},
		"present with a's DID": func() error {
			own, _ := e.w.Import(ctx, b.ID, e.signDI(t, e.credential(b.DefaultDID, newID(), "Rust")))
			_, err := e.w.Present(ctx, b.ID, wallet.PresentRequest{CredentialIDs: []string{own.ID}, DID: a.DefaultDID, Challenge: "c"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := do(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("err %v, want not found", err)
			}
		})
	}
	if p, _ := e.w.Credentials(ctx, b.ID, wallet.Query{}); p.Total != 1 {
		t.Errorf("b lists %d credentials", p.Total)
	}
	if shares, _ := e.w.Shares(ctx, b.ID); len(shares) != 0 {
		t.Errorf("b lists a's share links: %+v", shares)
	}
	if _, err := e.w.Credential(ctx, a.ID, c.ID); err != nil {
		t.Errorf("a lost the credential: %v", err)
	}
}

func TestShares(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	c, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	forever, err := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if forever.URL != "https://wallet.example/share/"+forever.Token || len(forever.Token) < 40 {
		t.Errorf("share %+v", forever)
	}
	soon, err := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{Expires: e.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{Expires: e.clock.Now().Add(-time.Second)}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("expiry in the past: %v", err)
	}
	got, err := e.w.SharedCredential(ctx, soon.Token)
	if err != nil || got.Format != "jwt_vc" || !bytes.HasPrefix(got.Credential, []byte(`"ey`)) {
		t.Fatalf("shared: %s %v", got.Credential, err)
	}
	e.clock.Add(2 * time.Hour)
	if _, err := e.w.SharedCredential(ctx, soon.Token); !errors.Is(err, wallet.ErrShareExpired) {
		t.Errorf("expired link: %v", err)
	}
	list, _ := e.w.Shares(ctx, h.ID)
	if len(list) != 2 {
		t.Fatalf("shares: %+v", list)
	}
	for _, s := range list {
		if s.Expired != (s.ID == soon.ID) || s.Token != "" || s.ID == "" {
			t.Errorf("share %+v", s)
		}
	}
	if err := e.w.RevokeShare(ctx, h.ID, forever.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.SharedCredential(ctx, forever.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked link: %v", err)
	}
	if _, err := e.w.SharedCredential(ctx, "no-such-token"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown link: %v", err)
	}
	// Deleting the credential kills its links.
	again, _ := e.w.Share(ctx, h.ID, c.ID, wallet.ShareRequest{})
	if err := e.w.DeleteCredential(ctx, h.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.SharedCredential(ctx, again.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link to a deleted credential: %v", err)
	}
}

func TestPresent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := e.signUp(t, "h@example.org")
	ldp, err := e.w.Import(ctx, h.ID, e.signDI(t, e.credential(h.DefaultDID, newID(), "Go")))
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Rust")))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{ldp.ID, jwt.ID}
	opts := verifier.PresentationOptions{Challenge: "c-123", Domain: "https://verifier.example"}
	for _, format := range []string{wallet.FormatLDPVP, wallet.FormatJWTVP} {
		t.Run(format, func(t *testing.T) {
			p, err := e.w.Present(ctx, h.ID, wallet.PresentRequest{CredentialIDs: ids, Format: format, Challenge: "c-123", Domain: "https://verifier.example"})
			if err != nil {
				t.Fatal(err)
			}
			if p.Holder != h.DefaultDID || p.Format != format {
				t.Errorf("presentation %+v", p)
			}
			var vp any
			_ = json.Unmarshal(p.VerifiablePresentation, &vp)
			rep := e.v.VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: opts.Challenge, Domain: opts.Domain, Now: e.clock.Now()})
			if !rep.Verified || len(rep.Credentials) != 2 || rep.Holder != h.DefaultDID {
				t.Fatalf("verify: %+v", rep.Checks)
			}
			if format == wallet.FormatLDPVP {
				m := vp.(map[string]any)
				proof := m["proof"].(map[string]any)
				if proof["proofPurpose"] != "authentication" || proof["challenge"] != "c-123" || proof["domain"] != "https://verifier.example" || proof["expires"] == nil {
					t.Errorf("proof %v", proof)
				}
				if env := m["verifiableCredential"].([]any)[1].(map[string]any); env["type"] != "EnvelopedVerifiableCredential" {
					t.Errorf("JWT credential embedded as %v", env)
				}
			}
			// Past the presentation TTL it no longer verifies.
			rep = e.v.VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: opts.Challenge, Domain: opts.Domain, Now: e.clock.Now().Add(time.Hour)})
			if rep.Verified {
				t.Error("verified an hour later")
			}
		})
	}
	// A P-256 did:jwk signs VP-JWTs but not Data Integrity presentations.
	jd, err := e.w.AddDID(ctx, h.ID, wallet.AddDIDRequest{Method: "jwk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Present(ctx, h.ID, wallet.PresentRequest{CredentialIDs: ids, DID: jd.DID, Challenge: "c"}); !errors.Is(err, wallet.ErrUnsupported) {
		t.Errorf("DI with P-256: %v", err)
	}
	p, err := e.w.Present(ctx, h.ID, wallet.PresentRequest{CredentialIDs: ids, DID: jd.DID, Format: wallet.FormatJWTVP, Nonce: "n", Audience: "a"})
	if err != nil || p.Holder != jd.DID {
		t.Fatalf("VP-JWT with did:jwk: %+v %v", p, err)
	}
	var tok string
	_ = json.Unmarshal(p.VerifiablePresentation, &tok)
	rep := e.v.VerifyPresentation(ctx, tok, verifier.PresentationOptions{Nonce: "n", Audience: "a", Now: e.clock.Now()})
	if rep.Verified {
		t.Error("credentials bound to the did:key verified for the did:jwk holder")
	}
	for _, c := range rep.Credentials {
		if ch, _ := c.Check(verifier.CheckHolderBinding); ch.Status != verifier.Failed {
			t.Errorf("holder binding: %+v", ch)
		}
	}
	for name, req := range map[string]wallet.PresentRequest{
		"no challenge":   {CredentialIDs: ids},
		"no credentials": {Challenge: "c"},
		"twice":          {CredentialIDs: []string{ldp.ID, ldp.ID}, Challenge: "c"},
		"bad format":     {CredentialIDs: ids, Challenge: "c", Format: "mso_mdoc"},
		"jwt no aud":     {CredentialIDs: ids, Format: wallet.FormatJWTVP, Nonce: "n"},
	} {
		if _, err := e.w.Present(ctx, h.ID, req); !errors.Is(err, wallet.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
