package jose_test

import (
	"context"
	"crypto"
	"testing"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// benchCred is a typical OB credential: the 2.7 KB skill-assertion example.
func benchCred(b *testing.B) map[string]any {
	b.Helper()
	return loadCred(b, "skill-assertion-ctdl.json")
}

func BenchmarkSignJWT(b *testing.B) {
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			k := genKey(b, alg)
			cred := benchCred(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jose.SignCredential(cred, k, testKid, jose.SignOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyJWT(b *testing.B) {
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			k := genKey(b, alg)
			tok, err := jose.SignCredential(benchCred(b), k, testKid, jose.SignOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tok)))
			resolve := mapResolver(map[string]crypto.PublicKey{testKid: k.Public()})
			opts := jose.VerifyOptions{Now: testNow}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jose.Verify(ctx, tok, resolve, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
