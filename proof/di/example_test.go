package di_test

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
)

// Signing the W3C EdDSA test vector credential with eddsa-rdfc-2022, and
// verifying the result. The signature is deterministic, so the proofValue
// is the one in the specification.
func ExampleSigner_Sign() {
	ctx := context.Background()
	canon := di.NewJSONGold(localContexts{}, di.Limits{})

	var credential map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(exampleTB{}, "eddsa", "unsigned.json"), &credential); err != nil {
		panic(err)
	}
	// The W3C test key pair (secretKeyMultibase), never a real one.
	secret, err := keys.DecodeMultikeySecret("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		panic(err)
	}
	key, err := keys.FromEd25519Seed(secret.Seed())
	if err != nil {
		panic(err)
	}
	vm := "did:key:" + key.MultikeyPublic() + "#" + key.MultikeyPublic()

	s := &di.Signer{Canonicalizer: canon}
	signed, err := s.Sign(ctx, credential, key, di.Options{
		VerificationMethod: vm,
		Created:            time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC),
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
	// z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme
	// true <nil>
}

// localContexts serves JSON-LD contexts from the shared contexts folder by
// its index.json, standing in for package ldcontext.
type localContexts struct{}

func (localContexts) JSON(_ context.Context, url string) (any, error) {
	dir := sharedtest.ContextsDir(exampleTB{})
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	var index struct {
		Contexts map[string]struct{ File string } `json:"contexts"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, err
	}
	c, ok := index.Contexts[url]
	if !ok {
		return nil, fmt.Errorf("unknown context %s", url)
	}
	raw, err = os.ReadFile(filepath.Join(dir, c.File))
	if err != nil {
		return nil, err
	}
	var doc any
	return doc, json.Unmarshal(raw, &doc)
}

// exampleTB lets an Example, which has no *testing.T, locate the shared
// test data; a failure panics.
type exampleTB struct{ testing.TB }

func (exampleTB) Helper()                   {}
func (exampleTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (exampleTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
