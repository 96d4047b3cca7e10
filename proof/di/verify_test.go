package di

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
)

const obVM = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"

var signTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func obKey(t testing.TB) *keys.Key {
	t.Helper()
	return keyPairKey(t, readJSON(t, "ob3", "ldp-test-vector", "keypair.json"))
}

func obUnsigned(t testing.TB) map[string]any {
	t.Helper()
	return readJSON(t, "ob3", "ldp-test-vector", "credential-unsigned.json")
}

// signOB signs the OB vector credential with suite and returns the signed
// document; opts may add to the options.
func signOB(t *testing.T, suite string, opts Options) map[string]any {
	t.Helper()
	opts.Cryptosuite = suite
	if opts.VerificationMethod == "" {
		opts.VerificationMethod = obVM
	}
	if opts.Created.IsZero() {
		opts.Created = signTime
	}
	s := &Signer{Canonicalizer: testCanon(t)}
	out, err := s.Sign(context.Background(), obUnsigned(t), obKey(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstProof(doc map[string]any) map[string]any {
	switch p := doc["proof"].(type) {
	case []any:
		return p[0].(map[string]any)
	case map[string]any:
		return p
	}
	return nil
}

func otherEd25519(t *testing.T) ed25519.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	obPub := obKey(t).Public()
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options // extra signing options
		mutate  func(doc map[string]any)
		resolve KeyResolver // default: the OB key
		want    Expect
		wantErr map[string]error // per suite; "" applies to both
	}{
		{
			name:    "ok",
			mutate:  func(map[string]any) {},
			wantErr: map[string]error{"": nil},
		},
		{
			name:    "fail/tampered name",
			mutate:  func(d map[string]any) { d["name"] = "Teamwork Badge!" },
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name:    "fail/tampered validFrom",
			mutate:  func(d map[string]any) { d["validFrom"] = "2010-01-02T00:00:00Z" },
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name: "fail/tampered achievement criteria",
			mutate: func(d map[string]any) {
				a := d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
				a["criteria"].(map[string]any)["narrative"] = "Anyone."
			},
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name:    "fail/tampered proof created",
			mutate:  func(d map[string]any) { firstProof(d)["created"] = "2024-05-06T07:08:10Z" },
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name: "fail/tampered proof verificationMethod",
			mutate: func(d map[string]any) {
				firstProof(d)["verificationMethod"] = "https://example.edu/issuers/565049#key-2"
			},
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name:    "fail/another key",
			mutate:  func(map[string]any) {},
			resolve: fixedResolver(otherEd25519(t)),
			wantErr: map[string]error{"": ErrBadSignature},
		},
		{
			name:    "fail/P-256 key for eddsa",
			mutate:  func(map[string]any) {},
			resolve: fixedResolver(&p256.PublicKey),
			wantErr: map[string]error{"": keys.ErrUnsupportedKeyType},
		},
		{
			name:    "fail/resolver error",
			mutate:  func(map[string]any) {},
			resolve: func(context.Context, string, string) (crypto.PublicKey, error) { return nil, errUnknownContext },
			wantErr: map[string]error{"": errUnknownContext},
		},
		{
			name:    "fail/undefined term added",
			mutate:  func(d map[string]any) { d["favouriteColour"] = "green" },
			wantErr: map[string]error{EdDSARDFC2022: ErrUndefinedTerm, EdDSAJCS2022: ErrBadSignature},
		},
		{
			name: "fail/undefined type added",
			mutate: func(d map[string]any) {
				d["credentialSchema"] = []any{map[string]any{
					"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
					"type": "1EdTechJsonSchemaValidator2019",
				}}
			},
			wantErr: map[string]error{EdDSARDFC2022: ErrUndefinedTerm, EdDSAJCS2022: ErrBadSignature},
		},
		{
			name: "fail/contexts swapped",
			mutate: func(d map[string]any) {
				c := d["@context"].([]any)
				d["@context"] = []any{c[1], c[0]}
			},
			// Both orders give the same RDF for this credential (the
			// contexts agree on every term they share), so the
			// eddsa-rdfc-2022 signature still holds: enforcing OB's context
			// order is the caller's context validation (VC Data Integrity
			// 1.0 §4.6), not the proof's. eddsa-jcs-2022 signs the JSON, and
			// the proof's @context no longer starts the document's.
			wantErr: map[string]error{EdDSARDFC2022: nil, EdDSAJCS2022: ErrContextMismatch},
		},
		{
			name:    "fail/proofValue base64url",
			mutate:  func(d map[string]any) { firstProof(d)["proofValue"] = "uAAAA" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/proofValue not base58",
			mutate:  func(d map[string]any) { firstProof(d)["proofValue"] = "z0OIl" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name: "fail/proofValue 63 bytes",
			mutate: func(d map[string]any) {
				firstProof(d)["proofValue"] = encodeProofValue(make([]byte, 63))
			},
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/proofValue missing",
			mutate:  func(d map[string]any) { delete(firstProof(d), "proofValue") },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/proofValue not a string",
			mutate:  func(d map[string]any) { firstProof(d)["proofValue"] = 42.0 },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/type missing",
			mutate:  func(d map[string]any) { delete(firstProof(d), "type") },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/verificationMethod missing",
			mutate:  func(d map[string]any) { delete(firstProof(d), "verificationMethod") },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/proofPurpose missing",
			mutate:  func(d map[string]any) { delete(firstProof(d), "proofPurpose") },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/created not a dateTimeStamp",
			mutate:  func(d map[string]any) { firstProof(d)["created"] = "2024-05-06 07:08:09" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/created without time zone",
			mutate:  func(d map[string]any) { firstProof(d)["created"] = "2024-05-06T07:08:09" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/wrong purpose",
			mutate:  func(map[string]any) {},
			want:    Expect{ProofPurpose: PurposeAuthentication},
			wantErr: map[string]error{"": ErrPurposeMismatch},
		},
		{
			name:    "ok/challenge and domain",
			opts:    Options{Challenge: "c-123", Domain: "https://verifier.example"},
			mutate:  func(map[string]any) {},
			want:    Expect{Challenge: "c-123", Domain: "https://verifier.example"},
			wantErr: map[string]error{"": nil},
		},
		{
			name:    "fail/wrong challenge",
			opts:    Options{Challenge: "c-123"},
			mutate:  func(map[string]any) {},
			want:    Expect{Challenge: "c-456"},
			wantErr: map[string]error{"": ErrChallengeMismatch},
		},
		{
			name:    "fail/challenge missing",
			mutate:  func(map[string]any) {},
			want:    Expect{Challenge: "c-456"},
			wantErr: map[string]error{"": ErrChallengeMismatch},
		},
		{
			name:    "fail/wrong domain",
			opts:    Options{Domain: "https://verifier.example"},
			mutate:  func(map[string]any) {},
			want:    Expect{Domain: "https://evil.example"},
			wantErr: map[string]error{"": ErrDomainMismatch},
		},
		{
			name:    "fail/domain missing",
			mutate:  func(map[string]any) {},
			want:    Expect{Domain: "https://verifier.example"},
			wantErr: map[string]error{"": ErrDomainMismatch},
		},
		{
			name:    "ok/not yet expired",
			opts:    Options{Expires: signTime.Add(time.Hour)},
			mutate:  func(map[string]any) {},
			want:    Expect{Now: signTime.Add(time.Hour)},
			wantErr: map[string]error{"": nil},
		},
		{
			name:    "fail/expired",
			opts:    Options{Expires: signTime.Add(time.Hour)},
			mutate:  func(map[string]any) {},
			want:    Expect{Now: signTime.Add(time.Hour + time.Second)},
			wantErr: map[string]error{"": ErrExpired},
		},
		{
			name:    "fail/unknown cryptosuite",
			mutate:  func(d map[string]any) { firstProof(d)["cryptosuite"] = "ecdsa-rdfc-2019" },
			wantErr: map[string]error{"": ErrUnsupportedSuite},
		},
		{
			name:    "fail/old cryptosuite name",
			mutate:  func(d map[string]any) { firstProof(d)["cryptosuite"] = "eddsa-2022" },
			wantErr: map[string]error{"": ErrUnsupportedSuite},
		},
		{
			name:    "fail/unknown proof type",
			mutate:  func(d map[string]any) { firstProof(d)["type"] = "BbsBlsSignature2020" },
			wantErr: map[string]error{"": ErrUnsupportedSuite},
		},
		{
			name:    "fail/no proof",
			mutate:  func(d map[string]any) { delete(d, "proof") },
			wantErr: map[string]error{"": ErrNoProof},
		},
		{
			name:    "fail/empty proof set",
			mutate:  func(d map[string]any) { d["proof"] = []any{} },
			wantErr: map[string]error{"": ErrNoProof},
		},
		{
			name:    "fail/proof is a string",
			mutate:  func(d map[string]any) { d["proof"] = "z123" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/proof set of a string",
			mutate:  func(d map[string]any) { d["proof"] = []any{"z123"} },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
		{
			name:    "fail/previousProof names nothing",
			mutate:  func(d map[string]any) { firstProof(d)["previousProof"] = "urn:uuid:nothing" },
			wantErr: map[string]error{"": ErrMalformedProof},
		},
	}
	for _, suite := range []string{EdDSARDFC2022, EdDSAJCS2022} {
		for _, tt := range tests {
			t.Run(suite+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				wantErr, ok := tt.wantErr[suite]
				if !ok {
					wantErr = tt.wantErr[""]
				}
				doc := signOB(t, suite, tt.opts)
				tt.mutate(doc)
				resolve := tt.resolve
				if resolve == nil {
					resolve = fixedResolver(obPub)
				}
				v := &Verifier{Canonicalizer: testCanon(t)}
				res, err := v.Verify(context.Background(), doc, resolve, tt.want)
				if wantErr == nil {
					if err != nil || !res.Verified {
						t.Fatalf("Verify = %+v, %v; want verified", res, err)
					}
					return
				}
				if !errors.Is(err, wantErr) {
					t.Fatalf("Verify error = %v, want %v", err, wantErr)
				}
				if res.Verified {
					t.Errorf("Verified = true with error %v", err)
				}
				for _, pr := range res.Proofs {
					if pr.Verified || !errors.Is(pr.Err, wantErr) {
						t.Errorf("proof result %+v, want failure %v", pr, wantErr)
					}
				}
			})
		}
	}
}

// TestVerifyProofSet checks that a set with one bad proof does not verify
// (VC Data Integrity 1.0 §4.5: every proof must), and that the result lists
// both proofs.
func TestVerifyProofSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	doc := signOB(t, EdDSARDFC2022, Options{})
	s := &Signer{Canonicalizer: testCanon(t)}
	doc, err := s.Sign(ctx, doc, obKey(t), Options{Cryptosuite: EdDSAJCS2022, VerificationMethod: obVM, Created: signTime})
	if err != nil {
		t.Fatal(err)
	}
	set := doc["proof"].([]any)
	if len(set) != 2 {
		t.Fatalf("proof set of %d, want 2", len(set))
	}
	v := &Verifier{Canonicalizer: testCanon(t)}
	if res, err := v.Verify(ctx, doc, fixedResolver(obKey(t).Public()), Expect{}); err != nil || !res.Verified {
		t.Fatalf("both proofs good: %+v, %v", res, err)
	}
	set[1].(map[string]any)["proofValue"] = encodeProofValue(make([]byte, 64))
	res, err := v.Verify(ctx, doc, fixedResolver(obKey(t).Public()), Expect{})
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("error = %v, want ErrBadSignature", err)
	}
	want := Result{Verified: false, Proofs: []ProofResult{
		{Type: TypeDataIntegrityProof, Cryptosuite: EdDSARDFC2022, VerificationMethod: obVM, ProofPurpose: PurposeAssertion, Created: signTime, Verified: true},
		{Type: TypeDataIntegrityProof, Cryptosuite: EdDSAJCS2022, VerificationMethod: obVM, ProofPurpose: PurposeAssertion, Created: signTime},
	}}
	if diff := cmp.Diff(want, res, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if !errors.Is(res.Proofs[1].Err, ErrBadSignature) {
		t.Errorf("second proof error = %v, want ErrBadSignature", res.Proofs[1].Err)
	}

	// The allow-list applies per proof.
	v.Suites = []string{EdDSAJCS2022}
	res, err = v.Verify(ctx, doc, fixedResolver(obKey(t).Public()), Expect{})
	if !errors.Is(err, ErrUnsupportedSuite) || !errors.Is(err, ErrBadSignature) || res.Verified {
		t.Errorf("with jcs only: %+v, %v; want ErrUnsupportedSuite and ErrBadSignature", res, err)
	}
}

func TestVerifyTooManyProofs(t *testing.T) {
	t.Parallel()
	doc := signOB(t, EdDSAJCS2022, Options{})
	p := firstProof(doc)
	doc["proof"] = []any{p, p, p}
	v := &Verifier{MaxProofs: 2}
	if _, err := v.Verify(context.Background(), doc, fixedResolver(obKey(t).Public()), Expect{}); !errors.Is(err, ErrTooComplex) {
		t.Fatalf("error = %v, want ErrTooComplex", err)
	}
}

// TestVerifyJCSProofContext covers EdDSA §3.3.2: the proof's @context must
// start the document's, and extra contexts may follow it.
func TestVerifyJCSProofContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := &Verifier{}
	resolve := fixedResolver(obKey(t).Public())

	doc := signOB(t, EdDSAJCS2022, Options{})
	doc["@context"] = append(doc["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
	if _, err := v.Verify(ctx, doc, resolve, Expect{}); err != nil {
		t.Errorf("context appended after signing: %v", err)
	}

	doc = signOB(t, EdDSAJCS2022, Options{})
	firstProof(doc)["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://example.org/other"}
	if _, err := v.Verify(ctx, doc, resolve, Expect{}); !errors.Is(err, ErrContextMismatch) {
		t.Errorf("error = %v, want ErrContextMismatch", err)
	}

	// Without a proof @context the document's whole @context is signed
	// (EdDSA §3.3.5 step 4): removing it changes nothing, but then no
	// context may be appended.
	doc = signOB(t, EdDSAJCS2022, Options{})
	delete(firstProof(doc), "@context")
	if _, err := v.Verify(ctx, doc, resolve, Expect{}); err != nil {
		t.Errorf("proof @context removed: %v", err)
	}
	doc["@context"] = append(doc["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
	if _, err := v.Verify(ctx, doc, resolve, Expect{}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("proof @context removed, context appended: error = %v, want ErrBadSignature", err)
	}
}

// TestVerifyWithoutCanonicalizer: eddsa-jcs-2022 needs none; the RDF suites
// report the missing dependency instead of panicking.
func TestVerifyWithoutCanonicalizer(t *testing.T) {
	t.Parallel()
	v := &Verifier{}
	resolve := fixedResolver(obKey(t).Public())
	if _, err := v.Verify(context.Background(), signOB(t, EdDSAJCS2022, Options{}), resolve, Expect{}); err != nil {
		t.Errorf("jcs: %v", err)
	}
	if _, err := v.Verify(context.Background(), signOB(t, EdDSARDFC2022, Options{}), resolve, Expect{}); !errors.Is(err, ErrUnsupportedSuite) {
		t.Errorf("rdfc: error = %v, want ErrUnsupportedSuite", err)
	}
	if _, err := v.Verify(context.Background(), signOB(t, EdDSARDFC2022, Options{}), nil, Expect{}); err == nil {
		t.Error("nil resolver: no error")
	}
}
