package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accolade-badges/accolade/store"
)

// RunExport runs the subtests for store.Exporter and store.Importer against
// the stores that newStore returns, with the same rules for newStore as Run;
// most subtests take two stores, export one and import into the other. Every
// store must implement both interfaces; the subtests fail otherwise. Run
// does not include these subtests: call RunExport as well.
//
//	go test -run 'TestExport' ./store/bolt
//
// Beyond the contracts of store.Exporter and store.Importer, the suite
// requires that an import checks ctx first (a cancelled context wraps
// context.Canceled and writes nothing), and that an invalid element (an
// empty name, a bad list size or bitmap length) is an invalid-argument
// error, not a sentinel. Two subtests sleep for token expiry in real time
// (about 0.3s).
func RunExport(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	RunExportBetween(t, newStore, newStore)
}

// RunExportBetween is RunExport with sources from newSrc and targets from
// newDst, so that two implementations can be checked against each other:
// what one exports, the other imports, and the copy exports the same.
func RunExportBetween(t *testing.T, newSrc, newDst func(t *testing.T) store.Store) {
	t.Helper()
	for _, c := range exportCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, exportPair{newSrc, newDst})
		})
	}
}

// exportStore is a store with the capabilities the subtests use.
type exportStore interface {
	store.Store
	store.StatusLists
	store.Exporter
	store.Importer
}

// exportPair makes the stores of one subtest.
type exportPair struct {
	newSrc, newDst func(t *testing.T) store.Store
}

func (p exportPair) src(t *testing.T) exportStore { return asExportStore(t, p.newSrc(t)) }
func (p exportPair) dst(t *testing.T) exportStore { return asExportStore(t, p.newDst(t)) }

func asExportStore(t *testing.T, s store.Store) exportStore {
	t.Helper()
	e, ok := s.(exportStore)
	if !ok {
		t.Fatalf("%T does not implement store.Exporter, store.Importer and store.StatusLists", s)
	}
	return e
}

var exportCases = []struct {
	name string
	run  func(t *testing.T, p exportPair)
}{
	{"export/round-trip", testExportRoundTrip},
	{"export/empty", testExportEmpty},
	{"export/stop-early", testExportStopEarly},
	{"export/context/cancelled", testExportCancelled},
	{"import/docs/conflict-and-replace", testImportDocsConflict},
	{"import/sequences/never-lower", testImportSequencesNeverLower},
	{"import/statuslists/conflict-and-replace", testImportListsConflict},
	{"import/tokens/ttl-conflict-replace", testImportTokens},
	{"import/validate/invalid", testImportInvalid},
	{"import/source-error", testImportSourceError},
	{"import/context/cancelled", testImportCancelled},
}

// exported is everything a store exported, in the order it came.
type exported struct {
	Docs   []store.Doc
	Seqs   []store.Sequence
	Lists  []store.ListState
	Tokens []store.Token
}

// collect ranges over seq and fails the test on an error.
func collect[T any](t *testing.T, what string, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, v)
	}
	return out
}

func exportAll(t *testing.T, e store.Exporter) exported {
	t.Helper()
	ctx := t.Context()
	return exported{
		Docs:   collect(t, "ExportDocs", e.ExportDocs(ctx)),
		Seqs:   collect(t, "ExportSequences", e.ExportSequences(ctx)),
		Lists:  collect(t, "ExportStatusLists", e.ExportStatusLists(ctx)),
		Tokens: collect(t, "ExportTokens", e.ExportTokens(ctx)),
	}
}

// fillTTL is the TTL of the long-lived tokens fill stores.
const fillTTL = time.Hour

