package api

// OpenID4VCI over real HTTP (httptest servers on loopback) against the
// router, the issuer and bbolt, and the pre-authorized flow benchmark:
//   go test -run '^$' -bench PreAuthorizedFlow -benchmem ./api/

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/verifier"
)

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type mailbox struct {
	mu   sync.Mutex
	mail []issuer.Mail
}

func (m *mailbox) Send(_ context.Context, mail issuer.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mail = append(m.mail, mail)
	return nil
}

func (m *mailbox) code() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.mail) == 0 {
		return ""
	}
	return regexp.MustCompile(`\d{6}`).FindString(m.mail[len(m.mail)-1].Body)
}

// vciServer is an issuer with OpenID4VCI served over loopback HTTP at its
// public URL http://localhost:PORT[/path].
type vciServer struct {
	base   string // the public URL (credential issuer identifier)
	client *http.Client
	logs   *lockedBuffer
	mail   *mailbox
	achID  string
}

func newVCIServer(t testing.TB, path string) *vciServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	_, port, _ := strings.Cut(ts.Listener.Addr().String(), ":")
	publicURL := "http://localhost:" + port + path
	db, err := bolt.Open(filepath.Join(t.TempDir(), "a.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ti := newTestIssuer(t, db, 7, issuer.IdentityConfig{PublicURL: publicURL, ProfileName: "Example Academy"})
	id, contexts, canon, resolver, iss := ti.id, ti.contexts, ti.canon, ti.resolver, ti.iss
	// The verifier has no status checker here: status lists are covered
	// end to end in cmd/accolade.
	ver, err := verifier.New(verifier.Config{Resolver: resolver, Canonicalizer: canon, Schema: credential.NewSchemaValidator(contexts)})
	if err != nil {
		t.Fatal(err)
	}
	logs, mail := &lockedBuffer{}, &mailbox{}
	vci, err := issuer.NewOID4VCI(issuer.OID4VCIConfig{Issuer: iss, Store: db, Resolver: resolver, PublicURL: publicURL,
		Mailer: mail, BatchSize: 3, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = New(Config{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Store: db, Identity: id, Resolver: resolver,
		Issuer: iss, Verifier: ver, OID4VCI: vci, AdminToken: testToken, PublicURL: publicURL, MaxBodyBytes: 1 << 20})
	ts.Start()
	t.Cleanup(ts.Close)
	s := &vciServer{base: publicURL, client: ts.Client(), logs: logs, mail: mail}
	var ach map[string]any
	s.mustJSON(t, "POST", "http://localhost:"+port+"/api/v1/achievements", testToken, achievementBody, http.StatusCreated, &ach)
	s.achID = ach["id"].(string)
	return s
}

// call sends a request and returns the status, headers and body.
func (s *vciServer) call(t testing.TB, method, u string, hdr map[string]string, body string) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (s *vciServer) mustJSON(t testing.TB, method, u, token, body string, want int, v any) http.Header {
	t.Helper()
	hdr := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	code, h, b := s.call(t, method, u, hdr, body)
	if code != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, u, code, want, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, b)
		}
	}
	return h
}

// root is the server's origin (the public URL without its path).
func (s *vciServer) root() string {
	u, _ := url.Parse(s.base)
	return u.Scheme + "://" + u.Host
}

func (s *vciServer) offer(t testing.TB, extra string) issuer.OfferResult {
	t.Helper()
	var out struct{ Offers []issuer.OfferResult }
	s.mustJSON(t, "POST", s.root()+"/api/v1/offers", testToken,
		`{"achievementId":"`+s.achID+`","recipients":[{"email":"learner@example.org"}]`+extra+`}`, http.StatusCreated, &out)
	return out.Offers[0]
}

// testHolder is a wallet key with its did:key.
type testHolder struct {
	key      *keys.Key
	did, kid string
}

