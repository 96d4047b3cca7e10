package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/store"
)

// RunStatusLists runs the subtests for store.StatusLists against the stores
// that newStore returns, with the same rules for newStore as Run. Every store
// it returns must implement store.StatusLists; the subtests fail otherwise.
// Run already includes these subtests, so call RunStatusLists only to run
// them alone.
//
// Beyond the contract of store.StatusLists, the suite requires that every
// method checks ctx first (a cancelled context wraps context.Canceled and
// has no effect), and that an empty list ID or a bad size given to
// CreateList is an invalid-argument error, not a sentinel.
//
// Restarts are not covered here, because only the implementation knows how
// to reopen itself; each persistent implementation tests them on its own.
func RunStatusLists(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	runStatusLists(t, newStore, true)
}

func runStatusLists(t *testing.T, newStore func(t *testing.T) store.Store, required bool) {
	t.Helper()
	for _, c := range statusListCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, capability[store.StatusLists](t, newStore(t), required))
		})
	}
}

var statusListCases = []struct {
	name string
	run  func(t *testing.T, l store.StatusLists)
}{
	{"statuslists/create/ok", testListCreate},
	{"statuslists/create/conflict", testListCreateConflict},
	{"statuslists/create/invalid-size", testListCreateInvalidSize},
	{"statuslists/not-found", testListNotFound},
	{"statuslists/independent", testListsIndependent},
	{"statuslists/allocate/until-full", testAllocateUntilFull},
	{"statuslists/allocate/concurrent", testAllocateConcurrent},
	{"statuslists/allocate/first-free", testAllocateFirstFree},
	{"statuslists/allocate/wrap-into-start-byte", testAllocateWrapIntoStartByte},
	{"statuslists/allocate/out-of-range", testAllocateOutOfRange},
	{"statuslists/allocate-many/distinct", testAllocateManyDistinct},
	{"statuslists/allocate-many/like-allocate", testAllocateManyLikeAllocate},
	{"statuslists/allocate-many/wrap-around", testAllocateManyWrapAround},
	{"statuslists/allocate-many/exactly-full", testAllocateManyExactlyFull},
	{"statuslists/allocate-many/until-full", testAllocateManyUntilFull},
	{"statuslists/allocate-many/out-of-range", testAllocateManyOutOfRange},
	{"statuslists/allocate-many/count", testAllocateManyCount},
	{"statuslists/allocate-many/not-found", testAllocateManyNotFound},
	{"statuslists/allocate-many/concurrent", testAllocateManyConcurrent},
	{"statuslists/allocate-many/concurrent-mixed", testAllocateManyConcurrentMixed},
	{"statuslists/allocate-many/list-info", testAllocateManyListInfo},
	{"statuslists/status/round-trip", testStatusRoundTrip},
	{"statuslists/status/bit-layout", testStatusBitLayout},
	{"statuslists/status/version", testStatusVersion},
	{"statuslists/status/out-of-range", testStatusOutOfRange},
	{"statuslists/bits/copies", testBitsCopies},
	{"statuslists/bits/consistent", testBitsConsistent},
	{"statuslists/validate/empty-id", testListEmptyID},
	{"statuslists/context/cancelled", testListCancelled},
}

func testListCreate(t *testing.T, l store.StatusLists) {
	for _, size := range []int{8, 64, 131072} {
		id := fmt.Sprint("list-", size)
		mustCreateList(t, l, id, size)
		wantInfo(t, l, id, size, 0, 0)
		wantBits(t, l, id, make([]byte, size/8), 0)
		for _, i := range []int{0, size - 1} {
			if got, err := l.Status(t.Context(), id, i); err != nil || got {
				t.Errorf("Status(%s, %d) of a new list: got (%t, %v), want (false, nil)", id, i, got, err)
			}
		}
	}
}

func testListCreateConflict(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	mustSetStatus(t, l, "list", 3, true)
	mustAllocate(t, l, "list", 5)
	for _, size := range []int{64, 128, 8} {
		if err := l.CreateList(ctx, "list", size); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateList(size %d) of an existing list: got %v, want ErrConflict", size, err)
		}
	}
	// Nothing was reset.
	wantInfo(t, l, "list", 64, 1, 1)
	wantBits(t, l, "list", []byte{0x10, 0, 0, 0, 0, 0, 0, 0}, 1)
}

