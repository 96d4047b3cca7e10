package verifier_test

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/httpguard"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/verifier"
)

// A credential with a proof set: the issuer's proof and a co-signer's
// (VC Data Integrity 1.0 §4.5). Every proof must verify, and the issuer
// check looks for an assertionMethod proof by the issuer, wherever it sits
// in the set.
func TestVerifyProofSetIssuer(t *testing.T) {
	e := newEnv(t)
	iss := newSigner(t, keys.EdDSA)
	co := newSigner(t, keys.EdDSA)
	ctx := context.Background()

	coFirst := e.signDI(t, iss, e.signDI(t, co, obCredential(iss.did)))
	issuerFirst := e.signDI(t, co, e.signDI(t, iss, obCredential(iss.did)))
	for name, doc := range map[string]map[string]any{"co-signer first": coFirst, "issuer first": issuerFirst} {
		t.Run(name, func(t *testing.T) {
			rep := e.v.Verify(ctx, doc, verifier.Options{})
			if !rep.Verified || status(rep, "issuer") != "passed" {
				t.Fatalf("want verified with issuer passed: %s %+v", summary(rep), rep.Checks)
			}
			if rep.ProofMethod != iss.vm {
				t.Errorf("verificationMethod %q, want the issuer's %q", rep.ProofMethod, iss.vm)
			}
			c, _ := rep.Check("proof")
			if !strings.Contains(c.Message, "2 proofs") {
				t.Errorf("proof message %q does not say both proofs verified", c.Message)
			}
		})
	}

	t.Run("fail/co-signer's proof bad", func(t *testing.T) {
		doc := e.signDI(t, co, e.signDI(t, iss, obCredential(iss.did)))
		doc["proof"].([]any)[1].(map[string]any)["created"] = "2020-01-01T00:00:00Z"
		rep := e.v.Verify(ctx, doc, verifier.Options{})
		if rep.Verified || status(rep, "proof") != "failed" {
			t.Fatalf("one bad proof in the set must fail the proof check: %s", summary(rep))
		}
		if c, _ := rep.Check("proof"); !strings.Contains(c.Message, co.vm) {
			t.Errorf("proof message %q does not name the failing proof's key %s", c.Message, co.vm)
		}
	})
	t.Run("fail/only co-signers", func(t *testing.T) {
		other := newSigner(t, keys.EdDSA)
		doc := e.signDI(t, other, e.signDI(t, co, obCredential(iss.did)))
		rep := e.v.Verify(ctx, doc, verifier.Options{})
		if rep.Verified || status(rep, "issuer") != "failed" {
			t.Fatalf("no proof by the issuer: %s", summary(rep))
		}
	})
	t.Run("fail/issuer key, other purpose", func(t *testing.T) {
		// The issuer's proof for authentication does not make it the
		// issuer's assertion; the proof check refuses the purpose.
		doc := e.signDI(t, co, obCredential(iss.did))
		doc = signWithPurpose(t, e, iss, doc, "authentication")
		rep := e.v.Verify(ctx, doc, verifier.Options{})
		if rep.Verified {
			t.Fatalf("verified: %s", summary(rep))
		}
	})
}

