package keys_test

// Benchmarks for signing, verification and sealing. Run them with
//
//	go test -run '^$' -bench . -benchmem ./keys/

import (
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

// benchMsg is about the size of a JWS signing input for a small credential.
var benchMsg = make([]byte, 1024)

func benchSign(b *testing.B, alg keys.Alg) {
	k := mustGenerate(b, alg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(benchMsg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignEdDSA(b *testing.B) { benchSign(b, keys.EdDSA) }
func BenchmarkSignES256(b *testing.B) { benchSign(b, keys.ES256) }

func benchVerify(b *testing.B, alg keys.Alg) {
	k := mustGenerate(b, alg)
	sig, err := k.Sign(benchMsg)
	if err != nil {
		b.Fatal(err)
	}
	pub := k.Public()
	b.ReportAllocs()
	for b.Loop() {
		if err := keys.Verify(alg, pub, benchMsg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEdDSA(b *testing.B) { benchVerify(b, keys.EdDSA) }
func BenchmarkVerifyES256(b *testing.B) { benchVerify(b, keys.ES256) }

func BenchmarkSeal(b *testing.B) {
	kek := mustKEK(b, 1)
	k := mustGenerate(b, keys.EdDSA)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.Seal(kek, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	kek := mustKEK(b, 1)
	s, err := keys.Seal(kek, mustGenerate(b, keys.EdDSA))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.Open(kek, s); err != nil {
			b.Fatal(err)
		}
	}
}