func testListCreateInvalidSize(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	for _, size := range []int{0, -8, 1, 7, 12, 131071, store.MaxStatusListSize + 8, 2 * store.MaxStatusListSize} {
		id := fmt.Sprint("size", size)
		wantInvalid(t, fmt.Sprintf("CreateList(size %d)", size), l.CreateList(ctx, id, size))
		if _, _, _, err := l.ListInfo(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ListInfo after CreateList(size %d): got %v, want ErrNotFound", size, err)
		}
	}
}

func testListNotFound(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	// A prefix or extension of a present ID is a different list.
	for _, id := range []string{"missing", "lis", "list2", "list "} {
		_, err := l.Allocate(ctx, id, 0)
		wantNotFound(t, fmt.Sprintf("Allocate(%q)", id), err)
		_, err = l.SetStatus(ctx, id, 0, true)
		wantNotFound(t, fmt.Sprintf("SetStatus(%q)", id), err)
		_, err = l.Status(ctx, id, 0)
		wantNotFound(t, fmt.Sprintf("Status(%q)", id), err)
		_, _, err = l.Bits(ctx, id)
		wantNotFound(t, fmt.Sprintf("Bits(%q)", id), err)
		_, _, _, err = l.ListInfo(ctx, id)
		wantNotFound(t, fmt.Sprintf("ListInfo(%q)", id), err)
	}
	// The failed calls created nothing.
	for _, id := range []string{"missing", "lis"} {
		if _, _, _, err := l.ListInfo(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ListInfo(%q) after calls on a missing list: got %v, want ErrNotFound", id, err)
		}
	}
	wantInfo(t, l, "list", 64, 0, 0)
}

func testListsIndependent(t *testing.T, l store.StatusLists) {
	// Names chosen to catch implementations that join names into keys
	// without escaping.
	ids := []string{"a", "ab", "a:b", "a/b", "{a}", "https://example.org/status/1"}
	for _, id := range ids {
		mustCreateList(t, l, id, 16)
	}
	mustSetStatus(t, l, "a", 0, true)
	for range 3 {
		mustAllocate(t, l, "a", 0)
	}
	wantInfo(t, l, "a", 16, 3, 1)
	wantBits(t, l, "a", []byte{0x80, 0}, 1)
	for _, id := range ids[1:] {
		wantInfo(t, l, id, 16, 0, 0)
		wantBits(t, l, id, []byte{0, 0}, 0)
	}
}

func testAllocateUntilFull(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 64
	mustCreateList(t, l, "list", size)
	seen := map[int]bool{}
	for n := range size {
		i := mustAllocate(t, l, "list", rand.IntN(size))
		if i < 0 || i >= size {
			t.Fatalf("Allocate %d: got %d, want an index in [0, %d)", n, i, size)
		}
		if seen[i] {
			t.Fatalf("Allocate %d: index %d handed out twice", n, i)
		}
		seen[i] = true
	}
	for _, start := range []int{0, 31, size - 1} {
		if i, err := l.Allocate(ctx, "list", start); !errors.Is(err, store.ErrFull) {
			t.Errorf("Allocate(start %d) on a full list: got (%d, %v), want ErrFull", start, i, err)
		}
	}
	// Allocation touches neither the status bits nor the version.
	wantInfo(t, l, "list", size, size, 0)
	wantBits(t, l, "list", make([]byte, size/8), 0)
}

// testAllocateConcurrent has 16 goroutines allocate from random starts
// until the list is full: every index is handed out exactly once.
func testAllocateConcurrent(t *testing.T, l store.StatusLists) {
	const size, workers = 256, 16
	mustCreateList(t, l, "list", size)
	got := make([][]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for {
				i, err := l.Allocate(t.Context(), "list", rand.IntN(size))
				if err != nil {
					errs[w] = err
					return
				}
				got[w] = append(got[w], i)
			}
		})
	}
	close(start)
	wg.Wait()

	all := slices.Concat(got...)
	for w, err := range errs {
		if !errors.Is(err, store.ErrFull) {
			t.Errorf("worker %d ended with %v, want ErrFull", w, err)
		}
	}
	if len(all) != size {
		t.Errorf("%d allocations succeeded, want exactly %d", len(all), size)
	}
	slices.Sort(all)
	if want := rangeInts(size); !slices.Equal(all, want) {
		t.Errorf("allocated indexes are not each of 0..%d once: %v", size-1, all)
	}
	wantInfo(t, l, "list", size, size, 0)
}

