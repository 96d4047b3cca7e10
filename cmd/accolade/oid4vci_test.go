package main

// OpenID4VCI end to end: a wallet receives badges from a running
// "accolade serve" over real HTTP. The wallet here is written from the
// OpenID4VCI 1.0 text and its published examples (../shared/testdata/oid4vci)
// only: JSON as maps, JOSE by lestrrat-go/jwx, no Accolade package, so it
// stands in for a wallet someone else wrote.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

const preAuthGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// specWallet is a minimal OpenID4VCI 1.0 wallet.
type specWallet struct {
	t      *testing.T
	client *http.Client
	key    jwk.Key // private
	alg    jwa.SignatureAlgorithm
	did    string // did:jwk of the key
	useKid bool   // kid did:jwk:…#0 instead of a jwk header
	// examples, when set, makes the wallet shape its requests after the
	// spec's example files and check our responses against their shapes.
	examples string
	mailDir  string
	// got records the last exchange for the test's own checks.
	tokenResponse, credentialResponse map[string]any
	// signIn records the last authorization: session, emailed code and
	// authorization code.
	signIn struct{ session, otp, code string }
}

func newSpecWallet(t *testing.T, alg string) *specWallet {
	t.Helper()
	var raw any
	w := &specWallet{t: t, client: &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	switch alg {
	case "EdDSA":
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		raw, w.alg = priv, jwa.EdDSA()
	default:
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		raw, w.alg = priv, jwa.ES256()
	}
	k, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	w.key = k
	// did:jwk: base64url of the public JWK's JCS form (required members,
	// sorted; encoding/json sorts map keys).
	pub, _ := jwk.PublicKeyOf(k)
	var all map[string]any
	b, _ := json.Marshal(pub)
	_ = json.Unmarshal(b, &all)
	members := map[string]any{}
	for _, m := range []string{"kty", "crv", "x", "y"} {
		if v, ok := all[m]; ok {
			members[m] = v
		}
	}
	b, _ = json.Marshal(members)
	w.did = "did:jwk:" + base64.RawURLEncoding.EncodeToString(b)
	return w
}

func (w *specWallet) do(method, u string, hdr map[string]string, body string) (int, http.Header, []byte) {
	w.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (w *specWallet) getJSON(u string) map[string]any {
	w.t.Helper()
	code, h, b := w.do("GET", u, map[string]string{"Accept": "application/json"}, "")
	var m map[string]any
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || json.Unmarshal(b, &m) != nil {
		w.t.Fatalf("GET %s: %d %s %s", u, code, h.Get("Content-Type"), b)
	}
	return m
}

// postForm posts application/x-www-form-urlencoded and decodes the JSON
// answer.
func (w *specWallet) postForm(u string, form url.Values) (int, map[string]any, http.Header) {
	w.t.Helper()
	code, h, b := w.do("POST", u, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return code, m, h
}

func (w *specWallet) postJSON(u, token string, body any) (int, map[string]any, http.Header) {
	w.t.Helper()
	b, _ := json.Marshal(body)
	hdr := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	code, h, rb := w.do("POST", u, hdr, string(b))
	var m map[string]any
	_ = json.Unmarshal(rb, &m)
	return code, m, h
}

// example reads one of the spec's example JSON files; the HTTP-response
// ones (.txt) have their header lines dropped and their line-wrapped
// strings joined.
func (w *specWallet) example(name string) any {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.examples, name))
	if err != nil {
		w.t.Fatal(err)
	}
	s := string(b)
	if i := strings.IndexAny(s, "{["); i > 0 {
		s = s[i:]
	}
	s = regexp.MustCompile(`\n\s*`).ReplaceAllString(s, "")
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		w.t.Fatalf("example %s: %v", name, err)
	}
	return v
}

// sameShape checks that every member ours shares with the spec example has
// the same JSON kind, recursively (objects by key, arrays by first item),
// and that ours has the example's members named in required.
func sameShape(t *testing.T, where string, example, ours any, required ...string) {
	t.Helper()
	kind := func(v any) string {
		switch v.(type) {
		case map[string]any:
			return "object"
		case []any:
			return "array"
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "boolean"
		}
		return "null"
	}
	if kind(example) != kind(ours) {
		t.Errorf("%s: spec example has a %s, we send a %s", where, kind(example), kind(ours))
		return
	}
	switch e := example.(type) {
	case map[string]any:
		o := ours.(map[string]any)
		for _, r := range required {
			if _, ok := o[r]; !ok {
				t.Errorf("%s: missing required member %q", where, r)
			}
		}
		for k, ev := range e {
			ov, ok := o[k]
			switch {
			case !ok:
			case k == "credential":
				// The credential itself is format-specific (the examples
				// are VCDM 1.1), not protocol: only its kind is compared.
				if kind(ev) != kind(ov) {
					t.Errorf("%s.credential: spec example has a %s, we send a %s", where, kind(ev), kind(ov))
				}
			default:
				sameShape(t, where+"."+k, ev, ov)
			}
		}
	case []any:
		if o := ours.([]any); len(e) > 0 && len(o) > 0 {
			sameShape(t, where+"[0]", e[0], o[0])
		}
	}
}

