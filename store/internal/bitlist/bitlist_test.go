package bitlist

import (
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/store"
)

func TestFirstClear(t *testing.T) {
	tests := []struct {
		name  string
		m     []byte
		start int
		want  int
	}{
		{"empty from 0", []byte{0, 0}, 0, 0},
		{"empty from the middle of a byte", []byte{0, 0}, 5, 5},
		{"skips set bits", []byte{0b1110_0000, 0}, 0, 3},
		{"last bit of the byte", []byte{0b1111_1110, 0}, 2, 7},
		{"next byte", []byte{0xFF, 0}, 6, 8},
		{"wraps to the start", []byte{0b0111_1111, 0xFF}, 9, 0},
		{"wraps into start's own byte", []byte{0xFF, 0b1011_1111}, 10, 9},
		{"full", []byte{0xFF, 0xFF}, 7, -1},
	}
	for _, tt := range tests {
		if got := FirstClear(tt.m, tt.start); got != tt.want {
			t.Errorf("%s: FirstClear(%08b, %d) = %d, want %d", tt.name, tt.m, tt.start, got, tt.want)
		}
	}
}

func TestChecks(t *testing.T) {
	for _, size := range []int{0, 7, 12, store.MaxStatusListSize + 8} {
		if CheckSize(size) == nil {
			t.Errorf("CheckSize(%d) accepted", size)
		}
	}
	if err := CheckSize(131072); err != nil {
		t.Errorf("CheckSize(131072): %v", err)
	}
	for _, starts := range [][]int{nil, {}, {3, -1}, make([]int, store.MaxAllocateMany+1)} {
		if _, err := CheckStarts(starts); !errors.Is(err, store.ErrOutOfRange) {
			t.Errorf("CheckStarts(%d starts): %v, want ErrOutOfRange", len(starts), err)
		}
	}
	if m, err := CheckStarts([]int{4, 90, 7}); err != nil || m != 90 {
		t.Errorf("CheckStarts = (%d, %v), want (90, nil)", m, err)
	}
	if n := PopCount([]byte{0xFF, 0b1010_0000, 0}); n != 10 {
		t.Errorf("PopCount = %d, want 10", n)
	}
}
