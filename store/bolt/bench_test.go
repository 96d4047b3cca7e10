// Benchmarks for the bbolt store; every write is a durable (fsynced)
// transaction, so figures depend on the disk. Run them with
//
//	go test -run '^$' -bench . -benchmem ./store/bolt
package bolt_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

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
