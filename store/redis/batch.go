package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

// undoTimeout bounds the compensation of a split batch, which runs even
// when the caller's ctx is done.
const undoTimeout = 5 * time.Second

var (
	// batchScript applies writes to documents as one atomic step. Write i
	// (from 1) has the keys KEYS[2i-1] (hash of values) and KEYS[2i] (sorted
	// set of IDs) of its collection, and ARGV[3i-1..3i+1] = flag ("c" for a
	// create-if-absent, "p" for a put), id, value. ARGV[1] is "1" to get
	// back each write's previous value (false if absent), which a split
	// batch needs to undo itself.
	//
	// Every Create is checked, against Redis and against the earlier writes
	// of the batch, before anything is written, because Redis does not roll
	// back a script that stops half-way. Returns {i} if write i conflicts,
	// else {0, previous values…}.
	batchScript = goredis.NewScript(`
local n = (#ARGV - 1) / 3
local seen = {}
for i = 1, n do
  local h, id = KEYS[2 * i - 1], ARGV[3 * i]
  local s = seen[h]
  if not s then
    s = {}
    seen[h] = s
  end
  if ARGV[3 * i - 1] == 'c' and (s[id] or redis.call('HEXISTS', h, id) == 1) then
    return {i}
  end
  s[id] = true
end
local out = {0}
for i = 1, n do
  local h, id = KEYS[2 * i - 1], ARGV[3 * i]
  if ARGV[1] == '1' then
    out[i + 1] = redis.call('HGET', h, id)
  end
  redis.call('HSET', h, id, ARGV[3 * i + 1])
  redis.call('ZADD', KEYS[2 * i], 0, id)
end
return out
`)

	// undoScript reverts writes that batchScript applied, last first. Write
	// i has the keys KEYS[2i-1], KEYS[2i] and ARGV[4i-3..4i] = id, the value
	// written, "1" or "0" for whether a previous value existed, that
	// previous value. A key that no longer holds the value written has been
	// changed since by someone else and is left alone. Returns how many
	// writes it reverted.
	undoScript = goredis.NewScript(`
local undone = 0
for i = #ARGV / 4, 1, -1 do
  local h, z = KEYS[2 * i - 1], KEYS[2 * i]
  local id = ARGV[4 * i - 3]
  if redis.call('HGET', h, id) == ARGV[4 * i - 2] then
    if ARGV[4 * i - 1] == '1' then
      redis.call('HSET', h, id, ARGV[4 * i])
    else
      redis.call('HDEL', h, id)
      redis.call('ZREM', z, id)
    end
    undone = undone + 1
  end
end
return undone
`)
)

// Apply implements store.Batcher. On standalone Redis and Sentinel, and on
// Redis Cluster when every write goes to one collection, the batch is one
// script (batchScript), so it is atomic: all or nothing, and seen by others
// only as a whole. Across collections on Redis Cluster it is split (see
// splitApply).
func (d *DB) Apply(ctx context.Context, writes []store.Write) error {
	if err := begin(ctx, "apply batch"); err != nil {
		return err
	}
	if len(writes) > store.MaxBatch {
		return fmt.Errorf("redis: apply batch: %d writes, at most %d allowed", len(writes), store.MaxBatch)
	}
	for i, w := range writes {
		if w.Collection == "" || w.ID == "" {
			return fmt.Errorf("redis: apply batch: write %d: empty name or ID", i)
		}
	}
	groups := groupByCollection(writes)
	switch {
	case len(groups) == 0:
		return nil
	case len(groups) > 1 && d.cluster:
		return d.splitApply(ctx, writes, groups)
	}
	_, err := d.applyGroup(ctx, writes, nil, false)
	return err
}

// applyGroup runs batchScript over the writes at idx (all of writes if idx
// is nil). It returns the previous values if withPrev is set; a conflict is
// an error wrapping store.ErrConflict that names the write.
func (d *DB) applyGroup(ctx context.Context, writes []store.Write, idx []int, withPrev bool) ([]any, error) {
	return d.applyGroupCap(ctx, writes, idx, withPrev, capSpec{})
}

// applyGroupCap is applyGroup that, when c names a collection, runs
// cappedBatchScript instead, which also refuses the writes (ErrLimit) if
// that collection would exceed its cap.
func (d *DB) applyGroupCap(ctx context.Context, writes []store.Write, idx []int, withPrev bool, c capSpec) ([]any, error) {
	if idx == nil {
		idx = make([]int, len(writes))
		for i := range idx {
			idx[i] = i
		}
	}
	keys := make([]string, 0, 1+2*len(idx))
	args := make([]any, 1, 2+3*len(idx))
	args[0] = "0"
	if withPrev {
		args[0] = "1"
	}
	script := batchScript
	if c.collection != "" {
		script = cappedBatchScript
		keys = append(keys, d.docKeys(c.collection)[0])
		args = append(args, c.max)
	}
	for _, i := range idx {
		w := writes[i]
		keys = append(keys, d.docKeys(w.Collection)...)
		flag := "p"
		if w.Create {
			flag = "c"
		}
		args = append(args, flag, w.ID, w.Value)
	}
	reply, err := script.Run(ctx, d.rdb, keys, args...).Slice()
	if err != nil {
		return nil, wrap("apply batch", err)
	}
	if len(reply) == 1 && reply[0] == int64(-1) && c.collection != "" {
		return nil, fmt.Errorf("redis: apply capped batch: %s would hold more than %d records: %w", c.collection, c.max, store.ErrLimit)
	}
	conflict, prev, err := decodeBatchReply(reply, len(idx))
	if err != nil {
		return nil, fmt.Errorf("redis: apply batch: %w", err)
	}
	if conflict >= 0 {
		i := idx[conflict]
		return nil, fmt.Errorf("redis: apply batch: write %d, create in %s: %w", i, writes[i].Collection, store.ErrConflict)
	}
	return prev, nil
}

