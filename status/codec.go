package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MinEntries is the minimum number of entries a status list must hold:
// 16 KB of bits (Bitstring Status List v1.0 §2.1 encodedList, and
// minimumNumberOfEntries in §3.2). Shorter lists fail with ErrListLength
// because they would leave too few credentials per list to hide among.
const MinEntries = 131072

// MaxDecodedBytes caps a decoded bitstring (16 MiB, 134,217,728 entries of
// one bit). A gzip stream expands up to about 1032 times, so without the cap
// a list of a few kilobytes could make the verifier allocate gigabytes.
const MaxDecodedBytes = 16 << 20

// maxCompressionRatio is DEFLATE's largest expansion (258 bytes per 2-bit
// code, rounded up); it bounds how much a stream's trailer may make Decode
// preallocate.
const maxCompressionRatio = 1032

var (
	writers = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
		return w
	}}
	readers sync.Pool // of *gzip.Reader
)

// Encode returns the encodedList of bits (Bitstring Status List v1.0 §2.1):
// "u" (multibase base64url) followed by the unpadded base64url of the GZIP
// (RFC 1952) compressed bitstring. The gzip header carries no name,
// comment or modification time, so equal bitstrings give equal strings.
// Other gzip implementations produce other strings for the same bits;
// compare decoded bits, never encoded strings.
//
// Encode does not enforce MinEntries; publish lists of at least
// MinEntries/8 bytes. Bitstrings over MaxDecodedBytes fail with ErrMalformed
// because Decode would reject them.
func Encode(bits []byte) (string, error) {
	if len(bits) > MaxDecodedBytes {
		return "", fmt.Errorf("encode status list: %d bytes over the limit of %d: %w", len(bits), MaxDecodedBytes, ErrMalformed)
	}
	var buf bytes.Buffer
	zw := writers.Get().(*gzip.Writer)
	defer writers.Put(zw)
	// Reset also clears the header: no name, comment or mtime.
	zw.Reset(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", fmt.Errorf("encode status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("encode status list: %w", err)
	}
	out := make([]byte, 1+base64.RawURLEncoding.EncodedLen(buf.Len()))
	out[0] = 'u'
	base64.RawURLEncoding.Encode(out[1:], buf.Bytes())
	return string(out), nil
}

// Decode returns the bitstring of a Bitstring Status List encodedList: the
// multibase "u" prefix, unpadded base64url, then GZIP. Anything else, and a
// bitstring over MaxDecodedBytes, fails with ErrMalformed. Decode does not
// check MinEntries; the Checker does.
func Decode(encoded string) ([]byte, error) {
	rest, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, fmt.Errorf("decode status list: %w: not multibase base64url (want the prefix \"u\")", ErrMalformed)
	}
	return decode(rest)
}

// DecodeStatusList2021 decodes the encodedList of a StatusList2021
// credential (W3C CCG Status List 2021): GZIP then base64url without the
// multibase prefix. Lists that carry the prefix anyway, or base64 padding,
// are accepted: the base64url of a GZIP stream starts "H4s", never "u", so
// the prefix is unambiguous.
func DecodeStatusList2021(encoded string) ([]byte, error) {
	s := strings.TrimPrefix(encoded, "u")
	return decode(strings.TrimRight(s, "="))
}

func decode(s string) ([]byte, error) {
	// The base64 decoder skips CR and LF; an encodedList has neither.
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("decode status list: %w: line break in base64url", ErrMalformed)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decode status list: %w: base64url: %v", ErrMalformed, err)
	}
	return gunzip(raw)
}

func gunzip(raw []byte) ([]byte, error) {
	var (
		zr  *gzip.Reader
		err error
	)
	if r, ok := readers.Get().(*gzip.Reader); ok {
		zr = r
		err = zr.Reset(bytes.NewReader(raw))
	} else {
		zr, err = gzip.NewReader(bytes.NewReader(raw))
	}
	if err != nil {
		return nil, fmt.Errorf("decode status list: %w: gzip: %v", ErrMalformed, err)
	}
	defer readers.Put(zr)

	// The trailer's ISIZE (RFC 1952 §2.3.1) is the size of the last member
	// modulo 2^32: a hint only, bounded by what the input could expand to.
	hint := 512
	if n := len(raw); n >= 18 {
		size := int(binary.LittleEndian.Uint32(raw[n-4:]))
		hint = min(size, n*maxCompressionRatio, MaxDecodedBytes) + 1
	}
	out := make([]byte, 0, hint)
	lr := io.LimitedReader{R: zr, N: MaxDecodedBytes + 1}
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := lr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("decode status list: %w: gzip: %v", ErrMalformed, err)
		}
	}
	if len(out) > MaxDecodedBytes {
		return nil, fmt.Errorf("decode status list: %w: over %d bytes decompressed", ErrMalformed, MaxDecodedBytes)
	}
	return out, nil
}

// Get returns the status of entry index in bits, where each entry is size
// bits wide (statusSize, 1 to 64): the bits [index*size, index*size+size)
// read most significant first, bit 0 being the left-most (most significant)
// bit of byte 0 (Bitstring Status List v1.0 §2.2 and §3.2 step 9). An index
// outside bits fails with ErrRange, a size outside 1..64 with ErrMalformed.
func Get(bits []byte, index, size int) (uint64, error) {
	if size < 1 || size > 64 {
		return 0, fmt.Errorf("status size %d: %w (want 1 to 64)", size, ErrMalformed)
	}
	if index < 0 || uint64(index) >= uint64(len(bits))*8/uint64(size) {
		return 0, fmt.Errorf("status index %d of a %d-bit list with status size %d: %w", index, len(bits)*8, size, ErrRange)
	}
	if size == 1 {
		return uint64(bits[index>>3] >> (7 - index&7) & 1), nil
	}
	p := uint64(index) * uint64(size)
	var v uint64
	for k := uint64(0); k < uint64(size); k++ {
		q := p + k
		v = v<<1 | uint64(bits[q>>3]>>(7-q&7)&1)
	}
	return v, nil
}

// Set sets (value true) or clears the one-bit entry index of bits, with the
// layout Get reads. An index outside bits fails with ErrRange.
func Set(bits []byte, index int, value bool) error {
	if index < 0 || uint64(index) >= uint64(len(bits))*8 {
		return fmt.Errorf("status index %d of a %d-bit list: %w", index, len(bits)*8, ErrRange)
	}
	mask := byte(0x80) >> (index & 7)
	if value {
		bits[index>>3] |= mask
	} else {
		bits[index>>3] &^= mask
	}
	return nil
}
