package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accolade-badges/accolade/store"
)

// Run runs the conformance suite against the stores that newStore returns.
//
// newStore is called once per subtest, possibly from parallel subtests. It
// must return a store that is empty as far as the suite can see, and register
// any cleanup (Close, removing files or keys) with t.Cleanup.
//
// Beyond the contracts in package store, the suite requires that:
//
//   - every method checks ctx before starting work: with an already cancelled
//     context it returns an error that wraps context.Canceled and has no
//     effect;
//   - an empty collection, kind, ID or sequence name is an error that is
//     neither ErrNotFound nor ErrConflict, because it is a programming error
//     rather than an outcome to branch on;
//   - an empty value is a present value: it round-trips with length 0 and
//     makes a later Create conflict;
//   - a non-last page of List has Next equal to the ID of its last record, and
//     a page that reaches the end of the collection has Next "", even when it
//     is exactly full.
//
// Run also runs the subtests of RunBatch ("batch/…"), RunStatusLists
// ("statuslists/…") and RunCounters ("counters/…", "capped/…"). Each of them skips when the store does not implement
// the optional interface it covers; an implementation that does should
// assert so at compile time (var _ store.Batcher = (*DB)(nil)), so that the
// subtests cannot be skipped by accident.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
	runBatch(t, newStore, false)
	runStatusLists(t, newStore, false)
	runCounters(t, newStore, false)
}

// capability returns s as the optional interface C. A store without it
// fails the subtest when required is set, and skips it otherwise.
func capability[C any](t *testing.T, s store.Store, required bool) C {
	t.Helper()
	c, ok := s.(C)
	switch {
	case !ok && required:
		t.Fatalf("%T does not implement %v", s, reflect.TypeFor[C]())
	case !ok:
		t.Skipf("%T does not implement %v", s, reflect.TypeFor[C]())
	}
	return c
}

// cases lists the subtests; names read "area/operation/case".
var cases = []struct {
	name string
	run  func(t *testing.T, s store.Store)
}{
	{"docs/create/ok", testDocsCreate},
	{"docs/create/conflict", testDocsCreateConflict},
	{"docs/create/concurrent", testDocsCreateConcurrent},
	{"docs/get/not-found", testDocsGetNotFound},
	{"docs/put/overwrite", testDocsPutOverwrite},
	{"docs/put/empty-value", testDocsEmptyValue},
	{"docs/delete/ok", testDocsDelete},
	{"docs/delete/missing", testDocsDeleteMissing},
	{"docs/copies", testDocsCopies},
	{"docs/list/order", testDocsListOrder},
	{"docs/list/pagination", testDocsListPagination},
	{"docs/list/exact-last-page", testDocsListExactLastPage},
	{"docs/list/default-limit", testDocsListDefaultLimit},
	{"docs/list/empty", testDocsListEmpty},
	{"docs/count", testDocsCount},
	{"docs/collections/independent", testDocsCollectionsIndependent},
	{"docs/validate/empty-names", testDocsEmptyNames},
	{"tokens/put-get", testTokensPutGet},
	{"tokens/put/conflict", testTokensPutConflict},
	{"tokens/take/ok", testTokensTake},
	{"tokens/take/twice", testTokensTakeTwice},
	{"tokens/take/missing", testTokensTakeMissing},
	{"tokens/take/concurrent", testTokensTakeConcurrent},
	{"tokens/ttl/expiry", testTokensExpiry},
	{"tokens/ttl/non-positive", testTokensNonPositiveTTL},
	{"tokens/kinds/independent", testTokensKindsIndependent},
	{"tokens/copies", testTokensCopies},
	{"tokens/validate/empty-names", testTokensEmptyNames},
	{"sequences/start", testSequencesStart},
	{"sequences/increasing", testSequencesIncreasing},
	{"sequences/concurrent", testSequencesConcurrent},
	{"sequences/independent", testSequencesIndependent},
	{"sequences/validate/empty-name", testSequencesEmptyName},
	{"namespaces/independent", testNamespacesIndependent},
	{"ping", testPing},
	{"context/cancelled", testContextCancelled},
}

// --- docs ---

