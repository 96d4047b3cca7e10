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
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"

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

// BenchmarkStatusLists runs the shared status list benchmarks
// (storetest.BenchStatusLists) on bbolt: every write is fsynced.
func BenchmarkStatusLists(b *testing.B) {
	storetest.BenchStatusLists(b, func(b *testing.B) store.StatusLists { return benchDB(b) })
}