// receive runs the issuance of the offer behind link: metadata discovery,
// the pre-authorized code grant (with txCode when the offer asks) or the
// authorization code grant (proving email), nonce, credential and
// notification. It returns the credential and the configuration's format.
func (w *specWallet) receive(link, txCode, email string) (credential any, format string) {
	t := w.t
	t.Helper()
	// §4.1: openid-credential-offer://?credential_offer_uri=… (exactly one parameter).
	lu, err := url.Parse(link)
	if err != nil || lu.Scheme != "openid-credential-offer" {
		t.Fatalf("offer link %q", link)
	}
	q, _ := url.ParseQuery(lu.RawQuery)
	if len(q) != 1 || len(q["credential_offer_uri"]) != 1 {
		t.Fatalf("offer link %q: want only credential_offer_uri", link)
	}
	offer := w.getJSON(q.Get("credential_offer_uri"))
	issuerID, _ := offer["credential_issuer"].(string)
	ids, _ := offer["credential_configuration_ids"].([]any)
	if issuerID == "" || len(ids) == 0 {
		t.Fatalf("offer %v", offer)
	}
	configID := ids[0].(string)
	grants, _ := offer["grants"].(map[string]any)
	if w.examples != "" {
		if _, pre := grants[preAuthGrant]; pre {
			sameShape(t, "offer", w.example("credential_offer_multiple_credentials.json"), offer, "credential_issuer", "credential_configuration_ids")
		} else {
			sameShape(t, "offer", w.example("credential_offer_authz_code.txt"), offer, "credential_issuer", "credential_configuration_ids")
		}
	}

	// §12.2.2: the well-known segment goes between host and path.
	iu, _ := url.Parse(issuerID)
	md := w.getJSON(iu.Scheme + "://" + iu.Host + "/.well-known/openid-credential-issuer" + strings.TrimSuffix(iu.Path, "/"))
	if md["credential_issuer"] != issuerID {
		t.Fatalf("metadata credential_issuer %v != %s", md["credential_issuer"], issuerID)
	}
	conf, _ := md["credential_configurations_supported"].(map[string]any)[configID].(map[string]any)
	if conf == nil {
		t.Fatalf("configuration %s is not in the metadata", configID)
	}
	format, _ = conf["format"].(string)
	algs := conf["proof_types_supported"].(map[string]any)["jwt"].(map[string]any)["proof_signing_alg_values_supported"].([]any)
	if !slices.Contains(algs, any(w.alg.String())) || !slices.Contains(conf["cryptographic_binding_methods_supported"].([]any), any("did:jwk")) {
		t.Fatalf("configuration %v does not take %s did:jwk proofs", conf, w.alg)
	}
	if w.examples != "" {
		ex := w.example("credential_metadata_" + format + ".json").(map[string]any)["credential_configurations_supported"].(map[string]any)
		for _, e := range ex {
			sameShape(t, "metadata."+configID, e, conf, "format", "credential_definition", "proof_types_supported", "cryptographic_binding_methods_supported")
		}
	}
	// §12.3: no authorization_servers, so the issuer is its own AS.
	as := w.getJSON(iu.Scheme + "://" + iu.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(iu.Path, "/"))
	if as["issuer"] != issuerID {
		t.Fatalf("AS issuer %v", as["issuer"])
	}

	var tokenForm url.Values
	if g, ok := grants[preAuthGrant].(map[string]any); ok {
		tokenForm = url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {g["pre-authorized_code"].(string)}}
		if _, ok := g["tx_code"]; ok { // even {} means required
			if txCode == "" {
				t.Fatal("the offer wants a tx_code")
			}
			tokenForm.Set("tx_code", txCode)
		}
	} else {
		tokenForm = w.authorize(as, grants["authorization_code"].(map[string]any), email)
	}
	if w.examples != "" {
		// authorization_details shaped as the spec's example, for our configuration.
		ad := w.example("authorization_details.json").([]any)
		ad[0].(map[string]any)["credential_configuration_id"] = configID
		b, _ := json.Marshal(ad)
		tokenForm.Set("authorization_details", string(b))
	}
	code, tok, h := w.postForm(as["token_endpoint"].(string), tokenForm)
	if code != 200 || !strings.EqualFold(tok["token_type"].(string), "bearer") || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %v", code, tok, h)
	}
	w.tokenResponse = tok
	access := tok["access_token"].(string)
	request := map[string]any{"credential_configuration_id": configID}
	if ad, ok := tok["authorization_details"].([]any); ok {
		// §6.2: credential_identifiers returned ⇒ the request MUST use one.
		ids := ad[0].(map[string]any)["credential_identifiers"].([]any)
		request = map[string]any{"credential_identifier": ids[0]}
	}

	// §7: a fresh c_nonce.
	code, n, _ := w.postJSON(md["nonce_endpoint"].(string), "", nil)
	if code != 200 || n["c_nonce"] == "" {
		t.Fatalf("nonce: %d %v", code, n)
	}
	request["proofs"] = map[string]any{"jwt": []string{w.proof(issuerID, n["c_nonce"].(string))}}
	code, resp, h := w.postJSON(md["credential_endpoint"].(string), access, request)
	if code != 200 || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("credential: %d %v", code, resp)
	}
	w.credentialResponse = resp
	if w.examples != "" {
		sameShape(t, "credential response", w.example("credential_response_"+format+".txt"), resp, "credentials")
	}
	credential = resp["credentials"].([]any)[0].(map[string]any)["credential"]
	// §11: tell the issuer the credential was stored.
	if nid, ok := resp["notification_id"].(string); ok {
		code, _, _ := w.postJSON(md["notification_endpoint"].(string), access, map[string]any{"notification_id": nid, "event": "credential_accepted"})
		if code != http.StatusNoContent {
			t.Errorf("notification: %d", code)
		}
	}
	return credential, format
}

