// Benchmarks for the in-memory store. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/mem
package mem_test

import (
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/store/storetest"
)

// BenchmarkStore runs the shared document, token and batch benchmarks
// (storetest.BenchStore) in memory.
func BenchmarkStore(b *testing.B) {
	storetest.BenchStore(b, func(*testing.B) store.Store { return mem.New(mem.Options{}) })
}

// BenchmarkStatusLists runs the shared status list benchmarks
// (storetest.BenchStatusLists) in memory.
func BenchmarkStatusLists(b *testing.B) {
	storetest.BenchStatusLists(b, func(*testing.B) store.StatusLists { return mem.New(mem.Options{}) })
}
