package di

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
)

// errUnknownContext is what the test loader returns for a URL outside the
// pinned table.
var errUnknownContext = errors.New("unknown context")

// dirLoader is a ContextLoader over package ldcontext with the bundled
// contexts (and the shared contexts directory when it is here). Like
// ldcontext, it parses each document once and hands the same value to every
// caller; it counts loads per URL.
type dirLoader struct {
	l *ldcontext.Loader

	mu    sync.Mutex
	docs  map[string]any
	loads map[string]int
}

func newDirLoader(tb testing.TB) *dirLoader {
	tb.Helper()
	l, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(tb), Offline: true})
	if err != nil {
		tb.Fatalf("context loader: %v", err)
	}
	return &dirLoader{l: l, docs: map[string]any{}, loads: map[string]int{}}
}

// contextURLs lists the pinned contexts the loader can serve offline.
func (l *dirLoader) contextURLs() []string {
	var us []string
	for _, e := range l.l.List(context.Background()) {
		if e.Kind == ldcontext.KindContext && e.Available != ldcontext.SourceNone {
			us = append(us, e.URL)
		}
	}
	return us
}

func (l *dirLoader) JSON(ctx context.Context, url string) (any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads[url]++
	if d, ok := l.docs[url]; ok {
		return d, nil
	}
	raw, err := l.l.Get(ctx, url)
	if errors.Is(err, ldcontext.ErrNotPinned) {
		return nil, fmt.Errorf("%w: %s", errUnknownContext, url)
	}
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
