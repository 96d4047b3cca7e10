package status_test

// Fuzz targets for the bitstring codec, which reads untrusted lists. Run
// each with e.g.:
//   go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime 15s ./status/

import (
	"bytes"
	"errors"
	"math/bits"
	"testing"

	"github.com/accolade-badges/accolade/status"
)

func FuzzDecode(f *testing.F) {
	vec := readJSON(f, "generated-vectors.json")
	for _, name := range []string{"rec_example3", "revocation_1bit", "message_2bit"} {
		f.Add(vec[name].(map[string]any)["encodedList"].(string))
	}
	enc, err := status.Encode([]byte{0x80, 0, 1})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "u", enc, enc[1:], "x" + enc[1:], enc + "==", "u!!!!", "uH4sIAAAAAAAA", "uAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := status.Decode(s)
		if err != nil {
			if !errors.Is(err, status.ErrMalformed) {
				t.Fatalf("Decode error %v is not ErrMalformed", err)
			}
		} else {
			enc, err := status.Encode(got)
			if err != nil {
				t.Fatalf("Encode(Decode(s)): %v", err)
			}
			again, err := status.Decode(enc)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("Decode(Encode(Decode(s))) differs: %v", err)
			}
		}
		if _, err := status.DecodeStatusList2021(s); err != nil && !errors.Is(err, status.ErrMalformed) {
			t.Fatalf("DecodeStatusList2021 error %v is not ErrMalformed", err)
		}
		// Any bytes round-trip.
		enc, err := status.Encode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		back, err := status.Decode(enc)
		if err != nil || !bytes.Equal(back, []byte(s)) {
			t.Fatalf("Decode(Encode(x)) != x: %v", err)
		}
	})
}

// getRef is the digest's reference reading of entry i of size s.
func getRef(raw []byte, i, s int) (uint64, error) {
	if s < 1 || s > 64 {
		return 0, status.ErrMalformed
	}
	if i < 0 {
		return 0, status.ErrRange
	}
	hi, start := bits.Mul64(uint64(i), uint64(s))
	if hi != 0 || start+uint64(s) < start || start+uint64(s) > uint64(len(raw))*8 {
		return 0, status.ErrRange
	}
	var v uint64
	for k := uint64(0); k < uint64(s); k++ {
		p := start + k
		v = v<<1 | uint64(raw[p/8]>>(7-p%8)&1)
	}
	return v, nil
}

func FuzzGet(f *testing.F) {
	f.Add([]byte{0x80}, 0, 1)
	f.Add([]byte{0, 0x13}, 7, 2)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, 64)
	f.Add([]byte{1, 2, 3}, 7, 3)
	f.Add([]byte{1}, -1, 1)
	f.Add([]byte{1}, 1<<62, 4)
	f.Add([]byte{}, 0, 0)
	f.Fuzz(func(t *testing.T, raw []byte, index, size int) {
		got, err := status.Get(raw, index, size)
		want, wantErr := getRef(raw, index, size)
		if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
			t.Fatalf("Get(%d, %d) error %v, want %v", index, size, err, wantErr)
		}
		if got != want {
			t.Fatalf("Get(%d, %d) = %#x, want %#x", index, size, got, want)
		}
		if err != nil || size != 1 {
			return
		}
		flipped := bytes.Clone(raw)
		if err := status.Set(flipped, index, got == 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := status.Get(flipped, index, 1); v == got {
			t.Fatalf("Set(%d, %v) did not change the bit", index, got == 0)
		}
		diff := 0
		for i := range raw {
			diff += bits.OnesCount8(raw[i] ^ flipped[i])
		}
		if diff != 1 {
			t.Fatalf("Set changed %d bits, want 1", diff)
		}
	})
}
