package mem

import (
	"context"
	"fmt"

	"github.com/accolade-badges/accolade/store"
)

// Apply implements store.Batcher. The whole batch runs under the store's
// mutex: every Create is checked before anything is written, so a conflict
// leaves the store as it was.
func (s *Store) Apply(ctx context.Context, writes []store.Write) error {
	if err := s.begin(ctx, "apply batch"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.applyLocked(writes, "", 0)
}

// applyLocked applies writes with s.mu held. With capped set, it refuses
// the batch (ErrLimit) when capped would end up with more than max records.
func (s *Store) applyLocked(writes []store.Write, capped string, max int) error {
	if len(writes) > store.MaxBatch {
		return fmt.Errorf("mem: apply batch: %d writes, at most %d allowed", len(writes), store.MaxBatch)
	}
	type key struct{ collection, id string }
	written := make(map[key]bool, len(writes))
	for i, w := range writes {
		if w.Collection == "" || w.ID == "" {
			return fmt.Errorf("mem: apply batch: write %d: empty name or ID", i)
		}
		k := key{w.Collection, w.ID}
		if w.Create {
			if _, ok := s.docs[w.Collection][w.ID]; ok || written[k] {
				return fmt.Errorf("mem: apply batch: write %d, create in %s: %w", i, w.Collection, store.ErrConflict)
			}
		}
		written[k] = true
	}
	if capped != "" {
		n := len(s.docs[capped])
		for k := range written {
			if _, ok := s.docs[capped][k.id]; k.collection == capped && !ok {
				n++
			}
		}
		if n > max {
			return fmt.Errorf("mem: apply capped batch: %s would hold %d records, at most %d: %w", capped, n, max, store.ErrLimit)
		}
	}
	for _, w := range writes {
		c := s.docs[w.Collection]
		if c == nil {
			c = make(map[string][]byte)
			s.docs[w.Collection] = c
		}
		c[w.ID] = clone(w.Value)
	}
	return nil
}