func testDocsCreate(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Create(ctx, "profiles", "p1", []byte(`{"name":"Ada"}`)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	wantGet(t, s, "profiles", "p1", `{"name":"Ada"}`)
}

func testDocsCreateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "profiles", "p1", "v1")
	err := s.Create(ctx, "profiles", "p1", []byte("v2"))
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second Create: got %v, want ErrConflict", err)
	}
	wantGet(t, s, "profiles", "p1", "v1")
	wantCount(t, s, "profiles", 1)
}

func testDocsCreateConcurrent(t *testing.T, s store.Store) {
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Create(t.Context(), "credentials", "c1", fmt.Appendf(nil, "value-%d", i))
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("Create %d and %d both succeeded", winner, i)
			}
			winner = i
		case errors.Is(err, store.ErrConflict):
		default:
			t.Errorf("Create %d: got %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no Create succeeded")
	}
	wantGet(t, s, "credentials", "c1", fmt.Sprintf("value-%d", winner))
	wantCount(t, s, "credentials", 1)
}

func testDocsGetNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Get(ctx, "profiles", "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in unused collection: got %v, want ErrNotFound", err)
	}
	mustCreate(t, s, "profiles", "p1", "v1")
	if _, err := s.Get(ctx, "profiles", "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of missing ID: got %v, want ErrNotFound", err)
	}
	// A prefix or extension of a present ID is a different key.
	for _, id := range []string{"p", "p1 ", "p10"} {
		if _, err := s.Get(ctx, "profiles", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q): got %v, want ErrNotFound", id, err)
		}
	}
}

func testDocsPutOverwrite(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Put(ctx, "keys", "k1", []byte("v1")); err != nil {
		t.Fatalf("Put of absent key: %v", err)
	}
	wantGet(t, s, "keys", "k1", "v1")
	if err := s.Put(ctx, "keys", "k1", []byte("v2")); err != nil {
		t.Fatalf("Put overwrite: %v", err)
	}
	wantGet(t, s, "keys", "k1", "v2")
	wantCount(t, s, "keys", 1)
	// Create after Put still sees the key.
	if err := s.Create(ctx, "keys", "k1", []byte("v3")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Create after Put: got %v, want ErrConflict", err)
	}
	wantGet(t, s, "keys", "k1", "v2")
}

func testDocsEmptyValue(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, v := range [][]byte{nil, {}} {
		if err := s.Put(ctx, "empty", "e", v); err != nil {
			t.Fatalf("Put(%#v): %v", v, err)
		}
		got, err := s.Get(ctx, "empty", "e")
		if err != nil {
			t.Fatalf("Get of empty value: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("Get of empty value: got %q, want empty", got)
		}
	}
	if err := s.Create(ctx, "empty", "e", []byte("x")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Create over empty value: got %v, want ErrConflict", err)
	}
	wantCount(t, s, "empty", 1)
	if err := s.Delete(ctx, "empty", "e"); err != nil {
		t.Errorf("Delete of empty value: %v", err)
	}
}

func testDocsDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "achievements", "a1", "v1")
	mustCreate(t, s, "achievements", "a2", "v2")
	if err := s.Delete(ctx, "achievements", "a1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, "achievements", "a1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: got %v, want ErrNotFound", err)
	}
	wantGet(t, s, "achievements", "a2", "v2")
	wantCount(t, s, "achievements", 1)
	// A deleted key is absent, so Create succeeds again.
	if err := s.Create(ctx, "achievements", "a1", []byte("v3")); err != nil {
		t.Fatalf("Create after Delete: %v", err)
	}
	wantGet(t, s, "achievements", "a1", "v3")
}

func testDocsDeleteMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Delete(ctx, "achievements", "a1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete in unused collection: got %v, want ErrNotFound", err)
	}
	mustCreate(t, s, "achievements", "a1", "v1")
	if err := s.Delete(ctx, "achievements", "a1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(ctx, "achievements", "a1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Delete: got %v, want ErrNotFound", err)
	}
}

