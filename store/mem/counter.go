package mem

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Counters      = (*Store)(nil)
	_ store.CappedBatcher = (*Store)(nil)
)

// Incr implements store.Counters under the store's mutex. The count is kept
// as a token whose value is its decimal digits.
func (s *Store) Incr(ctx context.Context, kind, id string, ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("mem: incr counter of kind %s: ttl %v is not positive", kind, ttl)
	}
	if err := s.begin(ctx, "incr counter", kind, id); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	now := s.now()
	k := s.tokens[kind]
	if k == nil {
		k = make(map[string]token)
		s.tokens[kind] = k
	}
	tok, ok := k[id]
	var n int64
	if ok && now.Before(tok.expires) {
		v, err := strconv.ParseInt(string(tok.value), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("mem: incr counter of kind %s: the token is not a counter", kind)
		}
		n = v
	} else {
		tok.expires = now.Add(ttl)
	}
	n++
	tok.value = []byte(strconv.FormatInt(n, 10))
	k[id] = tok
	return n, nil
}

// ApplyCapped implements store.CappedBatcher: Apply's checks and writes,
// and the count, under the store's mutex.
func (s *Store) ApplyCapped(ctx context.Context, collection string, max int, writes []store.Write) error {
	if max < 0 {
		return fmt.Errorf("mem: apply capped batch: negative cap %d", max)
	}
	if err := s.begin(ctx, "apply capped batch", collection); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.applyLocked(writes, collection, max)
}
