// Benchmarks for the in-memory store. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/mem
package mem_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
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

// benchListSize is the smallest list W3C Bitstring Status List allows.
const benchListSize = 131072

// BenchmarkAllocate allocates from random starts in a production-size list,
// starting a new list (untimed) whenever one is full.
func BenchmarkAllocate(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	lists := 0
	newList := func() string {
		lists++
		id := fmt.Sprint("list-", lists)
		if err := s.CreateList(ctx, id, benchListSize); err != nil {
			b.Fatal(err)
		}
		return id
	}
	id := newList()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, err := s.Allocate(ctx, id, rand.IntN(benchListSize))
		if errors.Is(err, store.ErrFull) {
			b.StopTimer()
			id = newList()
			b.StartTimer()
			_, err = s.Allocate(ctx, id, rand.IntN(benchListSize))
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllocateMany64 reserves 64 random starts per operation in one
// call, starting a new list (untimed) whenever one is full.
func BenchmarkAllocateMany64(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	lists := 0
	newList := func() string {
		lists++
		id := fmt.Sprint("list-", lists)
		if err := s.CreateList(ctx, id, benchListSize); err != nil {
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
		got, err := s.AllocateMany(ctx, id, starts)
		if errors.Is(err, store.ErrFull) {
			b.StopTimer()
			id = newList()
			b.StartTimer()
			_, err = s.AllocateMany(ctx, id, starts[len(got):])
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetStatus(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	if err := s.CreateList(ctx, "list", benchListSize); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.SetStatus(ctx, "list", rand.IntN(benchListSize), i%2 == 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBits(b *testing.B) {
	s := mem.New(mem.Options{})
	ctx := b.Context()
	if err := s.CreateList(ctx, "list", benchListSize); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := s.Bits(ctx, "list"); err != nil {
			b.Fatal(err)
		}
	}
}
