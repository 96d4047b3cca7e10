package status_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/status"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*131 + i>>3)
	}
	tests := []struct {
		name string
		bits []byte
	}{
		{"empty", []byte{}},
		{"one byte", []byte{0xa5}},
		{"min list zero", make([]byte, status.MinEntries/8)},
		{"min list with bits", bitsWith(t, status.MinEntries, 0, 1, 94567, 131071)},
		{"patterned", random},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := status.Encode(tt.bits)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "u") || strings.ContainsAny(enc, "=+/") {
				t.Fatalf("Encode = %q, want u + unpadded base64url", enc)
			}
			again, _ := status.Encode(tt.bits)
			if again != enc {
				t.Error("Encode is not deterministic")
			}
			got, err := status.Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.bits) {
				t.Errorf("Decode(Encode(x)) differs: %d bytes, want %d", len(got), len(tt.bits))
			}
		})
	}
}

func TestEncodeGzipHeader(t *testing.T) {
	t.Parallel()
	raw, err := base64.RawURLEncoding.DecodeString(encode(t, make([]byte, 16))[1:])
	if err != nil {
		t.Fatal(err)
	}
	// RFC 1952 §2.3: ID1 ID2 CM FLG MTIME(4); no name or comment, mtime 0.
	if got, want := hex.EncodeToString(raw[:8]), "1f8b080000000000"; got != want {
		t.Errorf("gzip header = %s, want %s", got, want)
	}
}

func TestDecodeRECExample3(t *testing.T) {
	t.Parallel()
	doc := readJSON(t, "rec-example3-statuslist-credential-unsigned.json")
	enc := doc["credentialSubject"].(map[string]any)["encodedList"].(string)
	bits, err := status.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits)*8 != status.MinEntries {
		t.Fatalf("decoded %d bits, want %d", len(bits)*8, status.MinEntries)
	}
	if !bytes.Equal(bits, make([]byte, len(bits))) {
		t.Error("REC example 3 list has set bits, want none")
	}
}

func TestGeneratedVectors(t *testing.T) {
	t.Parallel()
	vec := readJSON(t, "generated-vectors.json")
	num := func(v any) int { return int(v.(float64)) }
	for _, name := range []string{"rec_example3", "revocation_1bit", "message_2bit"} {
		t.Run(name, func(t *testing.T) {
			c := vec[name].(map[string]any)
			bits, err := status.Decode(c["encodedList"].(string))
			if err != nil {
				t.Fatal(err)
			}
			size := 1
			if s, ok := c["statusSize"]; ok {
				size = num(s)
			}
			wantBits := status.MinEntries * size
			if n, ok := c["lengthBits"]; ok {
				wantBits = num(n)
			}
			if n, ok := c["decodedLengthBits"]; ok {
				wantBits = num(n)
			}
			if len(bits)*8 != wantBits {
				t.Fatalf("decoded %d bits, want %d", len(bits)*8, wantBits)
			}
			if set, ok := c["setIndices"].([]any); ok {
				want := bitsWith(t, wantBits)
				for _, i := range set {
					_ = status.Set(want, num(i), true)
				}
				if !bytes.Equal(bits, want) {
					t.Error("decoded bits differ from setIndices")
				}
			}
			if c["allZero"] == true && !bytes.Equal(bits, make([]byte, len(bits))) {
				t.Error("list has set bits, want none")
			}
			checks, _ := c["checks"].([]any)
			for _, ch := range checks {
				ch := ch.(map[string]any)
				idx, _ := strconv.Atoi(ch["statusListIndex"].(string))
				got, err := status.Get(bits, idx, size)
				if err != nil {
					t.Fatal(err)
				}
				if want := uint64(num(ch["status"])); got != want {
					t.Errorf("Get(%d, size %d) = %d, want %d", idx, size, got, want)
				}
			}
			for key, at := range map[string]int{"byte0Hex": 0, "byte1Hex": 1, "byte11820Hex": 11820, "lastByteHex": len(bits) - 1} {
				if want, ok := c[key].(string); ok {
					if got := hex.EncodeToString(bits[at : at+1]); got != want {
						t.Errorf("%s = %s, want %s", key, got, want)
					}
				}
			}
		})
	}
}

