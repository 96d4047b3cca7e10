package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/internal/bitlist"
)

var (
	_ store.Exporter = (*DB)(nil)
	_ store.Importer = (*DB)(nil)
)

// Export reads each kind in one read transaction, so every iteration is a
// snapshot of the file, and bbolt's keys are already in byte-wise order.
// Elements are yielded from inside the transaction: a consumer that writes
// to this same file while ranging would wait for the transaction to end if
// its write needs to grow the file, which is why Exporter forbids it.
//
// Import writes in batches of importBatch elements or importBatchBytes
// bytes, one Update transaction (and fsync) each.
const (
	importBatch      = 1000
	importBatchBytes = 4 << 20
)

// errStopped ends a read transaction when the consumer breaks out of the
// loop; it never reaches the consumer.
var errStopped = errors.New("iteration stopped")

// exportTx runs walk in one read transaction. walk calls emit for each
// element; emit returns errStopped when the consumer has stopped. A failure
// is yielded once, with op named in it.
func exportTx[T any](ctx context.Context, d *DB, op string, walk func(tx *bbolt.Tx, emit func(T) error) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err := begin(ctx, op); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		err := d.db.View(func(tx *bbolt.Tx) error {
			return walk(tx, func(v T) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if !yield(v, nil) {
					return errStopped
				}
				return nil
			})
		})
		if err != nil && !errors.Is(err, errStopped) {
			var zero T
			yield(zero, wrap(op, err))
		}
	}
}

