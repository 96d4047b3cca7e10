package di

// Benchmarks for signing, verification and canonicalization of a typical OB
// 3.0 credential (the implementation guide's test vector), with raw Ed25519
// for comparison. Run them with
//
//	go test -run '^$' -bench . -benchmem ./proof/di/

import (
	"context"
	"crypto/ed25519"
	"testing"
)

func benchSigned(b *testing.B, suite string) (*Signer, *Verifier, map[string]any) {
	b.Helper()
	s := &Signer{Canonicalizer: testCanon(b)}
	v := &Verifier{Canonicalizer: testCanon(b)}
	out, err := s.Sign(context.Background(), obUnsigned(b), obKey(b), Options{Cryptosuite: suite, VerificationMethod: obVM, Created: signTime})
	if err != nil {
		b.Fatal(err)
	}
	return s, v, out
}

func benchSign(b *testing.B, suite string) {
	s, _, _ := benchSigned(b, suite)
	doc, key := obUnsigned(b), obKey(b)
	opts := Options{Cryptosuite: suite, VerificationMethod: obVM, Created: signTime}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(ctx, doc, key, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func benchVerify(b *testing.B, suite string) {
	_, v, signed := benchSigned(b, suite)
	resolve := fixedResolver(obKey(b).Public())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, signed, resolve, Expect{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignRDFC(b *testing.B)   { benchSign(b, EdDSARDFC2022) }
func BenchmarkVerifyRDFC(b *testing.B) { benchVerify(b, EdDSARDFC2022) }
func BenchmarkSignJCS(b *testing.B)    { benchSign(b, EdDSAJCS2022) }
func BenchmarkVerifyJCS(b *testing.B)  { benchVerify(b, EdDSAJCS2022) }

// BenchmarkCanonicalize is one RDFC-1.0 canonicalization of the credential.
func BenchmarkCanonicalize(b *testing.B) {
	c := testCanon(b)
	doc := obUnsigned(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Canonicalize(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCanonicalizeComplete canonicalizes the spec's "Complete
// OpenBadgeCredential" example (about 43 KB of N-Quads).
func BenchmarkCanonicalizeComplete(b *testing.B) {
	c := testCanon(b)
	doc := readJSON(b, "ob3", "examples", "complete-openbadgecredential.json")
	delete(doc, "proof")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Canonicalize(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Sign is the bare signature over the 64-byte hash data.
func BenchmarkEd25519Sign(b *testing.B) {
	priv := obKey(b).Signer().(ed25519.PrivateKey)
	msg := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(priv, msg)
	}
}