// testAllocateFirstFree checks "the first free index at or after start",
// including a start in the middle of a byte whose earlier bits are free.
func testAllocateFirstFree(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	steps := []struct{ start, want int }{
		// Fill byte 1 from index 9: index 8 stays free.
		{9, 9}, {10, 10}, {11, 11}, {12, 12}, {13, 13}, {14, 14}, {15, 15},
		// A free bit before start in start's byte does not count.
		{10, 16},
		{8, 8},
		{12, 17},
		// Starting at a free index returns it.
		{40, 40},
		// Near the end: 63 is free, then the search wraps to 0.
		{63, 63},
		{63, 0},
		{62, 62},
		{62, 1},
		{0, 2},
	}
	for n, st := range steps {
		got, err := l.Allocate(ctx, "list", st.start)
		if err != nil || got != st.want {
			t.Fatalf("step %d: Allocate(start %d): got (%d, %v), want (%d, nil)", n, st.start, got, err, st.want)
		}
	}
	wantInfo(t, l, "list", 64, len(steps), 0)
}

// testAllocateWrapIntoStartByte leaves free only a bit before start in
// start's own byte: the search must wrap all the way round to find it.
func testAllocateWrapIntoStartByte(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 24
	mustCreateList(t, l, "list", size)
	for i := range size {
		if i != 3 {
			if got := mustAllocate(t, l, "list", i); got != i {
				t.Fatalf("Allocate(start %d) on a free index: got %d", i, got)
			}
		}
	}
	if got, err := l.Allocate(ctx, "list", 5); err != nil || got != 3 {
		t.Fatalf("Allocate(start 5) with only index 3 free: got (%d, %v), want (3, nil)", got, err)
	}
	if got, err := l.Allocate(ctx, "list", 5); !errors.Is(err, store.ErrFull) {
		t.Fatalf("Allocate on a full list: got (%d, %v), want ErrFull", got, err)
	}
}

func testAllocateOutOfRange(t *testing.T, l store.StatusLists) {
	mustCreateList(t, l, "list", 64)
	for _, start := range []int{-1, -64, 64, 65, 1 << 40} {
		i, err := l.Allocate(t.Context(), "list", start)
		if !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("Allocate(start %d): got (%d, %v), want ErrOutOfRange", start, i, err)
		}
	}
	wantInfo(t, l, "list", 64, 0, 0)
}

// testAllocateManyDistinct serves random starts, duplicates included, in
// several calls: every call returns one index per start, each of them the
// one a model of "the first free index at or after start" picks, so the
// indexes are distinct, in range and in the order of starts.
func testAllocateManyDistinct(t *testing.T, l store.StatusLists) {
	const size = 256
	mustCreateList(t, l, "list", size)
	model := make([]byte, size/8)
	for _, n := range []int{1, 7, 40, 100, 64} {
		starts := randomStarts(n, size)
		starts[0] = starts[n-1] // at least one repeated start when n > 1
		got := mustAllocateMany(t, l, "list", starts)
		want := modelAllocate(model, starts)
		if !slices.Equal(got, want) {
			t.Fatalf("AllocateMany(%v):\n got %v\nwant %v", starts, got, want)
		}
	}
	wantInfo(t, l, "list", size, popCount(model), 0)
}

// testAllocateManyLikeAllocate serves the same starts with AllocateMany on
// one list and with one Allocate each on another: both hand out the same
// indexes, in the same order.
func testAllocateManyLikeAllocate(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 64
	mustCreateList(t, l, "many", size)
	mustCreateList(t, l, "one", size)
	if got := mustAllocateMany(t, l, "many", []int{5, 5, 5}); !slices.Equal(got, []int{5, 6, 7}) {
		t.Fatalf("AllocateMany([5 5 5]) on an empty list: got %v, want [5 6 7]", got)
	}
	for _, start := range []int{5, 5, 5} {
		mustAllocate(t, l, "one", start)
	}
	for range 5 {
		starts := randomStarts(1+rand.IntN(8), size)
		got := mustAllocateMany(t, l, "many", starts)
		var want []int
		for _, start := range starts {
			want = append(want, mustAllocate(t, l, "one", start))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("AllocateMany(%v): got %v, Allocate gave %v", starts, got, want)
		}
	}
	a, _, err := l.Bits(ctx, "many")
	if err != nil {
		t.Fatalf("Bits: %v", err)
	}
	wantBits(t, l, "one", a, 0)
	_, n, _, err := l.ListInfo(ctx, "one")
	if err != nil {
		t.Fatalf("ListInfo: %v", err)
	}
	wantInfo(t, l, "many", size, n, 0)
}

