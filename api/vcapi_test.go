package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/verifier"
)

// liveFixture is a fixture served on a loopback socket, its public URL
// being that socket, so that its did:web and status lists resolve.
func liveFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + ts.Listener.Addr().String()
	f := newFixture(t, publicURL, nil)
	ts.Config.Handler = f.srv
	ts.Start()
	t.Cleanup(ts.Close)
	return f, publicURL
}

// webVerifier verifies credentials of issuers on loopback did:webs.
func webVerifier(t *testing.T) *verifier.Verifier {
	t.Helper()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Config{
		Resolver:      did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}, "web": did.WebResolver{AllowInsecureLoopback: true}},
		Canonicalizer: di.NewFast(contexts, di.Limits{}), Schema: credential.NewSchemaValidator(contexts),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// vcapiIssue posts a VC-API issue request and returns the status and the
// verifiableCredential member.
func vcapiIssue(t *testing.T, f *fixture, cred map[string]any, opts map[string]any) (int, any, *httptest.ResponseRecorder) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"credential": cred, "options": opts})
	w := f.do("POST", "/credentials/issue", testToken, string(body))
	var out struct {
		VerifiableCredential any `json:"verifiableCredential"`
	}
	if w.Code == http.StatusCreated {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
	}
	return w.Code, out.VerifiableCredential, w
}

func plainCredential(issuer any) map[string]any {
	c := map[string]any{
		"@context":          []any{credential.ContextVCv2},
		"type":              []any{"VerifiableCredential"},
		"validFrom":         "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:ada"},
	}
	if issuer != nil {
		c["issuer"] = issuer
	}
	return c
}

func proofMethod(t *testing.T, vc any) string {
	t.Helper()
	m, _ := vc.(map[string]any)
	var p map[string]any
	switch x := m["proof"].(type) {
	case map[string]any:
		p = x
	case []any:
		if len(x) > 0 {
			p, _ = x[0].(map[string]any)
		}
	}
	vm, _ := p["verificationMethod"].(string)
	if vm == "" {
		t.Fatalf("no proof verificationMethod in %v", vc)
	}
	return vm
}

// TestVCAPIIssueIssuerDIDs: the issuer may be any DID this service
// controls, its did:web as well as the active key's did:key, whichever is
// the default; each is signed under its own verification method.
func TestVCAPIIssueIssuerDIDs(t *testing.T) {
	f, _ := liveFixture(t)
	ctx := context.Background()
	sum, err := f.id.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	webDID, keyDID := sum.WebDID, sum.ActiveKey.DIDKey
	if sum.DID != keyDID {
		t.Fatalf("an http public URL should default to did:key, got %s", sum.DID)
	}
	v := webVerifier(t)
	tests := []struct {
		name    string
		issuer  any
		wantDID string
	}{
		{"ok/left out: the default DID", nil, keyDID},
		{"ok/did:key", keyDID, keyDID},
		{"ok/did:web while the default is did:key", webDID, webDID},
		{"ok/did:web in an issuer object", map[string]any{"id": webDID, "name": "Example"}, webDID},
	}
	for _, tt := range tests {
		for _, suite := range []string{di.EdDSARDFC2022, di.EdDSAJCS2022} {
			t.Run(tt.name+"/"+suite, func(t *testing.T) {
				code, vc, w := vcapiIssue(t, f, plainCredential(tt.issuer), map[string]any{"cryptosuite": suite})
				if code != http.StatusCreated {
					t.Fatalf("issue: %d %s", code, w.Body)
				}
				if vm := proofMethod(t, vc); !strings.HasPrefix(vm, tt.wantDID+"#") {
					t.Errorf("verificationMethod %s, want one of %s", vm, tt.wantDID)
				}
				rep := v.Verify(ctx, vc, verifier.Options{})
				if !rep.Verified {
					t.Errorf("does not verify: %+v", rep.Checks)
				}
			})
		}
	}
	t.Run("ok/did:web VC-JWT", func(t *testing.T) {
		code, vc, w := vcapiIssue(t, f, plainCredential(webDID), map[string]any{"format": "jwt_vc_json"})
		if code != http.StatusCreated {
			t.Fatalf("issue: %d %s", code, w.Body)
		}
		if rep := v.Verify(ctx, vc, verifier.Options{}); !rep.Verified {
			t.Errorf("does not verify: %+v", rep.Checks)
		}
	})
	t.Run("fail/someone else's DID", func(t *testing.T) {
		code, _, w := vcapiIssue(t, f, plainCredential("did:example:other"), nil)
		if code != http.StatusBadRequest {
			t.Fatalf("issue: %d %s", code, w.Body)
		}
		if p := decodeProblem(t, w); !strings.Contains(w.Body.String(), webDID) || !strings.Contains(w.Body.String(), keyDID) {
			t.Errorf("the refusal should name both DIDs: %+v %s", p, w.Body)
		}
	})
}

