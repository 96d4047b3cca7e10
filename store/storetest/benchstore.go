package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// benchValue is a small credential-like document.
var benchValue = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"benchmark"}`)

// BenchStore runs the document and token benchmarks on the store newStore
// returns (a fresh, empty store per benchmark), so every implementation is
// measured the same way:
//
//   - Create: one new document;
//   - Get: one of 1,000 documents;
//   - TakeToken: one single-use token, stored (untimed) beforehand;
//
// and for a store.Batcher, the writes of issuing one credential (the
// document and two index entries):
//
//   - Apply: as one Apply from one caller;
//   - ApplyParallel: as one Apply each from 8×GOMAXPROCS goroutines, which
//     a store may coalesce into shared commits;
//   - PutsParallel: as three Puts each from as many goroutines.
func BenchStore(b *testing.B, newStore func(b *testing.B) store.Store) {
	b.Run("Create", func(b *testing.B) {
		s := newStore(b)
		ids := benchIDs("urn:uuid:", b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := s.Create(b.Context(), "credentials", ids[i], benchValue); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		s := newStore(b)
		const n = 1000
		ids := benchIDs("urn:uuid:", n)
		for _, id := range ids {
			if err := s.Put(b.Context(), "credentials", id, benchValue); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.Get(b.Context(), "credentials", ids[i%n]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("TakeToken", func(b *testing.B) {
		s := newStore(b)
		ids := benchIDs("nonce-", b.N)
		for _, id := range ids {
			if err := s.PutToken(b.Context(), "nonce", id, []byte("c_nonce"), time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.TakeToken(b.Context(), "nonce", ids[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
	batcher := func(b *testing.B) store.Batcher {
		bt, ok := newStore(b).(store.Batcher)
		if !ok {
			b.Skip("the store is not a store.Batcher")
		}
		return bt
	}
	b.Run("Apply", func(b *testing.B) {
		s := batcher(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := s.Apply(b.Context(), issueWrites(int64(i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ApplyParallel", func(b *testing.B) {
		s := batcher(b)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := s.Apply(b.Context(), issueWrites(next.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("PutsParallel", func(b *testing.B) {
		s := newStore(b)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				for _, w := range issueWrites(next.Add(1)) {
					if err := s.Put(b.Context(), w.Collection, w.ID, w.Value); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	})
}

// benchIDs returns n distinct IDs with prefix.
func benchIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%012d", prefix, i)
	}
	return ids
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