// testAllocateManyWrapAround checks the search near the end of the list and
// the wrap-around to 0, also into a free bit before start in start's byte,
// within one call.
func testAllocateManyWrapAround(t *testing.T, l store.StatusLists) {
	const size = 24
	mustCreateList(t, l, "list", size)
	if got := mustAllocateMany(t, l, "list", []int{22, 22, 22, 22, 23}); !slices.Equal(got, []int{22, 23, 0, 1, 2}) {
		t.Fatalf("AllocateMany([22 22 22 22 23]): got %v, want [22 23 0 1 2]", got)
	}
	// Fill everything but index 11, then ask from 13 (same byte, after it)
	// and from 20: the first wraps around into start's byte, the second
	// finds the list full.
	var fill []int
	for i := 3; i < 22; i++ {
		if i != 11 {
			fill = append(fill, i)
		}
	}
	if got := mustAllocateMany(t, l, "list", fill); !slices.Equal(got, fill) {
		t.Fatalf("AllocateMany on free indexes %v: got %v", fill, got)
	}
	got, err := l.AllocateMany(t.Context(), "list", []int{13, 20})
	if !errors.Is(err, store.ErrFull) || !slices.Equal(got, []int{11}) {
		t.Fatalf("AllocateMany([13 20]) with only index 11 free: got (%v, %v), want ([11], ErrFull)", got, err)
	}
	wantInfo(t, l, "list", size, size, 0)
}

// testAllocateManyExactlyFull asks for exactly the free indexes left: no
// error, and the list is then full for Allocate and AllocateMany alike.
func testAllocateManyExactlyFull(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 64
	mustCreateList(t, l, "list", size)
	first := mustAllocateMany(t, l, "list", randomStarts(20, size))
	rest := mustAllocateMany(t, l, "list", randomStarts(size-20, size))
	all := slices.Concat(first, rest)
	slices.Sort(all)
	if !slices.Equal(all, rangeInts(size)) {
		t.Fatalf("AllocateMany of 20 and %d starts did not hand out each index once: %v", size-20, all)
	}
	if i, err := l.Allocate(ctx, "list", 7); !errors.Is(err, store.ErrFull) {
		t.Errorf("Allocate on a full list: got (%d, %v), want ErrFull", i, err)
	}
	if got, err := l.AllocateMany(ctx, "list", []int{0, 63}); !errors.Is(err, store.ErrFull) || len(got) != 0 {
		t.Errorf("AllocateMany on a full list: got (%v, %v), want ([], ErrFull)", got, err)
	}
	wantInfo(t, l, "list", size, size, 0)
	wantBits(t, l, "list", make([]byte, size/8), 0)
}

// testAllocateManyUntilFull asks for more indexes than are free: the call
// returns those it reserved, which stay reserved, with ErrFull.
func testAllocateManyUntilFull(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 64
	mustCreateList(t, l, "list", size)
	first := mustAllocateMany(t, l, "list", randomStarts(40, size))
	starts := randomStarts(40, size)
	got, err := l.AllocateMany(ctx, "list", starts)
	if !errors.Is(err, store.ErrFull) {
		t.Fatalf("AllocateMany of 40 starts with 24 free: got (%v, %v), want ErrFull", got, err)
	}
	model := make([]byte, size/8)
	modelAllocate(model, first)
	if want := modelAllocate(model, starts[:size-40]); !slices.Equal(got, want) {
		t.Errorf("AllocateMany of 40 starts with 24 free: got %v, want %v", got, want)
	}
	all := slices.Concat(first, got)
	slices.Sort(all)
	if !slices.Equal(all, rangeInts(size)) {
		t.Errorf("indexes handed out are not each of 0..%d once: %v", size-1, all)
	}
	wantInfo(t, l, "list", size, size, 0)
	if i, err := l.Allocate(ctx, "list", 0); !errors.Is(err, store.ErrFull) {
		t.Errorf("Allocate after AllocateMany filled the list: got (%d, %v), want ErrFull", i, err)
	}
}