func testDocsCopies(t *testing.T, s store.Store) {
	ctx := t.Context()

	// The store keeps its own copy of the input.
	in := []byte("original")
	if err := s.Create(ctx, "docs", "created", in); err != nil {
		t.Fatalf("Create: %v", err)
	}
	copy(in, "XXXXXXXX")
	wantGet(t, s, "docs", "created", "original")

	in = []byte("original")
	if err := s.Put(ctx, "docs", "put", in); err != nil {
		t.Fatalf("Put: %v", err)
	}
	copy(in, "XXXXXXXX")
	wantGet(t, s, "docs", "put", "original")

	// The caller may keep and modify what it gets.
	got, err := s.Get(ctx, "docs", "put")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	copy(got, "YYYYYYYY")
	wantGet(t, s, "docs", "put", "original")

	page, err := s.List(ctx, "docs", "", 10)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, r := range page.Records {
		copy(r.Value, "ZZZZZZZZ")
	}
	wantGet(t, s, "docs", "created", "original")
	wantGet(t, s, "docs", "put", "original")
}

func testDocsListOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Byte-wise order: upper case before lower case, shorter prefix first,
	// multi-byte UTF-8 after ASCII.
	ids := []string{"b", "a", "é", "B", "aa", "a0", "~", "A", "a:b", "a/b", "0", "a b"}
	for _, id := range ids {
		mustCreate(t, s, "order", id, "v-"+id)
	}
	want := sortedRecords(ids)
	page, err := s.List(ctx, "order", "", 100)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if diff := cmp.Diff(store.Page{Records: want}, page, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
}

func testDocsListPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ids []string
	for i := range 25 {
		ids = append(ids, fmt.Sprintf("id-%02d", i))
	}
	// Insert in a scrambled order so that insertion order cannot pass for
	// ID order.
	for i := range ids {
		id := ids[(i*7)%len(ids)]
		mustCreate(t, s, "paged", id, "v-"+id)
	}
	all := sortedRecords(ids)

	tests := []struct {
		name  string
		after string
		limit int
		want  store.Page
	}{
		{"first", "", 10, store.Page{Records: all[0:10], Next: "id-09"}},
		{"second", "id-09", 10, store.Page{Records: all[10:20], Next: "id-19"}},
		{"last", "id-19", 10, store.Page{Records: all[20:25]}},
		{"after-absent-id", "id-04a", 3, store.Page{Records: all[5:8], Next: "id-07"}},
		{"after-before-all", "id", 2, store.Page{Records: all[0:2], Next: "id-01"}},
		{"after-last-id", "id-24", 10, store.Page{}},
		{"after-past-end", "zzz", 10, store.Page{}},
		{"limit-one", "id-23", 1, store.Page{Records: all[24:25]}},
		{"limit-larger-than-rest", "id-21", 1000, store.Page{Records: all[22:25]}},
	}
	for _, tt := range tests {
		got, err := s.List(ctx, "paged", tt.after, tt.limit)
		if err != nil {
			t.Errorf("%s: List(after=%q, limit=%d): %v", tt.name, tt.after, tt.limit, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: List(after=%q, limit=%d) mismatch (-want +got):\n%s", tt.name, tt.after, tt.limit, diff)
		}
	}

	// Following Next from the start visits every record once, in order.
	var walked []store.Record
	after := ""
	for range len(ids) + 1 {
		page, err := s.List(ctx, "paged", after, 4)
		if err != nil {
			t.Fatalf("List(after=%q): %v", after, err)
		}
		walked = append(walked, page.Records...)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if diff := cmp.Diff(all, walked); diff != "" {
		t.Errorf("walk with Next mismatch (-want +got):\n%s", diff)
	}
}

func testDocsListExactLastPage(t *testing.T, s store.Store) {
	ctx := t.Context()
	ids := []string{"a", "b", "c", "d"}
	for _, id := range ids {
		mustCreate(t, s, "exact", id, "v-"+id)
	}
	all := sortedRecords(ids)
	// A full page that ends the collection is the last page.
	for _, tt := range []struct {
		after string
		want  store.Page
	}{
		{"", store.Page{Records: all[0:2], Next: "b"}},
		{"b", store.Page{Records: all[2:4]}},
	} {
		got, err := s.List(ctx, "exact", tt.after, 2)
		if err != nil {
			t.Fatalf("List(after=%q): %v", tt.after, err)
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("List(after=%q, limit=2) mismatch (-want +got):\n%s", tt.after, diff)
		}
	}
	got, err := s.List(ctx, "exact", "", 4)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if diff := cmp.Diff(store.Page{Records: all}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(limit=4) mismatch (-want +got):\n%s", diff)
	}
}

func testDocsListDefaultLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	var ids []string
	for i := range 101 {
		ids = append(ids, fmt.Sprintf("%03d", i))
	}
	for _, id := range ids {
		if err := s.Put(ctx, "many", id, []byte(id)); err != nil {
			t.Fatalf("Put(%q): %v", id, err)
		}
	}
	for _, limit := range []int{0, -1} {
		page, err := s.List(ctx, "many", "", limit)
		if err != nil {
			t.Fatalf("List(limit=%d): %v", limit, err)
		}
		if len(page.Records) != 100 || page.Next != "099" {
			t.Errorf("List(limit=%d): got %d records and Next %q, want 100 and %q",
				limit, len(page.Records), page.Next, "099")
		}
	}
	page, err := s.List(ctx, "many", "099", 0)
	if err != nil {
		t.Fatalf("List(after=099): %v", err)
	}
	want := store.Page{Records: []store.Record{{ID: "100", Value: []byte("100")}}}
	if diff := cmp.Diff(want, page, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(after=099) mismatch (-want +got):\n%s", diff)
	}
}

