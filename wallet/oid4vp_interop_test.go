package wallet_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/mr-tron/base58"

	"github.com/accolade-badges/accolade/wallet"
)

// specVerifier is an OpenID4VP 1.0 verifier written from the spec with
// jwx, sharing no code with Accolade's oid4vp, verifier or api packages:
// it signs its request object as decentralized_identifier:did:jwk:…
// (typ oauth-authz-req+jwt, kid the DID's #0), serves it at request_uri
// (GET, or POST with wallet_nonce echoed, §5.10), takes direct_post and
// direct_post.jwt responses (decrypting the latter with an ECDH-ES key of
// its client_metadata.jwks, §8.3), and checks vp_token against its DCQL
// query.
type specVerifier struct {
	t        *testing.T
	srv      *httptest.Server
	signKey  jwk.Key // ES256 private key of the DID
	did      string
	encKey   jwk.Key // ECDH-ES private key of client_metadata.jwks
	clientID string
	nonce    string
	state    string
	format   string // of the one credential query
	mode     string // direct_post or direct_post.jwt
	// sign builds the request object JWT from its claims; tests replace
	// it to make bad ones.
	sign        func(claims map[string]any) string
	contentType string
	echoNonce   bool

	mu          sync.Mutex
	walletNonce string
	walletMeta  map[string]any
	posted      url.Values
	vpToken     map[string][]json.RawMessage
	jweHeader   map[string]any
}

func newSpecVerifier(t *testing.T, format, mode string) *specVerifier {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := &specVerifier{t: t, format: format, mode: mode, contentType: "application/oauth-authz-req+jwt", echoNonce: true,
		nonce: randomB64(t), state: randomB64(t)}
	if v.signKey, err = jwk.Import(ec); err != nil {
		t.Fatal(err)
	}
	pub, _ := jwk.PublicKeyOf(v.signKey)
	pubJSON, _ := json.Marshal(pub)
	v.did = "did:jwk:" + base64.RawURLEncoding.EncodeToString(pubJSON)
	v.clientID = "decentralized_identifier:" + v.did
	enc, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v.encKey, _ = jwk.Import(enc)
	_ = v.encKey.Set(jwk.KeyIDKey, "enc-1")
	_ = v.encKey.Set(jwk.AlgorithmKey, jwa.ECDH_ES())
	_ = v.encKey.Set(jwk.KeyUsageKey, "enc")
	v.sign = func(claims map[string]any) string { return v.signWith(v.signKey, "ES256", v.did+"#0", claims) }

	mux := http.NewServeMux()
	mux.HandleFunc("GET /request", v.serveRequest)
	mux.HandleFunc("POST /request", v.serveRequest)
	mux.HandleFunc("POST /response", v.receive)
	v.srv = httptest.NewServer(mux)
	t.Cleanup(v.srv.Close)
	return v
}

func randomB64(t *testing.T) string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (v *specVerifier) signWith(key jwk.Key, alg, kid string, claims map[string]any) string {
	v.t.Helper()
	h := jws.NewHeaders()
	_ = h.Set("typ", "oauth-authz-req+jwt")
	_ = h.Set("kid", kid)
	payload, _ := json.Marshal(claims)
	sa, _ := jwa.LookupSignatureAlgorithm(alg)
	out, err := jws.Sign(payload, jws.WithKey(sa, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		v.t.Fatal(err)
	}
	return string(out)
}

// dcql asks for one Open Badge in v.format, with its achievement name.
func (v *specVerifier) dcql() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "badge", "format": v.format,
		"meta":   map[string]any{"type_values": []any{[]any{"https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"}}},
		"claims": []any{map[string]any{"path": []any{"credentialSubject", "achievement", "name"}}},
	}}}
}

func (v *specVerifier) claims() map[string]any {
	md := map[string]any{"vp_formats_supported": map[string]any{
		"ldp_vc":      map[string]any{"proof_type_values": []string{"DataIntegrityProof"}, "cryptosuite_values": []string{"eddsa-rdfc-2022"}},
		"jwt_vc_json": map[string]any{"alg_values": []string{"EdDSA", "ES256"}},
	}}
	if v.mode == "direct_post.jwt" {
		pub, _ := jwk.PublicKeyOf(v.encKey)
		md["jwks"] = map[string]any{"keys": []any{pub}}
		md["encrypted_response_enc_values_supported"] = []string{"A256GCM"}
	}
	now := time.Now()
	c := map[string]any{
		"client_id": v.clientID, "response_type": "vp_token", "response_mode": v.mode,
		"response_uri": v.srv.URL + "/response", "nonce": v.nonce, "state": v.state,
		"aud": "https://self-issued.me/v2", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"dcql_query": v.dcql(), "client_metadata": md,
	}
	v.mu.Lock()
	if v.walletNonce != "" && v.echoNonce {
		c["wallet_nonce"] = v.walletNonce
	}
	v.mu.Unlock()
	return c
}