// testAllocateManyOutOfRange has one bad start among good ones: nothing is
// reserved, not even for the good starts before it.
func testAllocateManyOutOfRange(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 64
	mustCreateList(t, l, "list", size)
	mustAllocate(t, l, "list", 10)
	for _, starts := range [][]int{
		{64},
		{0, 1, 64},
		{0, 65, 1},
		{-1, 0},
		{0, 1, 2, -64},
		{63, 1 << 40},
	} {
		got, err := l.AllocateMany(ctx, "list", starts)
		if !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("AllocateMany(%v): got (%v, %v), want ErrOutOfRange", starts, got, err)
		}
		wantInfo(t, l, "list", size, 1, 0)
	}
	// Index 0 was never reserved by the failed calls.
	if got := mustAllocateMany(t, l, "list", []int{0}); !slices.Equal(got, []int{0}) {
		t.Errorf("AllocateMany([0]) after failed calls: got %v, want [0]", got)
	}
}

// testAllocateManyCount rejects no starts and more than
// store.MaxAllocateMany, reserving nothing, and accepts exactly that many.
func testAllocateManyCount(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	const size = 2 * store.MaxAllocateMany
	mustCreateList(t, l, "list", size)
	for _, starts := range [][]int{nil, {}, make([]int, store.MaxAllocateMany+1), randomStarts(2*store.MaxAllocateMany, size)} {
		got, err := l.AllocateMany(ctx, "list", starts)
		if !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("AllocateMany with %d starts: got (%v, %v), want ErrOutOfRange", len(starts), got, err)
		}
		wantInfo(t, l, "list", size, 0, 0)
	}
	got := mustAllocateMany(t, l, "list", randomStarts(store.MaxAllocateMany, size))
	if len(got) != store.MaxAllocateMany || len(slices.Compact(slices.Sorted(slices.Values(got)))) != store.MaxAllocateMany {
		t.Errorf("AllocateMany with %d starts: got %d indexes, want as many distinct ones", store.MaxAllocateMany, len(got))
	}
	wantInfo(t, l, "list", size, store.MaxAllocateMany, 0)
}

func testAllocateManyNotFound(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	for _, id := range []string{"missing", "lis", "list2", "list "} {
		got, err := l.AllocateMany(ctx, id, []int{0, 1})
		wantNotFound(t, fmt.Sprintf("AllocateMany(%q)", id), err)
		if len(got) != 0 {
			t.Errorf("AllocateMany(%q) of a missing list returned indexes %v", id, got)
		}
		if _, _, _, err := l.ListInfo(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ListInfo(%q) after AllocateMany: got %v, want ErrNotFound", id, err)
		}
	}
	wantInfo(t, l, "list", 64, 0, 0)
}

// testAllocateManyConcurrent has 8 goroutines call AllocateMany with up to
// 16 random starts until the list is full: every index is handed out
// exactly once, counting the indexes returned along with ErrFull.
func testAllocateManyConcurrent(t *testing.T, l store.StatusLists) {
	testAllocateManyRace(t, l, func(int) bool { return true })
}

// testAllocateManyConcurrentMixed is testAllocateManyConcurrent with half
// the goroutines calling Allocate instead.
func testAllocateManyConcurrentMixed(t *testing.T, l store.StatusLists) {
	testAllocateManyRace(t, l, func(w int) bool { return w%2 == 0 })
}

