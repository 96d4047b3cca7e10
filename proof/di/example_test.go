package di_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
)

// Signing an Open Badges credential with eddsa-rdfc-2022 and verifying the
// result. The JSON-LD contexts come from the ones bundled into the binary
// (`make contexts`). Ed25519 signatures are deterministic, so the
// proofValue is always the same.
func ExampleSigner_Sign() {
	ctx := context.Background()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Offline: true})
	if err != nil {
		panic(err)
	}
	canon := di.NewJSONGold(contexts, di.Limits{})

	// The W3C test key pair (secretKeyMultibase), never a real one.
	secret, err := keys.DecodeMultikeySecret("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		panic(err)
	}
	key, err := keys.FromEd25519Seed(secret.Seed())
	if err != nil {
		panic(err)
	}
	issuer := "did:key:" + key.MultikeyPublic()
	credential := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:3f1c7a9e-8d7b-4c55-9a43-3b1e0f6a2d10",
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example Academy"},
		"validFrom": "2024-01-01T00:00:00Z",
		"name":      "Go Concurrency",
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id": "https://badges.example.org/achievements/go", "type": []any{"Achievement"},
				"name": "Go Concurrency", "description": "Safe use of goroutines.",
				"criteria": map[string]any{"narrative": "Pass the graded lab."},
			},
		},
	}

	s := &di.Signer{Canonicalizer: canon}
	signed, err := s.Sign(ctx, credential, key, di.Options{
		VerificationMethod: issuer + "#" + key.MultikeyPublic(),
		Created:            time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	proof := signed["proof"].([]any)[0].(map[string]any)
	fmt.Println(proof["proofValue"])

	v := &di.Verifier{Canonicalizer: canon}
	resolve := func(_ context.Context, method, purpose string) (crypto.PublicKey, error) {
		// A real verifier resolves the DID and checks the relationship.
		return key.Public(), nil
	}
	res, err := v.Verify(ctx, signed, resolve, di.Expect{})
	fmt.Println(res.Verified, err)
	// Output:
	// zP5MzQAJU95VZepLmY5DVHtVjjVCmkJ5rEDuUwzwQbvTAYnwLNaF1Z15zWtxshrDQaSEmwx2kFneVwuusAFjn4TM
	// true <nil>
}

// Signing the W3C EdDSA test vector credential gives the proofValue in the
// specification.
func TestSignW3CVector(t *testing.T) {
	ctx := context.Background()
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	canon := di.NewJSONGold(contexts, di.Limits{})
	var credential map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "eddsa", "unsigned.json"), &credential); err != nil {
		t.Fatal(err)
	}
	secret, err := keys.DecodeMultikeySecret("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.FromEd25519Seed(secret.Seed())
	if err != nil {
		t.Fatal(err)
	}
	vm := "did:key:" + key.MultikeyPublic() + "#" + key.MultikeyPublic()
	signed, err := (&di.Signer{Canonicalizer: canon}).Sign(ctx, credential, key, di.Options{
		VerificationMethod: vm,
		Created:            time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
	if got := signed["proof"].([]any)[0].(map[string]any)["proofValue"]; got != want {
		t.Errorf("proofValue %v, want %s", got, want)
	}
}
