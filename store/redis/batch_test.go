package redis

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"
)

// TestRedisBatchSplit runs the Batcher conformance subtests through the
// Redis Cluster path (splitApply), on the test server: a standalone server
// runs the per-collection scripts just as a cluster would.
func TestRedisBatchSplit(t *testing.T) {
	storetest.RunBatch(t, func(t *testing.T) store.Store {
		db := newDB(t, randomPrefix())
		db.cluster = true
		return db
	})
}

// TestRedisCappedSplit runs the CappedBatcher and Counters conformance
// subtests through the Redis Cluster path, as TestRedisBatchSplit does.
func TestRedisCappedSplit(t *testing.T) {
	storetest.RunCounters(t, func(t *testing.T) store.Store {
		db := newDB(t, randomPrefix())
		db.cluster = true
		return db
	})
}

// TestRedisBatchSplitUndo has the last collection of a split batch
// conflict: the collections applied before it are undone, and a key someone
// else changed in the meantime is left alone.
func TestRedisBatchSplitUndo(t *testing.T) {
	ctx := t.Context()
	db := newDB(t, randomPrefix())
	db.cluster = true
	for _, k := range [][3]string{{"a", "existing", "old"}, {"z", "taken", "z-old"}} {
		if err := db.Put(ctx, k[0], k[1], []byte(k[2])); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	writes := []store.Write{
		{Collection: "z", ID: "taken", Value: []byte("new"), Create: true}, // conflicts, applied last
		{Collection: "a", ID: "existing", Value: []byte("new")},
		{Collection: "a", ID: "fresh", Value: []byte("new"), Create: true},
		{Collection: "b", ID: "fresh", Value: []byte("new")},
	}
	err := db.Apply(ctx, writes)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Apply: got %v, want ErrConflict", err)
	}
	for _, k := range [][3]string{{"a", "existing", "old"}, {"z", "taken", "z-old"}} {
		if got, err := db.Get(ctx, k[0], k[1]); err != nil || string(got) != k[2] {
			t.Errorf("Get(%s, %s): got (%q, %v), want %q", k[0], k[1], got, err, k[2])
		}
	}
	for _, k := range [][2]string{{"a", "fresh"}, {"b", "fresh"}} {
		if _, err := db.Get(ctx, k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%s, %s) after undo: got %v, want ErrNotFound", k[0], k[1], err)
		}
	}
	for c, want := range map[string]int{"a": 1, "b": 0, "z": 1} {
		if n, err := db.Count(ctx, c); err != nil || n != want {
			t.Errorf("Count(%s): got (%d, %v), want %d", c, n, err, want)
		}
	}

	// The undo compares values: a key changed since the batch stays.
	groups := groupByCollection(writes)
	prev, err := db.applyGroup(ctx, writes, groups[0].idx, true) // collection a
	if err != nil {
		t.Fatalf("applyGroup: %v", err)
	}
	if err := db.Put(ctx, "a", "fresh", []byte("someone else")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := db.undoGroup(ctx, writes, groups[0].idx, prev); err != nil {
		t.Fatalf("undoGroup: %v", err)
	}
	for id, want := range map[string]string{"existing": "old", "fresh": "someone else"} {
		if got, err := db.Get(ctx, "a", id); err != nil || string(got) != want {
			t.Errorf("Get(a, %s) after undo: got (%q, %v), want %q", id, got, err, want)
		}
	}
}

