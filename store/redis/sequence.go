package redis

import (
	"context"
	"fmt"
)

// Next implements store.Sequences with INCR, which starts a missing counter
// at 1. See the package comment for what a crash can undo.
func (d *DB) Next(ctx context.Context, name string) (uint64, error) {
	if err := begin(ctx, "next", name); err != nil {
		return 0, err
	}
	n, err := d.rdb.Incr(ctx, d.seqKey(name)).Result()
	if err != nil {
		return 0, wrap("next in sequence "+name, err)
	}
	if n <= 0 {
		// Only possible if something else wrote the key.
		return 0, fmt.Errorf("redis: next in sequence %s: counter at %d", name, n)
	}
	return uint64(n), nil
}
