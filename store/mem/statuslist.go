package mem

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/accolade-badges/accolade/store"
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
	if err := checkSize(size); err != nil {
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
	i := firstClear(l.alloc, start)
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
	maxStart, err := checkStarts(starts)
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
		i := firstClear(l.alloc, start)
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
	return l.size, popCount(l.alloc), l.version, nil
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

// checkSize enforces the list sizes store.StatusLists.CreateList accepts.
func checkSize(size int) error {
	if size < 8 || size > store.MaxStatusListSize || size%8 != 0 {
		return fmt.Errorf("size %d is not a multiple of 8 between 8 and %d", size, store.MaxStatusListSize)
	}
	return nil
}

// checkStarts enforces what store.StatusLists.AllocateMany accepts of its
// starts whatever the list: 1 to store.MaxAllocateMany of them, none
// negative. It returns the largest, for the caller to check against the
// list's size.
func checkStarts(starts []int) (int, error) {
	if len(starts) == 0 || len(starts) > store.MaxAllocateMany {
		return 0, fmt.Errorf("%d starts, want 1 to %d: %w", len(starts), store.MaxAllocateMany, store.ErrOutOfRange)
	}
	maxStart := 0
	for _, start := range starts {
		if start < 0 {
			return 0, fmt.Errorf("index %d: %w", start, store.ErrOutOfRange)
		}
		maxStart = max(maxStart, start)
	}
	return maxStart, nil
}

// firstClear returns the first clear bit of m at or after bit start,
// wrapping around to bit 0, or -1 if every bit is set. Bits are numbered
// most significant first, as in store.StatusLists.
func firstClear(m []byte, start int) int {
	sb := start / 8
	// Treat the bits of start's byte that come before start as set.
	if b := m[sb] | byte(uint(0xFF00)>>(start%8)); b != 0xFF {
		return sb*8 + bits.LeadingZeros8(^b)
	}
	for _, r := range [][2]int{{sb + 1, len(m)}, {0, sb + 1}} {
		for i := r[0]; i < r[1]; i++ {
			if m[i] != 0xFF {
				return i*8 + bits.LeadingZeros8(^m[i])
			}
		}
	}
	return -1
}

// popCount returns the number of set bits in m.
func popCount(m []byte) int {
	n := 0
	for _, b := range m {
		n += bits.OnesCount8(b)
	}
	return n
}