// fill stores a bit of everything through the ordinary interfaces and
// returns what an export must yield (token TTLs set to fillTTL). It covers
// collection names and IDs with ':' and non-ASCII characters, an empty
// value, a collection of more than a thousand documents (more than one page
// of any implementation), deleted documents and emptied collections,
// expired and taken tokens, and status lists with allocated and set bits.
func fill(t *testing.T, s exportStore) exported {
	t.Helper()
	ctx := t.Context()
	var want exported
	doc := func(c, id, v string) {
		t.Helper()
		mustCreate(t, s, c, id, v)
		want.Docs = append(want.Docs, store.Doc{Collection: c, ID: id, Value: []byte(v)})
	}
	del := func(c, id string) {
		t.Helper()
		if err := s.Delete(ctx, c, id); err != nil {
			t.Fatalf("Delete(%q, %q): %v", c, id, err)
		}
	}
	// Created here in byte-wise order of (collection, ID), which is the
	// order of the export.
	for i := range 1100 {
		doc("credentials", fmt.Sprintf("%04d", i), fmt.Sprintf(`{"n":%d}`, i))
	}
	doc("credidx-recipient:email:ada@example.org", "urn:uuid:1", "")
	doc("credidx-recipient:email:ada@example.org", "urn:uuid:2", "")
	mustCreate(t, s, "emptied", "x", "gone")
	del("emptied", "x")
	mustCreate(t, s, "partly", "b", "gone")
	doc("partly", "a", "A")
	doc("partly", "c", "C")
	del("partly", "b")
	doc("profiles", "p1", `{"name":"Ada"}`)
	doc("profiles", "p2", `{"name":"Grace"}`)
	doc("ünïcødé/集合", "Z", "upper")
	doc("ünïcødé/集合", "a:b", "colon")
	doc("ünïcødé/集合", "ß", "sharp s")
	doc("ünïcødé/集合", "日本", "日本語")

	for _, q := range []store.Sequence{{Name: "credentials", Value: 3}, {Name: "seq:ü", Value: 2}, {Name: "status-lists", Value: 1}} {
		for range q.Value {
			mustNext(t, s, q.Name)
		}
		want.Seqs = append(want.Seqs, q)
	}

	// List "1": 64 entries, indexes 5, 6 and 63 allocated, bit 5 set, bit
	// 40 set and cleared again: version 3.
	mustCreateList(t, s, "1", 64)
	for _, start := range []int{5, 5, 63} {
		mustAllocate(t, s, "1", start)
	}
	mustSetStatus(t, s, "1", 5, true)
	mustSetStatus(t, s, "1", 40, true)
	mustSetStatus(t, s, "1", 40, false)
	want.Lists = append(want.Lists, store.ListState{ID: "1", Size: 64, Version: 3,
		Bits: []byte{0b00000100, 0, 0, 0, 0, 0, 0, 0}, Alloc: []byte{0b00000110, 0, 0, 0, 0, 0, 0, 1}})
	// List "big": production size, index 100000 allocated and set.
	mustCreateList(t, s, "big", 131072)
	if got := mustAllocate(t, s, "big", 100000); got != 100000 {
		t.Fatalf("Allocate(big, 100000) = %d", got)
	}
	mustSetStatus(t, s, "big", 100000, true)
	big := store.ListState{ID: "big", Size: 131072, Version: 1, Bits: make([]byte, 16384), Alloc: make([]byte, 16384)}
	big.Bits[12500], big.Alloc[12500] = 0x80, 0x80
	want.Lists = append(want.Lists, big)
	mustCreateList(t, s, "list:ü", 16)
	want.Lists = append(want.Lists, store.ListState{ID: "list:ü", Size: 16, Bits: make([]byte, 2), Alloc: make([]byte, 2)})

	tok := func(kind, id, v string) {
		t.Helper()
		mustPutToken(t, s, kind, id, v, fillTTL)
		want.Tokens = append(want.Tokens, store.Token{Kind: kind, ID: id, Value: []byte(v), TTL: fillTTL})
	}
	tok("code", "ü", "pre-authorized code")
	tok("nonce", "n1", "c_nonce")
	tok("nonce", "n:2", "")
	mustPutToken(t, s, "nonce", "taken", "x", fillTTL)
	if _, err := s.TakeToken(ctx, "nonce", "taken"); err != nil {
		t.Fatalf("TakeToken: %v", err)
	}
	mustPutToken(t, s, "offer", "short", "x", 100*time.Millisecond)
	time.Sleep(150 * time.Millisecond)
	return want
}

