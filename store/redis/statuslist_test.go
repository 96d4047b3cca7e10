package redis

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"
)

// TestRedisAllocateAcrossClients has two stores with their own connection
// pools, as two Accolade processes would have, allocate from one list until
// it is full: each index is handed out once.
func TestRedisAllocateAcrossClients(t *testing.T) {
	const size = 512
	prefix := randomPrefix()
	dbs := []*DB{newDB(t, prefix), newDB(t, prefix)}
	if err := dbs[0].CreateList(t.Context(), "list", size); err != nil {
		t.Fatalf("CreateList: %v", err)
	}
	if err := dbs[1].CreateList(t.Context(), "list", size); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("CreateList through the second client: got %v, want ErrConflict", err)
	}
	var (
		mu  sync.Mutex
		all []int
		wg  sync.WaitGroup
	)
	for w := range 8 {
		db := dbs[w%2]
		wg.Go(func() {
			for {
				i, err := db.Allocate(t.Context(), "list", rand.IntN(size))
				if errors.Is(err, store.ErrFull) {
					return
				}
				if err != nil {
					t.Errorf("Allocate: %v", err)
					return
				}
				mu.Lock()
				all = append(all, i)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(all)
	if len(all) != size || len(slices.Compact(all)) != size {
		t.Errorf("got %d allocations, want each of %d indexes once", len(all), size)
	}
}

// TestRedisStatusListShortStrings truncates a list's bitmaps behind the
// store's back: Bits pads the bitstring with zeros, as GETBIT reads it, and
// Allocate and AllocateMany treat the missing tail as free.
func TestRedisStatusListShortStrings(t *testing.T) {
	ctx := t.Context()
	db := newDB(t, randomPrefix())
	if err := db.CreateList(ctx, "list", 64); err != nil {
		t.Fatalf("CreateList: %v", err)
	}
	if _, err := db.SetStatus(ctx, "list", 3, true); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	keys := db.listKeys("list")
	if err := db.rdb.Set(ctx, keys[1], "\x10", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.rdb.Set(ctx, keys[2], "\xff", 0).Err(); err != nil {
		t.Fatal(err)
	}
	bits, version, err := db.Bits(ctx, "list")
	if err != nil || version != 1 || string(bits) != "\x10\x00\x00\x00\x00\x00\x00\x00" {
		t.Errorf("Bits: got (%x, %d, %v), want (1000000000000000, 1, nil)", bits, version, err)
	}
	for _, c := range []struct{ start, want int }{{0, 8}, {5, 9}, {63, 63}, {63, 10}} {
		if got, err := db.Allocate(ctx, "list", c.start); err != nil || got != c.want {
			t.Errorf("Allocate(%d): got (%d, %v), want (%d, nil)", c.start, got, err, c.want)
		}
	}
	if n, err := db.rdb.StrLen(ctx, keys[2]).Result(); err != nil || n != 8 {
		t.Errorf("allocation bitmap after Allocate: %d bytes (%v), want 8", n, err)
	}
	if _, allocated, _, err := db.ListInfo(ctx, "list"); err != nil || allocated != 12 {
		t.Errorf("ListInfo: got %d allocated (%v), want 12", allocated, err)
	}

	// AllocateMany does the same within one script.
	if err := db.rdb.Set(ctx, keys[2], "\xff", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := db.AllocateMany(ctx, "list", []int{0, 5, 63, 63}); err != nil || !slices.Equal(got, []int{8, 9, 63, 10}) {
		t.Errorf("AllocateMany([0 5 63 63]): got (%v, %v), want ([8 9 63 10], nil)", got, err)
	}
	if n, err := db.rdb.StrLen(ctx, keys[2]).Result(); err != nil || n != 8 {
		t.Errorf("allocation bitmap after AllocateMany: %d bytes (%v), want 8", n, err)
	}
}

func TestRedisStatusListKeysInOneSlot(t *testing.T) {
	db := &DB{prefix: "accolade-test-slots"}
	seen := map[string]string{}
	for _, id := range []string{"https://badges.example/status/1", "a:b", "{x}", "}{", "é", ""} {
		keys := db.listKeys(id)
		wantTag := db.prefix + ":sl:" + enc(id)
		for _, k := range keys {
			if got := hashTag(k); got != wantTag {
				t.Errorf("hash tag of %q for list %q: got %q, want %q", k, id, got, wantTag)
			}
			if keySlot(k) != keySlot(keys[0]) {
				t.Errorf("list %q: keys %q and %q hash to different slots", id, k, keys[0])
			}
		}
		if other, dup := seen[keys[0]]; dup {
			t.Errorf("lists %q and %q share the key %q", other, id, keys[0])
		}
		seen[keys[0]] = id
		// No list key can be a collection's key.
		if hashTag(keys[0]) == hashTag(db.docKeys(id)[0]) {
			t.Errorf("list %q and collection %q share a hash tag", id, id)
		}
	}
}

// BenchmarkRedisStatusLists runs the shared status list benchmarks
// (storetest.BenchStatusLists) on the test Redis, each under a fresh prefix.
func BenchmarkRedisStatusLists(b *testing.B) {
	storetest.BenchStatusLists(b, func(b *testing.B) store.StatusLists { return newDB(b, randomPrefix()) })
}
