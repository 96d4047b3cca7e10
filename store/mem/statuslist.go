package mem

import (
	"context"
	"fmt"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/internal/bitlist"
)

// statusList is one store.StatusLists list. bits and alloc hold size/8
// bytes each, bit i being bit 7-(i%8) of byte i/8.
type statusList struct {
	size    int
	bits    []byte
	alloc   []byte
	version uint64
}

// CreateList implements store.StatusLists.
func (s *Store) CreateList(ctx context.Context, listID string, size int) error {
	if err := s.begin(ctx, "create status list", listID); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := bitlist.CheckSize(size); err != nil {
		return fmt.Errorf("mem: create status list %s: %w", listID, err)
	}
	if _, ok := s.lists[listID]; ok {
		return fmt.Errorf("mem: create status list %s: %w", listID, store.ErrConflict)
	}
	s.lists[listID] = &statusList{size: size, bits: make([]byte, size/8), alloc: make([]byte, size/8)}
	return nil
}

// Allocate implements store.StatusLists.
func (s *Store) Allocate(ctx context.Context, listID string, start int) (int, error) {
	const op = "allocate in status list"
	l, err := s.beginList(ctx, op, listID, start)
	if err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	i := bitlist.FirstClear(l.alloc, start)
	if i < 0 {
		return 0, fmt.Errorf("mem: %s %s: %w", op, listID, store.ErrFull)
	}
	l.alloc[i/8] |= 0x80 >> (i % 8)
	return i, nil
}

// AllocateMany implements store.StatusLists: every start is served under
// one hold of the lock.
func (s *Store) AllocateMany(ctx context.Context, listID string, starts []int) ([]int, error) {
	const op = "allocate many in status list"
	if err := s.begin(ctx, op, listID); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	maxStart, err := bitlist.CheckStarts(starts)
	l, ok := s.lists[listID]
	switch {
	case err != nil:
	case !ok:
		err = store.ErrNotFound
	case maxStart >= l.size:
		err = fmt.Errorf("index %d of %d: %w", maxStart, l.size, store.ErrOutOfRange)
	}
	if err != nil {
		return nil, fmt.Errorf("mem: %s %s: %w", op, listID, err)
	}
	got := make([]int, 0, len(starts))
	for _, start := range starts {
		i := bitlist.FirstClear(l.alloc, start)
		if i < 0 {
			return got, fmt.Errorf("mem: %s %s: %d of %d starts served: %w", op, listID, len(got), len(starts), store.ErrFull)
		}
		l.alloc[i/8] |= 0x80 >> (i % 8)
		got = append(got, i)
	}
	return got, nil
}

// SetStatus implements store.StatusLists.
func (s *Store) SetStatus(ctx context.Context, listID string, index int, value bool) (bool, error) {
	l, err := s.beginList(ctx, "set status in list", listID, index)
	if err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	mask := byte(0x80) >> (index % 8)
	prev := l.bits[index/8]&mask != 0
	if prev != value {
		l.bits[index/8] ^= mask
		l.version++
	}
	return prev, nil
}

// Status implements store.StatusLists.
func (s *Store) Status(ctx context.Context, listID string, index int) (bool, error) {
	l, err := s.beginList(ctx, "get status in list", listID, index)
	if err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	return l.bits[index/8]&(0x80>>(index%8)) != 0, nil
}

// Bits implements store.StatusLists.
func (s *Store) Bits(ctx context.Context, listID string) ([]byte, uint64, error) {
	l, err := s.beginList(ctx, "read status list", listID, 0)
	if err != nil {
		return nil, 0, err
	}
	defer s.mu.Unlock()
	return clone(l.bits), l.version, nil
}

// ListInfo implements store.StatusLists.
func (s *Store) ListInfo(ctx context.Context, listID string) (int, int, uint64, error) {
	l, err := s.beginList(ctx, "get info of status list", listID, 0)
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.mu.Unlock()
	return l.size, bitlist.PopCount(l.alloc), l.version, nil
}

// beginList is begin for the StatusLists methods: it also finds the list
// and checks that index lies in [0, size). Errors about the list name it
// after op. On success the caller must unlock s.mu.
func (s *Store) beginList(ctx context.Context, op, listID string, index int) (*statusList, error) {
	if err := s.begin(ctx, op, listID); err != nil {
		return nil, err
	}
	l, ok := s.lists[listID]
	var err error
	switch {
	case index < 0:
		err = fmt.Errorf("index %d: %w", index, store.ErrOutOfRange)
	case !ok:
		err = store.ErrNotFound
	case index >= l.size:
		err = fmt.Errorf("index %d of %d: %w", index, l.size, store.ErrOutOfRange)
	default:
		return l, nil
	}
	s.mu.Unlock()
	return nil, fmt.Errorf("mem: %s %s: %w", op, listID, err)
}
