package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
)

// unreachable is a transport standing in for DNS: every fetch fails as a
// lookup of a name that does not exist would, and is counted, so no test
// resolves a real name.
type unreachable struct{ calls atomic.Int64 }

func (u *unreachable) RoundTrip(r *http.Request) (*http.Response, error) {
	u.calls.Add(1)
	return nil, errors.New("dial tcp: lookup " + r.URL.Hostname() + ": no such host")
}

type resolveFixture struct {
	srv  *Server
	net  *unreachable
	logs *bytes.Buffer
	now  time.Time
}

func newResolveFixture(t *testing.T, perMinute int) *resolveFixture {
	t.Helper()
	f := &resolveFixture{net: &unreachable{}, logs: &bytes.Buffer{}, now: time.Unix(1_700_000_000, 0)}
	now := func() time.Time { return f.now }
	web := did.NewCache(did.WebResolver{Client: &http.Client{Transport: f.net}}, time.Minute, 100, now)
	f.srv = New(Config{Logger: slog.New(slog.NewJSONHandler(f.logs, nil)), Resolver: did.Multi{"key": did.KeyResolver{}, "web": web},
		AdminToken: testToken, PublicURL: "http://localhost:8080", ResolvePerMinute: perMinute, Now: now})
	return f
}

func (f *resolveFixture) get(t *testing.T, didStr, ip string) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest("GET", "/1.0/identifiers/"+didStr, nil)
	r.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	var res struct {
		DIDResolutionMetadata map[string]any `json:"didResolutionMetadata"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("%s: %d %s", didStr, w.Code, w.Body)
	}
	code, _ := res.DIDResolutionMetadata["error"].(string)
	return w.Code, code, w.Header()
}

// TestResolveDIDWebFailures checks the public did:web resolution route:
// IP literals in the forms a system resolver reads are refused before any
// lookup, an unreachable host is a 404 notFound (not a 500 with an ERROR
// log), and the failure is cached.
func TestResolveDIDWebFailures(t *testing.T) {
	f := newResolveFixture(t, 1000)
	for _, d := range []string{"did:web:2130706433", "did:web:0x7f000001", "did:web:0177.0.0.1", "did:web:127.1", "did:web:127.1%3A8080",
		"did:web:intranet", "did:web:10.0.0.1", "did:web:127.0.0.1"} {
		if status, code, _ := f.get(t, d, "192.0.2.1"); status != http.StatusBadRequest || code != did.CodeInvalidDID {
			t.Errorf("%s: %d %s, want 400 invalidDid", d, status, code)
		}
	}
	if n := f.net.calls.Load(); n != 0 {
		t.Fatalf("%d fetches for refused hosts", n)
	}
	for i := range 3 {
		if status, code, _ := f.get(t, "did:web:issuer.example.invalid", "192.0.2.1"); status != http.StatusNotFound || code != did.CodeNotFound {
			t.Fatalf("unreachable host #%d: %d %s, want 404 notFound", i, status, code)
		}
	}
	if n := f.net.calls.Load(); n != 1 {
		t.Errorf("%d fetches of an unreachable host asked for 3 times, want 1 (negative cache)", n)
	}
	f.now = f.now.Add(did.NegativeCacheTTL)
	f.get(t, "did:web:issuer.example.invalid", "192.0.2.1")
	if n := f.net.calls.Load(); n != 2 {
		t.Errorf("%d fetches after the negative TTL, want 2", n)
	}
	if strings.Contains(f.logs.String(), `"level":"ERROR"`) {
		t.Errorf("resolution failures logged as errors:\n%s", f.logs)
	}
}

// TestResolveDIDRateLimit checks the per-client-IP limit of the route.
func TestResolveDIDRateLimit(t *testing.T) {
	f := newResolveFixture(t, 5)
	const key = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	for i := range 5 {
		if status, _, _ := f.get(t, key, "192.0.2.1"); status != http.StatusOK {
			t.Fatalf("request %d: %d", i, status)
		}
	}
	status, code, h := f.get(t, "did:web:issuer.example.invalid", "192.0.2.1")
	if status != http.StatusTooManyRequests || code != "rateLimited" || h.Get("Retry-After") == "" {
		t.Fatalf("sixth request: %d %s Retry-After %q", status, code, h.Get("Retry-After"))
	}
	if n := f.net.calls.Load(); n != 0 {
		t.Errorf("a limited request fetched %d times", n)
	}
	if status, _, _ := f.get(t, key, "192.0.2.2"); status != http.StatusOK {
		t.Errorf("another client: %d", status)
	}
	f.now = f.now.Add(12 * time.Second)
	if status, _, _ := f.get(t, key, "192.0.2.1"); status != http.StatusOK {
		t.Errorf("after a refill interval: %d", status)
	}
}
