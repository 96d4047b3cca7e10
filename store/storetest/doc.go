// Package storetest is the conformance suite for implementations of
// store.Store. Every implementation (store/mem, store/bolt, store/redis) runs
// the same suite, unchanged, from its own tests, so that all of them keep the
// semantics documented in package store: sentinel errors, atomic
// create-if-absent and take, token TTLs, ordered listing and sequences.
//
// The suite also covers the optional capabilities of package store:
// store.Batcher (all-or-nothing batches, conflicts inside and outside the
// batch, racing batches, the store.MaxBatch limit) and store.StatusLists
// (allocation until full, from one goroutine and from 16, the first free
// index at or after a start and the wrap-around, AllocateMany against
// Allocate and a model, filling up part way, its limits, racing it with
// itself and with Allocate, the bit layout of W3C Bitstring Status List
// v1.0 with its generated vector, the version, out-of-range and missing
// lists, consistent reads). RunTransitions covers store.StatusTransitions
// (each change, stale states and records, revocation being final, audit
// conflicts, missing records and lists, invalid transitions, racing
// transitions from one read); stores call it alongside Run. Run includes their
// subtests and skips them for a store that lacks the interface; RunBatch
// and RunStatusLists run one set alone and fail for such a store. What
// only an implementation can test, such as allocations surviving a restart
// or a crash, stays in that implementation's tests.
//
// To run it, call Run from a test with a factory that returns a fresh, empty
// store for each subtest and registers its own cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s := mem.New(mem.Options{})
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// and then, for example:
//
//	go test -race -count=1 ./store/...
//	go test -run 'TestConformance/tokens/take' ./store/mem
//	go test -run 'TestConformance/(batch|statuslists)/' ./store/bolt
//
// The benchmarks are shared the same way: BenchStore (documents, tokens and
// batches) and BenchStatusLists, called from each implementation's
// benchmarks, so that every store is measured alike:
//
//	go test -run '^$' -bench . -benchmem ./store/bolt
//
// Subtests run in parallel, so the factory must be safe to call concurrently.
// The suite assumes nothing about the namespace beyond the store the factory
// returns, which lets a Redis factory isolate each subtest by key prefix.
// One subtest sleeps for token expiry in real time (about 0.7s).
//
// This package imports only store, testing and go-cmp. It must not import any
// implementation.
package storetest
