package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Counters      = (*DB)(nil)
	_ store.CappedBatcher = (*DB)(nil)
)

var (
	// incrScript: INCR, and an expiry for a counter that has none (a fresh
	// one). Returns the new count.
	incrScript = goredis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)

	// cappedBatchScript is batchScript with a cap: KEYS[1] is the hash of
	// values of the capped collection and ARGV[2] its cap; write i (from
	// 1) has the keys KEYS[2i], KEYS[2i+1] and ARGV[3i..3i+2] = flag, id,
	// value. After the conflict checks, and before anything is written,
	// it counts the records the capped collection would hold and returns
	// {-1} if that exceeds the cap. Otherwise it answers as batchScript.
	cappedBatchScript = goredis.NewScript(`
local n = (#ARGV - 2) / 3
local cap, ck = tonumber(ARGV[2]), KEYS[1]
local seen = {}
for i = 1, n do
  local h, id = KEYS[2 * i], ARGV[3 * i + 1]
  local s = seen[h]
  if not s then
    s = {}
    seen[h] = s
  end
  if ARGV[3 * i] == 'c' and (s[id] or redis.call('HEXISTS', h, id) == 1) then
    return {i}
  end
  s[id] = true
end
local count = redis.call('HLEN', ck)
for id in pairs(seen[ck] or {}) do
  if redis.call('HEXISTS', ck, id) == 0 then
    count = count + 1
  end
end
if count > cap then
  return {-1}
end
local out = {0}
for i = 1, n do
  local h, id = KEYS[2 * i], ARGV[3 * i + 1]
  if ARGV[1] == '1' then
    out[i + 1] = redis.call('HGET', h, id)
  end
  redis.call('HSET', h, id, ARGV[3 * i + 2])
  redis.call('ZADD', KEYS[2 * i + 1], 0, id)
end
return out
`)
)

// capSpec names a capped collection and its cap; the zero value caps
// nothing.
type capSpec struct {
	collection string
	max        int
}

// Incr implements store.Counters with one script: INCR, then PEXPIRE when
// the counter has no expiry yet. ttl is rounded up to whole milliseconds.
func (d *DB) Incr(ctx context.Context, kind, id string, ttl time.Duration) (int64, error) {
	if err := begin(ctx, "incr counter", kind, id); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("redis: incr counter of kind %s: ttl %v is not positive", kind, ttl)
	}
	n, err := incrScript.Run(ctx, d.rdb, []string{d.tokenKey(kind, id)}, ceilMillis(ttl).Milliseconds()).Int64()
	if err != nil {
		return 0, wrap("incr counter of kind "+kind, err)
	}
	return n, nil
}

// ApplyCapped implements store.CappedBatcher. As with Apply, the batch is
// one script (cappedBatchScript) except on Redis Cluster across
// collections, where the writes to the capped collection carry the count
// and the batch is split as Apply splits it (all or nothing once it
// returns, but not isolated: see splitApply).
func (d *DB) ApplyCapped(ctx context.Context, collection string, max int, writes []store.Write) error {
	if err := begin(ctx, "apply capped batch", collection); err != nil {
		return err
	}
	if max < 0 {
		return fmt.Errorf("redis: apply capped batch: negative cap %d", max)
	}
	if len(writes) > store.MaxBatch {
		return fmt.Errorf("redis: apply capped batch: %d writes, at most %d allowed", len(writes), store.MaxBatch)
	}
	for i, w := range writes {
		if w.Collection == "" || w.ID == "" {
			return fmt.Errorf("redis: apply capped batch: write %d: empty name or ID", i)
		}
	}
	c := capSpec{collection: collection, max: max}
	groups := groupByCollection(writes)
	if len(groups) == 0 {
		return nil
	}
	if !d.cluster {
		_, err := d.applyGroupCap(ctx, writes, nil, false, c)
		return err
	}
	touches := false
	for _, g := range groups {
		touches = touches || g.collection == collection
	}
	if !touches {
		// The batch adds nothing to the capped collection, whose keys are
		// in another slot: its count is read apart, which matters only if
		// it is over its cap already.
		n, err := d.rdb.HLen(ctx, d.docKeys(collection)[0]).Result()
		if err != nil {
			return wrap("apply capped batch", err)
		}
		if n > int64(max) {
			return fmt.Errorf("redis: apply capped batch: %s holds %d records, at most %d: %w", collection, n, max, store.ErrLimit)
		}
		c = capSpec{}
	}
	if len(groups) > 1 {
		return d.splitApplyCap(ctx, writes, groups, c)
	}
	_, err := d.applyGroupCap(ctx, writes, nil, false, c)
	return err
}
