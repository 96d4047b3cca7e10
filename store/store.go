package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Implementations return them (possibly wrapped) so that
// callers can branch with errors.Is.
var (
	// ErrNotFound reports a missing key. Expired and already-taken entries are
	// missing too.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports a create-if-absent on a key that already exists.
	ErrConflict = errors.New("store: already exists")
	// ErrUnavailable reports that the backing storage cannot be reached. The
	// operation had no effect.
	ErrUnavailable = errors.New("store: unavailable")
)

// Record is one stored document and its key.
type Record struct {
	ID    string
	Value []byte
}

// Page is one page of a listing, ordered by ID (byte-wise ascending).
// Next is the ID to pass as After for the following page, or "" on the last page.
type Page struct {
	Records []Record
	Next    string
}

// Docs is a keyed collection of documents (JSON bytes) grouped by collection
// name: profiles, achievements, credentials, keys and so on.
//
// Collection names and IDs are non-empty strings. Values are opaque bytes and
// are returned as copies the caller may keep. Every method is safe for
// concurrent use, and every write is durable when it returns nil.
type Docs interface {
	// Create stores value under (collection, id) only if that key is absent;
	// otherwise it returns ErrConflict and changes nothing. The check and the
	// write are one atomic step, also across processes sharing the store.
	Create(ctx context.Context, collection, id string, value []byte) error
	// Put stores value under (collection, id), replacing any previous value.
	Put(ctx context.Context, collection, id string, value []byte) error
	// Get returns the value under (collection, id), or ErrNotFound.
	Get(ctx context.Context, collection, id string) ([]byte, error)
	// Delete removes (collection, id), or returns ErrNotFound if it is absent.
	Delete(ctx context.Context, collection, id string) error
	// List returns up to limit records of collection whose IDs sort strictly
	// after the ID after ("" starts at the beginning). limit <= 0 means 100.
	List(ctx context.Context, collection, after string, limit int) (Page, error)
	// Count returns the number of records in collection.
	Count(ctx context.Context, collection string) (int, error)
}

// Tokens holds short-lived, single-use values: nonces, pre-authorized codes,
// access tokens, offers. Each entry has a TTL; after it an entry is missing
// (ErrNotFound) whether or not it has been purged yet.
type Tokens interface {
	// PutToken stores value under (kind, id) for ttl if the key is absent or
	// expired; otherwise it returns ErrConflict. ttl must be positive.
	PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error
	// GetToken returns the live value under (kind, id) without consuming it,
	// or ErrNotFound.
	GetToken(ctx context.Context, kind, id string) ([]byte, error)
	// TakeToken returns the live value under (kind, id) and removes it in one
	// atomic step: of any number of concurrent callers, across processes, at
	// most one gets the value; the rest get ErrNotFound.
	TakeToken(ctx context.Context, kind, id string) ([]byte, error)
}

// Sequences hands out increasing numbers per name.
type Sequences interface {
	// Next returns the next number of the named sequence, starting at 1. No
	// two calls ever get the same number for the same name, also across
	// processes and restarts; numbers may be skipped.
	Next(ctx context.Context, name string) (uint64, error)
}

// Store is everything a storage backend provides to the services.
type Store interface {
	Docs
	Tokens
	Sequences
	// Ping reports whether the storage answers; /readyz uses it.
	Ping(ctx context.Context) error
	// Close releases the storage. The Store must not be used afterwards.
	Close() error
}
