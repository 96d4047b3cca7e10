package did

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// countingResolver resolves did:key DIDs, counting calls; when gate is set,
// each call first signals entered and waits for gate to close.
type countingResolver struct {
	calls   atomic.Int64
	entered chan struct{}
	gate    chan struct{}
	fail    atomic.Bool
	panics  bool
}

func (r *countingResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	r.calls.Add(1)
	if r.panics {
		panic("boom")
	}
	if r.gate != nil {
		select {
		case r.entered <- struct{}{}:
		default:
		}
		select {
		case <-r.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if r.fail.Load() {
		return nil, fmt.Errorf("counting: %w", ErrNotFound)
	}
	return KeyResolver{}.Resolve(ctx, did)
}

// fakeClock is an adjustable now func.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var cacheDIDs = []string{
	"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
	"did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
	"did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf",
}

func TestCacheTTL(t *testing.T) {
	t.Parallel()
	up := &countingResolver{}
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := NewCache(up, time.Minute, 10, clock.now)
	did := cacheDIDs[0]
	steps := []struct {
		name      string
		advance   time.Duration
		wantCalls int64
	}{
		{"miss", 0, 1},
		{"hit", 0, 1},
		{"hit just before expiry", 59 * time.Second, 1},
		{"refetch at expiry", time.Second, 2},
		{"hit after refetch", 30 * time.Second, 2},
		{"refetch after expiry", 31 * time.Second, 3},
	}
	for _, s := range steps {
		clock.advance(s.advance)
		doc, err := c.Resolve(t.Context(), did)
		if err != nil {
			t.Fatalf("%s: Resolve() error = %v", s.name, err)
		}
		if doc.ID != did {
			t.Fatalf("%s: id = %q", s.name, doc.ID)
		}
		if got := up.calls.Load(); got != s.wantCalls {
			t.Errorf("%s: upstream calls = %d, want %d", s.name, got, s.wantCalls)
		}
	}
}

func TestCacheReturnsCopies(t *testing.T) {
	t.Parallel()
	c := NewCache(&countingResolver{}, time.Minute, 10, nil)
	first, err := c.Resolve(t.Context(), cacheDIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := first.Clone()
	first.VerificationMethod[0].PublicKeyMultibase = "changed"
	first.AssertionMethod[0].Ref = "changed"
	first.Context[0] = "changed"
	second, err := c.Resolve(t.Context(), cacheDIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("a caller's change leaked into the cache (-want +got):\n%s", diff)
	}
}

// TestCacheNegative checks that a failed resolution is remembered for
// NegativeCacheTTL: asking again within it makes no upstream call, and the
// DID is fetched again after it.
func TestCacheNegative(t *testing.T) {
	t.Parallel()
	up := &countingResolver{}
	up.fail.Store(true)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := NewCache(up, 5*time.Minute, 10, clock.now)
	for i := range 5 {
		if _, err := c.Resolve(t.Context(), cacheDIDs[0]); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Resolve() #%d error = %v, want ErrNotFound", i, err)
		}
	}
	if got := up.calls.Load(); got != 1 {
		t.Errorf("upstream calls within the negative TTL = %d, want 1", got)
	}
	up.fail.Store(false)
	clock.advance(NegativeCacheTTL - time.Second)
	if _, err := c.Resolve(t.Context(), cacheDIDs[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve() just before the negative TTL error = %v, want the cached ErrNotFound", err)
	}
	clock.advance(time.Second)
	if _, err := c.Resolve(t.Context(), cacheDIDs[0]); err != nil {
		t.Fatalf("Resolve() after the negative TTL error = %v", err)
	}
	if got := up.calls.Load(); got != 2 {
		t.Errorf("upstream calls = %d, want 2", got)
	}
	// The positive entry replaced the negative one.
	if _, err := c.Resolve(t.Context(), cacheDIDs[0]); err != nil || up.calls.Load() != 2 {
		t.Errorf("hit after recovery: %v, %d calls", err, up.calls.Load())
	}
}

func TestCacheEvictsOldest(t *testing.T) {
	t.Parallel()
	up := &countingResolver{}
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c := NewCache(up, time.Hour, 2, clock.now)
	resolve := func(did string) {
		t.Helper()
		clock.advance(time.Second)
		if _, err := c.Resolve(t.Context(), did); err != nil {
			t.Fatal(err)
		}
	}
	resolve(cacheDIDs[0])
	resolve(cacheDIDs[1])
	resolve(cacheDIDs[2]) // evicts 0
	resolve(cacheDIDs[1]) // hit
	resolve(cacheDIDs[2]) // hit
	if got := up.calls.Load(); got != 3 {
		t.Fatalf("upstream calls = %d, want 3", got)
	}
	resolve(cacheDIDs[0]) // evicted: miss, evicts 1
	resolve(cacheDIDs[2]) // hit
	if got := up.calls.Load(); got != 4 {
		t.Fatalf("upstream calls = %d, want 4", got)
	}
	if n := len(c.(*cache).entries); n != 2 {
		t.Errorf("cache holds %d entries, want 2", n)
	}
}

func TestCacheCollapsesConcurrentMisses(t *testing.T) {
	t.Parallel()
	up := &countingResolver{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	c := NewCache(up, time.Minute, 10, nil)
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			doc, err := c.Resolve(t.Context(), cacheDIDs[0])
			if err == nil && doc.ID != cacheDIDs[0] {
				err = fmt.Errorf("id %q", doc.ID)
			}
			errs <- err
		})
	}
	<-up.entered
	time.Sleep(20 * time.Millisecond) // let the other callers queue up
	close(up.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Resolve() error = %v", err)
		}
	}
	if got := up.calls.Load(); got != 1 {
		t.Errorf("upstream calls = %d, want 1", got)
	}
}

func TestCacheCallerCancellation(t *testing.T) {
	t.Parallel()
	up := &countingResolver{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	c := NewCache(up, time.Minute, 10, nil)

	leaderCtx, cancelLeader := context.WithCancel(t.Context())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.Resolve(leaderCtx, cacheDIDs[0])
		leaderErr <- err
	}()
	<-up.entered
	follower := make(chan error, 1)
	go func() {
		_, err := c.Resolve(t.Context(), cacheDIDs[0])
		follower <- err
	}()
	// The caller that started the upstream call gives up; it returns at once
	// and the shared call goes on for the other caller.
	cancelLeader()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller error = %v, want context.Canceled", err)
	}
	close(up.gate)
	if err := <-follower; err != nil {
		t.Fatalf("other caller error = %v", err)
	}
	if _, err := c.Resolve(t.Context(), cacheDIDs[0]); err != nil {
		t.Fatal(err)
	}
	if got := up.calls.Load(); got != 1 {
		t.Errorf("upstream calls = %d, want 1", got)
	}
}

func TestCacheUpstreamPanic(t *testing.T) {
	t.Parallel()
	c := NewCache(&countingResolver{panics: true}, time.Minute, 10, nil)
	if _, err := c.Resolve(t.Context(), cacheDIDs[0]); err == nil || ErrorCode(err) != CodeInternalError {
		t.Errorf("Resolve() error = %v, want an internal error", err)
	}
}

func TestCacheDefaults(t *testing.T) {
	t.Parallel()
	c := NewCache(KeyResolver{}, 0, -1, nil).(*cache)
	got := []any{c.ttl, c.max, c.now != nil}
	if diff := cmp.Diff([]any{DefaultCacheTTL, DefaultCacheMaxEntries, true}, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}