// decodeBatchReply reads batchScript's reply for n writes: the position
// (from 0) of a conflicting write or -1, and the previous values, if asked
// for, as strings or nil.
func decodeBatchReply(reply []any, n int) (int, []any, error) {
	if len(reply) == 0 {
		return 0, nil, errors.New("empty reply")
	}
	code, ok := reply[0].(int64)
	switch {
	case !ok || code < 0 || code > int64(n):
		return 0, nil, fmt.Errorf("unexpected reply %v", reply[0])
	case code > 0:
		return int(code) - 1, nil, nil
	case len(reply) != 1 && len(reply) != n+1:
		return 0, nil, fmt.Errorf("unexpected reply of %d elements for %d writes", len(reply), n)
	}
	return -1, reply[1:], nil
}

// group is the writes of one collection, as positions in the batch, in
// batch order.
type group struct {
	collection string
	idx        []int
}

// groupByCollection splits writes by collection. Groups come in byte-wise
// order of collection name, whatever the order of the batch: splitApply
// relies on that.
func groupByCollection(writes []store.Write) []group {
	var groups []group
	for i, w := range writes {
		k, found := slices.BinarySearchFunc(groups, w.Collection, func(g group, c string) int {
			return strings.Compare(g.collection, c)
		})
		if !found {
			groups = slices.Insert(groups, k, group{collection: w.Collection})
		}
		groups[k].idx = append(groups[k].idx, i)
	}
	return groups
}

// splitApply applies a batch that spans collections on Redis Cluster. A
// script may only touch keys of one hash slot, and each collection has its
// own, so no single script can apply the batch. Instead, each collection's
// writes are one batchScript, applied in byte-wise order of collection
// name; if one fails (a conflict, say), the collections already applied are
// undone, last first, by undoScript.
//
// This keeps "all or nothing" once Apply has returned, but not isolation: a
// reader can see the first collections' writes before the rest, or before
// they are undone. The fixed order means two concurrent batches that
// conflict with each other cannot both undo themselves: the one that gets
// to the first contested collection first wins. An undo leaves alone a key
// that someone else has changed since (compared by value). If Redis fails
// mid-way, the batch may stay partly applied; the error then wraps
// store.ErrUnavailable and says so.
func (d *DB) splitApply(ctx context.Context, writes []store.Write, groups []group) error {
	return d.splitApplyCap(ctx, writes, groups, capSpec{})
}

// splitApplyCap is splitApply where the writes to c's collection, if c
// names one, carry its cap check.
func (d *DB) splitApplyCap(ctx context.Context, writes []store.Write, groups []group, c capSpec) error {
	type applied struct {
		idx  []int
		prev []any
	}
	var done []applied
	for _, g := range groups {
		gc := capSpec{}
		if g.collection == c.collection {
			gc = c
		}
		prev, err := d.applyGroupCap(ctx, writes, g.idx, true, gc)
		if err == nil {
			done = append(done, applied{g.idx, prev})
			continue
		}
		// The undo must run even if ctx is what ended the batch.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		defer cancel()
		for k := len(done) - 1; k >= 0; k-- {
			if uerr := d.undoGroup(uctx, writes, done[k].idx, done[k].prev); uerr != nil {
				return fmt.Errorf("%w; undoing the collections applied before it failed, so the batch is partly applied: %w", err, uerr)
			}
		}
		if errors.Is(err, store.ErrUnavailable) {
			// The failed collection's script may still have run: the reply,
			// not the request, may be what was lost.
			return fmt.Errorf("%w (the writes to collection %s may have been applied)", err, g.collection)
		}
		return err
	}
	return nil
}

// undoGroup runs undoScript for the writes at idx, whose previous values
// batchScript returned as prev.
func (d *DB) undoGroup(ctx context.Context, writes []store.Write, idx []int, prev []any) error {
	keys, args, err := undoArgs(d, writes, idx, prev)
	if err != nil {
		return fmt.Errorf("redis: undo batch: %w", err)
	}
	return wrap("undo batch in "+writes[idx[0]].Collection, undoScript.Run(ctx, d.rdb, keys, args...).Err())
}

// undoArgs builds undoScript's keys and arguments.
func undoArgs(d *DB, writes []store.Write, idx []int, prev []any) ([]string, []any, error) {
	if len(prev) != len(idx) {
		return nil, nil, fmt.Errorf("%d previous values for %d writes", len(prev), len(idx))
	}
	keys := make([]string, 0, 2*len(idx))
	args := make([]any, 0, 4*len(idx))
	for k, i := range idx {
		w := writes[i]
		keys = append(keys, d.docKeys(w.Collection)...)
		switch p := prev[k].(type) {
		case nil:
			args = append(args, w.ID, w.Value, "0", "")
		case string:
			args = append(args, w.ID, w.Value, "1", p)
		default:
			return nil, nil, fmt.Errorf("unexpected previous value of type %T", p)
		}
	}
	return keys, args, nil
}