func signWithPurpose(t testing.TB, e *env, s signer, doc map[string]any, purpose string) map[string]any {
	t.Helper()
	out, err := (&di.Signer{Canonicalizer: e.canon}).Sign(context.Background(), doc, s.key, di.Options{VerificationMethod: s.vm, ProofPurpose: purpose})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifyVCDMShape: VCDM 2.0 MUSTs fail the format check by name, which
// runs whatever checks the caller asked for (VC-API options.checks).
func TestVerifyVCDMShape(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	ctx := context.Background()
	tests := []struct {
		name  string
		patch func(m map[string]any)
		field string // named in the format check's message
	}{
		{"issuer null", func(m map[string]any) { m["issuer"] = nil }, "issuer"},
		{"credentialSubject empty", func(m map[string]any) { m["credentialSubject"] = map[string]any{} }, "credentialSubject"},
		{"validUntil before validFrom", func(m map[string]any) { m["validUntil"] = "2025-05-31T23:59:59Z" }, "validUntil"},
		{"termsOfUse without type", func(m map[string]any) { m["termsOfUse"] = map[string]any{"id": "https://example.org/tou"} }, "termsOfUse.type"},
		{"evidence without type", func(m map[string]any) { m["evidence"] = []any{map[string]any{"id": "https://example.org/ev/1"}} }, "evidence[0].type"},
		{"refreshService without type", func(m map[string]any) { m["refreshService"] = map[string]any{"id": "https://example.org/refresh"} }, "refreshService.type"},
		{"credentialSchema without type", func(m map[string]any) {
			m["credentialSchema"] = []any{map[string]any{"id": "https://example.org/schema.json"}}
		}, "credentialSchema[0].type"},
		{"credentialStatus without type", func(m map[string]any) { m["credentialStatus"] = map[string]any{"id": "https://example.org/status#1"} }, "credentialStatus.type"},
	}
	for _, tt := range tests {
		m := obCredential(ed.did)
		tt.patch(m)
		signed := e.signDI(t, ed, m)
		for _, checks := range [][]string{nil, {"proof"}} {
			t.Run(tt.name+"/checks "+strings.Join(checks, ","), func(t *testing.T) {
				rep := e.v.Verify(ctx, signed, verifier.Options{Checks: checks})
				c, _ := rep.Check("format")
				if rep.Verified || c.Status != "failed" || !strings.Contains(c.Message, tt.field+":") {
					t.Errorf("want format failed naming %s: %s %+v", tt.field, summary(rep), rep.Checks)
				}
			})
		}
	}
}

// TestVerifyRelatedResource: each relatedResource is fetched through the
// guarded client and its digestSRI / digestMultibase checked (VCDM 2.0
// §5.3).
func TestVerifyRelatedResource(t *testing.T) {
	body := []byte(`{"@context": {"ex": "https://example.org/#"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/resource.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := httpguard.New(httpguard.Options{AllowLoopback: true})
	e := newEnvWith(t, func(c *verifier.Config) {
		c.FetchRelatedResource = func(ctx context.Context, url string) ([]byte, error) {
			b, _, err := httpguard.Get(ctx, client, url, "", 1<<20)
			return b, err
		}
	})
	sum256 := sha256.Sum256(body)
	sum384 := sha512.Sum384(body)
	sri := "sha384-" + base64.StdEncoding.EncodeToString(sum384[:])
	multibase := "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, sum256[:]...))
	wrongSRI := "sha384-" + base64.StdEncoding.EncodeToString(make([]byte, 48))
	wrongMultibase := "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, make([]byte, 32)...))
	url := srv.URL + "/resource.json"
	ed := newSigner(t, keys.EdDSA)
	ctx := context.Background()
	tests := []struct {
		name    string
		related any // nil: none
		status  string
		message string
	}{
		{"ok/none", nil, "passed", "no related resources"},
		{"ok/digestSRI", []any{map[string]any{"id": url, "digestSRI": sri}}, "passed", "1 related resource"},
		{"ok/digestMultibase", []any{map[string]any{"id": url, "digestMultibase": multibase, "mediaType": "application/json"}}, "passed", "1 related resource"},
		{"ok/both", map[string]any{"id": url, "digestSRI": sri, "digestMultibase": multibase}, "passed", "1 related resource"},
		{"fail/digestSRI mismatch", []any{map[string]any{"id": url, "digestSRI": wrongSRI}}, "failed", "digestSRI"},
		{"fail/digestMultibase mismatch", []any{map[string]any{"id": url, "digestMultibase": wrongMultibase}}, "failed", "digestMultibase"},
		{"fail/second of two mismatches", []any{map[string]any{"id": url, "digestSRI": sri},
			map[string]any{"id": url + "?v=2", "digestSRI": wrongSRI}}, "failed", "relatedResource[1]"},
		{"fail/not found", []any{map[string]any{"id": srv.URL + "/gone.json", "digestSRI": sri}}, "failed", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := obCredential(ed.did)
			if tt.related != nil {
				m["relatedResource"] = tt.related
			}
			rep := e.v.Verify(ctx, e.signDI(t, ed, m), verifier.Options{})
			c, ok := rep.Check("relatedResource")
			if !ok || c.Status != tt.status || !strings.Contains(c.Message, tt.message) {
				t.Fatalf("relatedResource check %+v (ran %v), want %s mentioning %q: %s", c, ok, tt.status, tt.message, summary(rep))
			}
			if rep.Verified != (tt.status == "passed") {
				t.Errorf("verified %v: %s", rep.Verified, summary(rep))
			}
		})
	}

	t.Run("skipped/fetching not enabled", func(t *testing.T) {
		m := obCredential(ed.did)
		m["relatedResource"] = []any{map[string]any{"id": url, "digestSRI": sri}}
		rep := newEnv(t).v.Verify(ctx, e.signDI(t, ed, m), verifier.Options{})
		if status(rep, "relatedResource") != "skipped" {
			t.Errorf("%s", summary(rep))
		}
	})
	t.Run("fail/loopback refused by the production guard", func(t *testing.T) {
		strict := httpguard.New(httpguard.Options{})
		e := newEnvWith(t, func(c *verifier.Config) {
			c.FetchRelatedResource = func(ctx context.Context, url string) ([]byte, error) {
				b, _, err := httpguard.Get(ctx, strict, url, "", 1<<20)
				return b, err
			}
		})
		m := obCredential(ed.did)
		m["relatedResource"] = []any{map[string]any{"id": url, "digestSRI": sri}}
		rep := e.v.Verify(ctx, e.signDI(t, ed, m), verifier.Options{})
		if status(rep, "relatedResource") != "failed" {
			t.Errorf("%s", summary(rep))
		}
	})
}
