// Package bolt is Accolade's embedded default storage: an implementation of
// store.Store on go.etcd.io/bbolt, one file, no server. cmd opens it for store
// URLs of the form bolt:///abs/path.db or bolt://relative/path.db (see
// ParseURL).
//
// Layout. Four root buckets, "docs", "tokens", "seqs" and "lists", each
// holding one nested bucket per name, so a collection, a token kind, a
// sequence and a status list that share a name never collide:
//
//	docs/<collection>/<id>  = value
//	tokens/<kind>/<id>      = 8-byte big-endian expiry (Unix nanoseconds) || value
//	seqs/<name>             = empty bucket; bbolt's NextSequence is the counter
//	lists/<list ID>/size    = 8-byte big-endian size in entries
//	lists/<list ID>/version = 8-byte big-endian version
//	lists/<list ID>/bits    = the status bitstring, size/8 bytes
//	lists/<list ID>/alloc   = the allocation bitmap, size/8 bytes
//
// Atomicity. Create-if-absent, PutToken, TakeToken and each StatusLists
// method are one bbolt transaction, and bbolt serialises writers, so the
// check and the write cannot interleave with another writer. bbolt holds an
// exclusive file lock while the database is open, so only one process uses a
// file at a time; a second Open fails with ErrLocked. That lock is what makes
// the "across processes" guarantees of package store hold. Every write
// transaction is fsynced before it returns, so an index Allocate returned
// survives a crash (TestAllocateCrash kills a process mid-allocation).
//
// Batches (group commit). Apply (store.Batcher) is one transaction too.
// Concurrent writes (Apply, Create, Put, Delete, Next, PutToken, TakeToken,
// Allocate, AllocateMany, SetStatus) share transactions: while one commits,
// the calls that arrive queue up, and the next transaction takes them all,
// so they share one commit and fsync; that is where the time of a durable
// write goes, and with 16 concurrent issuers it makes a batch of three
// documents cheaper than a single Put (see bench_test.go). A lone call
// commits at once. A call refused for its own reason (a conflict, a full
// list) is refused before it writes and leaves the others alone (group.go).
//
// Expiry. An expired token reads as missing at once; a background sweep
// (Options.SweepInterval) deletes expired tokens to reclaim space.
//
// The file is created with mode 0600 and its directory with 0700: it holds
// private keys and bearer tokens.
//
// Only cmd and tests import this package. It imports store, bbolt and the
// standard library.
package bolt