// TestVCAPIIssueStatus: options.credentialStatus adds a
// BitstringStatusListEntry on this issuer's list, and the VC-API status
// update then flips its bit.
func TestVCAPIIssueStatus(t *testing.T) {
	f, publicURL := liveFixture(t)
	for _, tt := range []struct {
		name, purpose, update string
		format                string
	}{
		{"ok/revocation", "revocation", "revoked", "ldp_vc"},
		{"ok/suspension", "suspension", "suspended", "ldp_vc"},
		{"ok/revocation VC-JWT", "revocation", "revoked", "jwt_vc_json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cred := plainCredential(nil)
			cred["id"] = "https://example.edu/credentials/" + strings.ReplaceAll(tt.name, " ", "-")
			code, vc, w := vcapiIssue(t, f, cred, map[string]any{"format": tt.format,
				"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": tt.purpose}})
			if code != http.StatusCreated {
				t.Fatalf("issue: %d %s", code, w.Body)
			}
			doc, _ := vc.(map[string]any)
			if tt.format != "ldp_vc" {
				id, _ := doc["id"].(string)
				doc = decodeJWTPayload(t, strings.TrimPrefix(id, "data:application/vc+jwt,"))
			}
			entry, _ := doc["credentialStatus"].(map[string]any)
			listURL, _ := entry["statusListCredential"].(string)
			if entry["type"] != "BitstringStatusListEntry" || entry["statusPurpose"] != tt.purpose || !strings.HasPrefix(listURL, publicURL+"/status/") {
				t.Fatalf("credentialStatus %v", entry)
			}
			var index int
			if err := json.Unmarshal([]byte(entry["statusListIndex"].(string)), &index); err != nil {
				t.Fatal(err)
			}
			listPath := strings.TrimPrefix(listURL, publicURL)
			if bit(t, f.do("GET", listPath, "", "").Body.Bytes(), index) {
				t.Fatal("bit set at issue")
			}
			if code, res := verify(t, f, mustMarshal(vc)); code != 200 || !res.Verified {
				t.Errorf("verify: %d %+v", code, res)
			}
			upd := `{"credentialId":"` + cred["id"].(string) + `","credentialStatus":[{"type":"BitstringStatusListCredential","status":"` + tt.update + `"}]}`
			if w := f.do("POST", "/credentials/status", testToken, upd); w.Code != 200 {
				t.Fatalf("status update: %d %s", w.Code, w.Body)
			}
			if !bit(t, f.do("GET", listPath, "", "").Body.Bytes(), index) {
				t.Error("the status update did not set the bit")
			}
		})
	}
	for _, tt := range []struct {
		name  string
		cred  map[string]any
		opts  map[string]any
		field string
	}{
		{"fail/another status type", plainCredential(nil), map[string]any{"credentialStatus": map[string]any{"type": "StatusList2021Entry"}}, "options.credentialStatus.type"},
		{"fail/unsupported purpose", plainCredential(nil), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "message"}}, "options.credentialStatus.statusPurpose"},
		{"fail/the credential has one already", func() map[string]any {
			c := plainCredential(nil)
			c["credentialStatus"] = map[string]any{"id": "https://example.org/status/1#1", "type": "BitstringStatusListEntry"}
			return c
		}(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}}, "credentialStatus"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, w := vcapiIssue(t, f, tt.cred, tt.opts)
			if code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"`+tt.field+`: `) {
				t.Errorf("%d %s, want 400 naming %s", code, w.Body, tt.field)
			}
		})
	}
	t.Run("ok/default purpose", func(t *testing.T) {
		code, vc, w := vcapiIssue(t, f, plainCredential(nil), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
		if code != http.StatusCreated {
			t.Fatalf("issue: %d %s", code, w.Body)
		}
		if e, _ := vc.(map[string]any)["credentialStatus"].(map[string]any); e["statusPurpose"] != "revocation" {
			t.Errorf("credentialStatus %v", e)
		}
	})
	t.Run("ok/none unless asked", func(t *testing.T) {
		code, vc, w := vcapiIssue(t, f, plainCredential(nil), nil)
		if code != http.StatusCreated {
			t.Fatalf("issue: %d %s", code, w.Body)
		}
		if e := vc.(map[string]any)["credentialStatus"]; e != nil {
			t.Errorf("credentialStatus %v added unasked", e)
		}
	})
}

