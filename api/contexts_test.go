package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/store"
)

// mapCache is an ldcontext.Cache over a map.
type mapCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *mapCache) Get(_ context.Context, url string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.m[url]; ok {
		return b, nil
	}
	return nil, ldcontext.ErrNotCached
}

func (c *mapCache) Put(_ context.Context, url string, doc []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[url] = doc
	return nil
}

type failingCache struct{}

func (failingCache) Get(context.Context, string) ([]byte, error) { return nil, ldcontext.ErrNotCached }
func (failingCache) Put(context.Context, string, []byte) error   { return store.ErrUnavailable }

func contextsServer(t *testing.T, cache ldcontext.Cache) *fixture {
	t.Helper()
	l, err := ldcontext.New(ldcontext.Config{Cache: cache, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Store: pinger{}, Contexts: l,
		AdminToken: testToken, PublicURL: "http://localhost:8080"})
	return &fixture{srv: srv, logs: &logs}
}

// POST /api/v1/contexts imports one pinned document; GET lists where each
// pinned URL is available.
func TestContextsAdminRoutes(t *testing.T) {
	var vc2 []byte
	_ = filepath.WalkDir(sharedtest.ContextsDir(t), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || vc2 != nil {
			return nil
		}
		b, _ := os.ReadFile(path)
		var doc map[string]any
		if json.Unmarshal(b, &doc) == nil {
			if sum, _ := ldcontext.Digest(b); sum != "" {
				cache := &mapCache{m: map[string][]byte{}}
				l, _ := ldcontext.New(ldcontext.Config{Cache: cache, Offline: true})
				if urls, _ := l.ImportDocument(context.Background(), b); len(urls) == 1 && urls[0] == "https://www.w3.org/ns/credentials/v2" {
					vc2 = b
				}
			}
		}
		return nil
	})
	if vc2 == nil {
		t.Fatal("no VC 2.0 context among the shared contexts")
	}
	f := contextsServer(t, &mapCache{m: map[string][]byte{}})
	available := func() string {
		w := f.do(http.MethodGet, "/api/v1/contexts", testToken, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET: %d %s", w.Code, w.Body)
		}
		var out struct {
			Items []contextEntry `json:"items"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Items) < 20 {
			t.Fatalf("GET: %v, %d items", err, len(out.Items))
		}
		for _, e := range out.Items {
			if e.URL == "https://www.w3.org/ns/credentials/v2" {
				return e.Available
			}
		}
		t.Fatal("VC 2.0 context not listed")
		return ""
	}
	if got := available(); got != "none" {
		t.Fatalf("before import: %s, want none", got)
	}
	w := f.do(http.MethodPost, "/api/v1/contexts", testToken, string(vc2))
	if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"imported":["https://www.w3.org/ns/credentials/v2"]`)) {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	if got := available(); got != "cache" {
		t.Errorf("after import: %s, want cache", got)
	}

	t.Run("ok/document", func(t *testing.T) {
		w := f.do(http.MethodGet, "/api/v1/contexts/document?url=https://www.w3.org/ns/credentials/v2", testToken, "")
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), vc2) {
			t.Errorf("GET document: %d, %d bytes", w.Code, w.Body.Len())
		}
	})
	for _, tc := range []struct {
		name, query string
		status      int
	}{
		{"fail/document not pinned", "?url=https://example.org/ctx", http.StatusNotFound},
		{"fail/document not available", "?url=https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", http.StatusServiceUnavailable},
		{"fail/document without url", "", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(http.MethodGet, "/api/v1/contexts/document"+tc.query, testToken, "")
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}

	tests := []struct {
		name   string
		f      *fixture
		token  string
		body   string
		status int
		slug   string
	}{
		{"fail/not pinned", f, testToken, `{"@context":{"x":"https://example.org/x"}}`, http.StatusUnprocessableEntity, "context-not-pinned"},
		{"fail/not JSON", f, testToken, `not json`, http.StatusBadRequest, "bad-request"},
		{"fail/no admin token", f, "", string(vc2), http.StatusUnauthorized, ""},
		{"fail/storage down", contextsServer(t, failingCache{}), testToken, string(vc2), http.StatusServiceUnavailable, "storage-unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.f.do(http.MethodPost, "/api/v1/contexts", tc.token, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if p := decodeProblem(t, w); tc.slug != "" && p.Type != problemTypeBase+tc.slug {
				t.Errorf("type %s, want %s", p.Type, tc.slug)
			}
		})
	}
}
