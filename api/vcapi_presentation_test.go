package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
)

// holderKey is a holder's Ed25519 did:key.
type holderKey struct {
	key     *keys.Key
	did, vm string
}

func newHolderKey(t *testing.T) holderKey {
	t.Helper()
	k, err := keys.Generate(keys.EdDSA, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return holderKey{key: k, did: d, vm: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

// signVP signs a presentation for authentication with the holder's key.
func (h holderKey) signVP(t *testing.T, vp map[string]any, challenge, domain string) map[string]any {
	t.Helper()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(vp)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	out, err := (&di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}).Sign(context.Background(), doc, h.key,
		di.Options{VerificationMethod: h.vm, ProofPurpose: di.PurposeAuthentication, Challenge: challenge, Domain: domain})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type vpResult struct {
	Verified bool           `json:"verified"`
	Checks   []string       `json:"checks"`
	Warnings []vcapiProblem `json:"warnings"`
	Errors   []vcapiProblem `json:"errors"`
}

func verifyVP(t *testing.T, f *fixture, vp any, opts map[string]any) (int, vpResult) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"verifiablePresentation": vp, "options": opts})
	w := f.do("POST", "/presentations/verify", "", string(body))
	var r vpResult
	if w.Header().Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
	}
	return w.Code, r
}

func names(ps []vcapiProblem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}

// presentationEnv: a fixture, a holder and a credential issued to it
// through the VC-API, as a DI credential and as an enveloped VC-JWT.
type presentationEnv struct {
	f        *fixture
	holder   holderKey
	ldp, env map[string]any
}

func newPresentationEnv(t *testing.T) presentationEnv {
	t.Helper()
	f := newFixture(t, "http://localhost:8080", nil)
	h := newHolderKey(t)
	cred := plainCredential(nil)
	cred["credentialSubject"] = map[string]any{"id": h.did}
	code, ldp, w := vcapiIssue(t, f, cred, nil)
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, w.Body)
	}
	env := plainCredential(nil)
	env["credentialSubject"] = map[string]any{"id": h.did}
	env["validUntil"] = "2099-01-01T00:00:00Z"
	code, jwt, w := vcapiIssue(t, f, env, map[string]any{"format": "jwt_vc_json"})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, w.Body)
	}
	e, _ := jwt.(map[string]any)
	if e["type"] != "EnvelopedVerifiableCredential" {
		t.Fatalf("want an EnvelopedVerifiableCredential, got %v", jwt)
	}
	return presentationEnv{f: f, holder: h, ldp: ldp.(map[string]any), env: e}
}

func vpOf(holder string, creds ...any) map[string]any {
	vp := map[string]any{"@context": []any{credential.ContextVCv2}, "type": []any{"VerifiablePresentation"}, "verifiableCredential": creds}
	if holder != "" {
		vp["holder"] = holder
	}
	return vp
}

// TestVCAPIPresentationHolderBinding: holder binding is a check the caller
// can leave out through options.checks; a presentation without holder then
// verifies (VCDM 2.0 makes holder optional). Asked for (the default, or
// named), it runs as before.
func TestVCAPIPresentationHolderBinding(t *testing.T) {
	e := newPresentationEnv(t)
	const ch, dom = "c-4711", "https://verifier.example"
	noHolder := e.holder.signVP(t, vpOf("", e.ldp, e.env), ch, dom)
	withHolder := e.holder.signVP(t, vpOf(e.holder.did, e.ldp, e.env), ch, dom)
	credChecks := []any{"proof", "issuer", "validity", "status"}
	tests := []struct {
		name       string
		vp         map[string]any
		checks     []any
		wantCode   int
		wantCheck  string // in checks
		wantErrors string // the error names, in order
	}{
		{"ok/no holder, binding left out", noHolder, credChecks, 200, "verifiableCredential[1].proof", ""},
		{"ok/holder, binding asked by name", withHolder, append([]any{"holder-binding"}, credChecks...), 200, "verifiableCredential[0].holder-binding", ""},
		{"ok/holder, default checks", withHolder, nil, 200, "verifiableCredential[1].holder-binding", ""},
		{"ok/holder, binding left out", withHolder, credChecks, 200, "presentation.holder", ""},
		{"fail/no holder, binding asked by default", noHolder, nil, 400, "presentation.proof",
			"presentation.holder,verifiableCredential[0].holder-binding,verifiableCredential[1].holder-binding"},
		{"fail/no holder, binding asked by name", noHolder, []any{"holder-binding", "proof"}, 400, "presentation.proof",
			"presentation.holder,verifiableCredential[0].holder-binding,verifiableCredential[1].holder-binding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := map[string]any{"challenge": ch, "domain": dom}
			if tt.checks != nil {
				opts["checks"] = tt.checks
			}
			code, res := verifyVP(t, e.f, tt.vp, opts)
			if code != tt.wantCode || names(res.Errors) != tt.wantErrors {
				t.Fatalf("%d errors %q, want %d %q: %+v", code, names(res.Errors), tt.wantCode, tt.wantErrors, res)
			}
			if !strings.Contains(","+strings.Join(res.Checks, ",")+",", ","+tt.wantCheck+",") {
				t.Errorf("checks %v lack %s", res.Checks, tt.wantCheck)
			}
			if tt.checks != nil && !containsAny(tt.checks, "holder-binding") {
				for _, c := range res.Checks {
					if strings.HasSuffix(c, "holder-binding") {
						t.Errorf("holder binding ran though not asked for: %v", res.Checks)
					}
				}
			}
		})
	}
	if code, _ := verifyVP(t, e.f, withHolder, map[string]any{"challenge": ch, "checks": []any{"magic"}}); code != 400 {
		t.Errorf("unknown check: %d", code)
	}
}

