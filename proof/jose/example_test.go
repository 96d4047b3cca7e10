package jose_test

import (
	"context"
	"crypto"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Signing an OB 3.0 credential as a VC-JWT: the header is exactly alg, kid
// and typ, and the payload restates the issuer, id, start date and subject
// as iss, jti, nbf and sub.
func ExampleSignCredential() {
	key, err := keys.FromEd25519Seed(make([]byte, 32)) // use a sealed key in production
	if err != nil {
		panic(err)
	}
	const kid = "did:web:badges.example.org#key-1"
	cred := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:6f1c7d38-2d3a-4a7e-9c55-0b1f2f8f3a10",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": "did:web:badges.example.org", "type": []any{"Profile"}, "name": "Example Academy"},
		"validFrom": "2025-06-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":          "did:example:learner",
			"type":        []any{"AchievementSubject"},
			"achievement": map[string]any{"id": "https://badges.example.org/achievements/go", "type": []any{"Achievement"}, "name": "Go"},
		},
	}
	tok, err := jose.SignCredential(cred, key, kid, jose.SignOptions{})
	if err != nil {
		panic(err)
	}
	header, claims, err := jose.ParseUnverified(tok) // display only: nothing is verified yet
	if err != nil {
		panic(err)
	}
	fmt.Println(header)
	fmt.Println(claims["iss"], claims["jti"], claims["sub"], int64(claims["nbf"].(float64)))

	resolve := func(_ context.Context, k, issuer string) (crypto.PublicKey, error) {
		if k != kid || !strings.HasPrefix(k, issuer+"#") {
			return nil, jose.ErrKeyNotFound
		}
		return key.Public(), nil
	}
	res, err := jose.Verify(context.Background(), tok, resolve, jose.VerifyOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Shape, res.Credential["validFrom"], res.Credential["nbf"])
	// Output:
	// map[alg:EdDSA kid:did:web:badges.example.org#key-1 typ:JWT]
	// did:web:badges.example.org urn:uuid:6f1c7d38-2d3a-4a7e-9c55-0b1f2f8f3a10 did:example:learner 1748736000
	// ob-vc-jwt 2025-06-01T00:00:00Z <nil>
}

// Wrapping a VC-JWT for a VC-JOSE-COSE presentation, and unwrapping it.
func ExampleEnvelope() {
	const tok = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTppIn0.c2ln"
	env := jose.Envelope(tok)
	fmt.Println(env["type"])
	fmt.Println(env["id"])
	back, err := jose.Unenvelope(env)
	fmt.Println(back == tok, err)
	// Output:
	// EnvelopedVerifiableCredential
	// data:application/vc+jwt,eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTppIn0.c2ln
	// true <nil>
}
