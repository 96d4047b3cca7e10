package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/store"
)

// RunBatch runs the subtests for store.Batcher against the stores that
// newStore returns, with the same rules for newStore as Run. Every store it
// returns must implement store.Batcher; the subtests fail otherwise. Run
// already includes these subtests, so call RunBatch only to run them alone.
//
// Beyond the contract of store.Batcher, the suite requires what Run does of
// Docs (a cancelled context has no effect, empty names are invalid-argument
// errors, empty values are present) and that a batch of more than
// store.MaxBatch writes is an invalid-argument error.
func RunBatch(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	runBatch(t, newStore, true)
}

func runBatch(t *testing.T, newStore func(t *testing.T) store.Store, required bool) {
	t.Helper()
	for _, c := range batchCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			c.run(t, s, capability[store.Batcher](t, s, required))
		})
	}
}

var batchCases = []struct {
	name string
	run  func(t *testing.T, s store.Store, b store.Batcher)
}{
	{"batch/apply/ok", testBatchApply},
	{"batch/apply/conflict", testBatchConflict},
	{"batch/apply/conflict-within-batch", testBatchWithinBatch},
	{"batch/apply/concurrent", testBatchConcurrent},
	{"batch/apply/concurrent-mixed", testBatchConcurrentMixed},
	{"batch/apply/empty", testBatchEmpty},
	{"batch/apply/empty-value", testBatchEmptyValue},
	{"batch/copies", testBatchCopies},
	{"batch/validate/limit", testBatchLimit},
	{"batch/validate/empty-names", testBatchEmptyNames},
	{"batch/context/cancelled", testBatchCancelled},
}

func testBatchApply(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	mustCreate(t, s, "counters", "issued", "0")
	err := b.Apply(ctx, []store.Write{
		{Collection: "credentials", ID: "urn:uuid:1", Value: []byte("credential"), Create: true},
		{Collection: "by-recipient", ID: "ada/urn:uuid:1", Value: []byte("urn:uuid:1"), Create: true},
		{Collection: "counters", ID: "issued", Value: []byte("1")},
		{Collection: "by-achievement", ID: "a1/urn:uuid:1", Value: []byte("urn:uuid:1")},
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	wantGet(t, s, "credentials", "urn:uuid:1", "credential")
	wantGet(t, s, "by-recipient", "ada/urn:uuid:1", "urn:uuid:1")
	wantGet(t, s, "counters", "issued", "1")
	wantGet(t, s, "by-achievement", "a1/urn:uuid:1", "urn:uuid:1")
	for _, c := range []string{"credentials", "by-recipient", "counters", "by-achievement"} {
		wantCount(t, s, c, 1)
	}
	// The batch's keys behave like any other: Create conflicts, List sees them.
	if err := s.Create(ctx, "credentials", "urn:uuid:1", []byte("again")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Create over a key written by Apply: got %v, want ErrConflict", err)
	}
	page, err := s.List(ctx, "by-recipient", "", 10)
	if err != nil || len(page.Records) != 1 || page.Records[0].ID != "ada/urn:uuid:1" {
		t.Errorf("List after Apply: got (%+v, %v), want the one record", page, err)
	}
}

// testBatchConflict puts a Create of an existing key first, in the middle
// and last in a batch: each time nothing of the batch may be written.
func testBatchConflict(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	mustCreate(t, s, "credentials", "taken", "old")
	mustCreate(t, s, "index", "i0", "keep")
	others := []store.Write{
		{Collection: "index", ID: "i0", Value: []byte("changed")},
		{Collection: "credentials", ID: "fresh", Value: []byte("new"), Create: true},
		{Collection: "other", ID: "o1", Value: []byte("new")},
	}
	conflicting := store.Write{Collection: "credentials", ID: "taken", Value: []byte("new"), Create: true}
	for pos := 0; pos <= len(others); pos++ {
		writes := append(append(append([]store.Write{}, others[:pos]...), conflicting), others[pos:]...)
		if err := b.Apply(ctx, writes); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Apply with the conflicting Create at %d: got %v, want ErrConflict", pos, err)
		}
		wantGet(t, s, "credentials", "taken", "old")
		wantGet(t, s, "index", "i0", "keep")
		wantMissing(t, s, "credentials", "fresh")
		wantMissing(t, s, "other", "o1")
		wantCount(t, s, "credentials", 1)
		wantCount(t, s, "other", 0)
	}
	// The key is free after the failed batch, so a second try works.
	if err := b.Apply(ctx, others); err != nil {
		t.Fatalf("Apply without the conflicting write: %v", err)
	}
	wantGet(t, s, "credentials", "fresh", "new")
	wantGet(t, s, "index", "i0", "changed")
}

// testBatchWithinBatch checks that writes apply in order: a Create sees the
// keys written earlier in its own batch.
func testBatchWithinBatch(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	for _, c := range []struct {
		name         string
		first, again bool // Create flags of the two writes to one key
		want         string
	}{
		{"create-create", true, true, ""},
		{"put-create", false, true, ""},
		{"create-put", true, false, "v2"},
		{"put-put", false, false, "v2"},
	} {
		coll := "within-" + c.name
		err := b.Apply(ctx, []store.Write{
			{Collection: coll, ID: "k", Value: []byte("v1"), Create: c.first},
			{Collection: coll + "-other", ID: "k", Value: []byte("other"), Create: true},
			{Collection: coll, ID: "k", Value: []byte("v2"), Create: c.again},
		})
		if c.want == "" {
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: Apply: got %v, want ErrConflict", c.name, err)
			}
			wantMissing(t, s, coll, "k")
			wantMissing(t, s, coll+"-other", "k")
			continue
		}
		if err != nil {
			t.Errorf("%s: Apply: %v", c.name, err)
			continue
		}
		wantGet(t, s, coll, "k", c.want)
		wantCount(t, s, coll, 1)
		wantGet(t, s, coll+"-other", "k", "other")
	}
}