// wantExported compares two exports. Token TTLs must lie in (0, max] and
// within slack below min; they are then left out of the comparison.
func wantExported(t *testing.T, what string, got, want exported, minTTL, maxTTL time.Duration) {
	t.Helper()
	for _, tok := range got.Tokens {
		if tok.TTL <= 0 || tok.TTL > maxTTL || tok.TTL < minTTL-time.Minute {
			t.Errorf("%s: token %s/%s has TTL %v, want about %v to %v", what, tok.Kind, tok.ID, tok.TTL, minTTL, maxTTL)
		}
	}
	noTTL := cmpopts.IgnoreFields(store.Token{}, "TTL")
	if diff := cmp.Diff(want, got, noTTL, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

func testExportRoundTrip(t *testing.T, p exportPair) {
	ctx := t.Context()
	src := p.src(t)
	want := fill(t, src)
	start := time.Now()
	got := exportAll(t, src)
	wantExported(t, "export of the source", got, want, fillTTL, fillTTL)

	dst := p.dst(t)
	opts := store.ImportOptions{}
	wantImported := func(what string, n, want int, err error) {
		t.Helper()
		if err != nil || n != want {
			t.Fatalf("%s: got (%d, %v), want (%d, nil)", what, n, err, want)
		}
	}
	n, err := dst.ImportDocs(ctx, src.ExportDocs(ctx), opts)
	wantImported("ImportDocs", n, len(want.Docs), err)
	n, err = dst.ImportSequences(ctx, src.ExportSequences(ctx))
	wantImported("ImportSequences", n, len(want.Seqs), err)
	n, err = dst.ImportStatusLists(ctx, src.ExportStatusLists(ctx), opts)
	wantImported("ImportStatusLists", n, len(want.Lists), err)
	n, err = dst.ImportTokens(ctx, src.ExportTokens(ctx), opts)
	wantImported("ImportTokens", n, len(want.Tokens), err)
	wantExported(t, "export of the copy", exportAll(t, dst), want, fillTTL-time.Since(start), fillTTL+time.Millisecond)

	// The copy works through the ordinary interfaces and continues where
	// the source stopped.
	wantGet(t, dst, "ünïcødé/集合", "日本", "日本語")
	wantGet(t, dst, "credidx-recipient:email:ada@example.org", "urn:uuid:2", "")
	wantCount(t, dst, "credentials", 1100)
	wantCount(t, dst, "emptied", 0)
	if _, err := dst.Get(ctx, "partly", "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a deleted document in the copy: got %v, want ErrNotFound", err)
	}
	var listed []store.Record
	for after := ""; ; {
		page, err := dst.List(ctx, "credentials", after, 500)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		listed = append(listed, page.Records...)
		if after = page.Next; after == "" {
			break
		}
	}
	if len(listed) != 1100 || listed[0].ID != "0000" || listed[1099].ID != "1099" {
		t.Errorf("List of the copy: %d records", len(listed))
	}
	for _, q := range want.Seqs {
		if n := mustNext(t, dst, q.Name); n <= q.Value {
			t.Errorf("Next(%q) on the copy = %d, want above %d", q.Name, n, q.Value)
		}
	}
	wantInfo(t, dst, "1", 64, 3, 3)
	if set, err := dst.Status(ctx, "1", 5); err != nil || !set {
		t.Errorf("Status(1, 5) on the copy = (%v, %v), want (true, nil)", set, err)
	}
	// Indexes 5, 6 and 63 are taken: the next ones are 7, then 0 after
	// wrapping around.
	if got := mustAllocate(t, dst, "1", 5); got != 7 {
		t.Errorf("Allocate(1, 5) on the copy = %d, want 7", got)
	}
	if got := mustAllocate(t, dst, "1", 63); got != 0 {
		t.Errorf("Allocate(1, 63) on the copy = %d, want 0", got)
	}
	if got := mustAllocate(t, dst, "big", 100000); got != 100001 {
		t.Errorf("Allocate(big, 100000) on the copy = %d, want 100001", got)
	}
	wantToken(t, dst, "nonce", "n1", "c_nonce")
	if err := dst.PutToken(ctx, "code", "ü", []byte("again"), time.Minute); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutToken over a copied live token: got %v, want ErrConflict", err)
	}
	for _, k := range [][2]string{{"nonce", "taken"}, {"offer", "short"}} {
		if _, err := dst.GetToken(ctx, k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetToken(%q, %q) on the copy: got %v, want ErrNotFound", k[0], k[1], err)
		}
	}
	if v, err := dst.TakeToken(ctx, "nonce", "n:2"); err != nil || len(v) != 0 {
		t.Errorf("TakeToken(n:2) on the copy = (%q, %v), want (\"\", nil)", v, err)
	}
}

