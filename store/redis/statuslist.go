package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/internal/bitlist"
)

// Status lists. Each list has three keys under one hash tag (see listKeys),
// so every script below touches one hash slot and works on Redis Cluster
// too. CreateList sizes both bitmaps to size/8 bytes at once and only
// SETBIT writes them afterwards, which never shrinks a string, so the
// bitmaps always span the whole list; Allocate still restores that if
// something else truncated one.
//
// Script replies: a negative number is an outcome the caller maps to a
// sentinel (see listErr).
const (
	replyNotFound   = -1
	replyOutOfRange = -2
	replyFull       = -3
)

var (
	// createListScript: KEYS = meta, bits, alloc; ARGV = size. Returns 1,
	// or 0 if the list exists.
	createListScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SETBIT', KEYS[2], ARGV[1] - 1, 0)
redis.call('SETBIT', KEYS[3], ARGV[1] - 1, 0)
redis.call('HSET', KEYS[1], 'size', ARGV[1], 'version', 0)
return 1
`)

	// allocateManyScript: KEYS = meta, alloc; ARGV = the starts, none
	// negative. Returns {negative reply} if the list is missing or a start
	// is out of range, having reserved nothing. Otherwise it serves each
	// start in turn and returns the indexes it reserved, followed by the
	// full reply if the list filled up before every start was served.
	//
	// BITPOS takes its range in bytes (the BIT unit needs Redis 7.0), so
	// the bits of start's own byte from start on are read with GETBIT
	// first; then BITPOS searches the bytes after it, and then, wrapping
	// around, the bytes from 0 up to and including start's byte, where only
	// bits before start can still be clear. With an explicit end, BITPOS
	// looking for a 0 returns -1 when the range has none.
	allocateManyScript = goredis.NewScript(`
local size = tonumber(redis.call('HGET', KEYS[1], 'size'))
if not size then
  return {-1}
end
for k = 1, #ARGV do
  if tonumber(ARGV[k]) >= size then
    return {-2}
  end
end
local last = math.floor(size / 8) - 1
if redis.call('STRLEN', KEYS[2]) <= last then
  redis.call('SETBIT', KEYS[2], size - 1, 0)
end
local got = {}
for k = 1, #ARGV do
  local start = tonumber(ARGV[k])
  local sb = math.floor(start / 8)
  local pos = -1
  for i = start, sb * 8 + 7 do
    if redis.call('GETBIT', KEYS[2], i) == 0 then
      pos = i
      break
    end
  end
  if pos < 0 and sb < last then
    pos = redis.call('BITPOS', KEYS[2], 0, sb + 1, last)
  end
  if pos < 0 then
    pos = redis.call('BITPOS', KEYS[2], 0, 0, sb)
  end
  if pos < 0 then
    got[#got + 1] = -3
    return got
  end
  redis.call('SETBIT', KEYS[2], pos, 1)
  got[#got + 1] = pos
end
return got
`)

	// setStatusScript: KEYS = meta, bits; ARGV = index, 0 or 1. Returns
	// the previous bit, or a negative reply. The version moves only when
	// the bit does.
	setStatusScript = goredis.NewScript(`
local size = tonumber(redis.call('HGET', KEYS[1], 'size'))
if not size then
  return -1
end
if tonumber(ARGV[1]) >= size then
  return -2
end
local prev = redis.call('SETBIT', KEYS[2], ARGV[1], ARGV[2])
if prev ~= tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], 'version', 1)
end
return prev
`)

	// statusScript: KEYS = meta, bits; ARGV = index. Returns the bit, or a
	// negative reply.
	statusScript = goredis.NewScript(`
local size = tonumber(redis.call('HGET', KEYS[1], 'size'))
if not size then
  return -1
end
if tonumber(ARGV[1]) >= size then
  return -2
end
return redis.call('GETBIT', KEYS[2], ARGV[1])
`)

	// bitsScript: KEYS = meta, bits. Returns {size, version, bitstring},
	// read together, or {} for a missing list.
	bitsScript = goredis.NewScript(`
local meta = redis.call('HMGET', KEYS[1], 'size', 'version')
if not meta[1] then
  return {}
end
return {meta[1], meta[2], redis.call('GET', KEYS[2]) or ''}
`)

	// listInfoScript: KEYS = meta, alloc. Returns {size, version, number
	// of allocated indexes}, read together, or {} for a missing list.
	listInfoScript = goredis.NewScript(`
local meta = redis.call('HMGET', KEYS[1], 'size', 'version')
if not meta[1] then
  return {}
end
return {meta[1], meta[2], redis.call('BITCOUNT', KEYS[2])}
`)
)

// CreateList implements store.StatusLists with one script that creates the
// three keys of the list, unless its meta hash exists.
func (d *DB) CreateList(ctx context.Context, listID string, size int) error {
	op := "create status list " + listID
	if err := begin(ctx, op, listID); err != nil {
		return err
	}
	if size < 8 || size > store.MaxStatusListSize || size%8 != 0 {
		return fmt.Errorf("redis: %s: size %d is not a multiple of 8 between 8 and %d", op, size, store.MaxStatusListSize)
	}
	n, err := createListScript.Run(ctx, d.rdb, d.listKeys(listID), size).Int()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("redis: %s: %w", op, store.ErrConflict)
	}
	return nil
}

// Allocate implements store.StatusLists: AllocateMany with one start.
func (d *DB) Allocate(ctx context.Context, listID string, start int) (int, error) {
	if err := beginIndex(ctx, "allocate in status list "+listID, listID, start); err != nil {
		return 0, err
	}
	got, err := d.AllocateMany(ctx, listID, []int{start})
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

// AllocateMany implements store.StatusLists with one script that checks
// every start against the size, then serves them in turn: GETBIT and
// BITPOS on the allocation bitmap, then SETBIT.
func (d *DB) AllocateMany(ctx context.Context, listID string, starts []int) ([]int, error) {
	op := "allocate many in status list " + listID
	if err := begin(ctx, op, listID); err != nil {
		return nil, err
	}
	maxStart, err := bitlist.CheckStarts(starts)
	if err != nil {
		return nil, fmt.Errorf("redis: %s: %w", op, err)
	}
	args := make([]any, len(starts))
	for k, start := range starts {
		args[k] = start
	}
	keys := d.listKeys(listID)
	reply, err := allocateManyScript.Run(ctx, d.rdb, []string{keys[0], keys[2]}, args...).Int64Slice()
	if err != nil {
		return nil, wrap(op, err)
	}
	got := make([]int, 0, len(starts))
	for k, n := range reply {
		switch {
		case n >= 0 && len(got) < len(starts):
			got = append(got, int(n))
		case n == replyFull && k == len(reply)-1:
			return got, fmt.Errorf("redis: %s: %d of %d starts served: %w", op, len(got), len(starts), store.ErrFull)
		case n < 0 && len(reply) == 1:
			return nil, listErr(op, int(n), maxStart, nil)
		default:
			return nil, fmt.Errorf("redis: %s: unexpected reply %v", op, reply)
		}
	}
	if len(got) != len(starts) {
		return nil, fmt.Errorf("redis: %s: unexpected reply %v", op, reply)
	}
	return got, nil
}

// SetStatus implements store.StatusLists with one script: SETBIT, and
// HINCRBY of the version if the bit changed.
func (d *DB) SetStatus(ctx context.Context, listID string, index int, value bool) (bool, error) {
	op := "set status in list " + listID
	if err := beginIndex(ctx, op, listID, index); err != nil {
		return false, err
	}
	bit := 0
	if value {
		bit = 1
	}
	n, err := setStatusScript.Run(ctx, d.rdb, d.listKeys(listID)[:2], index, bit).Int()
	if err = listErr(op, n, index, err); err != nil {
		return false, err
	}
	return n == 1, nil
}

// Status implements store.StatusLists with one script: the size check and
// GETBIT.
func (d *DB) Status(ctx context.Context, listID string, index int) (bool, error) {
	op := "get status in list " + listID
	if err := beginIndex(ctx, op, listID, index); err != nil {
		return false, err
	}
	n, err := statusScript.Run(ctx, d.rdb, d.listKeys(listID)[:2], index).Int()
	if err = listErr(op, n, index, err); err != nil {
		return false, err
	}
	return n == 1, nil
}

// Bits implements store.StatusLists with one script that reads the size,
// the version and the bitstring together. A bitstring shorter than the
// list reads as zero-padded, as SETBIT and GETBIT treat it.
func (d *DB) Bits(ctx context.Context, listID string) ([]byte, uint64, error) {
	op := "read status list " + listID
	if err := begin(ctx, op, listID); err != nil {
		return nil, 0, err
	}
	reply, err := bitsScript.Run(ctx, d.rdb, d.listKeys(listID)[:2]).Slice()
	if err != nil {
		return nil, 0, wrap(op, err)
	}
	if len(reply) == 0 {
		return nil, 0, fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	}
	size, version, err := decodeMeta(reply)
	if err != nil {
		return nil, 0, fmt.Errorf("redis: %s: %w", op, err)
	}
	raw, ok := reply[2].(string)
	if !ok || len(raw) > size/8 {
		return nil, 0, fmt.Errorf("redis: %s: unexpected bitstring (%T of %d bytes for %d entries)", op, reply[2], len(raw), size)
	}
	out := make([]byte, size/8)
	copy(out, raw)
	return out, version, nil
}

// ListInfo implements store.StatusLists with one script that reads the
// size, the version and BITCOUNT of the allocation bitmap together.
func (d *DB) ListInfo(ctx context.Context, listID string) (int, int, uint64, error) {
	op := "get info of status list " + listID
	if err := begin(ctx, op, listID); err != nil {
		return 0, 0, 0, err
	}
	keys := d.listKeys(listID)
	reply, err := listInfoScript.Run(ctx, d.rdb, []string{keys[0], keys[2]}).Slice()
	if err != nil {
		return 0, 0, 0, wrap(op, err)
	}
	if len(reply) == 0 {
		return 0, 0, 0, fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	}
	size, version, err := decodeMeta(reply)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("redis: %s: %w", op, err)
	}
	allocated, ok := reply[2].(int64)
	if !ok || allocated < 0 || allocated > int64(size) {
		return 0, 0, 0, fmt.Errorf("redis: %s: unexpected allocation count %v", op, reply[2])
	}
	return size, int(allocated), version, nil
}

// beginIndex is begin for the methods that take an index (or an allocation
// start): a negative one is out of range for every list and never sent.
func beginIndex(ctx context.Context, op, listID string, index int) error {
	if err := begin(ctx, op, listID); err != nil {
		return err
	}
	if index < 0 {
		return fmt.Errorf("redis: %s: index %d: %w", op, index, store.ErrOutOfRange)
	}
	return nil
}

// listErr maps a status-list script's outcome to an error: err itself, a
// negative reply to its sentinel, or nil for a result.
func listErr(op string, n, index int, err error) error {
	switch {
	case err != nil:
		return wrap(op, err)
	case n == replyNotFound:
		return fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	case n == replyOutOfRange:
		return fmt.Errorf("redis: %s: index %d: %w", op, index, store.ErrOutOfRange)
	case n == replyFull:
		return fmt.Errorf("redis: %s: %w", op, store.ErrFull)
	case n < 0:
		return fmt.Errorf("redis: %s: unexpected reply %d", op, n)
	}
	return nil
}

// decodeMeta reads the size and version at the start of a bitsScript or
// listInfoScript reply.
func decodeMeta(reply []any) (int, uint64, error) {
	if len(reply) != 3 {
		return 0, 0, fmt.Errorf("unexpected reply of %d elements", len(reply))
	}
	s, _ := reply[0].(string)
	size, err := strconv.Atoi(s)
	if err != nil || size < 8 || size%8 != 0 || size > store.MaxStatusListSize {
		return 0, 0, errors.New("damaged status list: bad size")
	}
	v, _ := reply[1].(string)
	version, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, 0, errors.New("damaged status list: bad version")
	}
	return size, version, nil
}
