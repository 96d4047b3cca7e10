package bitlist

import (
	"fmt"
	"math/bits"

	"github.com/accolade-badges/accolade/store"
)

// CheckSize enforces the list sizes store.StatusLists.CreateList accepts.
func CheckSize(size int) error {
	if size < 8 || size > store.MaxStatusListSize || size%8 != 0 {
		return fmt.Errorf("size %d is not a multiple of 8 between 8 and %d", size, store.MaxStatusListSize)
	}
	return nil
}

// CheckStarts enforces what store.StatusLists.AllocateMany accepts of its
// starts whatever the list: 1 to store.MaxAllocateMany of them, none
// negative. It returns the largest, for the caller to check against the
// list's size.
func CheckStarts(starts []int) (int, error) {
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

// FirstClear returns the first clear bit of m at or after bit start,
// wrapping around to bit 0, or -1 if every bit is set.
func FirstClear(m []byte, start int) int {
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

// PopCount returns the number of set bits in m.
func PopCount(m []byte) int {
	n := 0
	for _, b := range m {
		n += bits.OnesCount8(b)
	}
	return n
}
