// Benchmarks for the in-memory store. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/mem
package mem_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/store/storetest"
)

var benchValue = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"benchmark"}`)

func BenchmarkCreate(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("urn:uuid:%012d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := s.Create(ctx, "credentials", ids[i], benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	const n = 1000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("urn:uuid:%012d", i)
		if err := s.Put(ctx, "credentials", ids[i], benchValue); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Get(ctx, "credentials", ids[i%n]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTakeToken(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("nonce-%012d", i)
		if err := s.PutToken(ctx, "nonce", ids[i], []byte("c_nonce"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.TakeToken(ctx, "nonce", ids[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusLists runs the shared status list benchmarks
// (storetest.BenchStatusLists) in memory.
func BenchmarkStatusLists(b *testing.B) {
	storetest.BenchStatusLists(b, func(*testing.B) store.StatusLists { return mem.New(mem.Options{}) })
}
