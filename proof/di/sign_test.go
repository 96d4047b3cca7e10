package di

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/keys"
)

func TestSignErrors(t *testing.T) {
	t.Parallel()
	p256, err := keys.Generate(keys.ES256, nil)
	if err != nil {
		t.Fatal(err)
	}
	withCredentialSchema := func(d map[string]any) {
		d["credentialSchema"] = []any{map[string]any{
			"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
			"type": "1EdTechJsonSchemaValidator2019",
		}}
	}
	tests := []struct {
		name     string
		opts     Options
		key      *keys.Key // default: the OB key
		noKey    bool
		mutate   func(d map[string]any)
		wantErrs []error
	}{
		{name: "P-256 key for eddsa-rdfc-2022", key: p256, wantErrs: []error{ErrUnsupportedSuite, keys.ErrUnsupportedKeyType}},
		{name: "P-256 key for eddsa-jcs-2022", opts: Options{Cryptosuite: EdDSAJCS2022}, key: p256, wantErrs: []error{ErrUnsupportedSuite, keys.ErrUnsupportedKeyType}},
		{name: "no key", noKey: true, wantErrs: []error{keys.ErrNoPrivateKey}},
		{name: "Ed25519Signature2020 is verify-only", opts: Options{Cryptosuite: Ed25519Signature2020}, wantErrs: []error{ErrUnsupportedSuite}},
		{name: "unknown cryptosuite", opts: Options{Cryptosuite: "eddsa-2022"}, wantErrs: []error{ErrUnsupportedSuite}},
		{name: "no verificationMethod", opts: Options{VerificationMethod: "-"}, wantErrs: []error{ErrMalformedProof}},
		{name: "relative verificationMethod", opts: Options{VerificationMethod: "key-1"}, wantErrs: []error{ErrUndefinedTerm}},
		{name: "undefined term", mutate: func(d map[string]any) { d["favouriteColour"] = "green" }, wantErrs: []error{ErrUndefinedTerm}},
		{name: "undefined type", mutate: withCredentialSchema, wantErrs: []error{ErrUndefinedTerm}},
		{name: "unknown previousProof", opts: Options{PreviousProof: []string{"urn:uuid:nothing"}}, wantErrs: []error{ErrMalformedProof}},
		{name: "proof is a string", mutate: func(d map[string]any) { d["proof"] = "x" }, wantErrs: []error{ErrMalformedProof}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := obUnsigned(t)
			if tt.mutate != nil {
				tt.mutate(doc)
			}
			key := tt.key
			if key == nil && !tt.noKey {
				key = obKey(t)
			}
			opts := tt.opts
			switch opts.VerificationMethod {
			case "":
				opts.VerificationMethod = obVM
			case "-":
				opts.VerificationMethod = ""
			}
			s := &Signer{Canonicalizer: testCanon(t)}
			out, err := s.Sign(context.Background(), doc, key, opts)
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("error = %v, want %v", err, want)
				}
			}
			if out != nil {
				t.Errorf("returned a document with error %v", err)
			}
		})
	}
}