// ExportDocs implements store.Exporter in one read transaction.
func (d *DB) ExportDocs(ctx context.Context) iter.Seq2[store.Doc, error] {
	return exportTx(ctx, d, "export docs", func(tx *bbolt.Tx, emit func(store.Doc) error) error {
		root := tx.Bucket(rootDocs)
		return root.ForEachBucket(func(name []byte) error {
			b := root.Bucket(name)
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil && isBucket(b, k) {
					continue
				}
				if err := emit(store.Doc{Collection: string(name), ID: string(k), Value: clone(v)}); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// ExportSequences implements store.Exporter in one read transaction: a
// sequence's value is its bucket's sequence number.
func (d *DB) ExportSequences(ctx context.Context) iter.Seq2[store.Sequence, error] {
	return exportTx(ctx, d, "export sequences", func(tx *bbolt.Tx, emit func(store.Sequence) error) error {
		root := tx.Bucket(rootSeqs)
		return root.ForEachBucket(func(name []byte) error {
			if n := root.Bucket(name).Sequence(); n > 0 {
				return emit(store.Sequence{Name: string(name), Value: n})
			}
			return nil
		})
	})
}

// ExportStatusLists implements store.Exporter in one read transaction.
func (d *DB) ExportStatusLists(ctx context.Context) iter.Seq2[store.ListState, error] {
	return exportTx(ctx, d, "export status lists", func(tx *bbolt.Tx, emit func(store.ListState) error) error {
		return tx.Bucket(rootLists).ForEachBucket(func(name []byte) error {
			l, err := openList(tx, string(name), 0)
			if err != nil {
				return fmt.Errorf("list %s: %w", name, err)
			}
			return emit(store.ListState{
				ID: string(name), Size: l.size, Version: l.version,
				Bits: clone(l.b.Get(listBits)), Alloc: clone(l.b.Get(listAlloc)),
			})
		})
	})
}

// ExportTokens implements store.Exporter in one read transaction. Each
// token's TTL is measured when it is yielded.
func (d *DB) ExportTokens(ctx context.Context) iter.Seq2[store.Token, error] {
	return exportTx(ctx, d, "export tokens", func(tx *bbolt.Tx, emit func(store.Token) error) error {
		root := tx.Bucket(rootTokens)
		return root.ForEachBucket(func(kind []byte) error {
			b := root.Bucket(kind)
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil && isBucket(b, k) {
					continue
				}
				now := d.now()
				if !live(v, now) {
					continue
				}
				ttl := time.Duration(int64(binary.BigEndian.Uint64(v)) - now.UnixNano())
				tok := store.Token{Kind: string(kind), ID: string(k), Value: clone(v[expiryLen:]), TTL: ttl}
				if err := emit(tok); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// importBatches reads seq and hands its elements to write in batches of at
// most importBatch elements and importBatchBytes bytes (as size counts
// them), each batch in one Update transaction. It returns how many elements
// write reported as written.
func importBatches[T any](ctx context.Context, d *DB, op string, seq iter.Seq2[T, error], size func(T) int,
	write func(tx *bbolt.Tx, batch []T) (int, error)) (int, error) {
	if err := begin(ctx, op); err != nil {
		return 0, err
	}
	var (
		batch []T
		bytes int
		total int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		err := d.db.Update(func(tx *bbolt.Tx) error {
			var err error
			n, err = write(tx, batch)
			return err
		})
		if err != nil {
			return err
		}
		total += n
		batch, bytes = batch[:0], 0
		return nil
	}
	for v, err := range seq {
		if err != nil {
			return total, fmt.Errorf("bolt: %s: read: %w", op, err)
		}
		batch = append(batch, v)
		bytes += size(v)
		if len(batch) >= importBatch || bytes >= importBatchBytes {
			if err := flush(); err != nil {
				return total, wrap(op, err)
			}
		}
	}
	if err := flush(); err != nil {
		return total, wrap(op, err)
	}
	return total, nil
}

// ImportDocs implements store.Importer.
func (d *DB) ImportDocs(ctx context.Context, docs iter.Seq2[store.Doc, error], opts store.ImportOptions) (int, error) {
	return importBatches(ctx, d, "import docs", docs, func(doc store.Doc) int { return len(doc.ID) + len(doc.Value) },
		func(tx *bbolt.Tx, batch []store.Doc) (int, error) {
			root := tx.Bucket(rootDocs)
			var (
				b    *bbolt.Bucket
				name string
			)
			for _, doc := range batch {
				if doc.Collection == "" || doc.ID == "" {
					return 0, errors.New("empty collection or ID")
				}
				// Exports come sorted by collection, so a bucket is
				// usually looked up once per run of its documents.
				if b == nil || name != doc.Collection {
					var err error
					if b, err = root.CreateBucketIfNotExists([]byte(doc.Collection)); err != nil {
						return 0, fmt.Errorf("collection %s: %w", doc.Collection, err)
					}
					name = doc.Collection
				}
				if _, ok := lookup(b, doc.ID); ok && !opts.Replace {
					return 0, fmt.Errorf("document in %s: %w", doc.Collection, store.ErrConflict)
				}
				if err := b.Put([]byte(doc.ID), nonNil(doc.Value)); err != nil {
					return 0, fmt.Errorf("document in %s: %w", doc.Collection, err)
				}
			}
			return len(batch), nil
		})
}

// ImportSequences implements store.Importer with bbolt's SetSequence, only
// ever upwards.
func (d *DB) ImportSequences(ctx context.Context, seqs iter.Seq2[store.Sequence, error]) (int, error) {
	return importBatches(ctx, d, "import sequences", seqs, func(s store.Sequence) int { return len(s.Name) + 8 },
		func(tx *bbolt.Tx, batch []store.Sequence) (int, error) {
			root := tx.Bucket(rootSeqs)
			n := 0
			for _, s := range batch {
				if s.Name == "" {
					return 0, errors.New("empty sequence name")
				}
				if s.Value == 0 {
					continue
				}
				b, err := root.CreateBucketIfNotExists([]byte(s.Name))
				if err != nil {
					return 0, fmt.Errorf("sequence %s: %w", s.Name, err)
				}
				if b.Sequence() < s.Value {
					if err := b.SetSequence(s.Value); err != nil {
						return 0, fmt.Errorf("sequence %s: %w", s.Name, err)
					}
				}
				n++
			}
			return n, nil
		})
}

// ImportStatusLists implements store.Importer.
func (d *DB) ImportStatusLists(ctx context.Context, lists iter.Seq2[store.ListState, error], opts store.ImportOptions) (int, error) {
	return importBatches(ctx, d, "import status lists", lists, func(l store.ListState) int { return len(l.Bits) + len(l.Alloc) },
		func(tx *bbolt.Tx, batch []store.ListState) (int, error) {
			for _, l := range batch {
				if err := checkListState(l); err != nil {
					return 0, err
				}
				if err := importList(tx, l, opts.Replace); err != nil {
					return 0, fmt.Errorf("list %s: %w", l.ID, err)
				}
			}
			return len(batch), nil
		})
}

// importList writes one list in tx, merging allocations into an existing
// list of the same size when replace is set.
func importList(tx *bbolt.Tx, l store.ListState, replace bool) error {
	alloc := clone(l.Alloc)
	b := tx.Bucket(rootLists).Bucket([]byte(l.ID))
	switch {
	case b != nil && !replace:
		return store.ErrConflict
	case b != nil:
		// The existing list may be damaged; then it is simply overwritten.
		if old, err := openList(tx, l.ID, 0); err == nil && old.size == l.Size {
			for i, a := range old.b.Get(listAlloc) {
				alloc[i] |= a
			}
		}
	default:
		var err error
		if b, err = tx.Bucket(rootLists).CreateBucket([]byte(l.ID)); err != nil {
			return err
		}
	}
	for k, v := range map[string][]byte{
		string(listSize):    binary.BigEndian.AppendUint64(nil, uint64(l.Size)),
		string(listVersion): binary.BigEndian.AppendUint64(nil, l.Version),
		string(listBits):    clone(l.Bits),
		string(listAlloc):   alloc,
	} {
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// checkListState checks what ImportStatusLists requires of one list.
func checkListState(l store.ListState) error {
	if l.ID == "" {
		return errors.New("empty status list ID")
	}
	if err := bitlist.CheckSize(l.Size); err != nil {
		return fmt.Errorf("list %s: %w", l.ID, err)
	}
	if len(l.Bits) != l.Size/8 || len(l.Alloc) != l.Size/8 {
		return fmt.Errorf("list %s: bitmaps of %d and %d bytes, want %d", l.ID, len(l.Bits), len(l.Alloc), l.Size/8)
	}
	return nil
}

// ImportTokens implements store.Importer. Each token expires at the time
// of its batch's transaction plus its TTL.
func (d *DB) ImportTokens(ctx context.Context, tokens iter.Seq2[store.Token, error], opts store.ImportOptions) (int, error) {
	return importBatches(ctx, d, "import tokens", tokens, func(t store.Token) int { return len(t.ID) + len(t.Value) },
		func(tx *bbolt.Tx, batch []store.Token) (int, error) {
			root := tx.Bucket(rootTokens)
			now := d.now()
			n := 0
			for _, t := range batch {
				if t.Kind == "" || t.ID == "" {
					return 0, errors.New("empty token kind or ID")
				}
				if t.TTL <= 0 {
					continue
				}
				b, err := root.CreateBucketIfNotExists([]byte(t.Kind))
				if err != nil {
					return 0, fmt.Errorf("token of kind %s: %w", t.Kind, err)
				}
				if old, ok := lookup(b, t.ID); ok && live(old, now) && !opts.Replace {
					return 0, fmt.Errorf("token of kind %s: %w", t.Kind, store.ErrConflict)
				}
				rec := make([]byte, expiryLen+len(t.Value))
				binary.BigEndian.PutUint64(rec, uint64(now.Add(t.TTL).UnixNano()))
				copy(rec[expiryLen:], t.Value)
				if err := b.Put([]byte(t.ID), rec); err != nil {
					return 0, fmt.Errorf("token of kind %s: %w", t.Kind, err)
				}
				n++
			}
			return n, nil
		})
}
