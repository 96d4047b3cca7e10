// Package bolt is Accolade's embedded default storage: an implementation of
// store.Store on go.etcd.io/bbolt, one file, no server. cmd opens it for store
// URLs of the form bolt:///abs/path.db or bolt://relative/path.db (see
// ParseURL).
//
// Layout. Three root buckets, "docs", "tokens" and "seqs", each holding one
// nested bucket per name, so a collection, a token kind and a sequence that
// share a name never collide:
//
//	docs/<collection>/<id>  = value
//	tokens/<kind>/<id>      = 8-byte big-endian expiry (Unix nanoseconds) || value
//	seqs/<name>             = empty bucket; bbolt's NextSequence is the counter
//
// Atomicity. Create-if-absent, PutToken and TakeToken are each one bbolt
// Update transaction, and bbolt serialises writers, so the check and the
// write cannot interleave with another writer. bbolt holds an exclusive file
// lock while the database is open, so only one process uses a file at a time;
// a second Open fails with ErrLocked. That lock is what makes the "across
// processes" guarantees of package store hold.
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