func testDocsListEmpty(t *testing.T, s store.Store) {
	ctx := t.Context()
	page, err := s.List(ctx, "unused", "", 10)
	if err != nil {
		t.Fatalf("List of unused collection: %v", err)
	}
	if diff := cmp.Diff(store.Page{}, page, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List of unused collection mismatch (-want +got):\n%s", diff)
	}

	// A collection whose records were all deleted is empty too.
	mustCreate(t, s, "emptied", "x", "v")
	if err := s.Delete(ctx, "emptied", "x"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	page, err = s.List(ctx, "emptied", "", 10)
	if err != nil {
		t.Fatalf("List of emptied collection: %v", err)
	}
	if diff := cmp.Diff(store.Page{}, page, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List of emptied collection mismatch (-want +got):\n%s", diff)
	}
	wantCount(t, s, "emptied", 0)
}

func testDocsCount(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantCount(t, s, "counted", 0)
	for _, id := range []string{"a", "b", "c"} {
		mustCreate(t, s, "counted", id, "v")
	}
	wantCount(t, s, "counted", 3)
	if err := s.Put(ctx, "counted", "a", []byte("v2")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	wantCount(t, s, "counted", 3)
	_ = s.Create(ctx, "counted", "b", []byte("conflict"))
	wantCount(t, s, "counted", 3)
	if err := s.Delete(ctx, "counted", "b"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantCount(t, s, "counted", 2)
}

func testDocsCollectionsIndependent(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Names chosen to catch implementations that join collection and ID
	// into one key without escaping.
	keys := []struct{ collection, id string }{
		{"a", "x"},
		{"a", "b:x"},
		{"a", "b/x"},
		{"ab", "x"},
		{"a:b", "x"},
		{"a/b", "x"},
	}
	for _, k := range keys {
		mustCreate(t, s, k.collection, k.id, k.collection+"|"+k.id)
	}
	for _, k := range keys {
		wantGet(t, s, k.collection, k.id, k.collection+"|"+k.id)
	}
	wantCount(t, s, "a", 3)
	for _, c := range []string{"ab", "a:b", "a/b"} {
		wantCount(t, s, c, 1)
	}
	page, err := s.List(ctx, "a", "", 100)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []store.Record{
		{ID: "b/x", Value: []byte("a|b/x")},
		{ID: "b:x", Value: []byte("a|b:x")},
		{ID: "x", Value: []byte("a|x")},
	}
	if diff := cmp.Diff(store.Page{Records: want}, page, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("List(a) mismatch (-want +got):\n%s", diff)
	}

	if err := s.Delete(ctx, "a", "x"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, k := range keys[1:] {
		wantGet(t, s, k.collection, k.id, k.collection+"|"+k.id)
	}
	if err := s.Put(ctx, "ab", "x", []byte("changed")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	wantGet(t, s, "a:b", "x", "a:b|x")
	wantGet(t, s, "a/b", "x", "a/b|x")
}

func testDocsEmptyNames(t *testing.T, s store.Store) {
	ctx := t.Context()
	v := []byte("v")
	for _, k := range []struct{ collection, id string }{{"", "id"}, {"c", ""}, {"", ""}} {
		ops := map[string]func() error{
			"Create": func() error { return s.Create(ctx, k.collection, k.id, v) },
			"Put":    func() error { return s.Put(ctx, k.collection, k.id, v) },
			"Get":    func() error { _, err := s.Get(ctx, k.collection, k.id); return err },
			"Delete": func() error { return s.Delete(ctx, k.collection, k.id) },
		}
		for name, op := range ops {
			wantInvalid(t, fmt.Sprintf("%s(%q, %q)", name, k.collection, k.id), op())
		}
	}
	_, err := s.List(ctx, "", "", 10)
	wantInvalid(t, `List("")`, err)
	_, err = s.Count(ctx, "")
	wantInvalid(t, `Count("")`, err)
	wantCount(t, s, "c", 0)
}

// --- tokens ---

func testTokensPutGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.PutToken(ctx, "nonce", "n1", []byte("v1"), time.Minute); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	// GetToken does not consume.
	for range 2 {
		wantToken(t, s, "nonce", "n1", "v1")
	}
	if _, err := s.GetToken(ctx, "nonce", "n2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetToken of missing ID: got %v, want ErrNotFound", err)
	}
}

func testTokensPutConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustPutToken(t, s, "code", "c1", "v1", time.Minute)
	if err := s.PutToken(ctx, "code", "c1", []byte("v2"), time.Hour); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("PutToken over live token: got %v, want ErrConflict", err)
	}
	wantToken(t, s, "code", "c1", "v1")
	// A taken token is absent, so the key can be used again.
	if _, err := s.TakeToken(ctx, "code", "c1"); err != nil {
		t.Fatalf("TakeToken: %v", err)
	}
	if err := s.PutToken(ctx, "code", "c1", []byte("v3"), time.Minute); err != nil {
		t.Fatalf("PutToken after TakeToken: %v", err)
	}
	wantToken(t, s, "code", "c1", "v3")
}

func testTokensTake(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustPutToken(t, s, "code", "c1", "v1", time.Minute)
	got, err := s.TakeToken(ctx, "code", "c1")
	if err != nil {
		t.Fatalf("TakeToken: %v", err)
	}
	if diff := cmp.Diff([]byte("v1"), got); diff != "" {
		t.Errorf("TakeToken mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.GetToken(ctx, "code", "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetToken after TakeToken: got %v, want ErrNotFound", err)
	}
}

func testTokensTakeTwice(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustPutToken(t, s, "code", "c1", "v1", time.Minute)
	if _, err := s.TakeToken(ctx, "code", "c1"); err != nil {
		t.Fatalf("first TakeToken: %v", err)
	}
	if _, err := s.TakeToken(ctx, "code", "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second TakeToken: got %v, want ErrNotFound", err)
	}
}

func testTokensTakeMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.TakeToken(ctx, "code", "never"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeToken in unused kind: got %v, want ErrNotFound", err)
	}
	mustPutToken(t, s, "code", "c1", "v1", time.Minute)
	if _, err := s.TakeToken(ctx, "code", "never"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeToken of missing ID: got %v, want ErrNotFound", err)
	}
	wantToken(t, s, "code", "c1", "v1")
}