// TestSignShape covers the emitted proof: defaults, array or object, proof
// sets, and that the input is left alone.
func TestSignShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	zone := time.FixedZone("UTC+2", 2*3600)
	s := &Signer{Canonicalizer: testCanon(t), Now: func() time.Time { return time.Date(2024, 5, 6, 9, 8, 9, 987654321, zone) }}
	doc := obUnsigned(t)
	before := jcs.Clone(doc)

	out, err := s.Sign(ctx, doc, obKey(t), Options{VerificationMethod: obVM})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, doc); diff != "" {
		t.Errorf("input changed (-before +after):\n%s", diff)
	}
	set, ok := out["proof"].([]any)
	if !ok || len(set) != 1 {
		t.Fatalf("proof = %#v, want an array of one (OB 3.0)", out["proof"])
	}
	p := set[0].(map[string]any)
	want := map[string]any{
		"type":               TypeDataIntegrityProof,
		"cryptosuite":        EdDSARDFC2022,
		"created":            "2024-05-06T07:08:09Z",
		"verificationMethod": obVM,
		"proofPurpose":       PurposeAssertion,
		"proofValue":         p["proofValue"],
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("proof (-want +got):\n%s", diff)
	}
	// The output shares nothing with the input.
	out["credentialSubject"].(map[string]any)["id"] = "did:example:changed"
	if diff := cmp.Diff(before, doc); diff != "" {
		t.Errorf("input changed through the output (-before +after):\n%s", diff)
	}

	// A second proof makes a proof set; ProofObject does not apply then.
	signed := signOB(t, EdDSARDFC2022, Options{ProofObject: true})
	signedBefore := jcs.Clone(signed)
	if _, ok := signed["proof"].(map[string]any); !ok {
		t.Fatalf("ProofObject: proof = %#v, want an object", signed["proof"])
	}
	out, err = s.Sign(ctx, signed, obKey(t), Options{Cryptosuite: EdDSAJCS2022, VerificationMethod: obVM, ProofObject: true, Challenge: "c", Domain: "d", Expires: signTime.Add(time.Hour), ID: "urn:uuid:2"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(signedBefore, signed); diff != "" {
		t.Errorf("signed input changed (-before +after):\n%s", diff)
	}
	set, ok = out["proof"].([]any)
	if !ok || len(set) != 2 {
		t.Fatalf("proof = %#v, want a set of two", out["proof"])
	}
	jp := set[1].(map[string]any)
	for k, v := range map[string]any{"challenge": "c", "domain": "d", "expires": "2024-05-06T08:08:09Z", "id": "urn:uuid:2", "@context": doc["@context"]} {
		if diff := cmp.Diff(v, jp[k]); diff != "" {
			t.Errorf("jcs proof %s (-want +got):\n%s", k, diff)
		}
	}
	if _, ok := set[0].(map[string]any)["@context"]; ok {
		t.Error("eddsa-rdfc-2022 proof carries @context")
	}
	v := &Verifier{Canonicalizer: testCanon(t)}
	res, err := v.Verify(ctx, out, fixedResolver(obKey(t).Public()), Expect{Now: signTime})
	if err != nil || !res.Proofs[0].Verified || !res.Proofs[1].Verified {
		t.Errorf("Verify = %+v, %v", res, err)
	}
	// Only the second proof is bound to the challenge, and every proof of
	// a set must verify (VC Data Integrity 1.0 §4.5).
	res, err = v.Verify(ctx, out, fixedResolver(obKey(t).Public()), Expect{Challenge: "c", Domain: "d", Now: signTime})
	if !errors.Is(err, ErrChallengeMismatch) || res.Verified || !errors.Is(res.Proofs[0].Err, ErrChallengeMismatch) || !res.Proofs[1].Verified {
		t.Errorf("Verify with challenge = %+v, %v", res, err)
	}
}

// TestSignVerifyRoundTrip signs with each suite and options and verifies.
func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	key, err := keys.Generate(keys.EdDSA, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]map[string]any{
		"ob3-vector":   obUnsigned(t),
		"w3c-unsigned": readJSON(t, "eddsa", "unsigned.json"),
		"ob3-complete": func() map[string]any {
			d := readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")
			delete(d, "proof")
			return d
		}(),
	}
	for name, doc := range docs {
		for _, suite := range []string{EdDSARDFC2022, EdDSAJCS2022} {
			t.Run(name+"/"+suite, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				s := &Signer{Canonicalizer: testCanon(t)}
				out, err := s.Sign(ctx, doc, key, Options{Cryptosuite: suite, VerificationMethod: "did:example:issuer#key-1", ProofPurpose: PurposeAuthentication})
				if err != nil {
					t.Fatal(err)
				}
				v := &Verifier{Canonicalizer: testCanon(t)}
				res, err := v.Verify(ctx, out, fixedResolver(key.Public()), Expect{ProofPurpose: PurposeAuthentication})
				if err != nil || !res.Verified {
					t.Fatalf("Verify = %+v, %v", res, err)
				}
			})
		}
	}
}