// testBatchConcurrent has 16 batches race to create one credential, each
// with index entries of its own: exactly one batch wins, and none of the
// losers' entries exist.
func testBatchConcurrent(t *testing.T, s store.Store, b store.Batcher) {
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = b.Apply(t.Context(), []store.Write{
				{Collection: "log", ID: fmt.Sprint("l-", i), Value: []byte("log")},
				{Collection: "credentials", ID: "c1", Value: fmt.Appendf(nil, "value-%d", i), Create: true},
				{Collection: "recipients", ID: fmt.Sprint("r-", i), Value: []byte("c1"), Create: true},
			})
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("Apply %d and %d both succeeded", winner, i)
			}
			winner = i
		case errors.Is(err, store.ErrConflict):
			wantMissing(t, s, "log", fmt.Sprint("l-", i))
			wantMissing(t, s, "recipients", fmt.Sprint("r-", i))
		default:
			t.Errorf("Apply %d: got %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no Apply succeeded")
	}
	wantGet(t, s, "credentials", "c1", fmt.Sprintf("value-%d", winner))
	wantGet(t, s, "log", fmt.Sprint("l-", winner), "log")
	wantGet(t, s, "recipients", fmt.Sprint("r-", winner), "c1")
	for _, c := range []string{"credentials", "log", "recipients"} {
		wantCount(t, s, c, 1)
	}
}

// testBatchConcurrentMixed runs independent Apply calls alongside calls
// that conflict with each other: a store that shares transactions between
// concurrent calls must refuse the losers alone, never the independent
// calls, and leave nothing of a refused call.
func testBatchConcurrentMixed(t *testing.T, s store.Store, b store.Batcher) {
	const n = 48
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				errs[i] = b.Apply(t.Context(), []store.Write{
					{Collection: "index", ID: fmt.Sprint("own-", i), Value: []byte("x")},
					{Collection: "credentials", ID: fmt.Sprint("own-", i), Value: []byte("mine"), Create: true},
				})
				return
			}
			errs[i] = b.Apply(t.Context(), []store.Write{
				{Collection: "index", ID: fmt.Sprint("shared-", i), Value: []byte("x")},
				{Collection: "credentials", ID: "shared", Value: fmt.Appendf(nil, "from-%d", i), Create: true},
			})
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case i%2 == 0 && err != nil:
			t.Errorf("independent Apply %d: %v", i, err)
		case i%2 == 0:
			wantGet(t, s, "credentials", fmt.Sprint("own-", i), "mine")
		case err == nil:
			winners++
			wantGet(t, s, "credentials", "shared", fmt.Sprintf("from-%d", i))
			wantGet(t, s, "index", fmt.Sprint("shared-", i), "x")
		case errors.Is(err, store.ErrConflict):
			wantMissing(t, s, "index", fmt.Sprint("shared-", i))
		default:
			t.Errorf("Apply %d: got %v, want nil or ErrConflict", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("%d calls created the shared document, want 1", winners)
	}
	wantCount(t, s, "credentials", n/2+1)
	wantCount(t, s, "index", n/2+1)
}

