package di

// Fuzz targets for the parsers of untrusted input. Run each with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzVerify$' -fuzztime 15s ./proof/di/

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"testing"
)

// FuzzVerify feeds arbitrary JSON documents to Verify. It must never
// panic, and never verify: the resolver returns a key nobody signed with.
func FuzzVerify(f *testing.F) {
	seeds := []map[string]any{
		readJSON(f, "eddsa", "eddsa-rdfc-2022", "signedDataInt.json"),
		readJSON(f, "eddsa", "eddsa-jcs-2022", "signedJCS.json"),
		readJSON(f, "eddsa", "proof-set-chain", "signedProofChain2.json"),
		readJSON(f, "ob3", "ldp-test-vector", "credential-signed.json"),
	}
	for _, s := range seeds {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `{"proof":null}`, `{"proof":[]}`, `{"proof":"z"}`, `{"proof":[1,"a",null]}`,
		`{"@context":"https://www.w3.org/ns/credentials/v2","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","verificationMethod":"did:key:z6Mk#z6Mk","proofPurpose":"assertionMethod","proofValue":"z1111111111111111111111111111111111111111111111111111111111111111"}}`,
		`{"@context":{"@vocab":"urn:x:"},"a":{"@id":"_:b0","b":{"@id":"_:b0"}},"proof":{"type":"Ed25519Signature2020","verificationMethod":"urn:k","proofPurpose":"assertionMethod","proofValue":"z2"}}`,
	} {
		f.Add([]byte(s))
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	v := &Verifier{Canonicalizer: NewJSONGold(newDirLoader(f), Limits{MaxBytes: 64 << 10, MaxWork: 50_000})}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		res, err := v.Verify(context.Background(), doc, fixedResolver(pub), Expect{})
		if err == nil || res.Verified {
			t.Fatalf("verified with an unrelated key: %+v, %v", res, err)
		}
		for _, pr := range res.Proofs {
			if pr.Verified || pr.Err == nil {
				t.Fatalf("proof result %+v", pr)
			}
		}
	})
}

// FuzzDecodeProofValue: decoding never panics, and what decodes is a
// 64-byte signature whose encoding is the input (base58btc is canonical for
// a fixed length).
func FuzzDecodeProofValue(f *testing.F) {
	for _, s := range []string{
		"z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
		"z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr",
		encodeProofValue(make([]byte, 64)),
		"", "z", "u", "z0", "zO", "zIl", "z1111",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := decodeProofValue(s)
		if err != nil {
			return
		}
		if len(sig) != ed25519.SignatureSize {
			t.Fatalf("decoded %d bytes", len(sig))
		}
		if got := encodeProofValue(sig); got != s {
			t.Fatalf("round trip %q -> %q", s, got)
		}
	})
}
