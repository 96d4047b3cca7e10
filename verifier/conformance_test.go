package verifier_test

import (
	"context"
	"strings"
	"testing"

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
