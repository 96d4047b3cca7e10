package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

// Error messages name the collection but never the ID; IDs can be
// credentials' subjects or other identifiers that must not reach logs.

// defaultLimit is the page size List uses when asked for limit <= 0.
const defaultLimit = 100

// maxLimit caps one page, so that one List cannot hold the single-threaded
// server for long. A capped page still has Next set, so callers page on.
const maxLimit = 1000

// Each write script keeps the hash of values (KEYS[1]) and the sorted set
// of IDs (KEYS[2]) in step. A script runs atomically on the server, and
// both keys share a hash tag, so the pair is also valid on Redis Cluster.
var (
	// createScript: ARGV = id, value. Returns 1, or 0 if id exists.
	createScript = goredis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
`)

	// putScript: ARGV = id, value. Returns 1.
	putScript = goredis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
`)

	// deleteScript: ARGV = id. Returns 1, or 0 if id is absent.
	deleteScript = goredis.NewScript(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)

	// listScript: ARGV = ZRANGE start ("-" or "(" .. after), page size.
	// It reads one ID more than the page to tell whether the page is the
	// last, and returns {next, id1, value1, id2, value2, …} where next is
	// the page's last ID, or "" on the last page. Reading the index and the
	// values in one script gives a consistent page. An ID without a value
	// cannot occur while every write goes through these scripts; it would
	// be skipped.
	listScript = goredis.NewScript(`
local n = tonumber(ARGV[2])
local ids = redis.call('ZRANGE', KEYS[2], ARGV[1], '+', 'BYLEX', 'LIMIT', 0, n + 1)
local out = {''}
if #ids > n then
  ids[#ids] = nil
  out[1] = ids[#ids]
end
if #ids == 0 then
  return out
end
local vals = redis.call('HMGET', KEYS[1], unpack(ids))
for i = 1, #ids do
  if vals[i] then
    out[#out + 1] = ids[i]
    out[#out + 1] = vals[i]
  end
end
return out
`)
)

// Create implements store.Docs with one script: HSETNX, then ZADD if the
// field was new.
func (d *DB) Create(ctx context.Context, collection, id string, value []byte) error {
	if err := begin(ctx, "create", collection, id); err != nil {
		return err
	}
	n, err := createScript.Run(ctx, d.rdb, d.docKeys(collection), id, value).Int()
	if err != nil {
		return wrap("create in "+collection, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: create in %s: %w", collection, store.ErrConflict)
	}
	return nil
}

// Put implements store.Docs with one script: HSET and ZADD.
func (d *DB) Put(ctx context.Context, collection, id string, value []byte) error {
	if err := begin(ctx, "put", collection, id); err != nil {
		return err
	}
	err := putScript.Run(ctx, d.rdb, d.docKeys(collection), id, value).Err()
	return wrap("put in "+collection, err)
}

// Get implements store.Docs with HGET.
func (d *DB) Get(ctx context.Context, collection, id string) ([]byte, error) {
	if err := begin(ctx, "get", collection, id); err != nil {
		return nil, err
	}
	v, err := d.rdb.HGet(ctx, d.docTag(collection)+":v", id).Bytes()
	if err != nil {
		return nil, wrap("get from "+collection, err)
	}
	return v, nil
}

// Delete implements store.Docs with one script: HDEL, then ZREM if the
// field existed.
func (d *DB) Delete(ctx context.Context, collection, id string) error {
	if err := begin(ctx, "delete", collection, id); err != nil {
		return err
	}
	n, err := deleteScript.Run(ctx, d.rdb, d.docKeys(collection), id).Int()
	if err != nil {
		return wrap("delete from "+collection, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: delete from %s: %w", collection, store.ErrNotFound)
	}
	return nil
}

// List implements store.Docs with ZRANGE … BYLEX LIMIT and HMGET in one
// read-only script. The sorted set's members all have score 0, so BYLEX
// orders them byte-wise (memcmp), as store.Page requires. A page holds at
// most 1000 records whatever limit asks for.
func (d *DB) List(ctx context.Context, collection, after string, limit int) (store.Page, error) {
	if err := begin(ctx, "list", collection); err != nil {
		return store.Page{}, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	start := "-"
	if after != "" {
		start = "(" + after
	}
	reply, err := listScript.Run(ctx, d.rdb, d.docKeys(collection), start, limit).Slice()
	if err != nil {
		return store.Page{}, wrap("list "+collection, err)
	}
	p, err := decodePage(reply)
	if err != nil {
		return store.Page{}, fmt.Errorf("redis: list %s: %w", collection, err)
	}
	return p, nil
}

// decodePage turns listScript's reply into a Page.
func decodePage(reply []any) (store.Page, error) {
	if len(reply)%2 != 1 {
		return store.Page{}, fmt.Errorf("unexpected reply of %d elements", len(reply))
	}
	var p store.Page
	if len(reply) > 1 {
		p.Records = make([]store.Record, 0, len(reply)/2)
	}
	for i, e := range reply {
		s, ok := e.(string)
		if !ok {
			return store.Page{}, fmt.Errorf("unexpected reply element of type %T", e)
		}
		switch {
		case i == 0:
			p.Next = s
		case i%2 == 1:
			p.Records = append(p.Records, store.Record{ID: s})
		default:
			p.Records[len(p.Records)-1].Value = []byte(s)
		}
	}
	return p, nil
}

// Count implements store.Docs with ZCARD, in constant time.
func (d *DB) Count(ctx context.Context, collection string) (int, error) {
	if err := begin(ctx, "count", collection); err != nil {
		return 0, err
	}
	n, err := d.rdb.ZCard(ctx, d.docTag(collection)+":i").Result()
	if err != nil {
		return 0, wrap("count "+collection, err)
	}
	return int(n), nil
}