func (v *specVerifier) link(method string) string {
	q := url.Values{"client_id": {v.clientID}, "request_uri": {v.srv.URL + "/request"}}
	if method != "" {
		q.Set("request_uri_method", method)
	}
	return "openid4vp://?" + q.Encode()
}

func (v *specVerifier) serveRequest(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil || r.Header.Get("Accept") != "application/oauth-authz-req+jwt" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		v.mu.Lock()
		v.walletNonce = r.PostForm.Get("wallet_nonce")
		_ = json.Unmarshal([]byte(r.PostForm.Get("wallet_metadata")), &v.walletMeta)
		v.mu.Unlock()
	}
	w.Header().Set("Content-Type", v.contentType)
	_, _ = w.Write([]byte(v.sign(v.claims())))
}

func (v *specVerifier) receive(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	form := r.PostForm
	var jweHeader map[string]any
	if v.mode == "direct_post.jwt" {
		msg, err := jwe.Parse([]byte(form.Get("response")))
		if err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		hb, _ := json.Marshal(msg.ProtectedHeaders())
		_ = json.Unmarshal(hb, &jweHeader)
		plain, err := jwe.Decrypt([]byte(form.Get("response")), jwe.WithKey(jwa.ECDH_ES(), v.encKey))
		if err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		var params map[string]json.RawMessage
		_ = json.Unmarshal(plain, &params)
		form = url.Values{"vp_token": {string(params["vp_token"])}}
		var st string
		_ = json.Unmarshal(params["state"], &st)
		form.Set("state", st)
	}
	var tok map[string][]json.RawMessage
	_ = json.Unmarshal([]byte(form.Get("vp_token")), &tok)
	v.mu.Lock()
	v.posted, v.vpToken, v.jweHeader = form, tok, jweHeader
	v.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"redirect_uri":"https://verifier.example/cb#response_code=` + randomB64(v.t) + `"}`))
}

// check verifies the vp_token the wallet sent against the request (§8.6):
// the state, one presentation under the query id, bound to nonce and the
// full client_id, signed by the holder (VP-JWT: by the did:key of
// credentialSubject.id), holding an OpenBadgeCredential with the claim.
func (v *specVerifier) check(t *testing.T, holder string) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.posted.Get("state") != v.state {
		t.Errorf("state %q, want %q", v.posted.Get("state"), v.state)
	}
	if len(v.vpToken) != 1 || len(v.vpToken["badge"]) != 1 {
		t.Fatalf("vp_token %v", v.vpToken)
	}
	var creds []map[string]any
	switch v.format {
	case "jwt_vc_json":
		var vpJWT string
		if err := json.Unmarshal(v.vpToken["badge"][0], &vpJWT); err != nil {
			t.Fatalf("jwt_vc_json presentation is not a JWT string: %s", v.vpToken["badge"][0])
		}
		msg, err := jws.Parse([]byte(vpJWT))
		if err != nil {
			t.Fatal(err)
		}
		kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
		if !strings.HasPrefix(kid, holder+"#") {
			t.Errorf("VP kid %s is not the holder's", kid)
		}
		if _, err := jws.Verify([]byte(vpJWT), jws.WithKey(jwa.EdDSA(), didKeyEd25519(t, holder))); err != nil {
			t.Errorf("VP-JWT signature: %v", err)
		}
		var claims map[string]any
		_ = json.Unmarshal(msg.Payload(), &claims)
		if claims["nonce"] != v.nonce || claims["aud"] != v.clientID || claims["iss"] != holder {
			t.Errorf("VP-JWT nonce %v aud %v iss %v", claims["nonce"], claims["aud"], claims["iss"])
		}
		vp, _ := claims["vp"].(map[string]any)
		for _, vc := range vp["verifiableCredential"].([]any) {
			s, _ := vc.(string)
			m, err := jws.Parse([]byte(s))
			if err != nil {
				t.Fatalf("embedded VC: %v", err)
			}
			var c map[string]any
			_ = json.Unmarshal(m.Payload(), &c)
			if inner, ok := c["vc"].(map[string]any); ok {
				c = inner
			}
			creds = append(creds, c)
		}
	case "ldp_vc":
		var vp map[string]any
		if err := json.Unmarshal(v.vpToken["badge"][0], &vp); err != nil {
			t.Fatalf("ldp_vc presentation is not an object: %s", v.vpToken["badge"][0])
		}
		p, _ := vp["proof"].(map[string]any)
		if p["challenge"] != v.nonce || p["domain"] != v.clientID || p["proofPurpose"] != "authentication" ||
			!strings.HasPrefix(p["verificationMethod"].(string), holder+"#") {
			t.Errorf("VP proof %v", p)
		}
		for _, vc := range vp["verifiableCredential"].([]any) {
			creds = append(creds, vc.(map[string]any))
		}
	}
	if len(creds) != 1 {
		t.Fatalf("%d credentials presented", len(creds))
	}
	c := creds[0]
	types, _ := c["type"].([]any)
	cs, _ := c["credentialSubject"].(map[string]any)
	ach, _ := cs["achievement"].(map[string]any)
	if !slices.Contains(types, any("OpenBadgeCredential")) || ach["name"] == nil || cs["id"] != holder {
		t.Errorf("presented credential type %v subject %v", types, cs)
	}
}

// didKeyEd25519 decodes an Ed25519 did:key (multicodec 0xed01).
func didKeyEd25519(t *testing.T, d string) ed25519.PublicKey {
	t.Helper()
	raw, err := base58.Decode(strings.TrimPrefix(d, "did:key:z"))
	if err != nil || len(raw) != 34 || raw[0] != 0xed || raw[1] != 0x01 {
		t.Fatalf("not an Ed25519 did:key: %s", d)
	}
	return ed25519.PublicKey(raw[2:])
}

// TestOID4VPAgainstSpecVerifier is the done-criterion of OpenID4VP
// conformance: Accolade's wallet answers signed requests of an
// independent verifier (specVerifier) in both formats and both response
// modes, and refuses requests it must refuse.
func TestOID4VPAgainstSpecVerifier(t *testing.T) {
	e := newEnv(t, func(c *wallet.Config) { c.HTTPClient = &http.Client{Timeout: 10 * time.Second} })
	ctx := context.Background()
	h := e.signUp(t, "interop@example.org")
	ldp, err := e.w.Import(ctx, h.ID, e.signDI(t, e.credential(h.DefaultDID, newID(), "Go Concurrency")))
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := e.w.Import(ctx, h.ID, e.signJWT(t, e.credential(h.DefaultDID, newID(), "Rust Basics")))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format, mode, method, cred string
	}{
		{"jwt_vc_json", "direct_post", "", jwt.ID},
		{"ldp_vc", "direct_post", "get", ldp.ID},
		{"jwt_vc_json", "direct_post.jwt", "post", jwt.ID},
		{"ldp_vc", "direct_post.jwt", "post", ldp.ID},
	} {
		t.Run("ok/"+tc.format+"/"+tc.mode+"/"+orGet(tc.method), func(t *testing.T) {
			v := newSpecVerifier(t, tc.format, tc.mode)
			x, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: v.link(tc.method)})
			if err != nil {
				t.Fatal(err)
			}
			if !x.Signed || x.ClientID != v.clientID || x.ResponseMode != tc.mode || !x.Satisfiable ||
				len(x.Queries) != 1 || len(x.Queries[0].Matches) != 1 || x.Queries[0].Matches[0].ID != tc.cred {
				t.Fatalf("evaluated %+v", x)
			}
			if tc.method == "post" {
				v.mu.Lock()
				if v.walletNonce == "" || v.walletMeta["vp_formats_supported"] == nil {
					t.Errorf("request_uri POST: wallet_nonce %q, wallet_metadata %v", v.walletNonce, v.walletMeta)
				}
				v.mu.Unlock()
			}
			a, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{tc.cred}})
			if err != nil || !a.Accepted || !strings.Contains(string(a.Answer), "response_code=") {
				t.Fatalf("respond: %+v %v", a, err)
			}
			if tc.mode == "direct_post.jwt" {
				if v.posted.Get("vp_token") == "" || v.jweHeader["alg"] != "ECDH-ES" || v.jweHeader["enc"] != "A256GCM" || v.jweHeader["kid"] != "enc-1" {
					t.Errorf("encrypted response header %v", v.jweHeader)
				}
			}
			v.check(t, h.DefaultDID)
		})
	}

	refused := func(t *testing.T, v *specVerifier, link, code string) {
		t.Helper()
		_, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: link})
		var xe *wallet.ExchangeError
		if !errors.As(err, &xe) || xe.Step != wallet.StepRequest || xe.Code != code {
			t.Errorf("got %v, want %s at the request step", err, code)
		}
		if v.posted != nil {
			t.Error("the wallet posted a response to a refused request")
		}
	}
	t.Run("fail/alg none with decentralized_identifier", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		v.sign = func(claims map[string]any) string {
			hd, _ := json.Marshal(map[string]any{"alg": "none", "typ": "oauth-authz-req+jwt", "kid": v.did + "#0"})
			pl, _ := json.Marshal(claims)
			return base64.RawURLEncoding.EncodeToString(hd) + "." + base64.RawURLEncoding.EncodeToString(pl) + "."
		}
		refused(t, v, v.link(""), "invalid_request")
	})
	t.Run("fail/signed with another key", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ok, _ := jwk.Import(other)
		v.sign = func(claims map[string]any) string { return v.signWith(ok, "ES256", v.did+"#0", claims) }
		refused(t, v, v.link(""), "invalid_request_object")
	})
	t.Run("fail/kid of another DID", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		w := newSpecVerifier(t, "ldp_vc", "direct_post")
		v.sign = func(claims map[string]any) string { return v.signWith(w.signKey, "ES256", w.did+"#0", claims) }
		refused(t, v, v.link(""), "invalid_request")
	})
	t.Run("fail/wallet_nonce not echoed", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		v.echoNonce = false
		refused(t, v, v.link("post"), "invalid_request_object")
	})
	t.Run("fail/request object as application/json", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		v.contentType = "application/json"
		refused(t, v, v.link(""), "invalid_request_object")
	})
	t.Run("fail/client_id in the link differs", func(t *testing.T) {
		v := newSpecVerifier(t, "ldp_vc", "direct_post")
		w := newSpecVerifier(t, "ldp_vc", "direct_post")
		refused(t, v, strings.Replace(v.link(""), url.QueryEscape(v.clientID), url.QueryEscape(w.clientID), 1), "invalid_request")
	})
}

// TestOID4VPVerifierAttestation has the wallet take a request of the
// verifier_attestation: prefix (§5.9.3, §12) from the spec verifier: its
// request object carries a Verifier Attestation JWT in the JOSE header jwt,
// issued by an attester the wallet is configured to trust, and is signed
// with the attestation's cnf key. The same request from an attester it does
// not trust is refused.
func TestOID4VPVerifierAttestation(t *testing.T) {
	attester, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	const iss = "https://attester.example"
	e := newEnv(t, func(c *wallet.Config) {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
		c.VerifierAttesters = map[string]crypto.PublicKey{iss: attester.Public()}
	})
	ctx := context.Background()
	h := e.signUp(t, "attested@example.org")
	if _, err := e.w.Import(ctx, h.ID, e.signDI(t, e.credential(h.DefaultDID, newID(), "Go Concurrency"))); err != nil {
		t.Fatal(err)
	}
	attestedBy := func(v *specVerifier, signer *ecdsa.PrivateKey) {
		pub, _ := jwk.PublicKeyOf(v.signKey)
		claims, _ := json.Marshal(map[string]any{"iss": iss, "sub": "verifier.example", "iat": time.Now().Unix(),
			"exp": time.Now().Add(time.Hour).Unix(), "cnf": map[string]any{"jwk": pub}})
		ah := jws.NewHeaders()
		_ = ah.Set("typ", "verifier-attestation+jwt")
		att, err := jws.Sign(claims, jws.WithKey(jwa.ES256(), signer, jws.WithProtectedHeaders(ah)))
		if err != nil {
			t.Fatal(err)
		}
		v.clientID = "verifier_attestation:verifier.example"
		v.sign = func(c map[string]any) string {
			hd := jws.NewHeaders()
			_ = hd.Set("typ", "oauth-authz-req+jwt")
			_ = hd.Set("jwt", string(att))
			payload, _ := json.Marshal(c)
			out, err := jws.Sign(payload, jws.WithKey(jwa.ES256(), v.signKey, jws.WithProtectedHeaders(hd)))
			if err != nil {
				t.Fatal(err)
			}
			return string(out)
		}
	}
	v := newSpecVerifier(t, "ldp_vc", "direct_post")
	attestedBy(v, attester)
	x, err := e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: v.link("")})
	if err != nil || !x.Signed || x.ClientID != v.clientID || len(x.Queries[0].Matches) != 1 {
		t.Fatalf("attested request: %+v %v", x, err)
	}
	a, err := e.w.RespondPresentationRequest(ctx, h.ID, x.ID, wallet.VPRespondRequest{CredentialIDs: []string{x.Queries[0].Matches[0].ID}})
	if err != nil || !a.Accepted {
		t.Fatalf("respond: %+v %v", a, err)
	}
	v.check(t, h.DefaultDID)

	rogue, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w := newSpecVerifier(t, "ldp_vc", "direct_post")
	attestedBy(w, rogue)
	_, err = e.w.EvaluatePresentationRequest(ctx, h.ID, wallet.PresentationRequestInput{Request: w.link("")})
	var xe *wallet.ExchangeError
	if !errors.As(err, &xe) || xe.Code != "invalid_request" || !strings.Contains(xe.Description, "Verifier Attestation") {
		t.Errorf("attestation by an untrusted key: %v", err)
	}
}

func orGet(m string) string {
	if m == "" {
		return "get"
	}
	return m
}
