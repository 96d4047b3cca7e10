package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

var _ store.StatusTransitions = (*DB)(nil)

// transitionScript applies a status transition as one script, so as one
// atomic step for every client of the server. KEYS = the record's
// collection (hash of values, sorted set of IDs), the audit collection
// (the same two), the list's meta hash and bitstring. ARGV = record ID,
// from, to, new record, audit ID, audit value, list ID, index, new bit,
// the record as the caller read it.
//
// Every check comes before the first write, because Redis does not roll
// back a script that stops half-way. The stored record's status is read
// with cjson (only read: the record written is the caller's bytes).
// Returns {1} on success, or {negative code, detail}.
var transitionScript = goredis.NewScript(`
local size = tonumber(redis.call('HGET', KEYS[5], 'size'))
if not size then
  return {-1, ''}
end
local index = tonumber(ARGV[8])
if index >= size then
  return {-2, ''}
end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then
  return {-4, ''}
end
local ok, rec = pcall(cjson.decode, stored)
if not ok or type(rec) ~= 'table' or type(rec.status) ~= 'table' then
  return {-8, 'stored record has no status entry'}
end
local st = rec.status
if st.listId ~= ARGV[7] or tonumber(st.index) ~= index then
  return {-8, "the stored record's status entry is not the transition's"}
end
if st.state == 'revoked' then
  return {-5, 'revoked'}
end
if st.state ~= ARGV[2] then
  return {-5, tostring(st.state)}
end
if stored ~= ARGV[10] then
  return {-6, ''}
end
if redis.call('HEXISTS', KEYS[3], ARGV[5]) == 1 then
  return {-7, ''}
end
local prev = redis.call('SETBIT', KEYS[6], index, ARGV[9])
if prev ~= tonumber(ARGV[9]) then
  redis.call('HINCRBY', KEYS[5], 'version', 1)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
redis.call('ZADD', KEYS[4], 0, ARGV[5])
return {1, ''}
`)

// TransitionStatus implements store.StatusTransitions with one script
// (transitionScript) over the keys of the record's collection, the audit
// collection and the list. On a standalone server and with Sentinel that
// is one atomic step. Redis Cluster refuses a script over keys of several
// hash slots, and these keys have three hash tags, so on Cluster
// TransitionStatus returns an error (not ErrConflict) and changes nothing.
func (d *DB) TransitionStatus(ctx context.Context, t store.StatusTransition) error {
	op := "transition status in " + t.Collection
	if err := begin(ctx, op); err != nil {
		return err
	}
	if err := store.CheckTransition(t); err != nil {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	if d.cluster {
		return fmt.Errorf("redis: %s: status transitions need one server (standalone or Sentinel): on Redis Cluster the record, audit and list keys lie in different hash slots: %w", op, errors.ErrUnsupported)
	}
	bit := 0
	if store.StatusBit(t.To) {
		bit = 1
	}
	keys := append(append(d.docKeys(t.Collection), d.docKeys(t.Audit.Collection)...), d.listKeys(t.ListID)[:2]...)
	reply, err := transitionScript.Run(ctx, d.rdb, keys,
		t.ID, t.From, t.To, t.Record, t.Audit.ID, t.Audit.Value, t.ListID, t.Index, bit, t.Prev).Slice()
	if err != nil {
		return wrap(op, err)
	}
	if len(reply) != 2 {
		return fmt.Errorf("redis: %s: unexpected reply %v", op, reply)
	}
	code, _ := reply[0].(int64)
	detail, _ := reply[1].(string)
	switch code {
	case 1:
		return nil
	case replyNotFound:
		return fmt.Errorf("redis: %s: status list %s: %w", op, t.ListID, store.ErrNotFound)
	case replyOutOfRange:
		return fmt.Errorf("redis: %s: index %d: %w", op, t.Index, store.ErrOutOfRange)
	case -4:
		return fmt.Errorf("redis: %s: %w", op, store.ErrNotFound)
	case -5:
		if detail == store.StateRevoked {
			return fmt.Errorf("redis: %s: the credential is revoked, which is final: %w", op, store.ErrConflict)
		}
		return fmt.Errorf("redis: %s: the credential is %s, not %s: %w", op, detail, t.From, store.ErrConflict)
	case -6:
		return fmt.Errorf("redis: %s: the record changed since it was read: %w", op, store.ErrConflict)
	case -7:
		return fmt.Errorf("redis: %s: audit entry in %s: %w", op, t.Audit.Collection, store.ErrConflict)
	case -8:
		return fmt.Errorf("redis: %s: %s", op, detail)
	}
	return fmt.Errorf("redis: %s: unexpected reply %v", op, reply)
}
