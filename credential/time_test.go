package credential_test

import (
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	ok := []struct {
		in         string
		want       time.Time
		wantOffset int // seconds east of UTC
	}{
		{"2025-06-01T00:00:00Z", utc(2025, 6, 1, 0, 0, 0, 0), 0},
		{"2021-09-07T02:09:59+02:00", utc(2021, 9, 7, 0, 9, 59, 0), 7200},
		{"2021-09-07T02:09:59-05:30", utc(2021, 9, 7, 7, 39, 59, 0), -19800},
		{"2021-09-07T02:09:59.5Z", utc(2021, 9, 7, 2, 9, 59, 500000000), 0},
		{"2021-09-07T02:09:59.123456789Z", utc(2021, 9, 7, 2, 9, 59, 123456789), 0},
		{"2021-09-07T02:09:59.1234567891234Z", utc(2021, 9, 7, 2, 9, 59, 123456789), 0},
		{"2021-09-07T02:09:59.000+00:00", utc(2021, 9, 7, 2, 9, 59, 0), 0},
		{"2021-09-07T02:09:59-00:00", utc(2021, 9, 7, 2, 9, 59, 0), 0},
		{"2024-02-29T12:00:00+14:00", utc(2024, 2, 28, 22, 0, 0, 0), 50400},
		{"2000-02-29T00:00:00Z", utc(2000, 2, 29, 0, 0, 0, 0), 0},
		{"2024-12-31T24:00:00Z", utc(2025, 1, 1, 0, 0, 0, 0), 0},
		{"0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0, 0), 0},
		{"9999-12-31T23:59:59-14:00", utc(10000, 1, 1, 13, 59, 59, 0), -50400},
	}
	for _, tt := range ok {
		t.Run("ok/"+tt.in, func(t *testing.T) {
			got, err := credential.ParseTime(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTime = %v, want %v", got, tt.want)
			}
			if _, off := got.Zone(); off != tt.wantOffset {
				t.Errorf("offset %d, want %d", off, tt.wantOffset)
			}
		})
	}
	bad := []string{
		"2025-06-01T00:00:00",       // no timezone
		"2025-06-01T00:00:00.123",   // no timezone, fraction
		"2025-06-01",                // date only
		"2025-06-01 00:00:00Z",      // space
		"2025-06-01t00:00:00z",      // lower case
		"2025-06-01T00:00:00UTC",    // zone name
		"2025-06-01T00:00:00+0200",  // offset without colon
		"2025-06-01T00:00:00+02",    // short offset
		"2025-06-01T00:00:00+14:01", // offset too large
		"2025-06-01T00:00:00+15:00", // offset too large
		"2025-06-01T00:00:00+02:60", // offset minutes
		"2025-13-01T00:00:00Z",      // month
		"2025-00-01T00:00:00Z",      // month
		"2025-02-29T00:00:00Z",      // not a leap year
		"1900-02-29T00:00:00Z",      // not a leap year
		"2025-04-31T00:00:00Z",      // day
		"2025-06-01T25:00:00Z",      // hour
		"2025-06-01T24:00:01Z",      // only 24:00:00
		"2025-06-01T24:00:00.1Z",    // only 24:00:00
		"2025-06-01T00:60:00Z",      // minute
		"2025-06-01T00:00:60Z",      // leap second
		"2025-06-01T00:00:00.Z",     // empty fraction
		"0000-01-01T00:00:00Z",      // year 0
		"-0001-01-01T00:00:00Z",     // negative year
		"12025-06-01T00:00:00Z",     // expanded year
		"2025-6-1T0:0:0Z",           // short fields
		"2025-06-01T00:00:00Z ",     // trailing space
		" 2025-06-01T00:00:00Z",     // leading space
		"",
	}
	for _, in := range bad {
		t.Run("fail/"+in, func(t *testing.T) {
			if got, err := credential.ParseTime(in); err == nil {
				t.Errorf("ParseTime(%q) = %v, want error", in, got)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-06-01T00:00:00Z", "2021-09-07T02:09:59.123+02:00", "2024-12-31T24:00:00-14:00",
		"2025-06-01T00:00:00", "2024-02-29T00:00:00.000000000001Z", "9999-12-31T23:59:59+14:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := credential.ParseTime(s)
		if err != nil {
			return
		}
		// Whatever parses carries a zone and round-trips through RFC 3339
		// to the same instant.
		if got.Location() == nil {
			t.Fatal("no location")
		}
		again, err := credential.ParseTime(got.Format(time.RFC3339Nano))
		if err != nil {
			if got.Year() > 9999 {
				return // 9999-12-31T24:00:00 or a negative offset reaches year 10000
			}
			t.Fatalf("ParseTime(%q) = %v; re-parse of %q: %v", s, got, got.Format(time.RFC3339Nano), err)
		}
		if !again.Equal(got) {
			t.Fatalf("round trip %v != %v", again, got)
		}
		// A value without a timezone never parses.
		if last := s[len(s)-1]; last != 'Z' && (len(s) < 6 || s[len(s)-3] != ':') {
			t.Fatalf("ParseTime(%q) accepted a value without timezone", s)
		}
	})
}
