// Package mem is an in-memory implementation of store.Store: maps behind one
// mutex, with token expiry measured by an injectable clock.
//
// It exists for tests and for trying Accolade out without a database file.
// Nothing survives Close or a restart, and it is not shared between
// processes, so the "across processes" guarantees of package store hold
// trivially within the one process that owns it. It implements the optional
// store.Batcher and store.StatusLists too, each call under the one mutex, and
// passes the conformance suite in store/storetest.
//
// Only cmd and tests import this package. It imports store and the standard
// library, nothing else.
package mem
