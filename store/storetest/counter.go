package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// RunCounters runs the subtests for store.Counters and store.CappedBatcher
// against the stores that newStore returns, with the same rules for
// newStore as Run. Every store it returns must implement both; the
// subtests fail otherwise. Run already includes these subtests.
func RunCounters(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	runCounters(t, newStore, true)
}

func runCounters(t *testing.T, newStore func(t *testing.T) store.Store, required bool) {
	t.Helper()
	for _, c := range counterCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			switch c.iface {
			case "counters":
				capability[store.Counters](t, s, required)
			case "capped":
				capability[store.CappedBatcher](t, s, required)
			}
			c.run(t, s)
		})
	}
}

var counterCases = []struct {
	name, iface string
	run         func(t *testing.T, s store.Store)
}{
	{"counters/incr/ok", "counters", testIncr},
	{"counters/incr/independent", "counters", testIncrIndependent},
	{"counters/incr/expiry", "counters", testIncrExpiry},
	{"counters/incr/concurrent", "counters", testIncrConcurrent},
	{"counters/validate", "counters", testIncrInvalid},
	{"capped/apply/ok-then-limit", "capped", testCappedLimit},
	{"capped/apply/replace-not-counted", "capped", testCappedReplace},
	{"capped/apply/conflict", "capped", testCappedConflict},
	{"capped/apply/concurrent", "capped", testCappedConcurrent},
	{"capped/validate", "capped", testCappedInvalid},
}

func mustIncr(t *testing.T, c store.Counters, kind, id string, ttl time.Duration) int64 {
	t.Helper()
	n, err := c.Incr(t.Context(), kind, id, ttl)
	if err != nil {
		t.Fatalf("Incr(%q, %q): %v", kind, id, err)
	}
	return n
}

func testIncr(t *testing.T, s store.Store) {
	c := s.(store.Counters)
	for want := int64(1); want <= 3; want++ {
		if got := mustIncr(t, c, "attempts", "offer-1", time.Minute); got != want {
			t.Errorf("Incr #%d = %d, want %d", want, got, want)
		}
	}
	// A counter is a token whose value is its count.
	wantToken(t, s, "attempts", "offer-1", "3")
}

func testIncrIndependent(t *testing.T, s store.Store) {
	c := s.(store.Counters)
	mustIncr(t, c, "attempts", "a", time.Minute)
	mustIncr(t, c, "attempts", "a", time.Minute)
	if got := mustIncr(t, c, "attempts", "b", time.Minute); got != 1 {
		t.Errorf("another ID starts at %d, want 1", got)
	}
	if got := mustIncr(t, c, "mails", "a", time.Minute); got != 1 {
		t.Errorf("another kind starts at %d, want 1", got)
	}
	mustPutToken(t, s, "tokens", "a", "not a count", time.Minute)
	if _, err := c.Incr(t.Context(), "tokens", "a", time.Minute); err == nil {
		t.Error("Incr of a token that is not a count: got nil error")
	}
	wantToken(t, s, "tokens", "a", "not a count")
}

func testIncrExpiry(t *testing.T, s store.Store) {
	c := s.(store.Counters)
	// The second Incr counts only when it provably came within the window
	// (see testTokensExpiry): a slower machine tries again on a fresh
	// counter with a doubled window, so the result never depends on speed.
	var (
		id     string
		ttl    time.Duration
		opened time.Time // after the first Incr: the window ends by opened+ttl
	)
	for attempt, d := 0, 400*time.Millisecond; ; attempt, d = attempt+1, 2*d {
		id = fmt.Sprint("w", attempt)
		start := time.Now()
		mustIncr(t, c, "window", id, d)
		opened = time.Now()
		// A later increment with a long TTL keeps the window the first opened.
		n := mustIncr(t, c, "window", id, time.Hour)
		if time.Since(start) < d {
			if n != 2 {
				t.Errorf("second Incr within the window = %d, want 2", n)
			}
			ttl = d
			break
		}
		if attempt == 4 {
			t.Fatalf("two Incr calls took %v, more than a window of %v: too slow to see a window close", time.Since(start), d)
		}
	}
	time.Sleep(time.Until(opened.Add(ttl + 400*time.Millisecond)))
	if _, err := s.GetToken(t.Context(), "window", id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetToken of an expired counter: got %v, want ErrNotFound", err)
	}
	if got := mustIncr(t, c, "window", id, time.Minute); got != 1 {
		t.Errorf("Incr after the window = %d, want 1 (a fresh window)", got)
	}
}

func testIncrConcurrent(t *testing.T, s store.Store) {
	c := s.(store.Counters)
	const n = 40
	got := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = c.Incr(t.Context(), "guesses", "offer", time.Minute)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Incr %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("concurrent Incr results %v, want 1 to %d each once", got, n)
		}
	}
	wantToken(t, s, "guesses", "offer", fmt.Sprint(n))
}

