//go:build soak

// Soak test: a million eddsa-rdfc-2022 sign attempts on generated credentials with the Fast
// canonicalizer, checking that the live heap stays flat. It takes a few
// minutes, so it is behind the "soak" build tag: run it with `make soak`
// (go test -tags soak -run Soak -timeout 60m ./proof/di/).
package di

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
)

func TestSoakMillionSignatures(t *testing.T) {
	s := &Signer{Canonicalizer: NewFast(newDirLoader(t), Limits{})}
	key := obKey(t)
	opts := Options{VerificationMethod: obVM, Created: signTime}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const total, step = 1_000_000, 100_000
	var first uint64
	signed := 0
	for done := 0; done < total; done += step {
		for i := range step {
			// The generator also makes credentials that must be refused
			// (undefined terms); those count as work, not as signatures.
			g := &gen{r: rand.New(rand.NewPCG(uint64(done+i), 1))}
			if _, err := s.Sign(context.Background(), g.credential(), key, opts); err == nil {
				signed++
			}
		}
		h := heap()
		if first == 0 {
			first = h
		}
		t.Logf("%d credentials (%d signed): live heap %d KiB", done+step, signed, h>>10)
		if h > first+4<<20 {
			t.Fatalf("live heap grew from %d KiB to %d KiB after %d credentials", first>>10, h>>10, done+step)
		}
	}
	if signed < total/2 {
		t.Errorf("only %d of %d generated credentials were signed", signed, total)
	}
}
