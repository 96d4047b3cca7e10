package mem

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/internal/bitlist"
)

var (
	_ store.Exporter = (*Store)(nil)
	_ store.Importer = (*Store)(nil)
)

// Export takes the sorted names of a kind under the mutex, then reads each
// element under it again and yields it with the mutex released, so that the
// consumer may use the store meanwhile. Elements removed in between are
// skipped. Import takes the mutex once per element.

// sortedKeys returns the keys of m in byte-wise order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// exportNames yields, for each name that names returns (under the mutex),
// the element that get returns for it (under the mutex again), skipping
// those get reports gone.
func exportNames[T any](ctx context.Context, s *Store, op string, names func() []string, get func(name string) (T, bool)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := s.begin(ctx, op); err != nil {
			yield(zero, err)
			return
		}
		ns := names()
		s.mu.Unlock()
		for _, n := range ns {
			if err := s.begin(ctx, op); err != nil {
				yield(zero, err)
				return
			}
			v, ok := get(n)
			s.mu.Unlock()
			if ok && !yield(v, nil) {
				return
			}
		}
	}
}

// ExportDocs implements store.Exporter.
func (s *Store) ExportDocs(ctx context.Context) iter.Seq2[store.Doc, error] {
	const op = "export docs"
	return func(yield func(store.Doc, error) bool) {
		collections := exportNames(ctx, s, op, func() []string { return sortedKeys(s.docs) },
			func(c string) (string, bool) { return c, len(s.docs[c]) > 0 })
		for c, err := range collections {
			if err != nil {
				yield(store.Doc{}, err)
				return
			}
			docs := exportNames(ctx, s, op, func() []string { return sortedKeys(s.docs[c]) },
				func(id string) (store.Doc, bool) {
					v, ok := s.docs[c][id]
					return store.Doc{Collection: c, ID: id, Value: clone(v)}, ok
				})
			for d, err := range docs {
				if !yield(d, err) || err != nil {
					return
				}
			}
		}
	}
}

// ExportSequences implements store.Exporter.
func (s *Store) ExportSequences(ctx context.Context) iter.Seq2[store.Sequence, error] {
	return exportNames(ctx, s, "export sequences", func() []string { return sortedKeys(s.seqs) },
		func(name string) (store.Sequence, bool) {
			v := s.seqs[name]
			return store.Sequence{Name: name, Value: v}, v > 0
		})
}

// ExportStatusLists implements store.Exporter.
func (s *Store) ExportStatusLists(ctx context.Context) iter.Seq2[store.ListState, error] {
	return exportNames(ctx, s, "export status lists", func() []string { return sortedKeys(s.lists) },
		func(id string) (store.ListState, bool) {
			l, ok := s.lists[id]
			if !ok {
				return store.ListState{}, false
			}
			return store.ListState{ID: id, Size: l.size, Bits: clone(l.bits), Alloc: clone(l.alloc), Version: l.version}, true
		})
}

// ExportTokens implements store.Exporter.
func (s *Store) ExportTokens(ctx context.Context) iter.Seq2[store.Token, error] {
	const op = "export tokens"
	return func(yield func(store.Token, error) bool) {
		kinds := exportNames(ctx, s, op, func() []string { return sortedKeys(s.tokens) },
			func(k string) (string, bool) { return k, true })
		for k, err := range kinds {
			if err != nil {
				yield(store.Token{}, err)
				return
			}
			toks := exportNames(ctx, s, op, func() []string { return sortedKeys(s.tokens[k]) },
				func(id string) (store.Token, bool) {
					tok, ok := s.tokens[k][id]
					ttl := tok.expires.Sub(s.now())
					return store.Token{Kind: k, ID: id, Value: clone(tok.value), TTL: ttl}, ok && ttl > 0
				})
			for t, err := range toks {
				if !yield(t, err) || err != nil {
					return
				}
			}
		}
	}
}

