package did

import (
	"fmt"
	"strings"
)

// MaxLength is the longest DID or DID URL Parse and ParseURL accept. DID
// Core sets no limit; 4 KiB leaves room for a did:jwk of an RSA-4096 key.
const MaxLength = 4096

// DID is a parsed Decentralized Identifier, did:<Method>:<ID> (DID Core §3.1).
type DID struct {
	// Method is the method name: lowercase letters and digits.
	Method string
	// ID is the method-specific identifier, still percent-encoded.
	ID string
}

// String returns the DID in its string form.
func (d DID) String() string { return "did:" + d.Method + ":" + d.ID }

// DIDURL is a parsed DID URL (DID Core §3.2): a DID followed by an optional
// path, query and fragment. Components keep their percent-encoding.
type DIDURL struct {
	DID DID
	// Path is the path-abempty part, including its leading "/", or "".
	Path string
	// Query is the part after "?", without it.
	Query string
	// Fragment is the part after "#", without it.
	Fragment string
}

// String returns the DID URL in its string form. An empty query or fragment
// is left out.
func (u DIDURL) String() string {
	var b strings.Builder
	b.Grow(5 + len(u.DID.Method) + len(u.DID.ID) + len(u.Path) + len(u.Query) + len(u.Fragment) + 2)
	b.WriteString("did:")
	b.WriteString(u.DID.Method)
	b.WriteByte(':')
	b.WriteString(u.DID.ID)
	b.WriteString(u.Path)
	if u.Query != "" {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	if u.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

// Parse parses a DID (no path, query or fragment) per the DID Core §3.1
// ABNF. Errors wrap ErrInvalidDID.
func Parse(s string) (DID, error) {
	d, n, err := parseDID(s)
	if err != nil {
		return DID{}, fmt.Errorf("parse did: %w", err)
	}
	if n != len(s) {
		return DID{}, fmt.Errorf("parse did: %w: unexpected %q at offset %d (a DID URL, not a DID)", ErrInvalidDID, s[n], n)
	}
	return d, nil
}

// ParseURL parses a DID URL (DID Core §3.2): a DID, then path-abempty,
// "?" query and "#" fragment as in RFC 3986. Errors wrap ErrInvalidDID.
func ParseURL(s string) (DIDURL, error) {
	d, n, err := parseDID(s)
	if err != nil {
		return DIDURL{}, fmt.Errorf("parse did url: %w", err)
	}
	u := DIDURL{DID: d}
	rest := s[n:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		u.Fragment = rest[i+1:]
		if err := checkChars(u.Fragment, n+i+1, isQueryChar); err != nil {
			return DIDURL{}, fmt.Errorf("parse did url: fragment: %w", err)
		}
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		u.Query = rest[i+1:]
		if err := checkChars(u.Query, n+i+1, isQueryChar); err != nil {
			return DIDURL{}, fmt.Errorf("parse did url: query: %w", err)
		}
		rest = rest[:i]
	}
	// parseDID stops at '/', '?' or '#', so rest is empty or starts with '/'.
	u.Path = rest
	if err := checkChars(u.Path, n, isPathChar); err != nil {
		return DIDURL{}, fmt.Errorf("parse did url: path: %w", err)
	}
	return u, nil
}

// parseDID parses the DID at the start of s and returns it and its length;
// it stops at the first '/', '?' or '#'.
func parseDID(s string) (DID, int, error) {
	if len(s) > MaxLength {
		return DID{}, 0, fmt.Errorf("%w: longer than %d bytes", ErrInvalidDID, MaxLength)
	}
	if !strings.HasPrefix(s, "did:") {
		return DID{}, 0, fmt.Errorf("%w: missing \"did:\" scheme", ErrInvalidDID)
	}
	i := 4
	for i < len(s) && isMethodChar(s[i]) {
		i++
	}
	if i == 4 {
		return DID{}, 0, fmt.Errorf("%w: empty or invalid method name", ErrInvalidDID)
	}
	if i == len(s) || s[i] != ':' {
		return DID{}, 0, fmt.Errorf("%w: method name must be [a-z0-9]+ followed by ':'", ErrInvalidDID)
	}
	method := s[4:i]
	i++
	start := i
	for i < len(s) {
		c := s[i]
		if c == '/' || c == '?' || c == '#' {
			break
		}
		switch {
		case c == ':' || isIDChar(c):
			i++
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return DID{}, 0, fmt.Errorf("%w: bad percent-encoding at offset %d", ErrInvalidDID, i)
			}
			i += 3
		default:
			return DID{}, 0, fmt.Errorf("%w: invalid character %q at offset %d", ErrInvalidDID, c, i)
		}
	}
	// method-specific-id = *( *idchar ":" ) 1*idchar: not empty, and not
	// ending in ':'.
	if i == start || s[i-1] == ':' {
		return DID{}, 0, fmt.Errorf("%w: empty method-specific identifier or trailing ':'", ErrInvalidDID)
	}
	return DID{Method: method, ID: s[start:i]}, i, nil
}

// checkChars validates a path, query or fragment; off is its offset in the
// input, for error messages.
func checkChars(s string, off int, ok func(byte) bool) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("%w: bad percent-encoding at offset %d", ErrInvalidDID, off+i)
			}
			i += 2
		case !ok(c):
			return fmt.Errorf("%w: invalid character %q at offset %d", ErrInvalidDID, c, off+i)
		}
	}
	return nil
}

// DID Core §3.1: method-char = %x61-7A / DIGIT.
func isMethodChar(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// DID Core §3.1: idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
func isIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_'
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
func isPChar(c byte) bool {
	if isIDChar(c) {
		return true
	}
	switch c {
	case '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
		return true
	}
	return false
}

// path-abempty = *( "/" segment ).
func isPathChar(c byte) bool { return c == '/' || isPChar(c) }

// RFC 3986 §3.4, §3.5: query = fragment = *( pchar / "/" / "?" ).
func isQueryChar(c byte) bool { return c == '/' || c == '?' || isPChar(c) }
