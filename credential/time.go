package credential

import (
	"errors"
	"fmt"
	"time"
)

// ParseTime parses an XML Schema 1.1 dateTimeStamp, the type of validFrom,
// validUntil and awardedDate (VCDM 2.0 "Validity Period"; OB 3.0 DateTimeZ):
//
//	YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)
//
// The timezone is required: a value without one is "incorrectly serialized"
// (VCDM 2.0) and is rejected rather than read as UTC. The fraction may have
// any number of digits (nanoseconds are kept), 24:00:00 means the first
// instant of the next day, and offsets range over ±14:00. Years are the four
// digits 0001-9999 that RFC 3339 and every VC implementation handle;
// expanded and negative years are rejected. "T" and "Z" are upper case, as
// XML Schema requires. The result carries the parsed offset; compare results
// as instants (Before, After, Equal), never as strings.
func ParseTime(s string) (time.Time, error) {
	t, err := parseDateTimeStamp(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an XML Schema dateTimeStamp: %w", s, err)
	}
	return t, nil
}

var errNoTimezone = errors.New("timezone missing (use Z or ±hh:mm)")

func parseDateTimeStamp(s string) (time.Time, error) {
	// Fixed part: YYYY-MM-DDThh:mm:ss is 19 bytes.
	if len(s) < 19 {
		return time.Time{}, errors.New("too short")
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, errors.New("want YYYY-MM-DDThh:mm:ss")
	}
	if year == 0 {
		return time.Time{}, errors.New("year 0000")
	}
	if month < 1 || month > 12 {
		return time.Time{}, errors.New("month out of range")
	}
	if day < 1 || day > daysIn(month, year) {
		return time.Time{}, errors.New("day out of range")
	}
	if minute > 59 || sec > 59 || hour > 24 {
		return time.Time{}, errors.New("time out of range")
	}
	rest := s[19:]
	nsec := 0
	if rest != "" && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			if i <= 9 {
				nsec = nsec*10 + int(rest[i]-'0')
			}
			i++
		}
		if i == 1 {
			return time.Time{}, errors.New("digits expected after '.'")
		}
		for j := i; j <= 9; j++ {
			nsec *= 10
		}
		rest = rest[i:]
	}
	if hour == 24 && (minute != 0 || sec != 0 || nsec != 0) {
		return time.Time{}, errors.New("24:00:00 is the only time with hour 24")
	}
	var loc *time.Location
	switch {
	case rest == "":
		return time.Time{}, errNoTimezone
	case rest == "Z":
		loc = time.UTC
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := num(len(s)-5, len(s)-3)
		om, okm := num(len(s)-2, len(s))
		if !okh || !okm || om > 59 || oh > 14 || (oh == 14 && om != 0) {
			return time.Time{}, errors.New("timezone offset out of range")
		}
		off := (oh*60 + om) * 60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return time.Time{}, errors.New("bad timezone (use Z or ±hh:mm)")
	}
	// time.Date normalizes hour 24 to the next day.
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
