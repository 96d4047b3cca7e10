package redis

import (
	"context"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Store       = (*DB)(nil)
	_ store.Batcher     = (*DB)(nil)
	_ store.StatusLists = (*DB)(nil)
)

// DefaultPrefix is the key prefix for the zero Options.
const DefaultPrefix = "accolade"

// openTimeout bounds the Ping that Open sends, so that an unreachable Redis
// fails startup quickly instead of hanging on dial retries.
const openTimeout = 3 * time.Second

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Prefix starts every key this store writes, so that several
	// deployments or tests can share one Redis database. It may hold ASCII
	// letters, digits, '-', '_' and '.'; the characters ':', '{' and '}' are
	// refused because they would break the key layout and its hash tags.
	// Empty means DefaultPrefix.
	Prefix string
}

// DB is a store.Store backed by Redis (standalone, Sentinel or Cluster).
// Its methods are safe for concurrent use.
type DB struct {
	rdb    goredis.UniversalClient
	prefix string
	// cluster is set for Redis Cluster, where a script may only touch keys
	// of one hash slot; Apply then splits batches (see splitApply).
	cluster bool

	closeOnce sync.Once
	closeErr  error
}

// Open connects to the Redis named by rawURL (see the package comment for
// the URL forms) and pings it. If Redis does not answer within a few
// seconds, Open returns an error wrapping store.ErrUnavailable; if ctx is
// cancelled first, one wrapping ctx's error. Errors never repeat the URL,
// which may hold a password.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if err := begin(ctx, "open"); err != nil {
		return nil, err
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	co, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	rdb := co.newClient()
	_, cluster := rdb.(*goredis.ClusterClient)
	d := &DB{rdb: rdb, prefix: prefix, cluster: cluster}

	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := d.rdb.Ping(ctx).Err(); err != nil {
		_ = d.rdb.Close()
		return nil, wrap("open: ping "+co.addrs(), err)
	}
	return d, nil
}

// checkPrefix enforces the alphabet documented on Options.Prefix.
func checkPrefix(p string) error {
	for _, r := range p {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("redis: open: key prefix %q: character %q not allowed (use letters, digits, '-', '_', '.')", p, r)
		}
	}
	return nil
}

// Ping implements store.Store with a Redis PING.
func (d *DB) Ping(ctx context.Context) error {
	if err := begin(ctx, "ping"); err != nil {
		return err
	}
	return wrap("ping", d.rdb.Ping(ctx).Err())
}

// Close closes the client and its connections. Later calls return the first
// call's result; other methods then fail with store.ErrUnavailable.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		if err := d.rdb.Close(); err != nil {
			d.closeErr = fmt.Errorf("redis: close: %w", err)
		}
	})
	return d.closeErr
}
