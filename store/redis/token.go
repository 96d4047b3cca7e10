package redis

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// Error messages name the kind, never the ID: token IDs are bearer secrets
// (pre-authorized codes, access tokens, nonces). Expiry is Redis's own key
// TTL, so an expired token is missing at once and Redis reclaims it.

// PutToken implements store.Tokens with SET NX PX: the absence check and the
// write are one command. ttl is rounded up to whole milliseconds.
func (d *DB) PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error {
	if err := begin(ctx, "put token", kind, id); err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("redis: put token of kind %s: ttl %v is not positive", kind, ttl)
	}
	ok, err := d.rdb.SetNX(ctx, d.tokenKey(kind, id), value, ceilMillis(ttl)).Result()
	if err != nil {
		return wrap("put token of kind "+kind, err)
	}
	if !ok {
		return fmt.Errorf("redis: put token of kind %s: %w", kind, store.ErrConflict)
	}
	return nil
}

// GetToken implements store.Tokens with GET.
func (d *DB) GetToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := begin(ctx, "get token", kind, id); err != nil {
		return nil, err
	}
	v, err := d.rdb.Get(ctx, d.tokenKey(kind, id)).Bytes()
	if err != nil {
		return nil, wrap("get token of kind "+kind, err)
	}
	return v, nil
}

// TakeToken implements store.Tokens with GETDEL (Redis 6.2 or later): one
// command reads and deletes, so of concurrent callers exactly one gets the
// value.
func (d *DB) TakeToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := begin(ctx, "take token", kind, id); err != nil {
		return nil, err
	}
	v, err := d.rdb.GetDel(ctx, d.tokenKey(kind, id)).Bytes()
	if err != nil {
		return nil, wrap("take token of kind "+kind, err)
	}
	return v, nil
}

// ceilMillis rounds a positive ttl up to whole milliseconds, the unit of
// SET PX, so that a token never expires early and a sub-millisecond ttl
// does not become PX 0. It never overflows into a negative duration, which
// go-redis would send as KEEPTTL.
func ceilMillis(ttl time.Duration) time.Duration {
	const top = math.MaxInt64 / time.Millisecond * time.Millisecond
	if r := ttl % time.Millisecond; r != 0 && ttl < top {
		ttl += time.Millisecond - r
	}
	return ttl
}