func testTokensTakeConcurrent(t *testing.T, s store.Store) {
	const n = 32
	mustPutToken(t, s, "nonce", "n1", "the-nonce", time.Minute)
	vals := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			vals[i], errs[i] = s.TakeToken(t.Context(), "nonce", "n1")
		})
	}
	close(start)
	wg.Wait()

	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			if diff := cmp.Diff([]byte("the-nonce"), vals[i]); diff != "" {
				t.Errorf("TakeToken %d mismatch (-want +got):\n%s", i, diff)
			}
		case errors.Is(err, store.ErrNotFound):
		default:
			t.Errorf("TakeToken %d: got %v, want nil or ErrNotFound", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent TakeToken calls got the value, want exactly 1", winners, n)
	}
}

func testTokensExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	// A real store expires in real time, so this test must wait. It asks
	// for a token before its TTL is over only when it can prove it did:
	// when the answer came back within the TTL of the time before the
	// writes. A slower machine tries again with fresh tokens and a doubled
	// TTL, so that the result never depends on the machine's speed.
	var (
		sfx     string
		ttl     time.Duration
		written time.Time // after the writes: every short token expires by written+ttl
	)
	for attempt, d := 0, 300*time.Millisecond; ; attempt, d = attempt+1, 2*d {
		sfx = fmt.Sprint("-", attempt)
		put := time.Now()
		for _, id := range []string{"get", "take", "put"} {
			mustPutToken(t, s, "offer", id+sfx, "old-"+id, d)
		}
		written = time.Now()
		_, err := s.GetToken(ctx, "offer", "get"+sfx)
		if time.Since(put) < d {
			if err != nil {
				t.Errorf("GetToken before expiry: %v", err)
			}
			ttl = d
			break
		}
		if attempt == 4 {
			t.Fatalf("PutToken and GetToken took %v, more than a TTL of %v: too slow to see a live token expire", time.Since(put), d)
		}
	}
	mustPutToken(t, s, "offer", "long", "long", time.Hour)

	time.Sleep(time.Until(written.Add(ttl + 400*time.Millisecond)))

	// Each expired token is checked with a different first operation, so
	// that none of them relies on a purge done by another operation.
	if _, err := s.GetToken(ctx, "offer", "get"+sfx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetToken after expiry: got %v, want ErrNotFound", err)
	}
	if _, err := s.TakeToken(ctx, "offer", "take"+sfx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeToken after expiry: got %v, want ErrNotFound", err)
	}
	for _, id := range []string{"put", "get", "take"} {
		if err := s.PutToken(ctx, "offer", id+sfx, []byte("new-"+id), time.Minute); err != nil {
			t.Errorf("PutToken(%q) after expiry: %v", id+sfx, err)
			continue
		}
		wantToken(t, s, "offer", id+sfx, "new-"+id)
	}
	wantToken(t, s, "offer", "long", "long")
}

