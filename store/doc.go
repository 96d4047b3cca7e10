// Package store declares Accolade's storage contracts: small interfaces, one
// per concern, and the sentinel errors every implementation returns.
//
// Store is what every backend provides. Optional capabilities are separate
// interfaces that a caller finds by type assertion: Batcher (several
// document writes as one atomic step), StatusLists (W3C Bitstring Status
// List v1.0 bitstrings with index allocation) and StatusTransitions (a
// credential's status change, compare-and-set from the state read, with its
// bit, record and audit entry in one atomic step; revocation is final).
//
// Implementations live in sub-packages (store/bolt for the embedded default,
// store/mem for tests, store/redis for scale-out) and all run the exported
// conformance suite in store/storetest. Only cmd chooses an implementation, by
// the scheme of the store URL (bolt://, redis://).
//
// This package imports only the standard library. It must not import any
// driver, HTTP framework or domain service.
package store
