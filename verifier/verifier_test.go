package verifier_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
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

type env struct {
	v     *verifier.Verifier
	canon di.Canonicalizer
	docs  map[string][]byte // controller documents served for https key URLs
}

func newEnv(t testing.TB) *env { return newEnvWith(t, nil) }

// newEnvWith is newEnv with the verifier's configuration changed by mod.
func newEnvWith(t testing.TB, mod func(*verifier.Config)) *env {
	t.Helper()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{canon: di.NewFast(contexts, di.Limits{}), docs: map[string][]byte{}}
	cfg := verifier.Config{
		Resolver:      did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}},
		Canonicalizer: e.canon,
		Schema:        credential.NewSchemaValidator(contexts),
		ClockSkew:     time.Minute,
		FetchKeyDocument: func(_ context.Context, url string) ([]byte, error) {
			if b, ok := e.docs[url]; ok {
				return b, nil
			}
			return nil, fmt.Errorf("no document at %s", url)
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	e.v, err = verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func status(rep *verifier.Report, name string) string {
	c, ok := rep.Check(name)
	if !ok {
		return "absent"
	}
	return c.Status
}

func summary(rep *verifier.Report) string {
	var parts []string
	for _, c := range rep.Checks {
		parts = append(parts, c.Name+"="+c.Status)
	}
	return strings.Join(parts, " ")
}

// obCredential builds an unsigned OB 3.0 credential issued by issuerDID.
func obCredential(issuerDID string) map[string]any {
	vc := credential.AchievementCredential{
		Context:   []any{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
		ID:        "urn:uuid:2f4a0b1e-8f5c-4c8e-9a55-3d3c2a1b0c9d",
		Type:      []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential},
		Name:      "Go Concurrency",
		Issuer:    credential.Profile{ID: issuerDID, Type: []string{credential.TypeProfile}, Name: "Example Academy"},
		ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		CredentialSubject: credential.AchievementSubject{
			ID:   "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
			Type: []string{credential.TypeAchievementSubject},
			Achievement: credential.Achievement{ID: "https://badges.example.org/achievements/go", Type: []string{credential.TypeAchievement},
				Name: "Go", Description: "Go concurrency", Criteria: credential.Criteria{Narrative: "Pass the lab."}},
		},
		CredentialSchema: []credential.CredentialSchema{{ID: credential.SchemaAchievementCredential, Type: credential.SchemaType1EdTech}},
	}
	m, _ := credential.AsMap(vc)
	return m
}

type signer struct {
	key *keys.Key
	did string
	vm  string
}

func newSigner(t testing.TB, alg keys.Alg) signer {
	t.Helper()
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return signer{key: k, did: d, vm: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

func (e *env) signDI(t testing.TB, s signer, doc map[string]any) map[string]any {
	t.Helper()
	out, err := (&di.Signer{Canonicalizer: e.canon}).Sign(context.Background(), doc, s.key, di.Options{VerificationMethod: s.vm})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifySchemaUnavailableIsSkipped: a verifier whose loader lacks the OB
// JSON Schema (a fresh install offline) still verifies an OB credential that
// passes the model checks, and reports the schema check as skipped with the
// reason and how to add the schema, not as a failure.
func TestVerifySchemaUnavailableIsSkipped(t *testing.T) {
	sharedtest.Bundled(t)
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	canon := di.NewFast(contexts, di.Limits{})
	v, err := verifier.New(verifier.Config{
		Resolver:      did.Multi{"key": did.KeyResolver{}},
		Canonicalizer: canon,
		Schema:        credential.NewSchemaValidator(contexts),
		ClockSkew:     time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	ed := newSigner(t, keys.EdDSA)
	signed, err := (&di.Signer{Canonicalizer: canon}).Sign(context.Background(), obCredential(ed.did), ed.key, di.Options{VerificationMethod: ed.vm})
	if err != nil {
		t.Fatal(err)
	}
	rep := v.Verify(context.Background(), signed, verifier.Options{})
	if !rep.Verified || status(rep, "schema") != "skipped" || status(rep, "proof") != "passed" {
		t.Fatalf("got %s, want verified with schema skipped", summary(rep))
	}
	for _, c := range rep.Checks {
		if c.Name == "schema" && (!strings.Contains(c.Message, "not available here") || !strings.Contains(c.Message, "accolade contexts import")) {
			t.Errorf("schema message %q does not say why and how", c.Message)
		}
	}
	// A credential that fails the model checks still fails, schema or not.
	bad := obCredential(ed.did)
	delete(bad["credentialSubject"].(map[string]any), "achievement")
	rep = v.Verify(context.Background(), bad, verifier.Options{Checks: []string{"schema"}})
	if status(rep, "schema") != "failed" {
		t.Errorf("model check failure: got %s", summary(rep))
	}
}

func TestVerifyOurOwnCredentials(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	signed := e.signDI(t, ed, obCredential(ed.did))
	rep := e.v.Verify(context.Background(), signed, verifier.Options{})
	// Without the OB JSON Schemas (not bundled: no npm package) the schema
	// check is skipped; TestVerifySchemaUnavailableIsSkipped covers that.
	wantSchema := "passed"
	if sharedtest.OBSchemaDir() == "" {
		wantSchema = "skipped"
	}
	if !rep.Verified || status(rep, "schema") != wantSchema || status(rep, "issuer") != "passed" {
		t.Fatalf("DI: %s", summary(rep))
	}
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		s := newSigner(t, alg)
		tok, err := jose.SignCredential(obCredential(s.did), s.key, s.vm, jose.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rep := e.v.Verify(context.Background(), tok, verifier.Options{})
		if !rep.Verified || rep.Format != "jwt_vc" || rep.Shape != jose.ShapeOB {
			t.Errorf("JWT %s: %s", alg, summary(rep))
		}
		// The same token as raw bytes and as JSON text.
		if rep := e.v.Verify(context.Background(), []byte(tok), verifier.Options{}); !rep.Verified {
			t.Errorf("JWT bytes: %s", summary(rep))
		}
	}
}

func TestVerifyFailures(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	other := newSigner(t, keys.EdDSA)
	good := e.signDI(t, ed, obCredential(ed.did))
	clone := func() map[string]any {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	tests := []struct {
		name   string
		input  func() any
		failed string // the check that must fail
	}{
		{"fail/tampered name", func() any { m := clone(); m["name"] = "Forged"; return m }, "proof"},
		{"fail/tampered achievement", func() any {
			m := clone()
			m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Rust"
			return m
		}, "proof"},
		{"fail/tampered validFrom", func() any { m := clone(); m["validFrom"] = "2020-06-01T00:00:00Z"; return m }, "proof"},
		{"fail/key swapped", func() any {
			m := clone()
			p := m["proof"].([]any)[0].(map[string]any)
			p["verificationMethod"] = other.vm
			return m
		}, "proof"},
		{"fail/signed by a key that is not the issuer's", func() any { return e.signDI(t, other, obCredential(ed.did)) }, "issuer"},
		{"fail/expired", func() any {
			m := obCredential(ed.did)
			m["validUntil"] = "2025-07-01T00:00:00Z"
			return e.signDI(t, ed, m)
		}, "validity"},
		{"fail/not yet valid", func() any {
			m := obCredential(ed.did)
			m["validFrom"] = "2999-01-01T00:00:00Z"
			return e.signDI(t, ed, m)
		}, "validity"},
		{"fail/undefined term", func() any {
			m := clone()
			m["credentialSubject"].(map[string]any)["favouriteColour"] = "blue"
			return m
		}, "proof"},
		{"fail/wrong context order", func() any {
			m := clone()
			m["@context"] = []any{credential.ContextOB, credential.ContextVCv2, credential.ContextOBExtensions}
			return m
		}, "format"},
		{"fail/OB context missing", func() any {
			m := obCredential(ed.did)
			m["@context"] = []any{credential.ContextVCv2, credential.ContextOBExtensions, credential.ContextOB}
			return e.signDI(t, ed, m)
		}, "schema"},
		{"fail/garbage", func() any { return []byte("not a credential") }, "format"},
		{"fail/array", func() any { return []byte("[1,2]") }, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.v.Verify(context.Background(), tt.input(), verifier.Options{})
			if rep.Verified {
				t.Fatalf("verified: %s", summary(rep))
			}
			if status(rep, tt.failed) != "failed" {
				t.Errorf("check %s is %s, want failed: %s", tt.failed, status(rep, tt.failed), summary(rep))
			}
		})
	}
}

func TestVerifyJWTFailures(t *testing.T) {
	e := newEnv(t)
	s := newSigner(t, keys.ES256)
	tok, err := jose.SignCredential(obCredential(s.did), s.key, s.vm, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	hs := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + parts[1] + ".c2lnbmF0dXJl"
	// A signature over the same input by another key: well formed, wrong.
	otherSig, err := newSigner(t, keys.ES256).key.Sign([]byte(parts[0] + "." + parts[1]))
	if err != nil {
		t.Fatal(err)
	}
	flipped := parts[0] + "." + parts[1] + "." + b64(otherSig)
	for name, in := range map[string]struct {
		tok    string
		failed string
	}{
		"alg none":       {none, "format"},
		"alg HS256":      {hs, "format"},
		"bad signature":  {flipped, "proof"},
		"truncated":      {parts[0] + "." + parts[1], "format"},
		"payload tamper": {parts[0] + "." + parts[1][:len(parts[1])-2] + "fQ." + parts[2], "format"},
	} {
		t.Run(name, func(t *testing.T) {
			rep := e.v.Verify(context.Background(), in.tok, verifier.Options{})
			if rep.Verified || status(rep, in.failed) != "failed" {
				t.Errorf("want %s failed: %s %+v", in.failed, summary(rep), rep.Checks)
			}
		})
	}
}

func TestChecksNarrowed(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	m := obCredential(ed.did)
	m["validUntil"] = "2025-07-01T00:00:00Z"
	signed := e.signDI(t, ed, m)
	rep := e.v.Verify(context.Background(), signed, verifier.Options{Checks: []string{"proof"}})
	if !rep.Verified || len(rep.Checks) != 2 {
		t.Errorf("only format and proof should run: %s", summary(rep))
	}
}

func TestUnknownStatusEntryIsAWarning(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	m := obCredential(ed.did)
	m["credentialStatus"] = map[string]any{"id": "https://example.org/status/1#5", "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://example.org/status/1"}
	rep := e.v.Verify(context.Background(), e.signDI(t, ed, m), verifier.Options{})
	if status(rep, "status") != "warning" || !rep.Verified {
		t.Errorf("status entry without a checker must be a warning, never a silent pass: %s", summary(rep))
	}
}

// TestInteropOneEdTechVector verifies the OB 3.0 implementation guide's
// signed credential, made by 1EdTech's tooling, with its HTTPS key URL
// served from the controller document.
func TestInteropOneEdTechVector(t *testing.T) {
	e := newEnv(t)
	e.docs["https://example.edu/issuers/565049"] = sharedtest.ReadTestdata(t, "acceptance-data", "vectors", "ob3-impl-guide-ldp", "controller.json")
	vc := readJSON(t, sharedtest.Testdata(t, "ob3", "ldp-test-vector", "credential-signed.json"))
	rep := e.v.Verify(context.Background(), vc, verifier.Options{})
	if !rep.Verified || status(rep, "proof") != "passed" || status(rep, "issuer") != "passed" {
		t.Fatalf("1EdTech vector: %s", summary(rep))
	}
	// Its proof is a single object, which the plain-JSON schema wants as an array.
	if status(rep, "schema") != "warning" {
		t.Errorf("schema: %s", summary(rep))
	}
	vc["name"] = "Tampered"
	if rep := e.v.Verify(context.Background(), vc, verifier.Options{}); rep.Verified || status(rep, "proof") != "failed" {
		t.Errorf("tampered 1EdTech vector: %s", summary(rep))
	}
	delete(e.docs, "https://example.edu/issuers/565049")
	if rep := e.v.Verify(context.Background(), readJSON(t, sharedtest.Testdata(t, "ob3", "ldp-test-vector", "credential-signed.json")), verifier.Options{}); rep.Verified {
		t.Errorf("verified without the controller document: %s", summary(rep))
	}
}

// TestInteropDigitalBazaarVector verifies an OB credential signed by Digital
// Bazaar's vc + eddsa-rdfc-2022 libraries (interop/testdata/PROVENANCE.md).
func TestInteropDigitalBazaarVector(t *testing.T) {
	e := newEnv(t)
	vc := readJSON(t, "../interop/testdata/dbvc-signed-ob3.json")
	rep := e.v.Verify(context.Background(), vc, verifier.Options{})
	if !rep.Verified || status(rep, "proof") != "passed" || status(rep, "issuer") != "passed" {
		t.Fatalf("digitalbazaar vector: %s", summary(rep))
	}
	vc["name"] = "Tampered"
	if rep := e.v.Verify(context.Background(), vc, verifier.Options{}); status(rep, "proof") != "failed" {
		t.Errorf("tampered: %s", summary(rep))
	}
}

func TestVCDM11Credential(t *testing.T) {
	e := newEnv(t)
	ed := newSigner(t, keys.EdDSA)
	m := obCredential(ed.did)
	m["@context"] = []any{credential.ContextVCv1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/data-integrity/v2"}
	delete(m, "validFrom")
	delete(m, "credentialSchema")
	m["issuanceDate"] = "2025-06-01T00:00:00Z"
	signed := e.signDI(t, ed, m)
	rep := e.v.Verify(context.Background(), signed, verifier.Options{})
	if !rep.Verified || status(rep, "proof") != "passed" {
		t.Fatalf("VCDM 1.1 OB credential: %s", summary(rep))
	}
	// The same as a VCDM 1.1 vc-claim JWT.
	s := newSigner(t, keys.ES256)
	m["issuer"] = map[string]any{"id": s.did, "type": []any{"Profile"}, "name": "x"}
	tok := vcClaimJWT(t, s, m)
	if rep := e.v.Verify(context.Background(), tok, verifier.Options{}); !rep.Verified || rep.Shape != jose.ShapeVCClaim {
		t.Errorf("VCDM 1.1 JWT: %s %s", rep.Shape, summary(rep))
	}
}

func vcClaimJWT(t *testing.T, s signer, vc map[string]any) string {
	t.Helper()
	hdr, _ := json.Marshal(map[string]any{"alg": "ES256", "kid": s.vm, "typ": "JWT"})
	payload, _ := json.Marshal(map[string]any{"iss": s.did, "sub": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"nbf": 1748736000, "jti": vc["id"], "vc": vc})
	input := b64(hdr) + "." + b64(payload)
	sig, err := s.key.Sign([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}
