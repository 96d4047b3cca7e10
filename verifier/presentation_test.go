package verifier_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
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
	"github.com/accolade-badges/accolade/verifier"
)

const (
	challenge = "n-0S6_WzA2Mj"
	domain    = "https://verifier.example"
)

// vpEnv holds an issuer, a holder and credentials issued to the holder.
type vpEnv struct {
	*env
	issuer, holder, other signer
	ldp                   map[string]any // DI credential about the holder
	jwt                   string         // VC-JWT about the holder
	notMine               map[string]any // DI credential about someone else
}

// newVPEnv uses the Fast canonicalizer: json-gold drops the @graph
// container of verifiableCredential (VCDM 2.0 context), so its canonical
// form of a presentation differs from RDFC-1.0's and from other
// implementations' (Digital Bazaar's vc rejects its signatures).
func newVPEnv(t testing.TB) *vpEnv {
	t.Helper()
	base := newEnv(t)
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	base.canon = di.NewFast(contexts, di.Limits{})
	base.v, err = verifier.New(verifier.Config{
		Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, Canonicalizer: base.canon,
		Schema: credential.NewSchemaValidator(contexts), ClockSkew: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &vpEnv{env: base, issuer: newSigner(t, keys.EdDSA), holder: newSigner(t, keys.EdDSA), other: newSigner(t, keys.EdDSA)}
	e.ldp = e.signDI(t, e.issuer, subjectCredential(e.issuer.did, e.holder.did, "urn:uuid:0c1d0e7a-0000-4000-8000-000000000001"))
	e.jwt, err = jose.SignCredential(subjectCredential(e.issuer.did, e.holder.did, "urn:uuid:0c1d0e7a-0000-4000-8000-000000000002"), e.issuer.key, e.issuer.vm, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.notMine = e.signDI(t, e.issuer, subjectCredential(e.issuer.did, e.other.did, "urn:uuid:0c1d0e7a-0000-4000-8000-000000000003"))
	return e
}

func subjectCredential(issuerDID, subjectDID, id string) map[string]any {
	m := obCredential(issuerDID)
	m["id"] = id
	m["credentialSubject"].(map[string]any)["id"] = subjectDID
	return m
}

func presentation(holder string, creds ...any) map[string]any {
	return map[string]any{
		"@context":             []any{credential.ContextVCv2},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               holder,
		"verifiableCredential": creds,
	}
}

// signVP signs a presentation with s for authentication.
func (e *vpEnv) signVP(t testing.TB, s signer, vp map[string]any, opts di.Options) map[string]any {
	t.Helper()
	if opts.VerificationMethod == "" {
		opts.VerificationMethod = s.vm
	}
	if opts.ProofPurpose == "" {
		opts.ProofPurpose = di.PurposeAuthentication
	}
	out, err := (&di.Signer{Canonicalizer: e.canon}).Sign(context.Background(), roundTrip(t, vp), s.key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// roundTrip gives a document the shape encoding/json decoding gives it.
func roundTrip(t testing.TB, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func vpSummary(r *verifier.PresentationReport) string {
	var parts []string
	for _, c := range r.Checks {
		parts = append(parts, c.Name+"="+c.Status)
	}
	for i, c := range r.Credentials {
		parts = append(parts, "vc"+string(rune('0'+i))+"{"+summary(c)+"}")
	}
	return strings.Join(parts, " ")
}

func vpStatus(r *verifier.PresentationReport, name string) string {
	c, ok := r.Check(name)
	if !ok {
		return "absent"
	}
	return c.Status
}

func TestVerifyPresentationDI(t *testing.T) {
	e := newVPEnv(t)
	vp := e.signVP(t, e.holder, presentation(e.holder.did, e.ldp, jose.Envelope(e.jwt)), di.Options{Challenge: challenge, Domain: domain, ProofObject: true})
	rep := e.v.VerifyPresentation(context.Background(), vp, verifier.PresentationOptions{Challenge: challenge, Domain: domain})
	if !rep.Verified || rep.Format != verifier.FormatLDPVP || rep.Holder != e.holder.did || len(rep.Credentials) != 2 {
		t.Fatalf("DI presentation: %s", vpSummary(rep))
	}
	for _, name := range verifier.PresentationChecks {
		if vpStatus(rep, name) != verifier.Passed {
			t.Errorf("%s: %s", name, vpSummary(rep))
		}
	}
	for i, c := range rep.Credentials {
		if status(c, verifier.CheckHolderBinding) != verifier.Passed || status(c, "proof") != verifier.Passed {
			t.Errorf("credential %d: %s", i, summary(c))
		}
	}
	if rep.Credentials[1].Format != "jwt_vc" {
		t.Errorf("enveloped credential verified as %s", rep.Credentials[1].Format)
	}
	// The same presentation as JSON text.
	b, _ := json.Marshal(vp)
	if rep := e.v.VerifyPresentation(context.Background(), b, verifier.PresentationOptions{Challenge: challenge, Domain: domain}); !rep.Verified {
		t.Errorf("as bytes: %s", vpSummary(rep))
	}
	// Without an expected challenge it verifies, with a warning.
	rep = e.v.VerifyPresentation(context.Background(), vp, verifier.PresentationOptions{})
	if !rep.Verified || vpStatus(rep, verifier.CheckPresentationProof) != verifier.Warning {
		t.Errorf("no challenge expected: %s", vpSummary(rep))
	}
}

func TestVerifyPresentationJWT(t *testing.T) {
	e := newVPEnv(t)
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			h := newSigner(t, alg)
			cred, err := jose.SignCredential(subjectCredential(e.issuer.did, h.did, "urn:uuid:0c1d0e7a-0000-4000-8000-000000000009"), e.issuer.key, e.issuer.vm, jose.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ldp := e.signDI(t, e.issuer, subjectCredential(e.issuer.did, h.did, "urn:uuid:0c1d0e7a-0000-4000-8000-00000000000a"))
			vp := map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"}, "verifiableCredential": []any{cred, ldp}}
			tok, err := jose.SignPresentation(vp, h.key, h.vm, domain, challenge, time.Now(), 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			rep := e.v.VerifyPresentation(context.Background(), tok, verifier.PresentationOptions{Nonce: challenge, Audience: domain})
			if !rep.Verified || rep.Format != verifier.FormatJWTVP || rep.Holder != h.did || len(rep.Credentials) != 2 {
				t.Fatalf("VP-JWT: %s", vpSummary(rep))
			}
			// VC-API callers pass challenge and domain for either form.
			if rep := e.v.VerifyPresentation(context.Background(), []byte(`"`+tok+`"`), verifier.PresentationOptions{Challenge: challenge, Domain: domain}); !rep.Verified {
				t.Errorf("challenge/domain as nonce/aud: %s", vpSummary(rep))
			}
			env := map[string]any{"@context": credential.ContextVCv2, "type": "EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt," + tok}
			if rep := e.v.VerifyPresentation(context.Background(), env, verifier.PresentationOptions{Challenge: challenge, Domain: domain}); !rep.Verified {
				t.Errorf("enveloped presentation: %s", vpSummary(rep))
			}
		})
	}
}

func TestVerifyPresentationRefusals(t *testing.T) {
	e := newVPEnv(t)
	good := presentation(e.holder.did, e.ldp)
	bound := di.Options{Challenge: challenge, Domain: domain}
	tampered := roundTrip(t, e.ldp)
	tampered["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Forged"
	jwtVP := func(s signer, vp map[string]any, at time.Time, ttl time.Duration) string {
		tok, err := jose.SignPresentation(vp, s.key, s.vm, domain, challenge, at, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	v1 := func(holder string, creds ...any) map[string]any {
		return map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"}, "holder": holder, "verifiableCredential": creds}
	}
	tests := []struct {
		name  string
		input func() any
		opts  verifier.PresentationOptions
		// failed names a presentation check, or "vc0.<check>" a credential's.
		failed, message string
	}{
		{"fail/replayed with another challenge", func() any { return e.signVP(t, e.holder, good, bound) },
			verifier.PresentationOptions{Challenge: "another-challenge", Domain: domain}, verifier.CheckPresentationProof, "challenge"},
		{"fail/other domain", func() any { return e.signVP(t, e.holder, good, bound) },
			verifier.PresentationOptions{Challenge: challenge, Domain: "https://evil.example"}, verifier.CheckPresentationProof, "domain"},
		{"fail/assertion proof", func() any {
			return e.signVP(t, e.holder, good, di.Options{Challenge: challenge, ProofPurpose: di.PurposeAssertion})
		}, verifier.PresentationOptions{Challenge: challenge}, verifier.CheckPresentationProof, "authentication"},
		{"fail/expired DI proof", func() any {
			return e.signVP(t, e.holder, good, di.Options{Challenge: challenge, Expires: time.Now().Add(-time.Hour)})
		}, verifier.PresentationOptions{Challenge: challenge}, verifier.CheckPresentationProof, "expired"},
		{"fail/someone else's credential", func() any { return e.signVP(t, e.holder, presentation(e.holder.did, e.notMine), bound) },
			verifier.PresentationOptions{Challenge: challenge, Domain: domain}, "vc0." + verifier.CheckHolderBinding, "not the holder"},
		{"fail/tampered credential in a validly signed presentation", func() any {
			return e.signVP(t, e.holder, presentation(e.holder.did, tampered), bound)
		}, verifier.PresentationOptions{Challenge: challenge, Domain: domain}, "vc0.proof", "altered"},
		{"fail/presentation altered after signing", func() any {
			vp := e.signVP(t, e.holder, presentation(e.holder.did, e.ldp, e.notMine), bound)
			vp["verifiableCredential"] = []any{e.ldp}
			return vp
		}, verifier.PresentationOptions{Challenge: challenge, Domain: domain}, verifier.CheckPresentationProof, "altered"},
		{"fail/signed by someone other than the holder", func() any { return e.signVP(t, e.other, good, bound) },
			verifier.PresentationOptions{Challenge: challenge, Domain: domain}, verifier.CheckPresentationHolder, "does not belong to holder"},
		{"fail/no holder", func() any {
			vp := presentation("", e.ldp)
			delete(vp, "holder")
			return e.signVP(t, e.holder, vp, bound)
		}, verifier.PresentationOptions{Challenge: challenge}, verifier.CheckPresentationHolder, "names no holder"},
		{"fail/not a presentation", func() any { return e.ldp }, verifier.PresentationOptions{}, verifier.CheckPresentationFormat, "VerifiablePresentation"},
		{"fail/jwt string in a DI presentation", func() any { return e.signVP(t, e.holder, presentation(e.holder.did, e.jwt), bound) },
			verifier.PresentationOptions{Challenge: challenge}, verifier.CheckPresentationFormat, "EnvelopedVerifiableCredential"},
		{"fail/garbage", func() any { return []byte("{nope") }, verifier.PresentationOptions{}, verifier.CheckPresentationFormat, "not a presentation"},
		{"fail/expired VP-JWT", func() any { return jwtVP(e.holder, v1(e.holder.did, e.jwt), time.Now().Add(-time.Hour), 5*time.Minute) },
			verifier.PresentationOptions{Nonce: challenge, Audience: domain}, verifier.CheckPresentationProof, "expired"},
		{"fail/VP-JWT replayed with another nonce", func() any { return jwtVP(e.holder, v1(e.holder.did, e.jwt), time.Now(), time.Minute) },
			verifier.PresentationOptions{Nonce: "another", Audience: domain}, verifier.CheckPresentationProof, "nonce"},
		{"fail/VP-JWT for another audience", func() any { return jwtVP(e.holder, v1(e.holder.did, e.jwt), time.Now(), time.Minute) },
			verifier.PresentationOptions{Nonce: challenge, Audience: "https://evil.example"}, verifier.CheckPresentationProof, "audience"},
		{"fail/VP-JWT with someone else's credential", func() any { return jwtVP(e.holder, v1(e.holder.did, e.notMine), time.Now(), time.Minute) },
			verifier.PresentationOptions{Nonce: challenge, Audience: domain}, "vc0." + verifier.CheckHolderBinding, "not the holder"},
		{"fail/VP-JWT signed with another DID's key", func() any {
			tok, err := jose.SignPresentation(v1(e.holder.did, e.jwt), e.other.key, e.other.vm, domain, challenge, time.Now(), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, verifier.PresentationOptions{Nonce: challenge, Audience: domain}, verifier.CheckPresentationHolder, "does not belong to holder"},
		{"fail/bearer credential", func() any {
			m := obCredential(e.issuer.did)
			delete(m["credentialSubject"].(map[string]any), "id")
			m["credentialSubject"].(map[string]any)["identifier"] = []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "a@example.org"}}
			return e.signVP(t, e.holder, presentation(e.holder.did, e.signDI(t, e.issuer, m)), bound)
		}, verifier.PresentationOptions{Challenge: challenge, Domain: domain, BearerCredentials: verifier.BearerReject}, "vc0." + verifier.CheckHolderBinding, "not applicable: bearer credential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.v.VerifyPresentation(context.Background(), tt.input(), tt.opts)
			if rep.Verified {
				t.Fatalf("verified: %s", vpSummary(rep))
			}
			var c verifier.Check
			var ok bool
			if name, found := strings.CutPrefix(tt.failed, "vc0."); found {
				if len(rep.Credentials) == 0 {
					t.Fatalf("no credential reports: %s", vpSummary(rep))
				}
				c, ok = rep.Credentials[0].Check(name)
				for _, name := range verifier.PresentationChecks {
					if vpStatus(rep, name) == verifier.Failed {
						t.Errorf("presentation check %s failed too: %s", name, vpSummary(rep))
					}
				}
			} else {
				c, ok = rep.Check(tt.failed)
			}
			if !ok || c.Status != verifier.Failed || !strings.Contains(c.Message, tt.message) {
				t.Errorf("%s = %+v, want failed mentioning %q: %s", tt.failed, c, tt.message, vpSummary(rep))
			}
		})
	}
}

// TestPresentationHolderForms accepts holder given as an object with an id,
// and a did:jwk holder whose VP-JWT names its key by DID URL or bare DID.
func TestPresentationHolderForms(t *testing.T) {
	e := newVPEnv(t)
	vp := presentation("", e.ldp)
	vp["holder"] = map[string]any{"id": e.holder.did}
	signed := e.signVP(t, e.holder, vp, di.Options{Challenge: challenge})
	if rep := e.v.VerifyPresentation(context.Background(), signed, verifier.PresentationOptions{Challenge: challenge}); !rep.Verified {
		t.Errorf("holder object: %s", vpSummary(rep))
	}

	k, err := keys.Generate(keys.ES256, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jd, err := did.JWKDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := jose.SignCredential(subjectCredential(e.issuer.did, jd, "urn:uuid:0c1d0e7a-0000-4000-8000-00000000000b"), e.issuer.key, e.issuer.vm, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, kid := range []string{jd + "#0", jd} {
		tok, err := jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"}, "holder": jd, "verifiableCredential": []any{cred}},
			k, kid, domain, challenge, time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if rep := e.v.VerifyPresentation(context.Background(), tok, verifier.PresentationOptions{Challenge: challenge, Domain: domain}); !rep.Verified {
			t.Errorf("did:jwk holder, kid %s: %s", kid, vpSummary(rep))
		}
	}
}

// The credentials of a presentation are verified concurrently; the reports
// must still follow the presentation's order, and only the credentials
// about someone else fail holder binding.
func TestPresentationReportsKeepOrder(t *testing.T) {
	e := newVPEnv(t)
	var creds []any
	var ids []string
	for i := range 9 {
		id := fmt.Sprintf("urn:uuid:0c1d0e7a-0000-4000-8000-%012d", 500+i)
		subject := e.holder.did
		if i == 3 || i == 7 {
			subject = e.other.did
		}
		if i%2 == 0 {
			creds = append(creds, e.signDI(t, e.issuer, subjectCredential(e.issuer.did, subject, id)))
		} else {
			tok, err := jose.SignCredential(subjectCredential(e.issuer.did, subject, id), e.issuer.key, e.issuer.vm, jose.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			creds = append(creds, jose.Envelope(tok))
		}
		ids = append(ids, id)
	}
	vp := e.signVP(t, e.holder, presentation(e.holder.did, creds...), di.Options{Challenge: challenge})
	rep := e.v.VerifyPresentation(context.Background(), vp, verifier.PresentationOptions{Challenge: challenge})
	if rep.Verified || len(rep.Credentials) != 9 {
		t.Fatalf("want a failed presentation with 9 reports: %s", vpSummary(rep))
	}
	for i, c := range rep.Credentials {
		if got, _ := c.Credential["id"].(string); got != ids[i] {
			t.Errorf("report %d is about %q, want %q", i, got, ids[i])
		}
		want := verifier.Passed
		if i == 3 || i == 7 {
			want = verifier.Failed
		}
		if got := status(c, verifier.CheckHolderBinding); got != want {
			t.Errorf("credential %d: holder binding %s, want %s", i, got, want)
		}
		if got := status(c, "proof"); got != verifier.Passed {
			t.Errorf("credential %d: proof %s", i, got)
		}
	}
}

// TestPresentationBearerCredentials presents credentials whose subject
// names no DID: holder binding is not applicable, and the verifier's
// policy (configured, or per call) decides with a warning or a failure.
func TestPresentationBearerCredentials(t *testing.T) {
	e := newVPEnv(t)
	email := []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"salt": "s1", "identityHash": "sha256$9f1cbd0e0a7a1f0d0c3e2c1b0a9f8e7d6c5b4a3928171615141312111009080a"}}
	bearer := func(mod func(cs map[string]any)) map[string]any {
		m := obCredential(e.issuer.did)
		cs := m["credentialSubject"].(map[string]any)
		delete(cs, "id")
		mod(cs)
		return e.signDI(t, e.issuer, m)
	}
	emailNoID := bearer(func(cs map[string]any) { cs["identifier"] = email })
	emailURN := bearer(func(cs map[string]any) {
		cs["identifier"] = email
		cs["id"] = "urn:uuid:0c1d0e7a-0000-4000-8000-0000000000b1"
	})
	urlSubject := bearer(func(cs map[string]any) { cs["id"] = "https://learner.example/me" })
	contexts, err := ldcontext.New(ldcontext.Config{Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	schema := credential.NewSchemaValidator(contexts)
	strict, err := verifier.New(verifier.Config{
		Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, Canonicalizer: e.canon,
		Schema: schema, ClockSkew: time.Minute, BearerCredentials: verifier.BearerReject,
	})
	if err != nil {
		t.Fatal(err)
	}
	bound := di.Options{Challenge: challenge, Domain: domain}
	tests := []struct {
		name   string
		v      *verifier.Verifier
		cred   map[string]any
		policy verifier.BearerPolicy
		want   string // the holder-binding status
	}{
		{"ok/default policy: OB email recipient, no subject id", e.v, emailNoID, "", verifier.Warning},
		{"ok/default policy: OB email recipient with a urn:uuid subject id", e.v, emailURN, "", verifier.Warning},
		{"fail/default policy: a URL subject without IdentityObject", e.v, urlSubject, "", verifier.Failed},
		{"ok/accept: a URL subject", e.v, urlSubject, verifier.BearerAccept, verifier.Warning},
		{"fail/reject per call", e.v, emailNoID, verifier.BearerReject, verifier.Failed},
		{"fail/reject configured", strict, emailURN, "", verifier.Failed},
		{"ok/configured reject, per call ob-recipients", strict, emailURN, verifier.BearerOBRecipients, verifier.Warning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vp := e.signVP(t, e.holder, presentation(e.holder.did, tt.cred), bound)
			rep := tt.v.VerifyPresentation(context.Background(), vp, verifier.PresentationOptions{Challenge: challenge, Domain: domain, BearerCredentials: tt.policy})
			if len(rep.Credentials) != 1 {
				t.Fatalf("reports: %s", vpSummary(rep))
			}
			c, ok := rep.Credentials[0].Check(verifier.CheckHolderBinding)
			if !ok || c.Status != tt.want || !strings.HasPrefix(c.Message, "not applicable: bearer credential") {
				t.Fatalf("holder-binding = %+v, want %s, not applicable: %s", c, tt.want, vpSummary(rep))
			}
			if rep.Verified != (tt.want == verifier.Warning) {
				t.Errorf("verified = %v: %s", rep.Verified, vpSummary(rep))
			}
		})
	}
	if _, err := verifier.New(verifier.Config{Resolver: did.KeyResolver{}, Canonicalizer: e.canon, Schema: schema, BearerCredentials: "sometimes"}); err == nil {
		t.Error("an unknown bearer policy was accepted")
	}
}