// TestRedisBatchSameKeyUndo writes one key twice in a split batch that then
// fails: undoing in reverse restores the value from before the batch.
func TestRedisBatchSameKeyUndo(t *testing.T) {
	ctx := t.Context()
	db := newDB(t, randomPrefix())
	db.cluster = true
	if err := db.Put(ctx, "a", "k", []byte("orig")); err != nil {
		t.Fatal(err)
	}
	if err := db.Put(ctx, "b", "taken", []byte("b")); err != nil {
		t.Fatal(err)
	}
	err := db.Apply(ctx, []store.Write{
		{Collection: "a", ID: "k", Value: []byte("v1")},
		{Collection: "a", ID: "k", Value: []byte("v2")},
		{Collection: "b", ID: "taken", Value: []byte("x"), Create: true},
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Apply: got %v, want ErrConflict", err)
	}
	if got, err := db.Get(ctx, "a", "k"); err != nil || string(got) != "orig" {
		t.Errorf("Get(a, k): got (%q, %v), want orig", got, err)
	}
}

func TestRedisGroupByCollection(t *testing.T) {
	w := func(c string) store.Write { return store.Write{Collection: c, ID: "x"} }
	for _, c := range []struct {
		name   string
		writes []store.Write
		want   []group
	}{
		{"empty", nil, nil},
		{"one", []store.Write{w("c")}, []group{{"c", []int{0}}}},
		{"same-collection", []store.Write{w("c"), w("c"), w("c")}, []group{{"c", []int{0, 1, 2}}}},
		{"sorted-byte-wise", []store.Write{w("b"), w("a"), w("B"), w("a"), w("é"), w("b")},
			[]group{{"B", []int{2}}, {"a", []int{1, 3}}, {"b", []int{0, 5}}, {"é", []int{4}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := groupByCollection(c.writes)
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(group{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("groupByCollection mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedisDecodeBatchReply(t *testing.T) {
	for _, c := range []struct {
		name         string
		reply        []any
		n            int
		wantConflict int
		wantPrev     []any
		wantErr      bool
	}{
		{"ok/no-prev", []any{int64(0)}, 3, -1, []any{}, false},
		{"ok/prev", []any{int64(0), nil, "old"}, 2, -1, []any{nil, "old"}, false},
		{"ok/conflict-first", []any{int64(1)}, 3, 0, nil, false},
		{"ok/conflict-last", []any{int64(3)}, 3, 2, nil, false},
		{"fail/empty", []any{}, 1, 0, nil, true},
		{"fail/conflict-past-end", []any{int64(4)}, 3, 0, nil, true},
		{"fail/negative", []any{int64(-1)}, 3, 0, nil, true},
		{"fail/not-a-number", []any{"0"}, 1, 0, nil, true},
		{"fail/prev-count", []any{int64(0), nil}, 2, 0, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			conflict, prev, err := decodeBatchReply(c.reply, c.n)
			if c.wantErr {
				if err == nil {
					t.Fatalf("decodeBatchReply(%v) = (%d, %v), want an error", c.reply, conflict, prev)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeBatchReply(%v): %v", c.reply, err)
			}
			if conflict != c.wantConflict {
				t.Errorf("conflict: got %d, want %d", conflict, c.wantConflict)
			}
			if diff := cmp.Diff(c.wantPrev, prev, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("previous values mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedisUndoArgs(t *testing.T) {
	db := &DB{prefix: "p"}
	writes := []store.Write{
		{Collection: "a", ID: "1", Value: []byte("v1")},
		{Collection: "b", ID: "2", Value: []byte("v2")},
		{Collection: "a", ID: "3", Value: []byte("v3"), Create: true},
	}
	keys, args, err := undoArgs(db, writes, []int{0, 2}, []any{"old", nil})
	if err != nil {
		t.Fatalf("undoArgs: %v", err)
	}
	ka := db.docKeys("a")
	if diff := cmp.Diff([]string{ka[0], ka[1], ka[0], ka[1]}, keys); diff != "" {
		t.Errorf("keys mismatch (-want +got):\n%s", diff)
	}
	want := []any{"1", []byte("v1"), "1", "old", "3", []byte("v3"), "0", ""}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Errorf("args mismatch (-want +got):\n%s", diff)
	}
	if _, _, err := undoArgs(db, writes, []int{0}, []any{"a", "b"}); err == nil {
		t.Errorf("undoArgs with too many previous values: want an error")
	}
	if _, _, err := undoArgs(db, writes, []int{0}, []any{int64(1)}); err == nil {
		t.Errorf("undoArgs with a number as previous value: want an error")
	}
}