func newTestHolder(t testing.TB, alg keys.Alg) testHolder {
	t.Helper()
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := did.KeyDID(k.Public())
	return testHolder{key: k, did: d, kid: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

func (h testHolder) jwt(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sig, err := h.key.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (h testHolder) proof(t testing.TB, aud, nonce string) string {
	return h.jwt(t, map[string]any{"typ": "openid4vci-proof+jwt", "alg": string(h.key.Alg()), "kid": h.kid},
		map[string]any{"aud": aud, "iat": time.Now().Unix(), "nonce": nonce})
}

func form(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q.Encode()
}

var formHdr = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

func (s *vciServer) token(t testing.TB, body string) oid4vci.TokenResponse {
	t.Helper()
	code, h, b := s.call(t, "POST", s.base+"/oid4vci/token", formHdr, body)
	if code != http.StatusOK || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %s", code, h, b)
	}
	var tok oid4vci.TokenResponse
	_ = json.Unmarshal(b, &tok)
	return tok
}

func (s *vciServer) nonce(t testing.TB) string {
	t.Helper()
	code, h, b := s.call(t, "POST", s.base+"/oid4vci/nonce", nil, "")
	var n oid4vci.NonceResponse
	if code != http.StatusOK || h.Get("Cache-Control") != "no-store" || json.Unmarshal(b, &n) != nil || n.CNonce == "" {
		t.Fatalf("nonce: %d %v %s", code, h, b)
	}
	return n.CNonce
}

func (s *vciServer) credential(t testing.TB, token, body string) (int, http.Header, map[string]any) {
	t.Helper()
	code, h, b := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("credential response %q: %v", b, err)
		}
	}
	return code, h, m
}

func credBody(configID string, proofs ...string) string {
	b, _ := json.Marshal(map[string]any{"credential_configuration_id": configID, "proofs": map[string]any{"jwt": proofs}})
	return string(b)
}

func TestOID4VCIMetadataHTTP(t *testing.T) {
	for _, path := range []string{"", "/tenant"} {
		t.Run("path="+path, func(t *testing.T) {
			s := newVCIServer(t, path)
			var md map[string]any
			h := s.mustJSON(t, "GET", s.root()+"/.well-known/openid-credential-issuer"+path, "", "", http.StatusOK, &md)
			if md["credential_issuer"] != s.base || md["credential_endpoint"] != s.base+"/oid4vci/credential" || h.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("metadata %v %v", md, h)
			}
			confs := md["credential_configurations_supported"].(map[string]any)
			ldp := confs[s.achID+"_ldp_vc"].(map[string]any)
			if ldp["format"] != "ldp_vc" || len(confs) != 2 {
				t.Errorf("configurations %v", confs)
			}
			b, _ := json.Marshal(ldp["proof_types_supported"])
			if string(b) != `{"jwt":{"proof_signing_alg_values_supported":["EdDSA","ES256"]}}` {
				t.Errorf("proof_types_supported %s", b)
			}
			var as map[string]any
			s.mustJSON(t, "GET", s.root()+"/.well-known/oauth-authorization-server"+path, "", "", http.StatusOK, &as)
			if as["issuer"] != s.base || as["token_endpoint"] != s.base+"/oid4vci/token" || as["pre-authorized_grant_anonymous_access_supported"] != true {
				t.Errorf("AS metadata %v", as)
			}
			// Every advertised endpoint is routed where it is advertised.
			if code, _, _ := s.call(t, "POST", md["nonce_endpoint"].(string), nil, ""); code != http.StatusOK {
				t.Errorf("nonce endpoint %s: %d", md["nonce_endpoint"], code)
			}
			if path != "" {
				if code, _, _ := s.call(t, "GET", s.root()+"/.well-known/openid-credential-issuer", nil, ""); code != http.StatusNotFound {
					t.Errorf("an issuer with a path also answers at the bare well-known URL: %d", code)
				}
			}
		})
	}
}

