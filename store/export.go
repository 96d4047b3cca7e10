package store

import (
	"context"
	"iter"
	"time"
)

// Export and import: the optional capabilities that let accolade migrate copy
// a whole installation from one store to another (bolt to Redis and back)
// and compare two stores. Like Batcher and StatusLists, they are found by
// type assertion:
//
//	src, ok := s.(store.Exporter)
//
// store/mem, store/bolt and store/redis implement both.

// Doc is one document as Exporter.ExportDocs yields it and Importer.ImportDocs
// takes it: a record and the collection that holds it.
type Doc struct {
	Collection string
	ID         string
	Value      []byte
}

// Sequence is one named sequence of Sequences and its value: the last number
// Next handed out, so that the next call returns a number above it.
type Sequence struct {
	Name  string
	Value uint64
}

// ListState is the whole state of one status list of StatusLists: its size
// in entries, both bitmaps (Size/8 bytes each, bit i being bit 7-(i%8) of
// byte i/8) and its version.
type ListState struct {
	ID      string
	Size    int
	Bits    []byte // the status bitstring
	Alloc   []byte // the allocation bitmap: which indexes were handed out
	Version uint64
}

// Token is one live entry of Tokens and the time it has left to live.
type Token struct {
	Kind  string
	ID    string
	Value []byte
	TTL   time.Duration
}

// Exporter is implemented by stores that can enumerate everything they hold.
// Each method returns an iterator over one kind of data that reads the store
// as it goes (in pages, or in one read transaction) instead of loading the
// kind into memory; an implementation may hold names, never values, of a
// whole kind to sort them (store/redis does for sequences, status lists and
// tokens).
//
// Order. Every implementation yields in the same order, byte-wise ascending
// (Go string order): documents by collection, then ID; sequences by name;
// status lists by ID; tokens by kind, then ID. Two stores with the same
// content therefore yield the same elements in the same order, which is what
// lets accolade migrate checksum both sides independently.
//
// Each element is yielded with a nil error, and its byte slices are copies
// the consumer may keep. On a failure, including a ctx that is done, the
// iterator yields one zero element with the error and stops. A consumer that
// stops early (break) releases whatever the iteration holds. An iterator
// may be ranged over more than once; each range reads the store afresh.
//
// Consistency. An iteration is a snapshot only where the implementation says
// so (store/bolt reads each kind in one read transaction); otherwise writes
// made during it may or may not be seen. Export a store that nothing else
// writes to. The consumer must not write to the store it is iterating over:
// with store/bolt such a write can wait for the read transaction forever.
type Exporter interface {
	// ExportDocs yields every document of every collection. Collections
	// without documents yield nothing.
	ExportDocs(ctx context.Context) iter.Seq2[Doc, error]
	// ExportSequences yields every sequence that has handed out a number,
	// with the last number it handed out.
	ExportSequences(ctx context.Context) iter.Seq2[Sequence, error]
	// ExportStatusLists yields every status list with its bits, allocation
	// bitmap and version, each list read in one atomic step.
	ExportStatusLists(ctx context.Context) iter.Seq2[ListState, error]
	// ExportTokens yields every live token with the time it has left,
	// measured when it is read. Expired tokens are skipped.
	ExportTokens(ctx context.Context) iter.Seq2[Token, error]
}

// ImportOptions says how an Importer treats keys that already exist.
type ImportOptions struct {
	// Replace makes existing documents, status lists and live tokens take
	// the imported value. Without it, an import that meets an existing key
	// stops with an error wrapping ErrConflict and leaves that key as it
	// was: create-if-absent, as Docs.Create, for a copy into an empty store.
	Replace bool
}

// Importer is implemented by stores that can take what an Exporter yields,
// typically from another implementation: dst.ImportDocs(ctx,
// src.ExportDocs(ctx), opts).
//
// Each method consumes its iterator to the end, writing as it goes in
// batches of its choosing (one bbolt transaction, one Redis script or
// pipeline), and returns how many elements it wrote. An import is not atomic
// as a whole: when it returns an error, an unspecified part of the elements
// before the failing one has been written and is durable. If the iterator
// yields an error, the method stops and returns an error that wraps it. Each
// element must be valid on its own (non-empty names; for status lists, a
// size CreateList accepts and bitmaps of Size/8 bytes); an invalid one is
// an error that is neither ErrConflict nor ErrNotFound.
//
// Importing makes the store continue where the exported one stopped: Next
// never returns a number an exported sequence had handed out, Allocate never
// an index an exported list had allocated, and a token lives only as long as
// it had left.
type Importer interface {
	// ImportDocs stores each document under (Collection, ID), as Create
	// does, or as Put with opts.Replace.
	ImportDocs(ctx context.Context, docs iter.Seq2[Doc, error], opts ImportOptions) (int, error)
	// ImportSequences raises each sequence to at least Value, so that Next
	// then returns a number above it. A sequence already at or above Value
	// is left alone: sequences are never lowered, with or without Replace,
	// so importing twice or into a busier store is safe. A Value of 0
	// changes nothing and is not counted.
	ImportSequences(ctx context.Context, seqs iter.Seq2[Sequence, error]) (int, error)
	// ImportStatusLists creates each list with the given size, bits,
	// allocation bitmap and version. An existing list is ErrConflict;
	// with opts.Replace it takes the given bits, version and size instead,
	// and if its size equals the given one, the indexes it had allocated
	// stay allocated too (the allocation bitmaps are OR-ed), so that no
	// index is ever handed out twice.
	ImportStatusLists(ctx context.Context, lists iter.Seq2[ListState, error], opts ImportOptions) (int, error)
	// ImportTokens stores each token for its TTL, as PutToken does; a live
	// token under the same key is ErrConflict, or replaced with
	// opts.Replace. Tokens whose TTL is not positive have expired on the
	// way and are skipped, not counted.
	ImportTokens(ctx context.Context, tokens iter.Seq2[Token, error], opts ImportOptions) (int, error)
}