func testAllocateManyRace(t *testing.T, l store.StatusLists, many func(worker int) bool) {
	const size, workers = 512, 8
	mustCreateList(t, l, "list", size)
	got := make([][]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for {
				var (
					idx []int
					err error
				)
				if many(w) {
					starts := randomStarts(1+rand.IntN(16), size)
					idx, err = l.AllocateMany(t.Context(), "list", starts)
					if err == nil && len(idx) != len(starts) {
						err = fmt.Errorf("AllocateMany of %d starts returned %d indexes", len(starts), len(idx))
					}
				} else {
					var i int
					if i, err = l.Allocate(t.Context(), "list", rand.IntN(size)); err == nil {
						idx = []int{i}
					}
				}
				got[w] = append(got[w], idx...)
				if err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()

	for w, err := range errs {
		if !errors.Is(err, store.ErrFull) {
			t.Errorf("worker %d ended with %v, want ErrFull", w, err)
		}
	}
	all := slices.Concat(got...)
	slices.Sort(all)
	if !slices.Equal(all, rangeInts(size)) {
		t.Errorf("%d indexes handed out, not each of 0..%d once: %v", len(all), size-1, all)
	}
	wantInfo(t, l, "list", size, size, 0)
}

// testAllocateManyListInfo checks that ListInfo counts exactly the indexes
// AllocateMany reserved, and that AllocateMany touches neither the status
// bits nor the version.
func testAllocateManyListInfo(t *testing.T, l store.StatusLists) {
	const size = 128
	mustCreateList(t, l, "list", size)
	mustSetStatus(t, l, "list", 100, true)
	reserved := 0
	for _, n := range []int{1, 3, 17, 50} {
		reserved += len(mustAllocateMany(t, l, "list", randomStarts(n, size)))
		wantInfo(t, l, "list", size, reserved, 1)
	}
	got, err := l.AllocateMany(t.Context(), "list", randomStarts(100, size))
	if !errors.Is(err, store.ErrFull) || reserved+len(got) != size {
		t.Errorf("AllocateMany of 100 starts with %d free: got %d indexes (%v), want %d and ErrFull", size-reserved, len(got), err, size-reserved)
	}
	want := make([]byte, size/8)
	want[100/8] = 0x80 >> (100 % 8)
	wantInfo(t, l, "list", size, size, 1)
	wantBits(t, l, "list", want, 1)
}

func testStatusRoundTrip(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	steps := []struct {
		value, wantPrev bool
	}{
		{true, false},
		{true, true},
		{false, true},
		{false, false},
		{true, false},
	}
	for n, st := range steps {
		prev, err := l.SetStatus(ctx, "list", 5, st.value)
		if err != nil || prev != st.wantPrev {
			t.Fatalf("step %d: SetStatus(5, %t): got (%t, %v), want (%t, nil)", n, st.value, prev, err, st.wantPrev)
		}
		got, err := l.Status(ctx, "list", 5)
		if err != nil || got != st.value {
			t.Fatalf("step %d: Status(5): got (%t, %v), want (%t, nil)", n, got, err, st.value)
		}
	}
	// Neighbours are untouched.
	for _, i := range []int{4, 6} {
		if got, err := l.Status(ctx, "list", i); err != nil || got {
			t.Errorf("Status(%d): got (%t, %v), want (false, nil)", i, got, err)
		}
	}
}

// testStatusBitLayout checks the bit order of the specification (index 0 is
// the most significant bit of byte 0) with its generated vector: bits 0,
// 94567 and 131071 of a 131,072-entry list give byte 0 = 0x80, byte 11820 =
// 0x01 and a last byte of 0x01.
func testStatusBitLayout(t *testing.T, l store.StatusLists) {
	const size = 131072
	mustCreateList(t, l, "small", 16)
	mustSetStatus(t, l, "small", 0, true)
	wantBits(t, l, "small", []byte{0x80, 0x00}, 1)
	mustSetStatus(t, l, "small", 9, true)
	wantBits(t, l, "small", []byte{0x80, 0x40}, 2)
	mustSetStatus(t, l, "small", 15, true)
	mustSetStatus(t, l, "small", 0, false)
	wantBits(t, l, "small", []byte{0x00, 0x41}, 4)

	mustCreateList(t, l, "vector", size)
	for _, i := range []int{0, 94567, 131071} {
		mustSetStatus(t, l, "vector", i, true)
	}
	want := make([]byte, size/8)
	want[0], want[11820], want[size/8-1] = 0x80, 0x01, 0x01
	wantBits(t, l, "vector", want, 3)
}

// testStatusVersion checks that the version counts changes of the
// bitstring: a SetStatus that changes nothing leaves it alone, and so does
// Allocate.
func testStatusVersion(t *testing.T, l store.StatusLists) {
	mustCreateList(t, l, "list", 64)
	steps := []struct {
		index       int
		value       bool
		wantVersion uint64
	}{
		{1, true, 1},
		{1, true, 1}, // no change
		{2, true, 2},
		{1, false, 3},
		{1, false, 3}, // no change
		{63, false, 3},
		{63, true, 4},
	}
	for n, st := range steps {
		mustSetStatus(t, l, "list", st.index, st.value)
		_, version, err := l.Bits(t.Context(), "list")
		if err != nil || version != st.wantVersion {
			t.Fatalf("step %d: SetStatus(%d, %t), then Bits: got version %d (%v), want %d", n, st.index, st.value, version, err, st.wantVersion)
		}
		wantInfo(t, l, "list", 64, 0, st.wantVersion)
	}
	mustAllocate(t, l, "list", 0)
	wantInfo(t, l, "list", 64, 1, 4)
}

func testStatusOutOfRange(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	mustCreateList(t, l, "list", 64)
	for _, i := range []int{-1, 64, 65, 1 << 40} {
		if _, err := l.SetStatus(ctx, "list", i, true); !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("SetStatus(%d): got %v, want ErrOutOfRange", i, err)
		}
		if _, err := l.Status(ctx, "list", i); !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("Status(%d): got %v, want ErrOutOfRange", i, err)
		}
	}
	wantBits(t, l, "list", make([]byte, 8), 0)
}