func gz(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	b64 := base64.RawURLEncoding.EncodeToString
	valid := encode(t, make([]byte, 64))
	raw, _ := base64.RawURLEncoding.DecodeString(valid[1:])
	badCRC := bytes.Clone(raw)
	badCRC[len(badCRC)-5] ^= 0xff
	tests := []struct {
		name, in string
	}{
		{"fail/empty", ""},
		{"fail/prefix only", "u"},
		{"fail/no multibase prefix", valid[1:]},
		{"fail/base58 multibase", "z" + valid[1:]},
		{"fail/other prefix", "x" + valid[1:]},
		{"fail/invalid base64", "u!!!!"},
		{"fail/standard base64 alphabet", "u" + base64.RawStdEncoding.EncodeToString(gz(t, []byte{0xfb, 0xff, 0xfe}))},
		{"fail/padding", valid + "=="},
		{"fail/line break", valid[:10] + "\n" + valid[10:]},
		{"fail/not gzip", "u" + b64([]byte("this is not gzip at all"))},
		{"fail/truncated gzip", "u" + b64(raw[:len(raw)-6])},
		{"fail/bad checksum", "u" + b64(badCRC)},
		{"fail/trailing garbage", "u" + b64(append(bytes.Clone(raw), "junk"...))},
		{"fail/gzip bomb", "u" + b64(gz(t, make([]byte, status.MaxDecodedBytes+1)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bits, err := status.Decode(tt.in)
			if !errors.Is(err, status.ErrMalformed) {
				t.Fatalf("Decode = %d bytes, %v; want ErrMalformed", len(bits), err)
			}
		})
	}
	t.Run("ok/at the cap", func(t *testing.T) {
		bits, err := status.Decode("u" + b64(gz(t, make([]byte, status.MaxDecodedBytes))))
		if err != nil || len(bits) != status.MaxDecodedBytes {
			t.Fatalf("Decode = %d bytes, %v", len(bits), err)
		}
	})
	t.Run("fail/encode over the cap", func(t *testing.T) {
		if _, err := status.Encode(make([]byte, status.MaxDecodedBytes+1)); !errors.Is(err, status.ErrMalformed) {
			t.Fatalf("Encode = %v, want ErrMalformed", err)
		}
	})
}

func TestDecodeStatusList2021(t *testing.T) {
	t.Parallel()
	bits := bitsWith(t, status.MinEntries, 7, 94567)
	enc := encode(t, bits)
	padded := base64.URLEncoding.EncodeToString(gz(t, bits))
	for name, in := range map[string]string{
		"ok/bare":      enc[1:],
		"ok/multibase": enc,
		"ok/padded":    padded,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := status.DecodeStatusList2021(in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, bits) {
				t.Error("decoded bits differ")
			}
		})
	}
	if _, err := status.DecodeStatusList2021("!!"); !errors.Is(err, status.ErrMalformed) {
		t.Errorf("DecodeStatusList2021(!!) = %v, want ErrMalformed", err)
	}
}

func TestGetSetLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		index int
		want  []byte // the first two bytes after setting index
	}{
		{"index 0 is the MSB of byte 0", 0, []byte{0x80, 0}},
		{"index 1", 1, []byte{0x40, 0}},
		{"index 7 is the LSB of byte 0", 7, []byte{0x01, 0}},
		{"index 8 is the MSB of byte 1", 8, []byte{0, 0x80}},
		{"index 15", 15, []byte{0, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bits := make([]byte, 2)
			if err := status.Set(bits, tt.index, true); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bits, tt.want) {
				t.Fatalf("bits = %x, want %x", bits, tt.want)
			}
			for i := range 16 {
				got, err := status.Get(bits, i, 1)
				if err != nil {
					t.Fatal(err)
				}
				if want := uint64(0); i == tt.index {
					if got != 1 {
						t.Errorf("Get(%d) = %d, want 1", i, got)
					}
				} else if got != want {
					t.Errorf("Get(%d) = %d, want 0", i, got)
				}
			}
			if err := status.Set(bits, tt.index, false); err != nil || !bytes.Equal(bits, []byte{0, 0}) {
				t.Fatalf("after clearing: %x, %v", bits, err)
			}
		})
	}
}

func TestGetMultiBit(t *testing.T) {
	t.Parallel()
	// 0x13 = 00 01 00 11: 2-bit entries 4..7 are 0, 1, 0, 3 (the digest's vector).
	bits := []byte{0, 0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	tests := []struct {
		index, size int
		want        uint64
	}{
		{4, 2, 0}, {5, 2, 1}, {6, 2, 0}, {7, 2, 3},
		{0, 16, 0x0013},
		{1, 4, 0}, {2, 4, 1}, {3, 4, 3},
		{1, 3, 0}, {3, 3, 1}, // bits 3..5 = 000, bits 9..11 = 001
		{0, 64, 0x0013ffffffffffff},
		{1, 32, math.MaxUint32},
	}
	for _, tt := range tests {
		got, err := status.Get(bits, tt.index, tt.size)
		if err != nil || got != tt.want {
			t.Errorf("Get(%d, size %d) = %#x, %v; want %#x", tt.index, tt.size, got, err, tt.want)
		}
	}
}

func TestGetSetErrors(t *testing.T) {
	t.Parallel()
	bits := make([]byte, 2)
	tests := []struct {
		name        string
		index, size int
		want        error
	}{
		{"fail/negative index", -1, 1, status.ErrRange},
		{"fail/past the end", 16, 1, status.ErrRange},
		{"fail/2-bit past the end", 8, 2, status.ErrRange},
		{"fail/64-bit on 16 bits", 0, 64, status.ErrRange},
		{"fail/huge index", math.MaxInt, 3, status.ErrRange},
		{"fail/size 0", 0, 0, status.ErrMalformed},
		{"fail/size 65", 0, 65, status.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := status.Get(bits, tt.index, tt.size); !errors.Is(err, tt.want) {
				t.Errorf("Get = %v, want %v", err, tt.want)
			}
		})
	}
	for _, i := range []int{-1, 16, math.MaxInt} {
		if err := status.Set(bits, i, true); !errors.Is(err, status.ErrRange) {
			t.Errorf("Set(%d) = %v, want ErrRange", i, err)
		}
	}
	if _, err := status.Get(nil, 0, 1); !errors.Is(err, status.ErrRange) {
		t.Errorf("Get(nil) = %v, want ErrRange", err)
	}
}
