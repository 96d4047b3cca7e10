package di

import (
	"context"
	"errors"
	"testing"
)

// Proof sets and chains (VC Data Integrity 1.0 §4.5 Verify Proof Sets and
// Chains): every proof must verify, a previousProof must name proofs of the
// set, and a chained proof signs over the proofs it names. The fixtures are
// the W3C vectors (testdata/eddsa/proof-set-chain) and negative variants of
// them.

func TestVerifyProofSetsAndChains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	set := func() map[string]any { return readJSON(t, "eddsa", "proof-set-chain", "signedProofSet2.json") }
	chain := func() map[string]any { return readJSON(t, "eddsa", "proof-set-chain", "signedProofChain2.json") }
	// Read the vectors once here, so that a missing suite skips (or, under
	// CI, fails) this test rather than a subtest through the parent's t.
	set()
	chain()
	proof := func(d map[string]any, i int) map[string]any { return d["proof"].([]any)[i].(map[string]any) }
	tamper := func(d map[string]any, i int) {
		// A valid-looking signature that is not this proof's.
		proof(d, i)["proofValue"] = encodeProofValue(make([]byte, 64))
	}
	tests := []struct {
		name   string
		doc    func() map[string]any
		errs   []error // each must be in the error; nil means verified
		failed []int   // the proofs that must fail
	}{
		{name: "set/both verify", doc: set},
		{name: "chain/all four verify", doc: chain},
		{
			name:   "set/second proof bad",
			doc:    func() map[string]any { d := set(); tamper(d, 1); return d },
			errs:   []error{ErrBadSignature},
			failed: []int{1},
		},
		{
			name:   "set/first proof bad",
			doc:    func() map[string]any { d := set(); tamper(d, 0); return d },
			errs:   []error{ErrBadSignature},
			failed: []int{0},
		},
		{
			name: "chain/previousProof names a proof not present",
			doc: func() map[string]any {
				d := chain()
				proof(d, 3)["previousProof"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
				return d
			},
			errs:   []error{ErrMalformedProof},
			failed: []int{3},
		},
		{
			name: "chain/a referenced proof removed",
			doc: func() map[string]any {
				d := chain()
				d["proof"] = d["proof"].([]any)[1:]
				return d
			},
			errs:   []error{ErrMalformedProof},
			failed: []int{1}, // was proof 2: names urn:uuid:26329423-…, now gone
		},
		{
			name: "chain/a referenced proof altered",
			doc: func() map[string]any {
				d := chain()
				proof(d, 0)["created"] = "2023-02-24T23:36:39Z"
				return d
			},
			// Proof 0 no longer verifies, nor does proof 2, which signed
			// over it; proofs 1 and 3 still do.
			errs:   []error{ErrBadSignature},
			failed: []int{0, 2},
		},
		{
			name: "chain/previousProof dropped",
			doc: func() map[string]any {
				d := chain()
				delete(proof(d, 3), "previousProof")
				return d
			},
			errs:   []error{ErrBadSignature},
			failed: []int{3},
		},
		{
			name: "chain/previousProof names one of two",
			doc: func() map[string]any {
				d := chain()
				proof(d, 2)["previousProof"] = "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"
				return d
			},
			errs:   []error{ErrBadSignature},
			failed: []int{2, 3}, // proof 3 signed over proof 2 as it was
		},
		{
			name:   "chain/proofValue of a chained proof bad",
			doc:    func() map[string]any { d := chain(); tamper(d, 3); return d },
			errs:   []error{ErrBadSignature},
			failed: []int{3},
		},
	}
	v := &Verifier{Canonicalizer: testCanon(t)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := v.Verify(ctx, tt.doc(), didKeyResolver, Expect{})
			if tt.errs == nil {
				if err != nil || !res.Verified {
					t.Fatalf("Verify = %+v, %v; want verified", res, err)
				}
				return
			}
			if res.Verified || err == nil {
				t.Fatalf("Verify = %+v, %v; want not verified", res, err)
			}
			for _, want := range tt.errs {
				if !errors.Is(err, want) {
					t.Errorf("error %v, want %v", err, want)
				}
			}
			failed := map[int]bool{}
			for _, i := range tt.failed {
				failed[i] = true
			}
			for i, pr := range res.Proofs {
				if pr.Verified == failed[i] {
					t.Errorf("proof %d: verified %v (%v), want %v", i, pr.Verified, pr.Err, !failed[i])
				}
			}
		})
	}
}