func testBitsCopies(t *testing.T, l store.StatusLists) {
	mustCreateList(t, l, "list", 16)
	mustSetStatus(t, l, "list", 0, true)
	got, _, err := l.Bits(t.Context(), "list")
	if err != nil {
		t.Fatalf("Bits: %v", err)
	}
	for i := range got {
		got[i] = 0xFF
	}
	wantBits(t, l, "list", []byte{0x80, 0}, 1)
}

// testBitsConsistent sets distinct bits from several goroutines while
// others read: since every SetStatus changes one bit, each snapshot must
// hold exactly as many set bits as its version says.
func testBitsConsistent(t *testing.T, l store.StatusLists) {
	const size, writers, readers = 256, 4, 2
	mustCreateList(t, l, "list", size)
	order := rand.Perm(size)[:size/2]
	var writing, reading sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers+readers)
	for w := range writers {
		writing.Go(func() {
			for k := w; k < len(order); k += writers {
				if prev, err := l.SetStatus(t.Context(), "list", order[k], true); err != nil || prev {
					errs <- fmt.Errorf("SetStatus(%d): got (%t, %v), want (false, nil)", order[k], prev, err)
					return
				}
			}
		})
	}
	for range readers {
		reading.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				b, version, err := l.Bits(t.Context(), "list")
				if err != nil {
					errs <- fmt.Errorf("bits: %w", err)
					return
				}
				if n := popCount(b); uint64(n) != version {
					errs <- fmt.Errorf("bits: %d set bits with version %d", n, version)
					return
				}
				_, _, version2, err := l.ListInfo(t.Context(), "list")
				if err != nil || version2 < version {
					errs <- fmt.Errorf("ListInfo after Bits: got version %d (%v), want at least %d", version2, err, version)
					return
				}
			}
		})
	}
	writing.Wait()
	close(done)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := make([]byte, size/8)
	for _, i := range order {
		want[i/8] |= 0x80 >> (i % 8)
	}
	wantBits(t, l, "list", want, size/2)
}

func testListEmptyID(t *testing.T, l store.StatusLists) {
	ctx := t.Context()
	wantInvalid(t, `CreateList("")`, l.CreateList(ctx, "", 64))
	_, err := l.Allocate(ctx, "", 0)
	wantInvalid(t, `Allocate("")`, err)
	_, err = l.AllocateMany(ctx, "", []int{0})
	wantInvalid(t, `AllocateMany("")`, err)
	_, err = l.SetStatus(ctx, "", 0, true)
	wantInvalid(t, `SetStatus("")`, err)
	_, err = l.Status(ctx, "", 0)
	wantInvalid(t, `Status("")`, err)
	_, _, err = l.Bits(ctx, "")
	wantInvalid(t, `Bits("")`, err)
	_, _, _, err = l.ListInfo(ctx, "")
	wantInvalid(t, `ListInfo("")`, err)
}

func testListCancelled(t *testing.T, l store.StatusLists) {
	mustCreateList(t, l, "list", 64)
	mustSetStatus(t, l, "list", 1, true)
	mustAllocate(t, l, "list", 0)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ops := []struct {
		name string
		op   func() error
	}{
		{"CreateList", func() error { return l.CreateList(ctx, "new", 64) }},
		{"Allocate", func() error { _, err := l.Allocate(ctx, "list", 0); return err }},
		{"AllocateMany", func() error { _, err := l.AllocateMany(ctx, "list", []int{0, 1}); return err }},
		{"SetStatus", func() error { _, err := l.SetStatus(ctx, "list", 1, false); return err }},
		{"Status", func() error { _, err := l.Status(ctx, "list", 1); return err }},
		{"Bits", func() error { _, _, err := l.Bits(ctx, "list"); return err }},
		{"ListInfo", func() error { _, _, _, err := l.ListInfo(ctx, "list"); return err }},
	}
	for _, o := range ops {
		if err := o.op(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with cancelled context: got %v, want an error wrapping context.Canceled", o.name, err)
		}
	}

	// Nothing changed.
	if _, _, _, err := l.ListInfo(t.Context(), "new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelled CreateList took effect: ListInfo returned %v", err)
	}
	wantInfo(t, l, "list", 64, 1, 1)
	wantBits(t, l, "list", []byte{0x40, 0, 0, 0, 0, 0, 0, 0}, 1)
}

