package store

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Sentinel errors. Implementations return them (possibly wrapped) so that
// callers can branch with errors.Is.
var (
	// ErrNotFound reports a missing key. Expired and already-taken entries are
	// missing too.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports a create-if-absent on a key that already exists,
	// or a status transition whose expected state no longer holds.
	ErrConflict = errors.New("store: already exists")
	// ErrUnavailable reports that the backing storage cannot be reached. The
	// operation had no effect.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrFull reports that a status list has no free index left to allocate.
	ErrFull = errors.New("store: status list full")
	// ErrOutOfRange reports a status-list index (or allocation start) outside
	// [0, size) of its list.
	ErrOutOfRange = errors.New("store: index out of range")
	// ErrLimit reports a CappedBatcher.ApplyCapped refused because the
	// collection would exceed its cap. Nothing was written.
	ErrLimit = errors.New("store: limit reached")
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

// Optional capabilities. A Store may also implement the interfaces below;
// callers find them by type assertion, for example
//
//	if b, ok := s.(store.Batcher); ok { … }
//
// store/mem, store/bolt and store/redis implement all of them.

// MaxBatch is the largest number of writes one Batcher.Apply accepts.
const MaxBatch = 64

// Write is one document write of a batch: Value goes under (Collection, ID).
// With Create set it is a create-if-absent, as Docs.Create; otherwise a
// replace, as Docs.Put.
type Write struct {
	Collection, ID string
	Value          []byte
	Create         bool
}

// Batcher is implemented by stores that can apply several document writes as
// one atomic step: an issued credential and its index entries are stored
// together or not at all.
type Batcher interface {
	// Apply applies writes in order as one atomic step: either every write
	// takes effect or none does, and no other operation sees some of them
	// without the others. A Create whose key exists, before the batch or
	// because an earlier write of the same batch wrote it, makes Apply
	// return ErrConflict (wrapped), and then nothing is written. A later
	// write to a key an earlier one wrote replaces it, as Put would.
	//
	// An empty batch does nothing and returns nil. More than MaxBatch
	// writes, or an empty collection or ID, is an error (neither ErrConflict
	// nor ErrNotFound) and writes nothing. Values follow the Docs rules:
	// copied, and an empty value is present. Like every Docs write, the
	// batch is durable when Apply returns nil.
	//
	// An implementation may document deployments in which it keeps these
	// promises only in part; store/redis does for batches that span hash
	// slots on Redis Cluster.
	Apply(ctx context.Context, writes []Write) error
}

// Counters is implemented by stores that keep atomic counters with an
// expiry: attempt limits and rate limits shared by every process of a
// deployment.
//
// Counters live in the namespace of Tokens: a counter is the token (kind,
// id) whose value is its count in decimal digits, so GetToken reads it, it
// expires like a token and it is exported with the tokens. A kind should
// hold either counters or tokens, not both.
type Counters interface {
	// Incr adds one to the counter (kind, id) and returns the new count. An
	// absent or expired counter starts afresh: Incr sets it to 1, expiring
	// ttl later. Later increments keep that expiry, so a counter counts the
	// events of one fixed window that its first event opens. The read, the
	// increment and the write are one atomic step, also across processes:
	// n concurrent calls on a fresh counter return 1 to n, each once. ttl
	// must be positive; an empty kind or ID is an error.
	Incr(ctx context.Context, kind, id string, ttl time.Duration) (int64, error)
}

// CappedBatcher is implemented by stores that can apply a batch only while
// a collection stays under a cap: "at most 1,000 share links per holder"
// holds under concurrent requests, also across processes.
type CappedBatcher interface {
	// ApplyCapped is Batcher.Apply, except that when collection would hold
	// more than max records after the batch (counting the records the
	// batch adds to it), it writes nothing and returns an error wrapping
	// ErrLimit. The count and the writes are one atomic step. Writes to
	// other collections are not counted. A negative max is an error.
	//
	// store/redis on Redis Cluster keeps these promises as its Apply does
	// for batches that span hash slots.
	ApplyCapped(ctx context.Context, collection string, max int, writes []Write) error
}

// MaxStatusListSize is the largest status list, in entries, that
// StatusLists.CreateList accepts: 2^24 entries, a 2 MiB bitstring, 128 times
// the 131,072 entries that W3C Bitstring Status List v1.0 requires at
// least.
const MaxStatusListSize = 1 << 24

// MaxAllocateMany is the most starts StatusLists.AllocateMany takes at once.
const MaxAllocateMany = 1024

// StatusLists stores Bitstring Status Lists (W3C Bitstring Status List v1.0).
// Each list, named by a non-empty ID, has a fixed size in entries and holds
// two bitmaps of that many bits: the status bitstring that is published (one
// bit per entry: statusSize 1) and an allocation bitmap recording which
// indexes have been handed out. A list also has a version, 0 at creation,
// that counts the changes to its status bitstring.
//
// Bit i is bit 7-(i%8) of byte i/8: index 0 is the most significant bit of
// byte 0, as the specification numbers them (§2.2, §7.1) and as Redis SETBIT
// does.
//
// A missing list is ErrNotFound for every method but CreateList. An index
// outside [0, size) is an error wrapping ErrOutOfRange. Each method is one
// atomic step, also across processes sharing the store, and every change is
// durable when it returns nil. Lists are never deleted.
type StatusLists interface {
	// CreateList creates an empty list of size entries: nothing allocated,
	// every status bit 0, version 0. size must be a multiple of 8 between 8
	// and MaxStatusListSize (production lists have at least 131,072 entries;
	// tests may use small ones); anything else is an error that is neither
	// ErrConflict nor ErrNotFound. If the list exists, whatever its size,
	// CreateList returns ErrConflict and changes nothing.
	CreateList(ctx context.Context, listID string, size int) error
	// Allocate reserves and returns a free index of the list: the first one
	// not yet allocated at or after start, wrapping around to 0 after the
	// last index. Callers pass a uniformly random start in [0, size) so that
	// indexes are handed out in random order, as the specification asks of
	// statusListIndex (sequential indexes leak issuance order). No index is ever handed out twice, also across
	// processes and restarts; an allocation is never released. A list with
	// no free index returns ErrFull. A start outside [0, size) wraps
	// ErrOutOfRange. Allocate changes neither the status bits nor the
	// version.
	Allocate(ctx context.Context, listID string, start int) (int, error)
	// AllocateMany is Allocate for several starts in one atomic step: for
	// each start in order it reserves the first index not yet allocated at
	// or after it (wrapping around), so the result holds distinct indexes,
	// in the order of starts. It takes at most MaxAllocateMany starts. When
	// the list fills up before every start is served, it returns the
	// indexes it did reserve (they stay reserved) with an error wrapping
	// ErrFull. Any start outside [0, size) wraps ErrOutOfRange and reserves
	// nothing; so does an empty or too long starts.
	AllocateMany(ctx context.Context, listID string, starts []int) ([]int, error)
	// SetStatus sets (value true) or clears the status bit at index and
	// returns its previous value. When the bit changes, the list's version
	// increases by one in the same atomic step; setting a bit to the value it
	// already has changes nothing, not even the version, so the version
	// moves only when the published bitstring would. index need not have
	// been allocated.
	SetStatus(ctx context.Context, listID string, index int, value bool) (prev bool, err error)
	// Status returns the status bit at index.
	Status(ctx context.Context, listID string, index int) (bool, error)
	// Bits returns a copy of the whole status bitstring, size/8 bytes, and
	// the version it has, read together: the version counts exactly the
	// changes that bits reflects.
	Bits(ctx context.Context, listID string) (bits []byte, version uint64, err error)
	// ListInfo returns the list's size, how many of its indexes have been
	// allocated and its version, read together.
	ListInfo(ctx context.Context, listID string) (size, allocated int, version uint64, err error)
}

// CheckCall checks what every store method checks before it touches
// storage, so that a cancelled call has no effect: ctx is not done, and no
// collection name or ID is empty. Implementations call it first and wrap
// its error with their name and the operation.
func CheckCall(ctx context.Context, names ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if slices.Contains(names, "") {
		return errors.New("empty name or ID")
	}
	return nil
}
