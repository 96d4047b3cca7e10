package bolt

import bbolt "go.etcd.io/bbolt"

// RawTokenCount returns how many entries, live or expired, are stored under
// the token kind. Tests use it to see what the sweep removed.
func (d *DB) RawTokenCount(kind string) (int, error) {
	n := 0
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rootTokens).Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}

// SetSweepBatch sets how many tokens one sweep transaction deletes until the
// test ends. Tests that call it must not run in parallel.
func SetSweepBatch(t interface{ Cleanup(func()) }, n int) {
	old := sweepBatch
	sweepBatch = n
	t.Cleanup(func() { sweepBatch = old })
}
