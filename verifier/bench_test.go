package verifier_test

// Benchmarks of verification on a typical OB 3.0 credential. Run with:
//   go test -run '^$' -bench . -benchmem ./verifier/

import (
	"context"
	"testing"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/verifier"
)

func BenchmarkVerifyDI(b *testing.B) {
	e := newEnv(b)
	s := newSigner(b, keys.EdDSA)
	signed := e.signDI(b, s, obCredential(s.did))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if rep := e.v.Verify(ctx, signed, verifier.Options{}); !rep.Verified {
			b.Fatal(summary(rep))
		}
	}
}

func BenchmarkVerifyJWT(b *testing.B) {
	e := newEnv(b)
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			s := newSigner(b, alg)
			tok, err := jose.SignCredential(obCredential(s.did), s.key, s.vm, jose.SignOptions{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if rep := e.v.Verify(ctx, tok, verifier.Options{}); !rep.Verified {
					b.Fatal(summary(rep))
				}
			}
		})
	}
}
