package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
	"github.com/google/go-cmp/cmp"
)

const testToken = "test-admin-token-0123456789"

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

type fixture struct {
	srv  *Server
	logs *bytes.Buffer
	id   *issuer.Identity
	// mail receives the wallet's sign-up mails.
	mail *walletMail
}

func newFixture(t testing.TB, publicURL string, ping error) *fixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newFixtureOn(t, db, publicURL, ping)
}

// fixtureStore is what the fixture needs of a store.
type fixtureStore interface {
	issuer.Store
	Pinger
}

// testIssuer is the issuer side every API fixture wires: an identity
// bootstrapped in the store, the bundled and test contexts, a Fast
// canonicalizer, did:key/did:jwk resolution and the issuer service.
type testIssuer struct {
	kek      *keys.KEK
	id       *issuer.Identity
	contexts *ldcontext.Loader
	canon    *di.Fast
	resolver did.Multi
	iss      *issuer.Service
}

// newTestIssuer builds a testIssuer over db. cfg names the identity
// (PublicURL, ProfileName, DIDMethod); its KEK is 32 bytes of kekByte.
func newTestIssuer(t testing.TB, db interface {
	issuer.Store
	issuer.IdentityStore
}, kekByte byte, cfg issuer.IdentityConfig) testIssuer {
	t.Helper()
	kek, err := keys.NewKEK(bytes.Repeat([]byte{kekByte}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.KEK = db, kek
	id, err := issuer.NewIdentity(cfg)
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
	iss, err := issuer.New(issuer.Config{Store: db, Identity: id, PublicURL: cfg.PublicURL,
		DI: &di.Signer{Canonicalizer: canon}, Schema: credential.NewSchemaValidator(contexts)})
	if err != nil {
		t.Fatal(err)
	}
	return testIssuer{kek: kek, id: id, contexts: contexts, canon: canon, iss: iss,
		resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}}
}

func newFixtureOn(t testing.TB, db fixtureStore, publicURL string, ping error) *fixture {
	t.Helper()
	ti := newTestIssuer(t, db, 7, issuer.IdentityConfig{PublicURL: publicURL, ProfileName: "Test"})
	kek, id, contexts, canon, resolver, iss := ti.kek, ti.id, ti.contexts, ti.canon, ti.resolver, ti.iss
	var logs bytes.Buffer
	var p Pinger = db
	if ping != nil {
		p = pinger{ping}
	}
	ver, err := verifier.New(verifier.Config{Resolver: resolver, Canonicalizer: canon, Schema: credential.NewSchemaValidator(contexts)})
	if err != nil {
		t.Fatal(err)
	}
	var vci OID4VCI
	if ts, ok := db.(issuer.OID4VCIStore); ok {
		if vci, err = issuer.NewOID4VCI(issuer.OID4VCIConfig{Issuer: iss, Store: ts, Resolver: resolver, PublicURL: publicURL}); err != nil {
			t.Fatal(err)
		}
	}
	var wal Wallet
	mail := &walletMail{}
	if ws, ok := db.(wallet.Store); ok {
		wal = newTestWallet(t, ws, kek, canon, ver, publicURL, nil, mail)
	}
	var vp OID4VPVerifier
	if rs, ok := db.(verifier.RequestStore); ok {
		if vp, err = verifier.NewOID4VP(verifier.OID4VPConfig{Verifier: ver, Store: rs, PublicURL: publicURL}); err != nil {
			t.Fatal(err)
		}
	}
	srv := New(Config{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Store: p, Identity: id,
		Resolver: resolver, Issuer: iss, Verifier: ver, OID4VCI: vci, Wallet: wal, OID4VP: vp, Contexts: contexts,
		AdminToken: testToken, PublicURL: publicURL, MaxBodyBytes: 64 << 10,
	})
	return &fixture{srv: srv, logs: &logs, id: id, mail: mail}
}

func (f *fixture) do(method, path, token string, body string, hdr ...string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func decodeProblem(t *testing.T, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, w.Body)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != w.Code || p.Type == "" || p.Title == "" {
		t.Errorf("problem %+v does not match status %d", p, w.Code)
	}
	return p
}

func TestHealthAndRequestID(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	w := f.do("GET", "/healthz", "", "", "X-Request-ID", "abc-123")
	if w.Code != 200 || w.Header().Get("X-Request-ID") != "abc-123" {
		t.Errorf("healthz: %d, request id %q", w.Code, w.Header().Get("X-Request-ID"))
	}
	w = f.do("GET", "/healthz", "", "", "X-Request-ID", "bad id with spaces\n")
	if id := w.Header().Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Errorf("an unsafe request ID was not replaced: %q", id)
	}
	if !strings.Contains(f.logs.String(), `"route":"/healthz"`) || !strings.Contains(f.logs.String(), `"status":200`) {
		t.Errorf("no access line: %s", f.logs)
	}
	if w := f.do("GET", "/readyz", "", ""); w.Code != 200 {
		t.Errorf("readyz = %d", w.Code)
	}
}

