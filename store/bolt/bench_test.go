// Benchmarks for the bbolt store; every write is a durable (fsynced)
// transaction, so figures depend on the disk. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/bolt
//
// BenchmarkApplyParallel and BenchmarkPutsParallel store the same three
// documents per operation (a credential and two index entries) from
// 8×GOMAXPROCS goroutines: as one Apply, whose transactions bbolt coalesces
// into shared commits, and as three Puts, each its own commit.
package bolt_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"

	"github.com/accolade-badges/accolade/store/bolt"
)

var benchValue = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"benchmark"}`)

func benchDB(b *testing.B) *bolt.DB {
	return open(b, filepath.Join(b.TempDir(), "bench.db"), bolt.Options{SweepInterval: -1})
}

func BenchmarkCreate(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("urn:uuid:%012d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := db.Create(ctx, "credentials", ids[i], benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	const n = 1000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("urn:uuid:%012d", i)
		if err := db.Put(ctx, "credentials", ids[i], benchValue); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.Get(ctx, "credentials", ids[i%n]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTakeToken(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("nonce-%012d", i)
		if err := db.PutToken(ctx, "nonce", ids[i], []byte("c_nonce"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.TakeToken(ctx, "nonce", ids[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// issueWrites returns the three writes of issuing credential n.
func issueWrites(n int64) []store.Write {
	id := fmt.Sprintf("urn:uuid:%012d", n)
	return []store.Write{
		{Collection: "credentials", ID: id, Value: benchValue, Create: true},
		{Collection: "by-recipient", ID: "ada/" + id, Value: []byte(id), Create: true},
		{Collection: "by-achievement", ID: "a1/" + id, Value: []byte(id), Create: true},
	}
}

func BenchmarkApplyParallel(b *testing.B) {
	db := benchDB(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.Apply(b.Context(), issueWrites(next.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkApply is one caller alone: each Apply commits (and fsyncs) on
// its own.
func BenchmarkApply(b *testing.B) {
	db := benchDB(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := db.Apply(b.Context(), issueWrites(int64(i))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutsParallel(b *testing.B) {
	db := benchDB(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, w := range issueWrites(next.Add(1)) {
				if err := db.Put(b.Context(), w.Collection, w.ID, w.Value); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
}

// benchListSize is the smallest list W3C Bitstring Status List allows.
const benchListSize = 131072

// BenchmarkAllocate allocates from random starts in a production-size list,
// starting a new list (untimed) whenever one is full.
func BenchmarkAllocate(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	lists := 0
	newList := func() string {
		lists++
		id := fmt.Sprint("list-", lists)
		if err := db.CreateList(ctx, id, benchListSize); err != nil {
			b.Fatal(err)
		}
		return id
	}
	id := newList()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, err := db.Allocate(ctx, id, rand.IntN(benchListSize))
		if errors.Is(err, store.ErrFull) {
			b.StopTimer()
			id = newList()
			b.StartTimer()
			_, err = db.Allocate(ctx, id, rand.IntN(benchListSize))
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllocateMany64 reserves 64 random starts per operation in one
// call, starting a new list (untimed) whenever one is full.
func BenchmarkAllocateMany64(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	lists := 0
	newList := func() string {
		lists++
		id := fmt.Sprint("list-", lists)
		if err := db.CreateList(ctx, id, benchListSize); err != nil {
			b.Fatal(err)
		}
		return id
	}
	id := newList()
	starts := make([]int, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range starts {
			starts[i] = rand.IntN(benchListSize)
		}
		got, err := db.AllocateMany(ctx, id, starts)
		if errors.Is(err, store.ErrFull) {
			b.StopTimer()
			id = newList()
			b.StartTimer()
			_, err = db.AllocateMany(ctx, id, starts[len(got):])
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetStatus flips random bits of a production-size list, so that
// every call changes the bitstring.
func BenchmarkSetStatus(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	if err := db.CreateList(ctx, "list", benchListSize); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := db.SetStatus(ctx, "list", rand.IntN(benchListSize), i%2 == 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBits reads a production-size bitstring, as publishing the list
// credential does.
func BenchmarkBits(b *testing.B) {
	db := benchDB(b)
	ctx := b.Context()
	if err := db.CreateList(ctx, "list", benchListSize); err != nil {
		b.Fatal(err)
	}
	for range 1000 {
		if _, err := db.SetStatus(ctx, "list", rand.IntN(benchListSize), true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := db.Bits(ctx, "list"); err != nil {
			b.Fatal(err)
		}
	}
}
