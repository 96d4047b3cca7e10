package bolt

import (
	"context"

	bbolt "go.etcd.io/bbolt"
)

// Next implements store.Sequences with bbolt's per-bucket NextSequence,
// which is stored in the file and so continues after a restart.
func (d *DB) Next(ctx context.Context, name string) (uint64, error) {
	if err := begin(ctx, "next", name); err != nil {
		return 0, err
	}
	var n uint64
	err := d.update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(rootSeqs).CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		n, err = b.NextSequence()
		return err
	})
	if err != nil {
		return 0, wrap("next in sequence "+name, err)
	}
	return n, nil
}
