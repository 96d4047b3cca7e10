package bolt

import (
	"context"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

// batchConflictError is what an Apply transaction returns when write index
// conflicts; Apply turns it into store.ErrConflict.
type batchConflictError struct{ index int }

func (c *batchConflictError) Error() string { return fmt.Sprintf("write %d conflicts", c.index) }

// Apply implements store.Batcher: the writes of one call are one function
// in a transaction, and concurrent Apply calls (and status index
// allocations) share transactions, so their commit and fsync, which is
// where the time of a durable write goes (group commit: see group.go). A
// call alone commits at once.
func (d *DB) Apply(ctx context.Context, writes []store.Write) error {
	if err := begin(ctx, "apply batch"); err != nil {
		return err
	}
	if len(writes) > store.MaxBatch {
		return fmt.Errorf("bolt: apply batch: %d writes, at most %d allowed", len(writes), store.MaxBatch)
	}
	for i, w := range writes {
		if w.Collection == "" || w.ID == "" {
			return fmt.Errorf("bolt: apply batch: write %d: empty name or ID", i)
		}
	}
	if len(writes) == 0 {
		return nil
	}
	err := d.update(applyFunc(writes, "", 0))
	if c, ok := errors.AsType[*batchConflictError](err); ok {
		return fmt.Errorf("bolt: apply batch: write %d, create in %s: %w", c.index, writes[c.index].Collection, store.ErrConflict)
	}
	return wrap("apply batch", err)
}

// applyFunc returns the transaction function of a batch. With capped set,
// it refuses the batch (ErrLimit) when capped would end up with more than
// max records.
func applyFunc(writes []store.Write, capped string, max int) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error {
		docs := tx.Bucket(rootDocs)
		// Every Create is checked before anything is written, so that a
		// conflict refuses this call alone and leaves the transaction it
		// shares with other calls as it was. A Create also sees the keys
		// that earlier writes of the same call put.
		for i, w := range writes {
			if !w.Create {
				continue
			}
			for _, prev := range writes[:i] {
				if prev.Collection == w.Collection && prev.ID == w.ID {
					return refuse(&batchConflictError{index: i})
				}
			}
			if b := docs.Bucket([]byte(w.Collection)); b != nil {
				if _, ok := lookup(b, w.ID); ok {
					return refuse(&batchConflictError{index: i})
				}
			}
		}
		if capped != "" {
			if n := cappedCount(docs.Bucket([]byte(capped)), capped, writes); n > max {
				return refuse(fmt.Errorf("%s would hold %d records, at most %d: %w", capped, n, max, store.ErrLimit))
			}
		}
		for _, w := range writes {
			b, err := docs.CreateBucketIfNotExists([]byte(w.Collection))
			if err != nil {
				return err
			}
			if err := b.Put([]byte(w.ID), nonNil(w.Value)); err != nil {
				return err
			}
		}
		return nil
	}
}

// cappedCount is how many records the collection in b would hold after
// writes: those it holds plus the distinct new IDs the writes add.
func cappedCount(b *bbolt.Bucket, collection string, writes []store.Write) int {
	n := 0
	if b != nil {
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
	}
	added := map[string]bool{}
	for _, w := range writes {
		if w.Collection != collection || added[w.ID] {
			continue
		}
		if _, ok := lookup(b, w.ID); !ok {
			added[w.ID] = true
			n++
		}
	}
	return n
}

// ApplyCapped implements store.CappedBatcher: the count and the writes are
// one transaction function, committed with others as Apply is.
func (d *DB) ApplyCapped(ctx context.Context, collection string, max int, writes []store.Write) error {
	if err := begin(ctx, "apply capped batch", collection); err != nil {
		return err
	}
	if max < 0 {
		return fmt.Errorf("bolt: apply capped batch: negative cap %d", max)
	}
	if len(writes) > store.MaxBatch {
		return fmt.Errorf("bolt: apply capped batch: %d writes, at most %d allowed", len(writes), store.MaxBatch)
	}
	for i, w := range writes {
		if w.Collection == "" || w.ID == "" {
			return fmt.Errorf("bolt: apply capped batch: write %d: empty name or ID", i)
		}
	}
	if len(writes) == 0 {
		return nil
	}
	err := d.update(applyFunc(writes, collection, max))
	if c, ok := errors.AsType[*batchConflictError](err); ok {
		return fmt.Errorf("bolt: apply capped batch: write %d, create in %s: %w", c.index, writes[c.index].Collection, store.ErrConflict)
	}
	return wrap("apply capped batch", err)
}