// proof is the jwt key proof of Appendix F.1, signed by jwx.
func (w *specWallet) proof(aud, nonce string) string {
	w.t.Helper()
	hdrs := jws.NewHeaders()
	_ = hdrs.Set(jws.TypeKey, "openid4vci-proof+jwt")
	if w.useKid {
		_ = hdrs.Set(jws.KeyIDKey, w.did+"#0")
	} else {
		pub, _ := jwk.PublicKeyOf(w.key)
		_ = hdrs.Set(jws.JWKKey, pub)
	}
	claims, _ := json.Marshal(map[string]any{"aud": aud, "iat": time.Now().Unix(), "nonce": nonce})
	tok, err := jws.Sign(claims, jws.WithKey(w.alg, w.key, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(tok)
}

// authorize runs the authorization code flow with PKCE S256 through the
// issuer's HTML page, proving email with the code from the mail drop, and
// returns the token request form.
func (w *specWallet) authorize(as map[string]any, grant map[string]any, email string) url.Values {
	t := w.t
	t.Helper()
	vb := make([]byte, 32)
	_, _ = rand.Read(vb)
	verifier := base64.RawURLEncoding.EncodeToString(vb)
	sum := sha256.Sum256([]byte(verifier))
	const redirect, client = "https://wallet.example.org/cb", "spec-wallet"
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect}, "state": {"af0ifjsldkj"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"issuer_state": {grant["issuer_state"].(string)}}
	endpoint := as["authorization_endpoint"].(string)
	code, _, page := w.do("GET", endpoint+"?"+q.Encode(), nil, "")
	session := regexp.MustCompile(`name="session" value="([^"]+)"`).FindSubmatch(page)
	if code != 200 || session == nil {
		t.Fatalf("authorization page: %d %s", code, page)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if code, _, page := w.do("POST", endpoint, form, url.Values{"session": {string(session[1])}, "email": {email}}.Encode()); code != 200 {
		t.Fatalf("email step: %d %s", code, page)
	}
	otp := ""
	for deadline := time.Now().Add(5 * time.Second); otp == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(w.mailDir, "*.eml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if bytes.Contains(b, []byte("To: "+email)) {
				otp = regexp.MustCompile(`code is (\d{6})`).FindStringSubmatch(string(b))[1]
				_ = os.Remove(f)
			}
		}
	}
	if otp == "" {
		t.Fatal("no code in the mail drop")
	}
	code, h, page := w.do("POST", endpoint, form, url.Values{"session": {string(session[1])}, "code": {otp}}.Encode())
	loc, _ := url.Parse(h.Get("Location"))
	if code != http.StatusSeeOther || loc == nil || loc.Query().Get("state") != "af0ifjsldkj" || loc.Query().Get("code") == "" {
		t.Fatalf("code step: %d %v %s", code, h, page)
	}
	if iss := loc.Query().Get("iss"); iss != as["issuer"] {
		t.Fatalf("RFC 9207 iss %q", iss)
	}
	w.signIn.session, w.signIn.otp, w.signIn.code = string(session[1]), otp, loc.Query().Get("code")
	return url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "code_verifier": {verifier},
		"redirect_uri": {redirect}, "client_id": {client}}
}

