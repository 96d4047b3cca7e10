// Package storetest is the conformance suite for implementations of
// store.Store. Every implementation (store/mem, store/bolt, store/redis) runs
// the same suite, unchanged, from its own tests, so that all of them keep the
// semantics documented in package store: sentinel errors, atomic
// create-if-absent and take, token TTLs, ordered listing and sequences.
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
//
// Subtests run in parallel, so the factory must be safe to call concurrently.
// The suite assumes nothing about the namespace beyond the store the factory
// returns, which lets a Redis factory isolate each subtest by key prefix.
// One subtest sleeps for token expiry in real time (about 0.7s).
//
// This package imports only store, testing and go-cmp. It must not import any
// implementation.
package storetest