func TestReadyzFailsWhenStorageDoesNot(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", errors.New("connection refused"))
	w := f.do("GET", "/readyz", "", "")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz = %d, want 503", w.Code)
	}
	p := decodeProblem(t, w)
	if strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("internal cause leaked to the client: %+v", p)
	}
}

// A node that cannot issue (serve's Ready hook: VC v2 or OB 3.0.3 context
// unavailable) is not ready: 503 with the hook's reason, not its cause.
func TestReadyzFailsWhenReadyHookDoes(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	cause := errors.New("dial tcp: lookup purl.imsglobal.org: no such host")
	srv := New(Config{Store: pinger{}, Identity: f.id, AdminToken: testToken, PublicURL: "http://localhost:8080",
		Ready: func(context.Context) error {
			return fmt.Errorf("cannot issue: context https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json is not available%w", hidden{cause})
		}})
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz = %d, want 503", w.Code)
	}
	p := decodeProblem(t, w)
	if !strings.Contains(w.Body.String(), "cannot issue") || strings.Contains(w.Body.String(), "no such host") {
		t.Errorf("problem %+v: want the reason without the internal cause", p)
	}
	srv = New(Config{Store: pinger{}, Identity: f.id, Ready: func(context.Context) error { return nil }})
	w = httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusOK {
		t.Errorf("readyz with a passing hook = %d", w.Code)
	}
}

// hidden wraps an error without adding to the message.
type hidden struct{ err error }

func (h hidden) Error() string { return "" }
func (h hidden) Unwrap() error { return h.err }

func TestProblems(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		detail                          string
	}{
		{"fail/unknown route", "GET", "/nope", "", "", 404, "no such endpoint"},
		{"fail/wrong method", "DELETE", "/healthz", "", "", 405, "method not allowed"},
		{"fail/admin without token", "GET", "/api/v1/issuer", "", "", 401, "bearer token"},
		{"fail/admin wrong token", "GET", "/api/v1/issuer/keys", "nope-nope-nope-nope", "", 401, "bearer token"},
		{"fail/malformed json", "POST", "/api/v1/issuer/keys/rotate", testToken, `{"alg":`, 400, "malformed JSON"},
		{"fail/wrong type", "POST", "/api/v1/issuer/keys/rotate", testToken, `{"alg":5}`, 400, `field "alg" must be string`},
		{"fail/unknown field", "POST", "/api/v1/issuer/keys/rotate", testToken, `{"algo":"EdDSA"}`, 400, `unknown field "algo"`},
		{"fail/trailing data", "POST", "/api/v1/issuer/keys/rotate", testToken, `{} {}`, 400, "after the JSON value"},
		{"fail/bad alg", "POST", "/api/v1/issuer/keys/rotate", testToken, `{"alg":"none"}`, 400, "EdDSA or ES256"},
		{"fail/oversized body", "POST", "/api/v1/issuer/keys/rotate", testToken, `{"alg":"` + strings.Repeat("x", 70000) + `"}`, 413, "exceeds 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.method, tt.path, tt.token, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			p := decodeProblem(t, w)
			if !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", p.Detail, tt.detail)
			}
			if tt.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	// Nothing was rotated by the bad requests.
	ks, err := f.id.Keys(context.Background())
	if err != nil || len(ks) != 1 {
		t.Errorf("keys after bad requests: %v %v", ks, err)
	}
}

