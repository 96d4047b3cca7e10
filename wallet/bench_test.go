package wallet_test

// Benchmarks of building and signing a presentation of 5 held OB 3.0
// credentials: Data Integrity eddsa-rdfc-2022 (5 DI credentials embedded)
// and VP-JWT (5 VC-JWTs). Each iteration loads the credentials and the
// holder key from the store, opens the sealed key and signs. Run with:
//   go test -run '^$' -bench Present -benchmem ./wallet/

import (
	"context"
	"testing"

	"github.com/accolade-badges/accolade/wallet"
)

func BenchmarkPresent(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	h := e.signUp(b, "bench@example.org")
	var ldp, jwt []string
	for range 5 {
		doc := e.credential(h.DefaultDID, newID(), "Go")
		c, err := e.w.Import(ctx, h.ID, e.signDI(b, doc))
		if err != nil {
			b.Fatal(err)
		}
		ldp = append(ldp, c.ID)
		doc = e.credential(h.DefaultDID, newID(), "Go")
		if c, err = e.w.Import(ctx, h.ID, e.signJWT(b, doc)); err != nil {
			b.Fatal(err)
		}
		jwt = append(jwt, c.ID)
	}
	for _, bc := range []struct {
		name string
		req  wallet.PresentRequest
	}{
		{"DI-5", wallet.PresentRequest{CredentialIDs: ldp, Format: wallet.FormatLDPVP, Challenge: "c", Domain: "https://v.example"}},
		{"JWT-5", wallet.PresentRequest{CredentialIDs: jwt, Format: wallet.FormatJWTVP, Challenge: "c", Domain: "https://v.example"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.w.Present(ctx, h.ID, bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