func TestOID4VCIOffersHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	if code, _, _ := s.call(t, "POST", s.base+"/api/v1/offers", map[string]string{"Content-Type": "application/json"}, `{}`); code != http.StatusUnauthorized {
		t.Errorf("offers without admin token: %d", code)
	}
	for _, body := range []string{`{"achievementId":"x","recipients":[{"email":"a@example.org"}]}`, `{"achievementId":"` + s.achID + `","recipients":[]}`,
		`{"achievementId":"` + s.achID + `","recipients":[{"email":"a@example.org","did":"did:key:z"}]}`, `{"achievementId":"` + s.achID + `","recipients":[{"email":"a@example.org"}],"nope":1}`} {
		code, h, b := s.call(t, "POST", s.base+"/api/v1/offers", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + testToken}, body)
		if code != http.StatusBadRequest || h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", body, code, b)
		}
	}
	o := s.offer(t, `,"txCode":true,"format":"jwt_vc_json"`)
	if !strings.HasPrefix(o.OfferURI, "openid-credential-offer://?credential_offer_uri=") || o.TxCode == "" {
		t.Fatalf("offer %+v", o)
	}
	if got, _ := url.QueryUnescape(strings.TrimPrefix(o.OfferURI, "openid-credential-offer://?credential_offer_uri=")); got != o.CredentialOfferURI {
		t.Errorf("deep link %s does not carry %s", o.OfferURI, o.CredentialOfferURI)
	}
	var byRef map[string]any
	h := s.mustJSON(t, "GET", o.CredentialOfferURI, "", "", http.StatusOK, &byRef)
	grant := byRef["grants"].(map[string]any)[oid4vci.GrantTypePreAuthorizedCode].(map[string]any)
	if byRef["credential_issuer"] != s.base || grant["pre-authorized_code"] == "" || h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != "application/json" {
		t.Errorf("offer by reference %v %v", byRef, h)
	}
	if tc := grant["tx_code"].(map[string]any); tc["length"] != float64(6) || tc["input_mode"] != "numeric" {
		t.Errorf("tx_code %v", tc)
	}
	code, h, png := s.call(t, "GET", o.QRPNG, nil, "")
	if code != http.StatusOK || h.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("qr.png: %d %v", code, h)
	}
	code, h, svg := s.call(t, "GET", o.QRSVG, nil, "")
	if code != http.StatusOK || h.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("h1v1h-1z")) {
		t.Errorf("qr.svg: %d %v %.80s", code, h, svg)
	}
	if code, h, _ := s.call(t, "GET", s.base+"/oid4vci/offers/unknown", nil, ""); code != http.StatusNotFound || h.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown offer: %d %v", code, h)
	}
	// Secrets never reach the logs: offer references, codes, tokens.
	tok := s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", grant["pre-authorized_code"].(string), "tx_code", o.TxCode))
	ref := o.CredentialOfferURI[strings.LastIndex(o.CredentialOfferURI, "/")+1:]
	for name, secret := range map[string]string{"offer reference": ref, "pre-authorized code": grant["pre-authorized_code"].(string),
		"tx code": `"` + o.TxCode + `"`, "access token": tok.AccessToken, "recipient": "learner@example.org"} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("the %s appears in the log", name)
		}
	}
}

// TestOID4VCIPreAuthorizedFlowHTTP runs the flow for both formats, checks
// that the credential verifies and is bound to the holder, and notifies.
func TestOID4VCIPreAuthorizedFlowHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	for _, format := range []string{"ldp_vc", "jwt_vc_json"} {
		t.Run(format, func(t *testing.T) {
			o := s.offer(t, `,"format":"`+format+`"`)
			tok := s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", o.CredentialOffer.Grants.PreAuthorizedCode.PreAuthorizedCode))
			h := newTestHolder(t, keys.ES256)
			code, hdr, resp := s.credential(t, tok.AccessToken, credBody(s.achID+"_"+format, h.proof(t, s.base, s.nonce(t))))
			if code != http.StatusOK || hdr.Get("Cache-Control") != "no-store" {
				t.Fatalf("credential: %d %v", code, resp)
			}
			cred := resp["credentials"].([]any)[0].(map[string]any)["credential"]
			if _, isString := cred.(string); isString != (format == "jwt_vc_json") {
				t.Fatalf("credential for %s is a %T", format, cred)
			}
			body, _ := json.Marshal(map[string]any{"verifiableCredential": cred, "options": map[string]any{"checks": []string{"proof", "schema", "validity"}}})
			var rep map[string]any
			s.mustJSON(t, "POST", s.base+"/credentials/verify", "", string(body), http.StatusOK, &rep)
			if rep["verified"] != true {
				t.Fatalf("verify: %v", rep)
			}
			nb, _ := json.Marshal(map[string]any{"notification_id": resp["notification_id"], "event": "credential_accepted"})
			if code, _, b := s.call(t, "POST", s.base+"/oid4vci/notification", map[string]string{"Authorization": "Bearer " + tok.AccessToken, "Content-Type": "application/json"}, string(nb)); code != http.StatusNoContent {
				t.Fatalf("notification: %d %s", code, b)
			}
			if m, ok := cred.(map[string]any); ok {
				var list struct {
					Items []issuer.Notification `json:"items"`
				}
				s.mustJSON(t, "GET", s.root()+"/api/v1/credentials/"+url.PathEscape(m["id"].(string))+"/notifications", testToken, "", http.StatusOK, &list)
				if len(list.Items) != 1 || list.Items[0].Event != "credential_accepted" {
					t.Errorf("notifications %+v", list.Items)
				}
			}
		})
	}
}

