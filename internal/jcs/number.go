package jcs

import (
	"errors"
	"math"
	"strconv"
)

// errNonFinite is returned for NaN and ±Inf, which JSON cannot represent
// (RFC 8785 §3.2.2.3).
var errNonFinite = errors.New("jcs: NaN and Infinity are not valid JSON numbers")

// AppendNumber appends f the way ECMAScript's Number.prototype.toString
// writes it (ECMA-262 Number::toString, as required by RFC 8785 §3.2.2.3):
// the shortest decimal digits that round-trip, plain notation when the
// decimal exponent is in [-6, 21), exponent notation ("1e+21", "1e-7")
// otherwise, and "0" for both zeros. NaN and infinities are an error.
func AppendNumber(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errNonFinite
	}
	if f == 0 {
		return append(dst, '0'), nil // also -0
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// strconv's shortest formatting picks the same digits as ECMA-262: the
	// fewest that round-trip, and the closest to f among those.
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64) // d[.ddd]e±XX
	var digits [20]byte
	k := 0
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[k] = e[i]
			k++
		}
	}
	exp := 0
	neg := e[i+1] == '-'
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	// ECMA-262 names: the value is 0.d1d2...dk × 10^n, k digits.
	n := exp + 1
	ds := digits[:k]
	switch {
	case k <= n && n <= 21:
		dst = append(dst, ds...)
		for j := k; j < n; j++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, ds[:n]...)
		dst = append(dst, '.')
		dst = append(dst, ds[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for j := n; j < 0; j++ {
			dst = append(dst, '0')
		}
		dst = append(dst, ds...)
	default:
		dst = append(dst, ds[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, ds[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst, nil
}
