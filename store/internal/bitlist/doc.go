// Package bitlist holds what the store implementations share about status
// list bitmaps: the sizes and allocation starts store.StatusLists accepts,
// and bit searches in its numbering (bit i is bit 7-(i%8) of byte i/8,
// most significant first, as the Bitstring Status List specification and
// Redis SETBIT number them).
package bitlist