func testIncrInvalid(t *testing.T, s store.Store) {
	c := s.(store.Counters)
	ctx := t.Context()
	for _, ttl := range []time.Duration{0, -time.Second} {
		_, err := c.Incr(ctx, "k", "id", ttl)
		wantInvalid(t, fmt.Sprintf("Incr(ttl=%v)", ttl), err)
	}
	_, err := c.Incr(ctx, "", "id", time.Minute)
	wantInvalid(t, "Incr(empty kind)", err)
	_, err = c.Incr(ctx, "k", "", time.Minute)
	wantInvalid(t, "Incr(empty ID)", err)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Incr(cancelled, "k", "id", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Incr with cancelled context: got %v, want context.Canceled", err)
	}
	if _, err := s.GetToken(ctx, "k", "id"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused Incr took effect: GetToken returned %v", err)
	}
}

// shareWrites is the two-collection batch of one share link: an index
// entry in the capped collection and the record elsewhere.
func shareWrites(id string) []store.Write {
	return []store.Write{
		{Collection: "idx:holder", ID: id, Value: []byte{}, Create: true},
		{Collection: "shares", ID: id, Value: []byte("v-" + id), Create: true},
	}
}

func testCappedLimit(t *testing.T, s store.Store) {
	b := s.(store.CappedBatcher)
	ctx := t.Context()
	for _, id := range []string{"s1", "s2"} {
		if err := b.ApplyCapped(ctx, "idx:holder", 2, shareWrites(id)); err != nil {
			t.Fatalf("ApplyCapped(%s) under the cap: %v", id, err)
		}
	}
	err := b.ApplyCapped(ctx, "idx:holder", 2, shareWrites("s3"))
	if !errors.Is(err, store.ErrLimit) {
		t.Fatalf("ApplyCapped over the cap: got %v, want ErrLimit", err)
	}
	wantCount(t, s, "idx:holder", 2)
	wantCount(t, s, "shares", 2)
	if _, err := s.Get(ctx, "shares", "s3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused batch wrote to another collection: Get returned %v", err)
	}
	// A batch adding two records where one fits is refused whole.
	if err := s.Delete(ctx, "idx:holder", "s1"); err != nil {
		t.Fatal(err)
	}
	two := append(shareWrites("s4"), store.Write{Collection: "idx:holder", ID: "s5", Value: []byte{}, Create: true})
	if err := b.ApplyCapped(ctx, "idx:holder", 2, two); !errors.Is(err, store.ErrLimit) {
		t.Errorf("ApplyCapped adding 2 with room for 1: got %v, want ErrLimit", err)
	}
	if err := b.ApplyCapped(ctx, "idx:holder", 2, shareWrites("s4")); err != nil {
		t.Errorf("ApplyCapped after a delete made room: %v", err)
	}
	wantCount(t, s, "idx:holder", 2)
}

func testCappedReplace(t *testing.T, s store.Store) {
	b := s.(store.CappedBatcher)
	mustCreate(t, s, "idx:holder", "s1", "")
	err := b.ApplyCapped(t.Context(), "idx:holder", 1, []store.Write{{Collection: "idx:holder", ID: "s1", Value: []byte("new")}})
	if err != nil {
		t.Fatalf("ApplyCapped replacing a record of a full collection: %v", err)
	}
	wantGet(t, s, "idx:holder", "s1", "new")
	if err := b.ApplyCapped(t.Context(), "idx:holder", 1, []store.Write{{Collection: "other", ID: "x", Value: []byte("v")}}); err != nil {
		t.Errorf("ApplyCapped writing only elsewhere, collection at its cap: %v", err)
	}
}

func testCappedConflict(t *testing.T, s store.Store) {
	b := s.(store.CappedBatcher)
	mustCreate(t, s, "shares", "s1", "old")
	err := b.ApplyCapped(t.Context(), "idx:holder", 10, shareWrites("s1"))
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("ApplyCapped with a conflicting create: got %v, want ErrConflict", err)
	}
	wantCount(t, s, "idx:holder", 0)
	wantGet(t, s, "shares", "s1", "old")
}

func testCappedConcurrent(t *testing.T, s store.Store) {
	b := s.(store.CappedBatcher)
	const callers, max = 40, 10
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			errs[i] = b.ApplyCapped(t.Context(), "idx:holder", max, shareWrites(fmt.Sprintf("s%02d", i)))
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrLimit):
		default:
			t.Errorf("ApplyCapped %d: got %v, want nil or ErrLimit", i, err)
		}
	}
	if ok != max {
		t.Errorf("%d of %d concurrent capped batches were applied, want exactly %d", ok, callers, max)
	}
	wantCount(t, s, "idx:holder", max)
	wantCount(t, s, "shares", max)
}

func testCappedInvalid(t *testing.T, s store.Store) {
	b := s.(store.CappedBatcher)
	ctx := t.Context()
	wantInvalid(t, "ApplyCapped(max=-1)", b.ApplyCapped(ctx, "idx:holder", -1, shareWrites("s1")))
	wantInvalid(t, "ApplyCapped(empty collection)", b.ApplyCapped(ctx, "", 1, shareWrites("s1")))
	if err := b.ApplyCapped(ctx, "idx:holder", 1, nil); err != nil {
		t.Errorf("ApplyCapped of an empty batch: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.ApplyCapped(cancelled, "idx:holder", 1, shareWrites("s1")); !errors.Is(err, context.Canceled) {
		t.Errorf("ApplyCapped with cancelled context: got %v, want context.Canceled", err)
	}
	wantCount(t, s, "idx:holder", 0)
	wantCount(t, s, "shares", 0)
}