// importEach calls put under the mutex for each element of seq and counts
// those put reports written.
func importEach[T any](ctx context.Context, s *Store, op string, seq iter.Seq2[T, error], put func(T) (bool, error)) (int, error) {
	n := 0
	for v, err := range seq {
		if err != nil {
			return n, fmt.Errorf("mem: %s: read: %w", op, err)
		}
		if err := s.begin(ctx, op); err != nil {
			return n, err
		}
		wrote, err := put(v)
		s.mu.Unlock()
		if err != nil {
			return n, fmt.Errorf("mem: %s: %w", op, err)
		}
		if wrote {
			n++
		}
	}
	if err := ctx.Err(); err != nil {
		return n, fmt.Errorf("mem: %s: %w", op, err)
	}
	return n, nil
}

// ImportDocs implements store.Importer.
func (s *Store) ImportDocs(ctx context.Context, docs iter.Seq2[store.Doc, error], opts store.ImportOptions) (int, error) {
	return importEach(ctx, s, "import docs", docs, func(d store.Doc) (bool, error) {
		if d.Collection == "" || d.ID == "" {
			return false, errors.New("empty collection or ID")
		}
		c := s.docs[d.Collection]
		if _, ok := c[d.ID]; ok && !opts.Replace {
			return false, fmt.Errorf("document in %s: %w", d.Collection, store.ErrConflict)
		}
		if c == nil {
			c = make(map[string][]byte)
			s.docs[d.Collection] = c
		}
		c[d.ID] = clone(d.Value)
		return true, nil
	})
}

// ImportSequences implements store.Importer.
func (s *Store) ImportSequences(ctx context.Context, seqs iter.Seq2[store.Sequence, error]) (int, error) {
	return importEach(ctx, s, "import sequences", seqs, func(q store.Sequence) (bool, error) {
		if q.Name == "" {
			return false, errors.New("empty sequence name")
		}
		if q.Value == 0 {
			return false, nil
		}
		s.seqs[q.Name] = max(s.seqs[q.Name], q.Value)
		return true, nil
	})
}

// ImportStatusLists implements store.Importer.
func (s *Store) ImportStatusLists(ctx context.Context, lists iter.Seq2[store.ListState, error], opts store.ImportOptions) (int, error) {
	return importEach(ctx, s, "import status lists", lists, func(l store.ListState) (bool, error) {
		if l.ID == "" {
			return false, errors.New("empty status list ID")
		}
		if err := bitlist.CheckSize(l.Size); err != nil {
			return false, fmt.Errorf("list %s: %w", l.ID, err)
		}
		if len(l.Bits) != l.Size/8 || len(l.Alloc) != l.Size/8 {
			return false, fmt.Errorf("list %s: bitmaps of %d and %d bytes, want %d", l.ID, len(l.Bits), len(l.Alloc), l.Size/8)
		}
		alloc := clone(l.Alloc)
		if old, ok := s.lists[l.ID]; ok {
			if !opts.Replace {
				return false, fmt.Errorf("list %s: %w", l.ID, store.ErrConflict)
			}
			if old.size == l.Size {
				for i, a := range old.alloc {
					alloc[i] |= a
				}
			}
		}
		s.lists[l.ID] = &statusList{size: l.Size, bits: clone(l.Bits), alloc: alloc, version: l.Version}
		return true, nil
	})
}

// ImportTokens implements store.Importer.
func (s *Store) ImportTokens(ctx context.Context, tokens iter.Seq2[store.Token, error], opts store.ImportOptions) (int, error) {
	return importEach(ctx, s, "import tokens", tokens, func(t store.Token) (bool, error) {
		if t.Kind == "" || t.ID == "" {
			return false, errors.New("empty token kind or ID")
		}
		if t.TTL <= 0 {
			return false, nil
		}
		now := s.now()
		k := s.tokens[t.Kind]
		if old, ok := k[t.ID]; ok && now.Before(old.expires) && !opts.Replace {
			return false, fmt.Errorf("token of kind %s: %w", t.Kind, store.ErrConflict)
		}
		if k == nil {
			k = make(map[string]token)
			s.tokens[t.Kind] = k
		}
		k[t.ID] = token{value: clone(t.Value), expires: now.Add(t.TTL)}
		return true, nil
	})
}