// --- helpers ---

func mustCreateList(t *testing.T, l store.StatusLists, id string, size int) {
	t.Helper()
	if err := l.CreateList(t.Context(), id, size); err != nil {
		t.Fatalf("CreateList(%q, %d): %v", id, size, err)
	}
}

func mustAllocate(t *testing.T, l store.StatusLists, id string, start int) int {
	t.Helper()
	i, err := l.Allocate(t.Context(), id, start)
	if err != nil {
		t.Fatalf("Allocate(%q, %d): %v", id, start, err)
	}
	return i
}

func mustAllocateMany(t *testing.T, l store.StatusLists, id string, starts []int) []int {
	t.Helper()
	got, err := l.AllocateMany(t.Context(), id, starts)
	if err != nil {
		t.Fatalf("AllocateMany(%q, %v): %v", id, starts, err)
	}
	if len(got) != len(starts) {
		t.Fatalf("AllocateMany(%q, %v): got %d indexes %v, want %d", id, starts, len(got), got, len(starts))
	}
	return got
}

func mustSetStatus(t *testing.T, l store.StatusLists, id string, index int, value bool) {
	t.Helper()
	if _, err := l.SetStatus(t.Context(), id, index, value); err != nil {
		t.Fatalf("SetStatus(%q, %d, %t): %v", id, index, value, err)
	}
}

func wantInfo(t *testing.T, l store.StatusLists, id string, size, allocated int, version uint64) {
	t.Helper()
	type info struct {
		Size, Allocated int
		Version         uint64
	}
	s, a, v, err := l.ListInfo(t.Context(), id)
	if err != nil {
		t.Errorf("ListInfo(%q): %v", id, err)
		return
	}
	if diff := cmp.Diff(info{size, allocated, version}, info{s, a, v}); diff != "" {
		t.Errorf("ListInfo(%q) mismatch (-want +got):\n%s", id, diff)
	}
}

func wantBits(t *testing.T, l store.StatusLists, id string, want []byte, wantVersion uint64) {
	t.Helper()
	got, version, err := l.Bits(t.Context(), id)
	if err != nil {
		t.Errorf("Bits(%q): %v", id, err)
		return
	}
	if version != wantVersion {
		t.Errorf("Bits(%q): got version %d, want %d", id, version, wantVersion)
	}
	if len(got) != len(want) {
		t.Errorf("Bits(%q): got %d bytes, want %d", id, len(got), len(want))
		return
	}
	reported := 0
	for i := range want {
		if got[i] != want[i] {
			if reported++; reported > 5 {
				t.Errorf("Bits(%q): more bytes differ", id)
				return
			}
			t.Errorf("Bits(%q): byte %d is %#02x, want %#02x", id, i, got[i], want[i])
		}
	}
}

func wantNotFound(t *testing.T, call string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: got %v, want ErrNotFound", call, err)
	}
}

func popCount(b []byte) int {
	n := 0
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return n
}

// randomStarts returns n uniformly random starts in [0, size).
func randomStarts(n, size int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = rand.IntN(size)
	}
	return out
}

// modelAllocate serves starts on the allocation bitmap m as
// store.StatusLists.AllocateMany specifies it, bit by bit, setting the bits
// it hands out. It returns the indexes, and stops at the first start it
// cannot serve because m is full.
func modelAllocate(m []byte, starts []int) []int {
	size := 8 * len(m)
	var out []int
	for _, start := range starts {
		found := false
		for k := range size {
			i := (start + k) % size
			if m[i/8]&(0x80>>(i%8)) == 0 {
				m[i/8] |= 0x80 >> (i % 8)
				out = append(out, i)
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return out
}

func rangeInts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
