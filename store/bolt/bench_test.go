// Benchmarks for the bbolt store; every write is a durable (fsynced)
// transaction, so figures depend on the disk. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/bolt
//
// Store/ApplyParallel and Store/PutsParallel store the same three documents
// per operation (a credential and two index entries) from 8×GOMAXPROCS
// goroutines: as one Apply, whose transactions bbolt coalesces into shared
// commits, and as three Puts, each its own commit; Store/Apply is one
// caller alone, each Apply committing (and fsyncing) on its own.
package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/storetest"

	"github.com/accolade-badges/accolade/store/bolt"
)

func benchDB(b *testing.B) *bolt.DB {
	return open(b, filepath.Join(b.TempDir(), "bench.db"), bolt.Options{SweepInterval: -1})
}

// BenchmarkStore runs the shared document, token and batch benchmarks
// (storetest.BenchStore) on bbolt.
func BenchmarkStore(b *testing.B) {
	storetest.BenchStore(b, func(b *testing.B) store.Store { return benchDB(b) })
}

// BenchmarkStatusLists runs the shared status list benchmarks
// (storetest.BenchStatusLists) on bbolt: every write is fsynced.
func BenchmarkStatusLists(b *testing.B) {
	storetest.BenchStatusLists(b, func(b *testing.B) store.StatusLists { return benchDB(b) })
}
