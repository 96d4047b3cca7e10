package verifier_test

// Benchmarks of presentation verification: a presentation of 5 OB 3.0
// credentials, as Data Integrity (eddsa-rdfc-2022, 5 DI credentials) and as
// a VP-JWT (5 VC-JWTs). Each iteration verifies the presentation's proof
// and all 5 credentials. Run with:
//   go test -run '^$' -bench Presentation -benchmem ./verifier/

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/verifier"
)

func BenchmarkVerifyPresentation(b *testing.B) {
	e := newVPEnv(b)
	var ldp, jwts []any
	for i := range 5 {
		id := fmt.Sprintf("urn:uuid:0c1d0e7a-0000-4000-8000-%012d", 100+i)
		ldp = append(ldp, e.signDI(b, e.issuer, subjectCredential(e.issuer.did, e.holder.did, id)))
		tok, err := jose.SignCredential(subjectCredential(e.issuer.did, e.holder.did, id), e.issuer.key, e.issuer.vm, jose.SignOptions{})
		if err != nil {
			b.Fatal(err)
		}
		jwts = append(jwts, tok)
	}
	diVP := e.signVP(b, e.holder, presentation(e.holder.did, ldp...), di.Options{Challenge: challenge, Domain: domain, ProofObject: true})
	jwtVP, err := jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"},
		"holder": e.holder.did, "verifiableCredential": jwts}, e.holder.key, e.holder.vm, domain, challenge, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	opts := verifier.PresentationOptions{Challenge: challenge, Domain: domain}
	for name, vp := range map[string]any{"DI-5": diVP, "JWT-5": jwtVP} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if rep := e.v.VerifyPresentation(ctx, vp, opts); !rep.Verified || len(rep.Credentials) != 5 {
					b.Fatal(vpSummary(rep))
				}
			}
		})
	}
}

// FuzzVerifyPresentation feeds arbitrary bytes to VerifyPresentation: it
// must never panic, and nothing but the signed seed may verify.
func FuzzVerifyPresentation(f *testing.F) {
	e := newVPEnv(f)
	vp := e.signVP(f, e.holder, presentation(e.holder.did, e.ldp), di.Options{Challenge: challenge})
	f.Add(mustMarshal(f, vp))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiablePresentation","verifiableCredential":[1,"x",{}]}`))
	f.Add([]byte(`{"type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,a.b.c"}`))
	f.Add([]byte(`eyJhbGciOiJFZERTQSJ9.eyJ2cCI6e319.c2ln`))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep := e.v.VerifyPresentation(context.Background(), in, verifier.PresentationOptions{Challenge: challenge})
		if rep.Verified && len(rep.Credentials) == 0 {
			t.Fatalf("a presentation without credentials verified: %q", in)
		}
	})
}

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