func testBatchEmpty(t *testing.T, s store.Store, b store.Batcher) {
	for _, writes := range [][]store.Write{nil, {}} {
		if err := b.Apply(t.Context(), writes); err != nil {
			t.Errorf("Apply(%#v): %v", writes, err)
		}
	}
}

func testBatchEmptyValue(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	err := b.Apply(ctx, []store.Write{
		{Collection: "empty", ID: "nil", Create: true},
		{Collection: "empty", ID: "zero", Value: []byte{}},
	})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	for _, id := range []string{"nil", "zero"} {
		got, err := s.Get(ctx, "empty", id)
		if err != nil || len(got) != 0 {
			t.Errorf("Get(%q): got (%q, %v), want an empty value", id, got, err)
		}
	}
	if err := b.Apply(ctx, []store.Write{{Collection: "empty", ID: "nil", Value: []byte("x"), Create: true}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Apply of a Create over an empty value: got %v, want ErrConflict", err)
	}
	wantCount(t, s, "empty", 2)
}

func testBatchCopies(t *testing.T, s store.Store, b store.Batcher) {
	in := []byte("original")
	if err := b.Apply(t.Context(), []store.Write{{Collection: "docs", ID: "d", Value: in, Create: true}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	copy(in, "XXXXXXXX")
	wantGet(t, s, "docs", "d", "original")
}

func testBatchLimit(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	batch := func(collection string, n int) []store.Write {
		ws := make([]store.Write, n)
		for i := range ws {
			ws[i] = store.Write{Collection: collection, ID: fmt.Sprint(i), Value: []byte("v"), Create: i%2 == 0}
		}
		return ws
	}
	if err := b.Apply(ctx, batch("full", store.MaxBatch)); err != nil {
		t.Fatalf("Apply of MaxBatch writes: %v", err)
	}
	wantCount(t, s, "full", store.MaxBatch)
	err := b.Apply(ctx, batch("over", store.MaxBatch+1))
	wantInvalid(t, "Apply of MaxBatch+1 writes", err)
	wantCount(t, s, "over", 0)
}

func testBatchEmptyNames(t *testing.T, s store.Store, b store.Batcher) {
	ctx := t.Context()
	for _, bad := range []store.Write{
		{Collection: "", ID: "id", Value: []byte("v")},
		{Collection: "c", ID: "", Value: []byte("v"), Create: true},
	} {
		err := b.Apply(ctx, []store.Write{{Collection: "good", ID: "g", Value: []byte("v"), Create: true}, bad})
		wantInvalid(t, fmt.Sprintf("Apply with write %+v", bad), err)
		wantCount(t, s, "good", 0)
		wantCount(t, s, "c", 0)
	}
}

func testBatchCancelled(t *testing.T, s store.Store, b store.Batcher) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := b.Apply(ctx, []store.Write{
		{Collection: "c", ID: "created", Value: []byte("v"), Create: true},
		{Collection: "c", ID: "put", Value: []byte("v")},
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	wantCount(t, s, "c", 0)
}

// wantMissing checks that (collection, id) is absent.
func wantMissing(t *testing.T, s store.Store, collection, id string) {
	t.Helper()
	if v, err := s.Get(t.Context(), collection, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(%q, %q): got (%q, %v), want ErrNotFound", collection, id, v, err)
	}
}
