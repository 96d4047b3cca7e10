package verifier_test

import (
	"context"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/verifier"
)

// TestPresentationWithoutHolder: VCDM 2.0 makes holder optional. Without
// holder binding asked for, such a presentation verifies and the binding
// checks say they were skipped; asked for, it fails as before.
func TestPresentationWithoutHolder(t *testing.T) {
	e := newVPEnv(t)
	vp := presentation(e.holder.did, e.ldp)
	delete(vp, "holder")
	signed := e.signVP(t, e.holder, vp, di.Options{Challenge: challenge, Domain: domain})
	ctx := context.Background()

	rep := e.v.VerifyPresentation(ctx, signed, verifier.PresentationOptions{Challenge: challenge, Domain: domain, SkipHolderBinding: true})
	if !rep.Verified || vpStatus(rep, verifier.CheckPresentationHolder) != verifier.Skipped {
		t.Fatalf("binding not asked: %s", vpSummary(rep))
	}
	if c, _ := rep.Credentials[0].Check(verifier.CheckHolderBinding); c.Status != verifier.Skipped {
		t.Errorf("holder-binding %+v, want skipped", c)
	}

	rep = e.v.VerifyPresentation(ctx, signed, verifier.PresentationOptions{Challenge: challenge, Domain: domain})
	if rep.Verified || vpStatus(rep, verifier.CheckPresentationHolder) != verifier.Failed {
		t.Errorf("binding asked: %s", vpSummary(rep))
	}
}

// TestPresentationSkipHolderBindingKeepsOtherChecks: leaving binding out
// does not leave out the proof: a credential about someone else still
// verifies as a credential, a tampered presentation still fails.
func TestPresentationSkipHolderBindingKeepsOtherChecks(t *testing.T) {
	e := newVPEnv(t)
	ctx := context.Background()
	signed := e.signVP(t, e.holder, presentation(e.holder.did, e.notMine), di.Options{Challenge: challenge, Domain: domain})
	if rep := e.v.VerifyPresentation(ctx, signed, verifier.PresentationOptions{Challenge: challenge, Domain: domain, SkipHolderBinding: true}); !rep.Verified {
		t.Errorf("someone else's credential, binding not asked: %s", vpSummary(rep))
	}
	if rep := e.v.VerifyPresentation(ctx, signed, verifier.PresentationOptions{Challenge: challenge, Domain: domain}); rep.Verified {
		t.Errorf("someone else's credential, binding asked: %s", vpSummary(rep))
	}
	if rep := e.v.VerifyPresentation(ctx, signed, verifier.PresentationOptions{Challenge: "other", Domain: domain, SkipHolderBinding: true}); rep.Verified {
		t.Errorf("wrong challenge: %s", vpSummary(rep))
	}
}

// TestPresentationJWTNoAudience: with no audience (nor domain) expected, a
// VP-JWT's proof passes with a warning instead of failing.
func TestPresentationJWTNoAudience(t *testing.T) {
	e := newVPEnv(t)
	vp := presentation(e.holder.did, jose.Envelope(e.jwt))
	tok, err := jose.SignPresentation(vp, e.holder.key, e.holder.vm, domain, challenge, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rep := e.v.VerifyPresentation(ctx, tok, verifier.PresentationOptions{Challenge: challenge})
	if !rep.Verified || vpStatus(rep, verifier.CheckPresentationProof) != verifier.Warning {
		t.Fatalf("no audience: %s", vpSummary(rep))
	}
	if rep := e.v.VerifyPresentation(ctx, tok, verifier.PresentationOptions{Challenge: challenge, Domain: "https://other.example"}); rep.Verified {
		t.Errorf("another domain: %s", vpSummary(rep))
	}
	if rep := e.v.VerifyPresentation(ctx, tok, verifier.PresentationOptions{Challenge: challenge, Domain: domain}); !rep.Verified || vpStatus(rep, verifier.CheckPresentationProof) != verifier.Passed {
		t.Errorf("domain as audience: %s", vpSummary(rep))
	}
}

// TestPresentationWithoutHolderBearer: in a presentation without holder, a
// bearer credential's binding is "not applicable" and the bearer policy
// decides, as with a holder; a DID-bound credential cannot be bound.
func TestPresentationWithoutHolderBearer(t *testing.T) {
	e := newVPEnv(t)
	m := obCredential(e.issuer.did)
	cs := m["credentialSubject"].(map[string]any)
	delete(cs, "id")
	cs["identifier"] = []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"salt": "s1", "identityHash": "sha256$9f1cbd0e0a7a1f0d0c3e2c1b0a9f8e7d6c5b4a3928171615141312111009080a"}}
	bearer := e.signDI(t, e.issuer, m)
	vp := presentation("", bearer, e.ldp)
	delete(vp, "holder")
	signed := e.signVP(t, e.holder, vp, di.Options{Challenge: challenge, Domain: domain})
	rep := e.v.VerifyPresentation(context.Background(), signed, verifier.PresentationOptions{Challenge: challenge, Domain: domain})
	if len(rep.Credentials) != 2 {
		t.Fatalf("reports: %s", vpSummary(rep))
	}
	if c, _ := rep.Credentials[0].Check(verifier.CheckHolderBinding); c.Status != verifier.Warning {
		t.Errorf("bearer credential: %+v, want the policy's warning", c)
	}
	if c, _ := rep.Credentials[1].Check(verifier.CheckHolderBinding); c.Status != verifier.Failed {
		t.Errorf("DID-bound credential: %+v, want failed", c)
	}
}