func testExportEmpty(t *testing.T, p exportPair) {
	s := p.src(t)
	if got := exportAll(t, s); !cmp.Equal(got, exported{}, cmpopts.EquateEmpty()) {
		t.Errorf("export of an empty store: %+v", got)
	}
	// A collection emptied again exports nothing either.
	mustCreate(t, s, "c", "id", "v")
	if err := s.Delete(t.Context(), "c", "id"); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, "ExportDocs", s.ExportDocs(t.Context())); len(got) != 0 {
		t.Errorf("export of an emptied collection: %+v", got)
	}
}

func testExportStopEarly(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.src(t)
	for i := range 3 {
		mustCreate(t, s, fmt.Sprint("c", i), "id", "v")
		mustNext(t, s, fmt.Sprint("s", i))
		mustCreateList(t, s, fmt.Sprint("l", i), 8)
		mustPutToken(t, s, "k", fmt.Sprint("t", i), "v", time.Hour)
	}
	n := 0
	for range s.ExportDocs(ctx) {
		n++
		break
	}
	for range s.ExportSequences(ctx) {
		n++
		break
	}
	for range s.ExportStatusLists(ctx) {
		n++
		break
	}
	for range s.ExportTokens(ctx) {
		n++
		break
	}
	if n != 4 {
		t.Fatalf("got %d first elements, want 4", n)
	}
	// Stopping released whatever the iterations held: writes go through.
	done := make(chan error, 1)
	go func() {
		done <- errors.Join(s.Put(ctx, "c0", "id", []byte("w")), s.CreateList(ctx, "l9", 1<<20))
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("writes after stopping early: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("writes after stopping early did not finish within 10s")
	}
	// An iterator can be ranged over again.
	seq := s.ExportDocs(ctx)
	if a, b := collect(t, "ExportDocs", seq), collect(t, "ExportDocs again", seq); len(a) != 3 || !cmp.Equal(a, b) {
		t.Errorf("ranging twice: %d and %d documents", len(a), len(b))
	}
}

func testExportCancelled(t *testing.T, p exportPair) {
	s := p.src(t)
	mustCreate(t, s, "c", "id", "v")
	mustNext(t, s, "s")
	mustCreateList(t, s, "l", 8)
	mustPutToken(t, s, "k", "t", "v", time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	check := func(what string, n int, err error) {
		t.Helper()
		if n != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %d elements, error %v; want one, wrapping context.Canceled", what, n, err)
		}
	}
	check(firstErr(s.ExportDocs(ctx)))
	check(firstErr(s.ExportSequences(ctx)))
	check(firstErr(s.ExportStatusLists(ctx)))
	check(firstErr(s.ExportTokens(ctx)))
}

// firstErr ranges over seq and returns a label, how many elements came and
// the first error.
func firstErr[T any](seq iter.Seq2[T, error]) (string, int, error) {
	n := 0
	for _, err := range seq {
		n++
		if err != nil {
			return fmt.Sprintf("%T", *new(T)), n, err
		}
	}
	return fmt.Sprintf("%T", *new(T)), n, nil
}

// seqOf returns an iterator over vs, then err if it is not nil.
func seqOf[T any](err error, vs ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

func testImportDocsConflict(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	mustCreate(t, s, "profiles", "p1", "old")
	docs := seqOf[store.Doc](nil,
		store.Doc{Collection: "profiles", ID: "p1", Value: []byte("new")},
		store.Doc{Collection: "profiles", ID: "p9", Value: []byte("nine")})
	if _, err := s.ImportDocs(ctx, docs, store.ImportOptions{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ImportDocs over an existing document: got %v, want ErrConflict", err)
	}
	wantGet(t, s, "profiles", "p1", "old")
	n, err := s.ImportDocs(ctx, docs, store.ImportOptions{Replace: true})
	if err != nil || n != 2 {
		t.Fatalf("ImportDocs with Replace: got (%d, %v), want (2, nil)", n, err)
	}
	wantGet(t, s, "profiles", "p1", "new")
	wantGet(t, s, "profiles", "p9", "nine")
	wantCount(t, s, "profiles", 2)
	// Duplicates within one import conflict too, as two Creates would.
	dup := seqOf[store.Doc](nil,
		store.Doc{Collection: "d", ID: "x", Value: []byte("1")},
		store.Doc{Collection: "d", ID: "x", Value: []byte("2")})
	if _, err := s.ImportDocs(ctx, dup, store.ImportOptions{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ImportDocs of a duplicate: got %v, want ErrConflict", err)
	}
}

func testImportSequencesNeverLower(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	for range 10 {
		mustNext(t, s, "s")
	}
	if _, err := s.ImportSequences(ctx, seqOf[store.Sequence](nil, store.Sequence{Name: "s", Value: 5})); err != nil {
		t.Fatalf("ImportSequences: %v", err)
	}
	if n := mustNext(t, s, "s"); n <= 10 {
		t.Errorf("Next after importing a lower value = %d, want above 10", n)
	}
	n, err := s.ImportSequences(ctx, seqOf[store.Sequence](nil, store.Sequence{Name: "s", Value: 20}, store.Sequence{Name: "zero", Value: 0}))
	if err != nil || n != 1 {
		t.Fatalf("ImportSequences: got (%d, %v), want (1, nil)", n, err)
	}
	if n := mustNext(t, s, "s"); n <= 20 {
		t.Errorf("Next after importing 20 = %d, want above 20", n)
	}
	for _, q := range collect(t, "ExportSequences", s.ExportSequences(ctx)) {
		if q.Name == "zero" {
			t.Errorf("importing a zero value made sequence %+v", q)
		}
	}
}

func testImportListsConflict(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	mustCreateList(t, s, "L", 16)
	if got := mustAllocate(t, s, "L", 0); got != 0 {
		t.Fatalf("Allocate = %d, want 0", got)
	}
	mustSetStatus(t, s, "L", 1, true)
	in := store.ListState{ID: "L", Size: 16, Bits: []byte{0, 1}, Alloc: []byte{0, 1}, Version: 7}
	if _, err := s.ImportStatusLists(ctx, seqOf[store.ListState](nil, in), store.ImportOptions{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ImportStatusLists over an existing list: got %v, want ErrConflict", err)
	}
	wantInfo(t, s, "L", 16, 1, 1)
	n, err := s.ImportStatusLists(ctx, seqOf[store.ListState](nil, in), store.ImportOptions{Replace: true})
	if err != nil || n != 1 {
		t.Fatalf("ImportStatusLists with Replace: got (%d, %v), want (1, nil)", n, err)
	}
	// The bits and version are the imported ones; the allocations of both.
	wantBits(t, s, "L", []byte{0, 1}, 7)
	wantInfo(t, s, "L", 16, 2, 7)
	if got := mustAllocate(t, s, "L", 0); got != 1 {
		t.Errorf("Allocate after Replace = %d, want 1", got)
	}
	// A list of another size is replaced whole.
	other := store.ListState{ID: "L", Size: 8, Bits: []byte{0x80}, Alloc: []byte{0x80}, Version: 2}
	if _, err := s.ImportStatusLists(ctx, seqOf[store.ListState](nil, other), store.ImportOptions{Replace: true}); err != nil {
		t.Fatalf("ImportStatusLists of another size: %v", err)
	}
	wantBits(t, s, "L", []byte{0x80}, 2)
	wantInfo(t, s, "L", 8, 1, 2)
}

func testImportTokens(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	mustPutToken(t, s, "nonce", "live", "old", time.Hour)
	toks := seqOf[store.Token](nil,
		store.Token{Kind: "nonce", ID: "expired", Value: []byte("x"), TTL: 0},
		store.Token{Kind: "nonce", ID: "negative", Value: []byte("x"), TTL: -time.Second},
		store.Token{Kind: "nonce", ID: "short", Value: []byte("short"), TTL: 200 * time.Millisecond},
		store.Token{Kind: "nonce", ID: "live", Value: []byte("new"), TTL: time.Hour})
	if _, err := s.ImportTokens(ctx, toks, store.ImportOptions{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ImportTokens over a live token: got %v, want ErrConflict", err)
	}
	wantToken(t, s, "nonce", "live", "old")
	n, err := s.ImportTokens(ctx, toks, store.ImportOptions{Replace: true})
	if err != nil || n != 2 {
		t.Fatalf("ImportTokens with Replace: got (%d, %v), want (2, nil)", n, err)
	}
	wantToken(t, s, "nonce", "live", "new")
	for _, id := range []string{"expired", "negative"} {
		if _, err := s.GetToken(ctx, "nonce", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetToken(%q) after importing it expired: got %v, want ErrNotFound", id, err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := s.GetToken(ctx, "nonce", "short"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetToken after its imported TTL: got %v, want ErrNotFound", err)
	}
}

func testImportInvalid(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	v := []byte("v")
	for _, d := range []store.Doc{{Collection: "", ID: "id", Value: v}, {Collection: "c", ID: "", Value: v}} {
		_, err := s.ImportDocs(ctx, seqOf[store.Doc](nil, d), store.ImportOptions{})
		wantInvalid(t, fmt.Sprintf("ImportDocs(%+v)", d), err)
	}
	_, err := s.ImportSequences(ctx, seqOf[store.Sequence](nil, store.Sequence{Value: 1}))
	wantInvalid(t, "ImportSequences with an empty name", err)
	for _, tok := range []store.Token{{Kind: "", ID: "id", TTL: time.Hour}, {Kind: "k", ID: "", TTL: time.Hour}} {
		_, err := s.ImportTokens(ctx, seqOf[store.Token](nil, tok), store.ImportOptions{})
		wantInvalid(t, fmt.Sprintf("ImportTokens(%+v)", tok), err)
	}
	for _, l := range []store.ListState{
		{ID: "", Size: 8, Bits: []byte{0}, Alloc: []byte{0}},
		{ID: "l", Size: 0},
		{ID: "l", Size: 12, Bits: []byte{0, 0}, Alloc: []byte{0, 0}},
		{ID: "l", Size: 2 * store.MaxStatusListSize, Bits: nil, Alloc: nil},
		{ID: "l", Size: 16, Bits: []byte{0}, Alloc: []byte{0, 0}},
		{ID: "l", Size: 16, Bits: []byte{0, 0}, Alloc: []byte{0, 0, 0}},
	} {
		_, err := s.ImportStatusLists(ctx, seqOf[store.ListState](nil, l), store.ImportOptions{})
		wantInvalid(t, fmt.Sprintf("ImportStatusLists(%s, size %d)", l.ID, l.Size), err)
	}
	if got := exportAll(t, s); !cmp.Equal(got, exported{}, cmpopts.EquateEmpty()) {
		t.Errorf("invalid imports wrote something: %+v", got)
	}
}

func testImportSourceError(t *testing.T, p exportPair) {
	ctx := t.Context()
	s := p.dst(t)
	boom := errors.New("source failed")
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, boom) {
			t.Errorf("%s from a failing source: got %v, want an error wrapping the source's", what, err)
		}
	}
	_, err := s.ImportDocs(ctx, seqOf(boom, store.Doc{Collection: "c", ID: "id", Value: []byte("v")}), store.ImportOptions{})
	check("ImportDocs", err)
	_, err = s.ImportSequences(ctx, seqOf(boom, store.Sequence{Name: "s", Value: 1}))
	check("ImportSequences", err)
	_, err = s.ImportStatusLists(ctx, seqOf(boom, store.ListState{ID: "l", Size: 8, Bits: []byte{0}, Alloc: []byte{0}}), store.ImportOptions{})
	check("ImportStatusLists", err)
	_, err = s.ImportTokens(ctx, seqOf(boom, store.Token{Kind: "k", ID: "t", Value: []byte("v"), TTL: time.Hour}), store.ImportOptions{})
	check("ImportTokens", err)
}

func testImportCancelled(t *testing.T, p exportPair) {
	s := p.dst(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	check := func(what string, n int, err error) {
		t.Helper()
		if n != 0 || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: got (%d, %v), want (0, an error wrapping context.Canceled)", what, n, err)
		}
	}
	n, err := s.ImportDocs(ctx, seqOf[store.Doc](nil, store.Doc{Collection: "c", ID: "id", Value: []byte("v")}), store.ImportOptions{})
	check("ImportDocs", n, err)
	n, err = s.ImportSequences(ctx, seqOf[store.Sequence](nil, store.Sequence{Name: "s", Value: 1}))
	check("ImportSequences", n, err)
	n, err = s.ImportStatusLists(ctx, seqOf[store.ListState](nil, store.ListState{ID: "l", Size: 8, Bits: []byte{0}, Alloc: []byte{0}}), store.ImportOptions{})
	check("ImportStatusLists", n, err)
	n, err = s.ImportTokens(ctx, seqOf[store.Token](nil, store.Token{Kind: "k", ID: "t", Value: []byte("v"), TTL: time.Hour}), store.ImportOptions{})
	check("ImportTokens", n, err)
	if got := exportAll(t, s); !cmp.Equal(got, exported{}, cmpopts.EquateEmpty()) {
		t.Errorf("cancelled imports wrote something: %+v", got)
	}
}