func TestRotateOverHTTP(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	w := f.do("POST", "/api/v1/issuer/keys/rotate", testToken, `{"alg":"ES256"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("rotate = %d %s", w.Code, w.Body)
	}
	var info issuer.KeyInfo
	_ = json.Unmarshal(w.Body.Bytes(), &info)
	if info.ID != "key-2" || info.Alg != keys.ES256 || !strings.HasPrefix(info.DIDKey, "did:key:zDn") {
		t.Errorf("new key %+v", info)
	}
	w = f.do("GET", "/.well-known/did.json", "", "")
	var doc did.Document
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"did:web:localhost%3A8080#key-1", "did:web:localhost%3A8080#key-2"} {
		if _, err := doc.Method(id, "assertionMethod"); err != nil {
			t.Errorf("did.json after rotation: %s: %v", id, err)
		}
	}
}

func TestDIDDocumentPathForm(t *testing.T) {
	f := newFixture(t, "https://badges.example.org/org/acme", nil)
	w := f.do("GET", "/org/acme/did.json", "", "")
	if w.Code != 200 {
		t.Fatalf("path-form did.json = %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, "json") {
		t.Errorf("content type %q", ct)
	}
	var doc did.Document
	_ = json.Unmarshal(w.Body.Bytes(), &doc)
	if doc.ID != "did:web:badges.example.org:org:acme" {
		t.Errorf("id %q", doc.ID)
	}
	if w := f.do("GET", "/.well-known/did.json", "", ""); w.Code != 404 {
		t.Errorf(".well-known served for a path-form did:web: %d", w.Code)
	}
}

func TestUniversalResolver(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	tests := []struct {
		name    string
		path    string
		status  int
		errCode string
	}{
		{"ok/did:key", "/1.0/identifiers/did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 200, ""},
		{"ok/escaped did", "/1.0/identifiers/did%3Akey%3Az6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 200, ""},
		{"fail/malformed", "/1.0/identifiers/did:key:abc", 400, "invalidDid"},
		{"fail/not a did", "/1.0/identifiers/hello", 400, "invalidDid"},
		{"fail/unknown method", "/1.0/identifiers/did:example:123", 501, "methodNotSupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", tt.path, "", "")
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			var res struct {
				DIDDocument           *did.Document  `json:"didDocument"`
				DIDResolutionMetadata map[string]any `json:"didResolutionMetadata"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			got, _ := res.DIDResolutionMetadata["error"].(string)
			if got != tt.errCode {
				t.Errorf("error %q, want %q", got, tt.errCode)
			}
			if tt.status == 200 && (res.DIDDocument == nil || !strings.HasPrefix(res.DIDDocument.ID, "did:key:z6Mk")) {
				t.Errorf("document %+v", res.DIDDocument)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	f.do("GET", "/healthz", "", "")
	w := f.do("GET", "/metrics", "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `accolade_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Errorf("metrics: %d\n%s", w.Code, w.Body)
	}
}

// TestOpenAPIMatchesRouter checks that api/openapi.yaml documents every
// route and nothing else.
func TestOpenAPIMatchesRouter(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	param := regexp.MustCompile(`[:*]([A-Za-z]+)`)
	var routes []string
	for _, r := range f.srv.Routes() {
		routes = append(routes, strings.ToLower(r.Method)+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	var documented []string
	sc := bufio.NewScanner(bytes.NewReader(openapiYAML))
	inPaths, path := false, ""
	pathLine := regexp.MustCompile(`^  (/\S*):\s*$`)
	methodLine := regexp.MustCompile(`^    (get|head|post|put|patch|delete):\s*$`)
	for sc.Scan() {
		line := sc.Text()
		if line == "paths:" {
			inPaths = true
			continue
		}
		if !inPaths {
			continue
		}
		if m := pathLine.FindStringSubmatch(line); m != nil {
			path = m[1]
		} else if m := methodLine.FindStringSubmatch(line); m != nil {
			documented = append(documented, m[1]+" "+path)
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	if diff := cmp.Diff(documented, routes); diff != "" {
		t.Errorf("openapi.yaml paths vs router (-documented +routed):\n%s", diff)
	}
}

// TestMetricsTokenAndSeparateListener checks ACCOLADE_METRICS_TOKEN (a
// bearer token on /metrics) and ACCOLADE_METRICS_ADDR (/metrics off the
// API router, served by MetricsHandler alone).
func TestMetricsTokenAndSeparateListener(t *testing.T) {
	const tok = "metrics-token-0123456789"
	get := func(h http.Handler, auth string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	withToken := New(Config{Resolver: did.Multi{}, MetricsToken: tok})
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", tok, "Bearer " + testToken} {
		if w := get(withToken, auth); w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: %d", auth, w.Code)
		}
	}
	if w := get(withToken, "Bearer "+tok); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "go_goroutines") {
		t.Errorf("with the token: %d", w.Code)
	}
	separate := New(Config{Resolver: did.Multi{}, MetricsSeparate: true, MetricsToken: tok})
	if w := get(separate, "Bearer "+tok); w.Code != http.StatusNotFound {
		t.Errorf("/metrics on the API router with a separate listener: %d", w.Code)
	}
	mh := separate.MetricsHandler()
	if w := get(mh, ""); w.Code != http.StatusUnauthorized {
		t.Errorf("separate listener without token: %d", w.Code)
	}
	if w := get(mh, "Bearer "+tok); w.Code != http.StatusOK {
		t.Errorf("separate listener with token: %d", w.Code)
	}
	r := httptest.NewRequest("GET", "/healthz", nil)
	w := httptest.NewRecorder()
	mh.ServeHTTP(w, r)
	if w.Code != http.StatusNotFound {
		t.Errorf("the metrics listener serves /healthz: %d", w.Code)
	}
}
