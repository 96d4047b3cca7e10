package bolt

import (
	"context"
	"encoding/binary"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

var _ store.StatusTransitions = (*DB)(nil)

// TransitionStatus implements store.StatusTransitions in one write
// transaction (shared with concurrent writers, group.go). Every check is
// made before anything is written, so a refusal leaves a shared
// transaction alone; the bit, the record and the audit entry are then
// written in turn, and bbolt commits them together or, if any step fails,
// not at all: a transaction that does not commit leaves the file as it was,
// also when the process dies in the middle of it.
func (d *DB) TransitionStatus(ctx context.Context, t store.StatusTransition) error {
	op := "transition status in " + t.Collection
	if err := begin(ctx, op); err != nil {
		return err
	}
	if err := store.CheckTransition(t); err != nil {
		return fmt.Errorf("bolt: %s: %w", op, err)
	}
	err := d.update(func(tx *bbolt.Tx) error {
		l, err := openList(tx, t.ListID, t.Index)
		if err != nil {
			return refuse(fmt.Errorf("status list %s: %w", t.ListID, err))
		}
		docs := tx.Bucket(rootDocs)
		stored, ok := lookup(docs.Bucket([]byte(t.Collection)), t.ID)
		if !ok {
			return refuse(store.ErrNotFound)
		}
		if err := store.CheckStored(t, stored); err != nil {
			return refuse(err)
		}
		if _, ok := lookup(docs.Bucket([]byte(t.Audit.Collection)), t.Audit.ID); ok {
			return refuse(fmt.Errorf("audit entry in %s: %w", t.Audit.Collection, store.ErrConflict))
		}

		mask := byte(0x80) >> (t.Index % 8)
		bs := l.b.Get(listBits)
		if set := bs[t.Index/8]&mask != 0; set != store.StatusBit(t.To) {
			bs = clone(bs)
			bs[t.Index/8] ^= mask
			if err := l.b.Put(listBits, bs); err != nil {
				return err
			}
			if err := l.b.Put(listVersion, binary.BigEndian.AppendUint64(nil, l.version+1)); err != nil {
				return err
			}
		}
		if err := d.fault(StepBit); err != nil {
			return err
		}
		if err := docs.Bucket([]byte(t.Collection)).Put([]byte(t.ID), nonNil(t.Record)); err != nil {
			return err
		}
		if err := d.fault(StepRecord); err != nil {
			return err
		}
		b, err := docs.CreateBucketIfNotExists([]byte(t.Audit.Collection))
		if err != nil {
			return err
		}
		if err := b.Put([]byte(t.Audit.ID), nonNil(t.Audit.Value)); err != nil {
			return err
		}
		return d.fault(StepAudit)
	})
	return wrap(op, err)
}

// Steps of a status transition, in order, after which a fault can be
// injected with SetFault.
const (
	StepBit    = "bit"
	StepRecord = "record"
	StepAudit  = "audit"
)

// SetFault runs fn after each step of every later status transition, inside
// its transaction: an error it returns aborts the transaction, and fn may
// also end the process there. nil removes it. Tests use it to show that a
// transition stopped part way commits nothing.
func (d *DB) SetFault(fn func(step string) error) {
	d.faultMu.Lock()
	defer d.faultMu.Unlock()
	d.faultFn = fn
}

func (d *DB) fault(step string) error {
	d.faultMu.Lock()
	fn := d.faultFn
	d.faultMu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(step)
}