// subjectOf returns credentialSubject.id of a JSON-LD credential or of a
// VC-JWT's payload (vc claim or top level).
func subjectOf(t *testing.T, cred any) string {
	t.Helper()
	doc, _ := cred.(map[string]any)
	if s, ok := cred.(string); ok {
		parts := strings.Split(s, ".")
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(b, &doc)
		if vc, ok := doc["vc"].(map[string]any); ok {
			doc = vc
		}
	}
	cs, _ := doc["credentialSubject"].(map[string]any)
	id, _ := cs["id"].(string)
	return id
}

func verifyOverHTTP(t *testing.T, s *server, cred any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"verifiableCredential": cred})
	resp, err := http.Post(s.base+"/credentials/verify", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func startIssuer(t *testing.T) (*server, string, string, string) {
	t.Helper()
	const token = "oid4vci-test-admin-token"
	mailDir := t.TempDir()
	s := startServe(t, t.TempDir(), map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_MAIL_DIR": mailDir})
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Wallet Ready","description":"Received a badge in a wallet.",
		"criteria":{"narrative":"Accept the offer."},"image":{"id":"https://badges.example.org/wallet.png","caption":"A wallet"}}`)
	return s, token, ach["id"].(string), mailDir
}

// TestOID4VCIWalletFlows receives a badge for both formats and both grants
// and checks that it verifies and is bound to the wallet's DID.
func TestOID4VCIWalletFlows(t *testing.T) {
	s, token, achID, mailDir := startIssuer(t)
	for _, tc := range []struct {
		format, grant, alg string
		txCode, useKid     bool
	}{
		{"ldp_vc", "pre-authorized_code", "EdDSA", true, false},
		{"jwt_vc_json", "pre-authorized_code", "ES256", false, true},
		{"ldp_vc", "authorization_code", "ES256", false, true},
		{"jwt_vc_json", "authorization_code", "EdDSA", false, false},
	} {
		t.Run(tc.format+"/"+tc.grant, func(t *testing.T) {
			email := tc.grant + "." + tc.format + "@example.org"
			offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"`+email+`"}],
				"format":"`+tc.format+`","grants":["`+tc.grant+`"],"txCode":`+map[bool]string{true: "true", false: "false"}[tc.txCode]+`}`)
			o := offers["offers"].([]any)[0].(map[string]any)
			tx, _ := o["txCode"].(string)
			w := newSpecWallet(t, tc.alg)
			w.useKid, w.mailDir = tc.useKid, mailDir
			cred, format := w.receive(o["offerUri"].(string), tx, email)
			if format != tc.format {
				t.Errorf("format %s, want %s", format, tc.format)
			}
			if got := subjectOf(t, cred); got != w.did {
				t.Errorf("credentialSubject.id = %s, want the wallet's DID %s", got, w.did)
			}
			if rep := verifyOverHTTP(t, s, cred); rep["verified"] != true {
				t.Errorf("the received credential does not verify: %v", rep)
			}
		})
	}
	if m := regexp.MustCompile(`code is \d{6}`).FindString(s.logs.String()); m != "" {
		t.Errorf("a one-time code reached the log: %s", m)
	}
}