// TestVCAPIIssueVC11: a VCDM 1.1 credential gets the Data Integrity v2
// context, which defines the proof terms (VC Data Integrity 1.0 §2.4.1),
// and an issuanceDate when it has none.
func TestVCAPIIssueVC11(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	for _, suite := range []string{di.EdDSARDFC2022, di.EdDSAJCS2022} {
		for _, withStatus := range []bool{false, true} {
			name := suite
			if withStatus {
				name += "/with status"
			}
			t.Run("ok/"+name, func(t *testing.T) {
				cred := map[string]any{
					"@context":          []any{credential.ContextVCv1},
					"type":              []any{"VerifiableCredential"},
					"credentialSubject": map[string]any{"id": "did:example:ada"},
				}
				opts := map[string]any{"cryptosuite": suite}
				if withStatus {
					opts["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
				}
				code, vc, w := vcapiIssue(t, f, cred, opts)
				if code != http.StatusCreated {
					t.Fatalf("issue: %d %s", code, w.Body)
				}
				doc := vc.(map[string]any)
				ctxs, _ := doc["@context"].([]any)
				if len(ctxs) < 2 || ctxs[0] != credential.ContextVCv1 || ctxs[1] != "https://w3id.org/security/data-integrity/v2" {
					t.Errorf("@context %v", ctxs)
				}
				if withStatus && (len(ctxs) != 3 || ctxs[2] != "https://www.w3.org/ns/credentials/status/v1") {
					t.Errorf("@context %v lacks the status context", ctxs)
				}
				if doc["issuanceDate"] == nil {
					t.Error("no issuanceDate")
				}
				if code, res := verify(t, f, mustMarshal(vc)); code != 200 || !res.Verified {
					t.Errorf("verify: %d %+v", code, res)
				}
			})
		}
	}
	t.Run("ok/context already there is not repeated", func(t *testing.T) {
		cred := map[string]any{
			"@context":          []any{credential.ContextVCv1, "https://w3id.org/security/data-integrity/v2"},
			"type":              []any{"VerifiableCredential"},
			"issuanceDate":      "2025-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:ada"},
		}
		code, vc, w := vcapiIssue(t, f, cred, nil)
		if code != http.StatusCreated {
			t.Fatalf("issue: %d %s", code, w.Body)
		}
		if ctxs := vc.(map[string]any)["@context"].([]any); len(ctxs) != 2 {
			t.Errorf("@context %v", ctxs)
		}
	})
	t.Run("fail/VC-JWT of a VCDM 1.1 credential", func(t *testing.T) {
		cred := map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:ada"}}
		if code, _, w := vcapiIssue(t, f, cred, map[string]any{"format": "jwt_vc_json"}); code != http.StatusBadRequest {
			t.Errorf("%d %s", code, w.Body)
		}
	})
}