// oauthErr checks an OAuth error response.
func oauthErr(t *testing.T, code int, hdr http.Header, body []byte, wantStatus int, wantError string) {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if code != wantStatus || e["error"] != wantError || hdr.Get("Content-Type") != "application/json" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("got %d %v %v, want %d %s", code, e, hdr, wantStatus, wantError)
	}
}

func TestOID4VCIErrorsHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	pre := func(o issuer.OfferResult) string { return o.CredentialOffer.Grants.PreAuthorizedCode.PreAuthorizedCode }
	tokenCall := func(t *testing.T, hdr map[string]string, body string) (int, http.Header, []byte) {
		return s.call(t, "POST", s.base+"/oid4vci/token", hdr, body)
	}
	t.Run("token", func(t *testing.T) {
		o := s.offer(t, `,"txCode":true`)
		for _, tt := range []struct {
			name   string
			hdr    map[string]string
			body   string
			status int
			err    string
		}{
			{"fail/json body", map[string]string{"Content-Type": "application/json"}, `{"grant_type":"x"}`, 400, "invalid_request"},
			{"fail/unsupported grant", formHdr, form("grant_type", "password"), 400, "unsupported_grant_type"},
			{"fail/no tx_code", formHdr, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(o)), 400, "invalid_request"},
			{"fail/wrong tx_code", formHdr, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(o), "tx_code", "x"), 400, "invalid_grant"},
			{"fail/unknown code", formHdr, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", "nope"), 400, "invalid_grant"},
			{"fail/authorization_code without client_id", formHdr, form("grant_type", "authorization_code", "code", "c", "code_verifier", strings.Repeat("a", 43)), 400, "invalid_client"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, h, b := tokenCall(t, tt.hdr, tt.body)
				oauthErr(t, code, h, b, tt.status, tt.err)
			})
		}
		s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(o), "tx_code", o.TxCode))
		code, h, b := tokenCall(t, formHdr, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(o), "tx_code", o.TxCode))
		oauthErr(t, code, h, b, 400, "invalid_grant") // replayed
	})

	t.Run("credential", func(t *testing.T) {
		conf := s.achID + "_ldp_vc"
		h := newTestHolder(t, keys.EdDSA)
		newToken := func(t *testing.T) string {
			return s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(s.offer(t, "")))).AccessToken
		}
		claims := func(n string) map[string]any {
			return map[string]any{"aud": s.base, "iat": time.Now().Unix(), "nonce": n}
		}
		privJWK := func() map[string]any {
			var j map[string]any
			b, _ := json.Marshal(h.key.PublicJWK())
			_ = json.Unmarshal(b, &j)
			j["d"] = "AAAA"
			return j
		}
		usedNonce := s.nonce(t)
		if code, _, m := s.credential(t, newToken(t), credBody(conf, h.proof(t, s.base, usedNonce))); code != 200 {
			t.Fatalf("first use of the nonce: %d %v", code, m)
		}
		for _, tt := range []struct {
			name   string
			body   func() string
			status int
			err    string
		}{
			{"fail/missing proof", func() string { return `{"credential_configuration_id":"` + conf + `"}` }, 400, "invalid_proof"},
			{"fail/two proof types", func() string {
				return `{"credential_configuration_id":"` + conf + `","proofs":{"jwt":["` + h.proof(t, s.base, s.nonce(t)) + `"],"di_vp":[{}]}}`
			}, 400, "invalid_proof"},
			{"fail/over batch size", func() string {
				n := s.nonce(t)
				var p []string
				for i := 0; i < 4; i++ {
					p = append(p, newTestHolder(t, keys.EdDSA).proof(t, s.base, n))
				}
				return credBody(conf, p...)
			}, 400, "invalid_proof"},
			{"fail/wrong typ", func() string {
				return credBody(conf, h.jwt(t, map[string]any{"typ": "JWT", "alg": "EdDSA", "kid": h.kid}, claims(s.nonce(t))))
			}, 400, "invalid_proof"},
			{"fail/alg none", func() string {
				hb, _ := json.Marshal(map[string]any{"typ": "openid4vci-proof+jwt", "alg": "none", "kid": h.kid})
				cb, _ := json.Marshal(claims(s.nonce(t)))
				return credBody(conf, base64.RawURLEncoding.EncodeToString(hb)+"."+base64.RawURLEncoding.EncodeToString(cb)+".AA")
			}, 400, "invalid_proof"},
			{"fail/private jwk", func() string {
				return credBody(conf, h.jwt(t, map[string]any{"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "jwk": privJWK()}, claims(s.nonce(t))))
			}, 400, "invalid_proof"},
			{"fail/another audience", func() string { return credBody(conf, h.proof(t, "https://issuer.example.com", s.nonce(t))) }, 400, "invalid_proof"},
			{"fail/replayed nonce", func() string { return credBody(conf, h.proof(t, s.base, usedNonce)) }, 400, "invalid_nonce"},
			{"fail/both ids", func() string {
				return `{"credential_configuration_id":"` + conf + `","credential_identifier":"x","proofs":{"jwt":["` + h.proof(t, s.base, s.nonce(t)) + `"]}}`
			}, 400, "invalid_credential_request"},
			{"fail/malformed JSON", func() string { return `{"credential_configuration_id":` }, 400, "invalid_credential_request"},
			{"fail/unknown configuration", func() string { return credBody("nope_ldp_vc", h.proof(t, s.base, s.nonce(t))) }, 400, "unknown_credential_configuration"},
			{"fail/unknown identifier", func() string {
				return `{"credential_identifier":"x","proofs":{"jwt":["` + h.proof(t, s.base, s.nonce(t)) + `"]}}`
			}, 400, "unknown_credential_identifier"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, hdr, b := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Authorization": "Bearer " + newToken(t), "Content-Type": "application/json"}, tt.body())
				oauthErr(t, code, hdr, b, tt.status, tt.err)
			})
		}
		t.Run("fail/bad bearer token", func(t *testing.T) {
			code, hdr, b := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Authorization": "Bearer nope", "Content-Type": "application/json"}, credBody(conf, h.proof(t, s.base, s.nonce(t))))
			oauthErr(t, code, hdr, b, 401, "invalid_token")
			if w := hdr.Get("WWW-Authenticate"); !strings.HasPrefix(w, "Bearer ") || !strings.Contains(w, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", w)
			}
		})
		t.Run("fail/no token", func(t *testing.T) {
			code, hdr, b := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Content-Type": "application/json"}, credBody(conf, h.proof(t, s.base, s.nonce(t))))
			oauthErr(t, code, hdr, b, 401, "invalid_token")
			if w := hdr.Get("WWW-Authenticate"); w != `Bearer realm="accolade"` {
				t.Errorf("WWW-Authenticate %q", w)
			}
		})
		t.Run("fail/DPoP scheme", func(t *testing.T) {
			code, hdr, b := s.call(t, "POST", s.base+"/oid4vci/credential", map[string]string{"Authorization": "DPoP x", "Content-Type": "application/json"}, credBody(conf, h.proof(t, s.base, s.nonce(t))))
			oauthErr(t, code, hdr, b, 401, "invalid_token")
		})
	})

	t.Run("deferred and notification", func(t *testing.T) {
		tok := s.token(t, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", pre(s.offer(t, `,"deferred":true`)))).AccessToken
		auth := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
		h := newTestHolder(t, keys.EdDSA)
		code, _, m := s.credential(t, tok, credBody(s.achID+"_ldp_vc", h.proof(t, s.base, s.nonce(t))))
		if code != http.StatusAccepted || m["transaction_id"] == nil || m["interval"] == nil {
			t.Fatalf("deferred credential response: %d %v", code, m)
		}
		c, hdr, b := s.call(t, "POST", s.base+"/oid4vci/deferred", auth, `{"transaction_id":"nope"}`)
		oauthErr(t, c, hdr, b, 400, "invalid_transaction_id")
		c, _, b = s.call(t, "POST", s.base+"/oid4vci/deferred", auth, `{"transaction_id":"`+m["transaction_id"].(string)+`"}`)
		if c != http.StatusAccepted {
			t.Fatalf("pending deferred: %d %s", c, b)
		}
		c, hdr, b = s.call(t, "POST", s.base+"/oid4vci/notification", auth, `{"notification_id":"x","event":"credential_stored"}`)
		oauthErr(t, c, hdr, b, 400, "invalid_notification_request")
		c, hdr, b = s.call(t, "POST", s.base+"/oid4vci/notification", auth, `{"notification_id":"x","event":"credential_accepted"}`)
		oauthErr(t, c, hdr, b, 400, "invalid_notification_id")
	})
}

func TestOID4VCIAuthorizationCodeHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	noFollow := *s.client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &noFollow
	o := s.offer(t, `,"grants":["authorization_code"],"format":"jwt_vc_json"`)
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	q := url.Values{"response_type": {"code"}, "client_id": {"test-wallet"}, "redirect_uri": {"https://wallet.example/cb"},
		"code_challenge": {oid4vci.S256Challenge(verifier)}, "code_challenge_method": {"S256"}, "state": {"xyz"},
		"issuer_state": {o.CredentialOffer.Grants.AuthorizationCode.IssuerState}}

	bad := url.Values{}
	for k, v := range q {
		bad[k] = v
	}
	bad.Set("issuer_state", "forged")
	code, h, page := s.call(t, "GET", s.base+"/oid4vci/authorize?"+bad.Encode(), nil, "")
	if code != http.StatusBadRequest || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Location") != "" {
		t.Fatalf("forged issuer_state: %d %v %s", code, h, page)
	}

	code, h, page = s.call(t, "GET", s.base+"/oid4vci/authorize?"+q.Encode(), nil, "")
	session := regexp.MustCompile(`name="session" value="([^"]+)"`).FindSubmatch(page)
	if code != http.StatusOK || session == nil || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("authorize page: %d %v %s", code, h, page)
	}
	code, _, page = s.call(t, "POST", s.base+"/oid4vci/authorize", formHdr, form("session", string(session[1]), "email", "learner@example.org"))
	if code != http.StatusOK || !bytes.Contains(page, []byte(`name="code"`)) || s.mail.code() == "" {
		t.Fatalf("email step: %d %s", code, page)
	}
	code, h, _ = s.call(t, "POST", s.base+"/oid4vci/authorize", formHdr, form("session", string(session[1]), "code", s.mail.code()))
	loc, _ := url.Parse(h.Get("Location"))
	if code != http.StatusSeeOther || loc.Host != "wallet.example" || loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" {
		t.Fatalf("code step: %d %v", code, h)
	}
	tok := s.token(t, form("grant_type", "authorization_code", "code", loc.Query().Get("code"), "code_verifier", verifier,
		"redirect_uri", "https://wallet.example/cb", "client_id", "test-wallet"))
	hold := newTestHolder(t, keys.EdDSA)
	status, _, resp := s.credential(t, tok.AccessToken, credBody(s.achID+"_jwt_vc_json", hold.proof(t, s.base, s.nonce(t))))
	if status != http.StatusOK {
		t.Fatalf("credential: %d %v", status, resp)
	}
	if strings.Contains(s.logs.String(), s.mail.code()) {
		t.Error("the email code appears in the log")
	}
}

