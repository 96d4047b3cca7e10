package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

// Token values are stored as an 8-byte big-endian expiry in Unix nanoseconds
// followed by the value. Error messages name the kind, never the ID: token
// IDs are bearer secrets (pre-authorized codes, access tokens, nonces).

const expiryLen = 8

// sweepBatch bounds how many expired tokens one sweep transaction deletes, so
// a large backlog does not hold the writer lock for long. Tests lower it.
var sweepBatch = 1000

// PutToken implements store.Tokens in one Update transaction.
func (d *DB) PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error {
	if err := begin(ctx, "put token", kind, id); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("bolt: put token of kind %s: ttl %v is not positive", kind, ttl)
	}
	now := d.now()
	rec := make([]byte, expiryLen+len(value))
	binary.BigEndian.PutUint64(rec, uint64(now.Add(ttl).UnixNano()))
	copy(rec[expiryLen:], value)

	err := d.update(func(tx *bbolt.Tx) error {
		tokens := tx.Bucket(rootTokens)
		if old, ok := lookup(tokens.Bucket([]byte(kind)), id); ok && live(old, now) {
			return refuse(store.ErrConflict)
		}
		b, err := tokens.CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		return b.Put([]byte(id), rec)
	})
	return wrap("put token of kind "+kind, err)
}

// GetToken implements store.Tokens. It reads only; an expired entry is left
// for TakeToken, PutToken or the sweep to remove.
func (d *DB) GetToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := begin(ctx, "get token", kind, id); err != nil {
		return nil, err
	}
	var out []byte
	err := d.db.View(func(tx *bbolt.Tx) error {
		rec, ok := lookup(tx.Bucket(rootTokens).Bucket([]byte(kind)), id)
		if !ok || !live(rec, d.now()) {
			return store.ErrNotFound
		}
		out = clone(rec[expiryLen:])
		return nil
	})
	return out, wrap("get token of kind "+kind, err)
}

// TakeToken implements store.Tokens: the read and the delete are one Update
// transaction, so of concurrent callers exactly one sees the entry.
func (d *DB) TakeToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := begin(ctx, "take token", kind, id); err != nil {
		return nil, err
	}
	var out []byte
	found := false
	err := d.update(func(tx *bbolt.Tx) error {
		out, found = nil, false // a re-run starts afresh
		b := tx.Bucket(rootTokens).Bucket([]byte(kind))
		rec, ok := lookup(b, id)
		if !ok {
			return refuse(store.ErrNotFound)
		}
		if found = live(rec, d.now()); found {
			out = clone(rec[expiryLen:])
		}
		// An expired entry is deleted as well, saving the sweep the work;
		// returning nil commits that delete.
		return b.Delete([]byte(id))
	})
	if err == nil && !found {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, wrap("take token of kind "+kind, err)
	}
	return out, nil
}

// Sweep deletes expired tokens of every kind and returns how many it
// deleted. Expired tokens already read as missing, so Sweep only reclaims
// space. The background sweep calls it every Options.SweepInterval.
func (d *DB) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		if err := begin(ctx, "sweep"); err != nil {
			return total, err
		}
		n, err := d.sweepOnce()
		total += n
		if err != nil {
			return total, wrap("sweep", err)
		}
		if n < sweepBatch {
			return total, nil
		}
	}
}

// sweepOnce deletes up to sweepBatch expired tokens in one transaction. Keys
// are collected first and deleted afterwards, because deleting under a
// bbolt cursor can skip entries.
func (d *DB) sweepOnce() (int, error) {
	n := 0
	err := d.db.Update(func(tx *bbolt.Tx) error {
		now := d.now()
		root := tx.Bucket(rootTokens)
		return root.ForEachBucket(func(kind []byte) error {
			if n >= sweepBatch {
				return nil
			}
			b := root.Bucket(kind)
			var expired [][]byte
			c := b.Cursor()
			for k, v := c.First(); k != nil && n+len(expired) < sweepBatch; k, v = c.Next() {
				if v != nil && !live(v, now) {
					expired = append(expired, clone(k))
				}
			}
			for _, k := range expired {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n += len(expired)
			return nil
		})
	})
	return n, err
}

// sweepLoop runs Sweep every interval until ctx is cancelled by Close.
// Errors are dropped: the sweep only reclaims space, and correctness never
// depends on it.
func (d *DB) sweepLoop(ctx context.Context, interval time.Duration) {
	defer close(d.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			_, _ = d.Sweep(ctx)
		}
	}
}

// live reports whether a stored token record has not expired at now. A
// record too short to hold an expiry is treated as expired.
func live(rec []byte, now time.Time) bool {
	if len(rec) < expiryLen {
		return false
	}
	return now.UnixNano() < int64(binary.BigEndian.Uint64(rec))
}