func containsAny(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestVCAPIPresentationEnveloped: a VC-JOSE-COSE presentation
// (EnvelopedVerifiablePresentation, data:application/vp+jwt) holding an
// EnvelopedVerifiableCredential verifies, bound to challenge and domain.
func TestVCAPIPresentationEnveloped(t *testing.T) {
	e := newPresentationEnv(t)
	const ch, dom = "c-4712", "https://verifier.example"
	_, env, err := jose.SignEnvelopedPresentation(vpOf(e.holder.did, e.env, e.ldp), e.holder.key, e.holder.vm, dom, ch, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, res := verifyVP(t, e.f, env, map[string]any{"challenge": ch, "domain": dom}); code != 200 || !res.Verified || len(res.Warnings) != 0 {
		t.Errorf("enveloped presentation: %d %+v", code, res)
	}
	if code, res := verifyVP(t, e.f, env, map[string]any{"challenge": "another", "domain": dom}); code != 400 || names(res.Errors) != "presentation.proof" {
		t.Errorf("wrong challenge: %d %+v", code, res)
	}
	bad := map[string]any{"@context": credential.ContextVCv2, "type": "EnvelopedVerifiablePresentation", "id": "data:text/plain,hello"}
	if code, res := verifyVP(t, e.f, bad, map[string]any{"challenge": ch}); code != 400 || names(res.Errors) != "presentation.format" {
		t.Errorf("bad envelope: %d %+v", code, res)
	}
}

// TestVCAPIPresentationJWTAudience: a VP-JWT is checked against
// options.domain when no audience is given, and without either its aud is
// reported as unchecked, in a warning, not refused.
func TestVCAPIPresentationJWTAudience(t *testing.T) {
	e := newPresentationEnv(t)
	const ch, dom = "c-4713", "https://verifier.example"
	tok, err := jose.SignPresentation(vpOf(e.holder.did, e.env), e.holder.key, e.holder.vm, dom, ch, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		opts         map[string]any
		wantCode     int
		wantWarnings string
		wantErrors   string
	}{
		{"ok/domain as the audience", map[string]any{"challenge": ch, "domain": dom}, 200, "", ""},
		{"ok/audience given", map[string]any{"challenge": ch, "audience": dom}, 200, "", ""},
		{"ok/no audience expected: a warning", map[string]any{"challenge": ch}, 200, "presentation.proof", ""},
		{"ok/no nonce nor audience expected: a warning", map[string]any{}, 200, "presentation.proof", ""},
		{"fail/another domain", map[string]any{"challenge": ch, "domain": "https://other.example"}, 400, "", "presentation.proof"},
		{"fail/another challenge", map[string]any{"challenge": "c-0", "domain": dom}, 400, "", "presentation.proof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := verifyVP(t, e.f, tok, tt.opts)
			if code != tt.wantCode || names(res.Warnings) != tt.wantWarnings || names(res.Errors) != tt.wantErrors {
				t.Fatalf("%d warnings %q errors %q, want %d %q %q: %+v", code, names(res.Warnings), names(res.Errors), tt.wantCode, tt.wantWarnings, tt.wantErrors, res)
			}
			if tt.wantWarnings != "" && !strings.Contains(res.Warnings[0].Message, "audience") {
				t.Errorf("warning %q does not say the audience was not checked", res.Warnings[0].Message)
			}
		})
	}
}