func testTokensNonPositiveTTL(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, ttl := range []time.Duration{0, -time.Second} {
		err := s.PutToken(ctx, "nonce", "n1", []byte("v"), ttl)
		wantInvalid(t, fmt.Sprintf("PutToken(ttl=%v)", ttl), err)
		if _, err := s.GetToken(ctx, "nonce", "n1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetToken after PutToken(ttl=%v): got %v, want ErrNotFound", ttl, err)
		}
	}
}

func testTokensKindsIndependent(t *testing.T, s store.Store) {
	ctx := t.Context()
	kinds := []string{"nonce", "code", "nonce:x", "nonc"}
	for _, k := range kinds {
		mustPutToken(t, s, k, "t1", "v-"+k, time.Minute)
	}
	if _, err := s.TakeToken(ctx, "nonce", "t1"); err != nil {
		t.Fatalf("TakeToken: %v", err)
	}
	for _, k := range kinds[1:] {
		wantToken(t, s, k, "t1", "v-"+k)
	}
	if err := s.PutToken(ctx, "nonce", "t1", []byte("again"), time.Minute); err != nil {
		t.Errorf("PutToken after TakeToken: %v", err)
	}
	if err := s.PutToken(ctx, "code", "t1", []byte("again"), time.Minute); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutToken over live token of another kind: got %v, want ErrConflict", err)
	}
}

func testTokensCopies(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := []byte("original")
	if err := s.PutToken(ctx, "nonce", "n1", in, time.Minute); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	copy(in, "XXXXXXXX")
	got, err := s.GetToken(ctx, "nonce", "n1")
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if string(got) != "original" {
		t.Fatalf("GetToken after mutating the input: got %q, want %q", got, "original")
	}
	copy(got, "YYYYYYYY")
	wantToken(t, s, "nonce", "n1", "original")
}

