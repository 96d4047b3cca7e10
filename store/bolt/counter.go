package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Counters      = (*DB)(nil)
	_ store.CappedBatcher = (*DB)(nil)
)

// errNotCounter refuses an Incr on a token whose value is not a count.
var errNotCounter = errors.New("the token is not a counter")

// Incr implements store.Counters in one transaction function. A counter is
// a token record (expiry, then value) whose value is the count in decimal
// digits, so it expires, sweeps and exports like any token.
func (d *DB) Incr(ctx context.Context, kind, id string, ttl time.Duration) (int64, error) {
	if err := begin(ctx, "incr counter", kind, id); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("bolt: incr counter of kind %s: ttl %v is not positive", kind, ttl)
	}
	var n int64
	err := d.update(func(tx *bbolt.Tx) error {
		n = 0 // a re-run starts afresh
		now := d.now()
		tokens := tx.Bucket(rootTokens)
		expiry := uint64(now.Add(ttl).UnixNano())
		if old, ok := lookup(tokens.Bucket([]byte(kind)), id); ok && live(old, now) {
			v, err := strconv.ParseInt(string(old[expiryLen:]), 10, 64)
			if err != nil {
				return refuse(errNotCounter)
			}
			n, expiry = v, binary.BigEndian.Uint64(old)
		}
		b, err := tokens.CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		n++
		rec := binary.BigEndian.AppendUint64(make([]byte, 0, expiryLen+20), expiry)
		return b.Put([]byte(id), strconv.AppendInt(rec, n, 10))
	})
	if err != nil {
		return 0, wrap("incr counter of kind "+kind, err)
	}
	return n, nil
}
