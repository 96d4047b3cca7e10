package bolt

import (
	"context"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

// batchConflict is what an Apply transaction returns when write index
// conflicts; Apply turns it into store.ErrConflict.
type batchConflict struct{ index int }

func (c *batchConflict) Error() string { return fmt.Sprintf("write %d conflicts", c.index) }

// Apply implements store.Batcher with bbolt's DB.Batch: the writes of one
// call are one function in a transaction, and concurrent Apply calls share
// that transaction and so its commit and fsync, which is where the time of a
// durable write goes. A shared transaction waits up to Options.BatchDelay
// for company before it commits; an Apply with no other Apply in flight
// commits on its own at once.
//
// A function that fails (a conflict) rolls back the whole shared
// transaction; bbolt then commits the others without it and runs the failed
// one again alone, in its own transaction, to report its error. The
// function can therefore run more than once, so it only reads and writes
// the transaction and sets nothing outside it.
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
	fn := func(tx *bbolt.Tx) error {
		docs := tx.Bucket(rootDocs)
		for i, w := range writes {
			b, err := docs.CreateBucketIfNotExists([]byte(w.Collection))
			if err != nil {
				return err
			}
			// Writes go into the transaction in order, so a Create also
			// sees the keys that earlier writes of the batch put there.
			if _, ok := lookup(b, w.ID); ok && w.Create {
				return &batchConflict{index: i}
			}
			if err := b.Put([]byte(w.ID), nonNil(w.Value)); err != nil {
				return err
			}
		}
		return nil
	}
	// A caller alone commits at once; waiting BatchDelay for company would
	// only add latency. With others in flight the calls share commits.
	var err error
	if d.applying.Add(1) == 1 {
		err = d.db.Update(fn)
	} else {
		err = d.db.Batch(fn)
	}
	d.applying.Add(-1)
	if c, ok := errors.AsType[*batchConflict](err); ok {
		return fmt.Errorf("bolt: apply batch: write %d, create in %s: %w", c.index, writes[c.index].Collection, store.ErrConflict)
	}
	return wrap("apply batch", err)
}