func testTokensEmptyNames(t *testing.T, s store.Store) {
	ctx := t.Context()
	v := []byte("v")
	for _, k := range []struct{ kind, id string }{{"", "id"}, {"k", ""}, {"", ""}} {
		ops := map[string]func() error{
			"PutToken":  func() error { return s.PutToken(ctx, k.kind, k.id, v, time.Minute) },
			"GetToken":  func() error { _, err := s.GetToken(ctx, k.kind, k.id); return err },
			"TakeToken": func() error { _, err := s.TakeToken(ctx, k.kind, k.id); return err },
		}
		for name, op := range ops {
			wantInvalid(t, fmt.Sprintf("%s(%q, %q)", name, k.kind, k.id), op())
		}
	}
}

// --- sequences ---

func testSequencesStart(t *testing.T, s store.Store) {
	if got := mustNext(t, s, "credentials"); got != 1 {
		t.Errorf("first Next: got %d, want 1", got)
	}
}

func testSequencesIncreasing(t *testing.T, s store.Store) {
	prev := uint64(0)
	for i := range 100 {
		got := mustNext(t, s, "status-index")
		if got <= prev {
			t.Fatalf("Next call %d: got %d after %d, want strictly increasing", i, got, prev)
		}
		prev = got
	}
}

func testSequencesConcurrent(t *testing.T, s store.Store) {
	const workers, calls = 8, 50
	got := make([][]uint64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			prev := uint64(0)
			for range calls {
				n, err := s.Next(t.Context(), "shared")
				if err != nil {
					errs[w] = err
					return
				}
				if n <= prev {
					errs[w] = fmt.Errorf("got %d after %d in one goroutine, want increasing", n, prev)
					return
				}
				prev = n
				got[w] = append(got[w], n)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("Next: %v", err)
	}
	seen := make(map[uint64]bool, workers*calls)
	for _, ns := range got {
		for _, n := range ns {
			if n == 0 {
				t.Errorf("Next returned 0")
			}
			if seen[n] {
				t.Errorf("Next returned %d twice", n)
			}
			seen[n] = true
		}
	}
	if len(seen) != workers*calls {
		t.Errorf("got %d distinct values, want %d", len(seen), workers*calls)
	}
}

func testSequencesIndependent(t *testing.T, s store.Store) {
	var last uint64
	for range 3 {
		last = mustNext(t, s, "a")
	}
	if got := mustNext(t, s, "b"); got != 1 {
		t.Errorf("first Next(b) after Next(a): got %d, want 1", got)
	}
	if got := mustNext(t, s, "ab"); got != 1 {
		t.Errorf("first Next(ab): got %d, want 1", got)
	}
	if got := mustNext(t, s, "a"); got <= last {
		t.Errorf("Next(a) after Next(b): got %d, want > %d", got, last)
	}
}

func testSequencesEmptyName(t *testing.T, s store.Store) {
	_, err := s.Next(t.Context(), "")
	wantInvalid(t, `Next("")`, err)
}

// --- whole store ---

func testNamespacesIndependent(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "x", "1", "doc")
	if err := s.PutToken(ctx, "x", "1", []byte("token"), time.Minute); err != nil {
		t.Fatalf("PutToken with the name and ID of a document: %v", err)
	}
	if got := mustNext(t, s, "x"); got != 1 {
		t.Errorf("Next(x) with a collection and token kind named x: got %d, want 1", got)
	}
	if _, err := s.TakeToken(ctx, "x", "1"); err != nil {
		t.Fatalf("TakeToken: %v", err)
	}
	wantGet(t, s, "x", "1", "doc")
	wantCount(t, s, "x", 1)
	if err := s.Delete(ctx, "x", "1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := mustNext(t, s, "x"); got < 2 {
		t.Errorf("second Next(x): got %d, want >= 2", got)
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// testContextCancelled checks that every method honours ctx before it starts
// work: with a cancelled context it fails with context.Canceled and changes
// nothing.
func testContextCancelled(t *testing.T, s store.Store) {
	mustCreate(t, s, "c", "present", "old")
	mustPutToken(t, s, "k", "live", "token", time.Minute)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	v := []byte("new")
	ops := []struct {
		name string
		op   func() error
	}{
		{"Create", func() error { return s.Create(ctx, "c", "absent", v) }},
		{"Put", func() error { return s.Put(ctx, "c", "present", v) }},
		{"Get", func() error { _, err := s.Get(ctx, "c", "present"); return err }},
		{"Delete", func() error { return s.Delete(ctx, "c", "present") }},
		{"List", func() error { _, err := s.List(ctx, "c", "", 10); return err }},
		{"Count", func() error { _, err := s.Count(ctx, "c"); return err }},
		{"PutToken", func() error { return s.PutToken(ctx, "k", "new", v, time.Minute) }},
		{"GetToken", func() error { _, err := s.GetToken(ctx, "k", "live"); return err }},
		{"TakeToken", func() error { _, err := s.TakeToken(ctx, "k", "live"); return err }},
		{"Next", func() error { _, err := s.Next(ctx, "seq"); return err }},
		{"Ping", func() error { return s.Ping(ctx) }},
	}
	for _, o := range ops {
		if err := o.op(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with cancelled context: got %v, want an error wrapping context.Canceled", o.name, err)
		}
	}

	// Nothing changed.
	live := t.Context()
	if _, err := s.Get(live, "c", "absent"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelled Create took effect: Get returned %v", err)
	}
	wantGet(t, s, "c", "present", "old")
	wantToken(t, s, "k", "live", "token")
	if _, err := s.GetToken(live, "k", "new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelled PutToken took effect: GetToken returned %v", err)
	}
}

// --- helpers ---

func mustCreate(t *testing.T, s store.Store, collection, id, value string) {
	t.Helper()
	if err := s.Create(t.Context(), collection, id, []byte(value)); err != nil {
		t.Fatalf("Create(%q, %q): %v", collection, id, err)
	}
}

func mustPutToken(t *testing.T, s store.Store, kind, id, value string, ttl time.Duration) {
	t.Helper()
	if err := s.PutToken(t.Context(), kind, id, []byte(value), ttl); err != nil {
		t.Fatalf("PutToken(%q, %q): %v", kind, id, err)
	}
}

func mustNext(t *testing.T, s store.Store, name string) uint64 {
	t.Helper()
	n, err := s.Next(t.Context(), name)
	if err != nil {
		t.Fatalf("Next(%q): %v", name, err)
	}
	return n
}

func wantGet(t *testing.T, s store.Store, collection, id, want string) {
	t.Helper()
	got, err := s.Get(t.Context(), collection, id)
	if err != nil {
		t.Errorf("Get(%q, %q): %v", collection, id, err)
		return
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Get(%q, %q) mismatch (-want +got):\n%s", collection, id, diff)
	}
}

func wantToken(t *testing.T, s store.Store, kind, id, want string) {
	t.Helper()
	got, err := s.GetToken(t.Context(), kind, id)
	if err != nil {
		t.Errorf("GetToken(%q, %q): %v", kind, id, err)
		return
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("GetToken(%q, %q) mismatch (-want +got):\n%s", kind, id, diff)
	}
}

func wantCount(t *testing.T, s store.Store, collection string, want int) {
	t.Helper()
	got, err := s.Count(t.Context(), collection)
	if err != nil {
		t.Errorf("Count(%q): %v", collection, err)
		return
	}
	if got != want {
		t.Errorf("Count(%q): got %d, want %d", collection, got, want)
	}
}

// wantInvalid checks that err reports a bad argument: non-nil and not one of
// the sentinels that callers branch on.
func wantInvalid(t *testing.T, call string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: got nil error, want an invalid-argument error", call)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict):
		t.Errorf("%s: got %v, want an invalid-argument error, not a sentinel", call, err)
	}
}

// sortedRecords returns the records that mustCreate(…, id, "v-"+id) made for
// ids, in byte-wise ID order.
func sortedRecords(ids []string) []store.Record {
	ids = slices.Clone(ids)
	slices.Sort(ids) // Go string order is byte-wise.
	recs := make([]store.Record, len(ids))
	for i, id := range ids {
		recs[i] = store.Record{ID: id, Value: []byte("v-" + id)}
	}
	return recs
}