// TestVCAPIIssueJWT: a VCDM 2.0 credential asked for as a VC-JWT comes
// back as an EnvelopedVerifiableCredential holding a VC-JOSE-COSE token;
// the OB 3.0 compact JWS only for the OB profile. Both verify through
// POST /credentials/verify.
func TestVCAPIIssueJWT(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	a := createAchievement(t, f)
	rec := issue(t, f, `{"achievementId":"`+a.ID+`","recipient":{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}}`)
	var ob map[string]any
	if err := json.Unmarshal(rec.Credential, &ob); err != nil {
		t.Fatal(err)
	}
	delete(ob, "proof")
	delete(ob, "credentialStatus")
	delete(ob, "id")

	tests := []struct {
		name, format, profile string
		cred                  map[string]any
		envelope              bool
	}{
		{"ok/VCDM 2.0 jwt_vc_json", "jwt_vc_json", "", plainCredential(nil), true},
		{"ok/VCDM 2.0 jwt_vc", "jwt_vc", "", plainCredential(nil), true},
		{"ok/VCDM 2.0 vc+jwt", "vc+jwt", "", plainCredential(nil), true},
		{"ok/VCDM 2.0 as the OB profile", "jwt_vc_json", "ob", plainCredential(nil), false},
		{"ok/OB credential", "jwt_vc_json", "", ob, false},
		{"ok/OB credential as VC-JOSE-COSE", "jwt_vc_json", "vc-jose-cose", ob, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := map[string]any{"format": tt.format}
			if tt.profile != "" {
				opts["profile"] = tt.profile
			}
			code, vc, w := vcapiIssue(t, f, tt.cred, opts)
			if code != http.StatusCreated {
				t.Fatalf("issue: %d %s", code, w.Body)
			}
			var tok string
			if tt.envelope {
				env, ok := vc.(map[string]any)
				id, _ := env["id"].(string)
				if !ok || env["@context"] != credential.ContextVCv2 || env["type"] != "EnvelopedVerifiableCredential" || !strings.HasPrefix(id, "data:application/vc+jwt,") {
					t.Fatalf("want an EnvelopedVerifiableCredential, got %v", vc)
				}
				tok = strings.TrimPrefix(id, "data:application/vc+jwt,")
				h := decodeJWTHeader(t, tok)
				if h["typ"] != "vc+jwt" || h["cty"] != "vc" {
					t.Errorf("header %v", h)
				}
				p := decodeJWTPayload(t, tok)
				for _, claim := range []string{"vc", "iss", "nbf", "jti", "sub"} {
					if _, ok := p[claim]; ok {
						t.Errorf("VC-JOSE-COSE payload has %s", claim)
					}
				}
				if p["credentialSubject"] == nil || p["issuer"] == nil {
					t.Errorf("payload is not the credential: %v", p)
				}
			} else {
				var ok bool
				if tok, ok = vc.(string); !ok || strings.Count(tok, ".") != 2 {
					t.Fatalf("want a compact JWS, got %v", vc)
				}
				if h := decodeJWTHeader(t, tok); h["typ"] != "JWT" {
					t.Errorf("header %v", h)
				}
				if p := decodeJWTPayload(t, tok); p["iss"] == nil || p["nbf"] == nil || p["sub"] == nil {
					t.Errorf("OB VC-JWT payload lacks its claims: %v", p)
				}
			}
			if code, res := verify(t, f, mustMarshal(vc)); code != 200 || !res.Verified {
				t.Errorf("verify: %d %+v", code, res)
			}
		})
	}
	t.Run("fail/unknown profile", func(t *testing.T) {
		if code, _, w := vcapiIssue(t, f, plainCredential(nil), map[string]any{"format": "jwt_vc_json", "profile": "sd-jwt"}); code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "options.profile") {
			t.Errorf("%d %s", code, w.Body)
		}
	})
	t.Run("fail/tampered envelope", func(t *testing.T) {
		_, vc, _ := vcapiIssue(t, f, plainCredential(nil), map[string]any{"format": "jwt_vc_json"})
		env := vc.(map[string]any)
		id := env["id"].(string)
		parts := strings.Split(id, ".")
		p := decodeJWTPayload(t, strings.TrimPrefix(id, "data:application/vc+jwt,"))
		p["credentialSubject"] = map[string]any{"id": "did:example:mallory"}
		b, _ := json.Marshal(p)
		parts[1] = base64.RawURLEncoding.EncodeToString(b)
		env["id"] = strings.Join(parts, ".")
		if code, res := verify(t, f, mustMarshal(env)); code != 400 || res.Verified {
			t.Errorf("tampered envelope: %d %+v", code, res)
		}
	})
}

func decodeJWTHeader(t *testing.T, tok string) map[string]any {
	t.Helper()
	raw, err := b64url(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