// BenchmarkPreAuthorizedFlow runs the whole pre-authorized flow over HTTP
// per iteration, as a wallet would: the admin creates the offer, the wallet
// fetches it by reference, the issuer and AS metadata, then token, nonce and
// credential. bbolt storage, one client at a time; flows/s is the figure.
func BenchmarkPreAuthorizedFlow(b *testing.B) {
	for _, format := range []string{"ldp_vc", "jwt_vc_json"} {
		b.Run(format, func(b *testing.B) {
			s := newVCIServer(b, "")
			h := newTestHolder(b, keys.EdDSA)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.preAuthorizedFlow(b, h, format)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

// BenchmarkPreAuthorizedFlowParallel is the same flow from 16 concurrent
// wallets per core, where bbolt shares commits between them.
func BenchmarkPreAuthorizedFlowParallel(b *testing.B) {
	for _, format := range []string{"ldp_vc", "jwt_vc_json"} {
		b.Run(format, func(b *testing.B) {
			s := newVCIServer(b, "")
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				h := newTestHolder(b, keys.EdDSA)
				for pb.Next() {
					s.preAuthorizedFlow(b, h, format)
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

func (s *vciServer) preAuthorizedFlow(b testing.TB, h testHolder, format string) {
	o := s.offer(b, `,"format":"`+format+`"`)
	var offer oid4vci.CredentialOffer
	s.mustJSON(b, "GET", o.CredentialOfferURI, "", "", http.StatusOK, &offer)
	var md oid4vci.IssuerMetadata
	s.mustJSON(b, "GET", s.root()+"/.well-known/openid-credential-issuer", "", "", http.StatusOK, &md)
	var as oid4vci.AuthorizationServerMetadata
	s.mustJSON(b, "GET", s.root()+"/.well-known/oauth-authorization-server", "", "", http.StatusOK, &as)
	tok := s.token(b, form("grant_type", oid4vci.GrantTypePreAuthorizedCode, "pre-authorized_code", offer.Grants.PreAuthorizedCode.PreAuthorizedCode))
	code, _, resp := s.credential(b, tok.AccessToken, credBody(offer.CredentialConfigurationIDs[0], h.proof(b, md.CredentialIssuer, s.nonce(b))))
	if code != http.StatusOK {
		b.Fatalf("credential: %d %v", code, resp)
	}
}

// TestOID4VCIAuthorizationRateLimitHTTP: past the sessions one offer may
// open in a window, the authorization page is a 429 with Retry-After, not a
// redirect.
func TestOID4VCIAuthorizationRateLimitHTTP(t *testing.T) {
	s := newVCIServer(t, "")
	noFollow := *s.client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &noFollow
	o := s.offer(t, `,"grants":["authorization_code"]`)
	q := url.Values{"response_type": {"code"}, "client_id": {"test-wallet"}, "redirect_uri": {"https://wallet.example/cb"},
		"code_challenge": {oid4vci.S256Challenge(strings.Repeat("v", 43))}, "code_challenge_method": {"S256"},
		"issuer_state": {o.CredentialOffer.Grants.AuthorizationCode.IssuerState}}
	for i := range issuer.DefaultSignInLimits.SessionsPerOffer {
		if code, _, page := s.call(t, "GET", s.base+"/oid4vci/authorize?"+q.Encode(), nil, ""); code != http.StatusOK {
			t.Fatalf("session %d: %d %s", i+1, code, page)
		}
	}
	code, h, page := s.call(t, "GET", s.base+"/oid4vci/authorize?"+q.Encode(), nil, "")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || h.Get("Location") != "" ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/html") || !bytes.Contains(page, []byte("Too many sign-in attempts")) {
		t.Fatalf("session %d of one offer: %d %v %s", issuer.DefaultSignInLimits.SessionsPerOffer+1, code, h, page)
	}
}