// TestOID4VCIInteropSpecExamples drives the pre-authorized flow as a wallet
// built on the published examples: the offer, metadata and credential
// response are checked against the shapes of the spec's example files,
// the token request carries authorization_details shaped as
// authorization_details.json, and the credential request uses the
// credential_identifier the token response returns.
func TestOID4VCIInteropSpecExamples(t *testing.T) {
	s, token, achID, _ := startIssuer(t)
	for _, format := range []string{"ldp_vc", "jwt_vc_json"} {
		t.Run(format, func(t *testing.T) {
			offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"spec@example.org"}],"format":"`+format+`","txCode":true}`)
			o := offers["offers"].([]any)[0].(map[string]any)
			w := newSpecWallet(t, "ES256")
			w.examples = sharedtest.Testdata(t, "oid4vci")
			cred, _ := w.receive(o["offerUri"].(string), o["txCode"].(string), "")
			ad, _ := w.tokenResponse["authorization_details"].([]any)
			if len(ad) != 1 {
				t.Fatalf("token response has no authorization_details: %v", w.tokenResponse)
			}
			sameShape(t, "authorization_details", w.example("authorization_details.json"), ad)
			if subjectOf(t, cred) != w.did || verifyOverHTTP(t, s, cred)["verified"] != true {
				t.Errorf("credential not bound to %s or does not verify", w.did)
			}
		})
	}
}

// TestOID4VCIRefusalsOverServe replays what must not work twice.
func TestOID4VCIRefusalsOverServe(t *testing.T) {
	s, token, achID, _ := startIssuer(t)
	offers := postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"email":"r@example.org"},{"email":"q@example.org"}],"txCode":true}`)
	list := offers["offers"].([]any)
	o1, o2 := list[0].(map[string]any), list[1].(map[string]any)
	w := newSpecWallet(t, "EdDSA")
	offer1 := w.getJSON(o1["credentialOfferUri"].(string))
	issuerID := offer1["credential_issuer"].(string)
	code1 := offer1["grants"].(map[string]any)[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)
	tokenURL := s.base + "/oid4vci/token"
	form := func(code, tx string) url.Values {
		return url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {code}, "tx_code": {tx}}
	}
	st, tok, _ := w.postForm(tokenURL, form(code1, o1["txCode"].(string)))
	if st != 200 {
		t.Fatalf("token: %d %v", st, tok)
	}
	if st, body, _ := w.postForm(tokenURL, form(code1, o1["txCode"].(string))); st != 400 || body["error"] != "invalid_grant" {
		t.Errorf("replayed code: %d %v", st, body)
	}
	// Wrong tx_code: five tries, then even the right one is refused.
	offer2 := w.getJSON(o2["credentialOfferUri"].(string))
	code2 := offer2["grants"].(map[string]any)[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)
	for i := 0; i < 5; i++ {
		if st, body, _ := w.postForm(tokenURL, form(code2, "99999x")); st != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("wrong tx_code: %d %v", st, body)
		}
	}
	if st, body, _ := w.postForm(tokenURL, form(code2, o2["txCode"].(string))); st != 400 || body["error"] != "invalid_grant" {
		t.Errorf("right tx_code after the limit: %d %v", st, body)
	}
	// A nonce works once.
	_, n, _ := w.postJSON(s.base+"/oid4vci/nonce", "", nil)
	req := map[string]any{"credential_configuration_id": offer1["credential_configuration_ids"].([]any)[0],
		"proofs": map[string]any{"jwt": []string{w.proof(issuerID, n["c_nonce"].(string))}}}
	if st, body, _ := w.postJSON(s.base+"/oid4vci/credential", tok["access_token"].(string), req); st != 200 {
		t.Fatalf("credential: %d %v", st, body)
	}
	if st, body, h := w.postJSON(s.base+"/oid4vci/credential", "not-a-token", req); st != 401 || body["error"] != "invalid_token" || !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("bad token: %d %v %v", st, body, h)
	}
	offers = postJSON(t, s.base+"/api/v1/offers", token, `{"achievementId":"`+achID+`","recipients":[{"did":"`+w.did+`"}]}`)
	o3 := w.getJSON(offers["offers"].([]any)[0].(map[string]any)["credentialOfferUri"].(string))
	_, tok3, _ := w.postForm(tokenURL, url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {o3["grants"].(map[string]any)[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)}})
	req["credential_configuration_id"] = o3["credential_configuration_ids"].([]any)[0]
	if st, body, _ := w.postJSON(s.base+"/oid4vci/credential", tok3["access_token"].(string), req); st != 400 || body["error"] != "invalid_nonce" {
		t.Errorf("replayed nonce: %d %v", st, body)
	}
	_, n, _ = w.postJSON(s.base+"/oid4vci/nonce", "", nil)
	req["proofs"] = map[string]any{"jwt": []string{w.proof("https://issuer.example.com", n["c_nonce"].(string))}}
	if st, body, _ := w.postJSON(s.base+"/oid4vci/credential", tok3["access_token"].(string), req); st != 400 || body["error"] != "invalid_proof" {
		t.Errorf("proof for another audience: %d %v", st, body)
	}
	for _, secret := range []string{code1, code2, o1["txCode"].(string), tok["access_token"].(string)} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("a secret reached the log: %.12s…", secret)
		}
	}
}
