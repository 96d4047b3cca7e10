package status_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/status"
)

const (
	testIssuer = "did:web:badges.example.org"
	testCredID = "urn:uuid:2f1e1b9e-7c3a-4d55-9a43-3f1f2d1e8b10"
	// proofMarker is the proofValue fakeVerify accepts.
	proofMarker = "z-valid"
)

// readJSON decodes a file of the shared bitstring test data.
func readJSON(tb testing.TB, name string) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(sharedtest.Testdata(tb, "bitstring", name))
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return doc
}

// bitsWith returns a list of n one-bit entries with the given indexes set.
func bitsWith(tb testing.TB, n int, set ...int) []byte {
	tb.Helper()
	bits := make([]byte, n/8)
	for _, i := range set {
		if err := status.Set(bits, i, true); err != nil {
			tb.Fatal(err)
		}
	}
	return bits
}

func encode(tb testing.TB, bits []byte) string {
	tb.Helper()
	s, err := status.Encode(bits)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// signed adds the proof fakeVerify accepts and returns the JSON.
func signed(tb testing.TB, doc map[string]any) []byte {
	tb.Helper()
	doc["proof"] = map[string]any{"type": "DataIntegrityProof", "proofValue": proofMarker}
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// listDoc returns a signed BitstringStatusListCredential at url.
func listDoc(tb testing.TB, url, purpose string, bits []byte) []byte {
	tb.Helper()
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	return signed(tb, status.ListCredential(url, testIssuer, purpose, encode(tb, bits), from, from.Add(24*time.Hour), 0))
}

// fakeVerify accepts a JSON credential whose proof carries proofMarker.
func fakeVerify(_ context.Context, raw []byte) (map[string]any, string, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, "", err
	}
	p, _ := doc["proof"].(map[string]any)
	if p == nil || p["proofValue"] != proofMarker {
		return nil, "", errors.New("proof does not verify")
	}
	iss, _ := doc["issuer"].(string)
	return doc, iss, nil
}

func failVerify(context.Context, []byte) (map[string]any, string, error) {
	return nil, "", errors.New("signature invalid")
}

// server is an in-memory Fetch counting its calls per URL.
type server struct {
	mu     sync.Mutex
	bodies map[string][]byte
	errs   map[string]error
	calls  map[string]int
	// gate, when set, blocks every fetch until it is closed.
	gate chan struct{}
}

func newServer() *server {
	return &server{bodies: map[string][]byte{}, errs: map[string]error{}, calls: map[string]int{}}
}

func (s *server) put(url string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[url] = body
	delete(s.errs, url)
}

func (s *server) fail(url string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs[url] = err
}

func (s *server) count(url string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[url]
}

func (s *server) Fetch(ctx context.Context, url, accept string) ([]byte, string, error) {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[url]++
	if err := s.errs[url]; err != nil {
		return nil, "", err
	}
	b, ok := s.bodies[url]
	if !ok {
		return nil, "", errors.New("http get " + url + ": 404 Not Found")
	}
	return b, "application/vc", nil
}

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newChecker(srv *server, clk *clock) *status.Checker {
	return status.NewChecker(status.CheckerConfig{Fetch: srv.Fetch, VerifyList: fakeVerify, Now: clk.Now})
}

// cred returns a credential of testIssuer with entry as its status.
func cred(entry map[string]any) map[string]any {
	return map[string]any{
		"id":               testCredID,
		"type":             []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":           map[string]any{"id": testIssuer, "type": []any{"Profile"}},
		"credentialStatus": entry,
	}
}
