package di

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
)

// errUnknownContext is what the test loader returns for a URL outside the
// shared contexts/index.json.
var errUnknownContext = errors.New("unknown context")

// dirLoader is a ContextLoader over the shared contexts directory, built
// from its index.json. Like ldcontext, it parses each document once and
// hands the same value to every caller.
type dirLoader struct {
	dir   string
	files map[string]string

	mu    sync.Mutex
	docs  map[string]any
	loads map[string]int
}

func newDirLoader(tb testing.TB) *dirLoader {
	tb.Helper()
	dir := sharedtest.ContextsDir(tb)
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		tb.Fatalf("read contexts index: %v", err)
	}
	var index struct {
		Contexts map[string]struct {
			File string `json:"file"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		tb.Fatalf("parse contexts index: %v", err)
	}
	l := &dirLoader{dir: dir, files: map[string]string{}, docs: map[string]any{}, loads: map[string]int{}}
	for url, c := range index.Contexts {
		l.files[url] = c.File
	}
	return l
}

func (l *dirLoader) JSON(_ context.Context, url string) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads[url]++
	if d, ok := l.docs[url]; ok {
		return d, nil
	}
	file, ok := l.files[url]
	if !ok {
		return nil, fmt.Errorf("%w: %s", errUnknownContext, url)
	}
	raw, err := os.ReadFile(filepath.Join(l.dir, file))
	if err != nil {
		return nil, err
	}
	var d any
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	l.docs[url] = d
	return d, nil
}

// testCanon is shared by the tests: JSONGold over the shared contexts.
var (
	testCanonOnce sync.Once
	testCanonVal  *JSONGold
)

func testCanon(tb testing.TB) *JSONGold {
	tb.Helper()
	testCanonOnce.Do(func() { testCanonVal = NewJSONGold(newDirLoader(tb), Limits{}) })
	return testCanonVal
}

func readJSON(tb testing.TB, elem ...string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(tb, elem...), &m); err != nil {
		tb.Fatalf("parse %s: %v", filepath.Join(elem...), err)
	}
	return m
}

func readText(tb testing.TB, elem ...string) string {
	tb.Helper()
	return string(sharedtest.ReadTestdata(tb, elem...))
}

// keyPairKey imports a key pair file of the vectors: privateKeyMultibase
// (W3C) or secretKeyMultibase, 0x8026 with a 32-byte seed or the 64-byte
// form, checked against publicKeyMultibase.
func keyPairKey(tb testing.TB, pair map[string]any) *keys.Key {
	tb.Helper()
	secret, _ := pair["privateKeyMultibase"].(string)
	if secret == "" {
		secret, _ = pair["secretKeyMultibase"].(string)
	}
	priv, err := keys.DecodeMultikeySecret(secret)
	if err != nil {
		tb.Fatalf("decode secret key: %v", err)
	}
	k, err := keys.FromEd25519Seed(priv.Seed())
	if err != nil {
		tb.Fatal(err)
	}
	if want, _ := pair["publicKeyMultibase"].(string); k.MultikeyPublic() != want {
		tb.Fatalf("key pair: public key %s, want %s", k.MultikeyPublic(), want)
	}
	return k
}

// didKeyResolver resolves did:key verification methods with package did,
// which checks the relationship.
func didKeyResolver(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
	m, err := did.ResolveMethod(ctx, did.KeyResolver{}, vm, purpose)
	if err != nil {
		return nil, err
	}
	return m.PublicKey()
}

// controllerResolver resolves the methods of one controller document
// (CID 1.0): the method must be listed under the purpose's relationship.
func controllerResolver(tb testing.TB, controller map[string]any) func(context.Context, string, string) (crypto.PublicKey, error) {
	tb.Helper()
	return func(_ context.Context, vm, purpose string) (crypto.PublicKey, error) {
		if !strings.HasPrefix(vm, controller["id"].(string)+"#") {
			return nil, fmt.Errorf("%s is not in controller document %s", vm, controller["id"])
		}
		rel, _ := controller[purpose].([]any)
		listed := false
		for _, r := range rel {
			if r == vm {
				listed = true
			}
		}
		if !listed {
			return nil, fmt.Errorf("%s is not listed under %s", vm, purpose)
		}
		methods, _ := controller["verificationMethod"].([]any)
		for _, m := range methods {
			mm, _ := m.(map[string]any)
			if mm["id"] == vm {
				return keys.DecodeMultikey(mm["publicKeyMultibase"].(string))
			}
		}
		return nil, fmt.Errorf("%s not found", vm)
	}
}

// fixedResolver returns pub for any method and purpose.
func fixedResolver(pub crypto.PublicKey) func(context.Context, string, string) (crypto.PublicKey, error) {
	return func(context.Context, string, string) (crypto.PublicKey, error) { return pub, nil }
}
