package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/accolade-badges/accolade/store"
)

// benchListSize is the smallest list W3C Bitstring Status List allows.
const benchListSize = 131072

// BenchStatusLists runs the status list benchmarks on the lists newLists
// returns (a fresh, empty store per benchmark), so every implementation is
// measured the same way:
//
//   - Allocate: one index from a random start in a production-size list;
//   - AllocateMany64: 64 random starts in one call;
//   - SetStatus: flip a random bit, so every call changes the bitstring;
//   - Bits: read a production-size bitstring with 1,000 bits set, as
//     publishing the list credential does.
//
// The allocation benchmarks start a new list (untimed) when one is full.
func BenchStatusLists(b *testing.B, newLists func(b *testing.B) store.StatusLists) {
	b.Run("Allocate", func(b *testing.B) {
		l := newLists(b)
		next := listMaker(b, l)
		id := next()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			_, err := l.Allocate(b.Context(), id, rand.IntN(benchListSize))
			if errors.Is(err, store.ErrFull) {
				b.StopTimer()
				id = next()
				b.StartTimer()
				_, err = l.Allocate(b.Context(), id, rand.IntN(benchListSize))
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AllocateMany64", func(b *testing.B) {
		l := newLists(b)
		next := listMaker(b, l)
		id := next()
		starts := make([]int, 64)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			for i := range starts {
				starts[i] = rand.IntN(benchListSize)
			}
			got, err := l.AllocateMany(b.Context(), id, starts)
			if errors.Is(err, store.ErrFull) {
				b.StopTimer()
				id = next()
				b.StartTimer()
				_, err = l.AllocateMany(b.Context(), id, starts[len(got):])
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SetStatus", func(b *testing.B) {
		l := newLists(b)
		id := listMaker(b, l)()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := l.SetStatus(b.Context(), id, rand.IntN(benchListSize), i%2 == 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Bits", func(b *testing.B) {
		l := newLists(b)
		id := listMaker(b, l)()
		for range 1000 {
			if _, err := l.SetStatus(b.Context(), id, rand.IntN(benchListSize), true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, _, err := l.Bits(b.Context(), id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// listMaker returns a function that creates the next production-size list
// and returns its ID.
func listMaker(b *testing.B, l store.StatusLists) func() string {
	n := 0
	return func() string {
		n++
		id := fmt.Sprint("bench-list-", n)
		if err := l.CreateList(b.Context(), id, benchListSize); err != nil {
			b.Fatal(err)
		}
		return id
	}
}
