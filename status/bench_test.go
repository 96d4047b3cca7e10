package status_test

// Benchmarks of the codec on a list of MinEntries one-bit entries and of a
// status check from a warm cache. Run with:
//   go test -run '^$' -bench . -benchmem ./status/

import (
	"context"
	"testing"

	"github.com/accolade-badges/accolade/status"
)

// benchLists are 131,072-bit lists: empty, and with 1% of entries set at
// scattered indexes (as random allocation leaves them).
func benchLists(b *testing.B) map[string][]byte {
	b.Helper()
	sparse := make([]byte, status.MinEntries/8)
	x := uint32(2463534242)
	for range status.MinEntries / 100 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		_ = status.Set(sparse, int(x%status.MinEntries), true)
	}
	return map[string][]byte{"empty": make([]byte, status.MinEntries/8), "1pct": sparse}
}

func BenchmarkEncode(b *testing.B) {
	for _, name := range []string{"empty", "1pct"} {
		bits := benchLists(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bits)))
			for b.Loop() {
				if _, err := status.Encode(bits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"empty", "1pct"} {
		bits := benchLists(b)[name]
		enc := encode(b, bits)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bits)))
			for b.Loop() {
				if _, err := status.Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckWarm(b *testing.B) {
	srv := newServer()
	srv.put(listURL, listDoc(b, listURL, "revocation", benchLists(b)["1pct"]))
	c := newChecker(srv, newClock())
	entry := status.Entry(listURL, 94566, status.PurposeRevocation)
	doc := cred(entry)
	ctx := context.Background()
	if _, err := c.CheckStatus(ctx, doc, entry); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if handled, err := c.CheckStatus(ctx, doc, entry); !handled || err != nil {
			b.Fatal(handled, err)
		}
	}
}
