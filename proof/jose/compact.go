package jose

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxTokenSize is the largest compact token, in bytes, that Verify,
// VerifyPresentation, ParseUnverified and Unenvelope accept. A typical OB
// credential is 2-4 KB as a JWT; the cap bounds the work an untrusted input
// can cause before its signature is checked.
const MaxTokenSize = 256 << 10

// maxJSONDepth bounds the nesting of header and payload JSON. Credentials
// nest about 6 levels deep; the cap keeps hostile input from recursing far.
const maxJSONDepth = 64

// b64 is the base64url encoding without padding that RFC 7515 §2 requires.
// Strict decoding refuses non-zero trailing bits, so each segment has
// exactly one accepted spelling.
var b64 = base64.RawURLEncoding.Strict()

// ParseUnverified decodes a compact JWS's header and payload WITHOUT
// checking its signature, algorithm or claims. It is for display and
// debugging only (showing what a token claims, logging its kid): never
// trust, store or act on what it returns. Use Verify or VerifyPresentation
// for anything else. Malformed input returns an error wrapping ErrMalformed.
func ParseUnverified(token string) (header, payload map[string]any, err error) {
	parts, err := splitCompact(token)
	if err != nil {
		return nil, nil, fmt.Errorf("parse jwt: %w", err)
	}
	if header, err = decodeSegmentObject(parts[0], "header"); err != nil {
		return nil, nil, fmt.Errorf("parse jwt: %w", err)
	}
	if payload, err = decodeSegmentObject(parts[1], "payload"); err != nil {
		return nil, nil, fmt.Errorf("parse jwt: %w", err)
	}
	if _, err := decodeSegment(parts[2], "signature"); err != nil {
		return nil, nil, fmt.Errorf("parse jwt: %w", err)
	}
	return header, payload, nil
}

// splitCompact checks the size and alphabet of a compact JWS (RFC 7515
// §7.1) and returns its three segments, still encoded.
func splitCompact(token string) ([3]string, error) {
	var parts [3]string
	if len(token) > MaxTokenSize {
		return parts, fmt.Errorf("%w: token of %d bytes exceeds %d", ErrMalformed, len(token), MaxTokenSize)
	}
	// encoding/base64 silently skips \r and \n, so check the alphabet first:
	// a token has exactly one accepted spelling.
	dots := 0
	for i := 0; i < len(token); i++ {
		switch c := token[i]; {
		case c == '.':
			dots++
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return parts, fmt.Errorf("%w: character %q at offset %d is not base64url", ErrMalformed, c, i)
		}
	}
	if dots != 2 {
		return parts, fmt.Errorf("%w: compact jws needs 3 segments, got %d", ErrMalformed, dots+1)
	}
	i := strings.IndexByte(token, '.')
	j := i + 1 + strings.IndexByte(token[i+1:], '.')
	parts[0], parts[1], parts[2] = token[:i], token[i+1:j], token[j+1:]
	if parts[0] == "" || parts[1] == "" {
		return parts, fmt.Errorf("%w: empty header or payload segment", ErrMalformed)
	}
	return parts, nil
}

func decodeSegment(s, what string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64url without padding", ErrMalformed, what)
	}
	return b, nil
}

func decodeSegmentObject(s, what string) (map[string]any, error) {
	b, err := decodeSegment(s, what)
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return obj, nil
}

var errNotObject = errors.New("not a JSON object")

// decodeObject parses one JSON object, as encoding/json does into
// map[string]any, but also refuses duplicate member names at any depth
// (RFC 7515 §5.2 and RFC 7519 §7.2 allow either rejecting them or taking
// the last; two parsers taking different ones is how signed claims get
// reinterpreted) and nesting deeper than maxJSONDepth.
func decodeObject(data []byte) (map[string]any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	// data is valid JSON now, which the scanner relies on.
	sc := dupScanner{data: data}
	if err := sc.value(0); err != nil {
		return nil, err
	}
	return obj, nil
}

// dupScanner walks JSON that encoding/json has already accepted, looking
// only at object member names and nesting depth.
type dupScanner struct {
	data []byte
	i    int
}

func (s *dupScanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *dupScanner) value(depth int) error {
	s.ws()
	if s.i >= len(s.data) {
		return io.ErrUnexpectedEOF
	}
	switch s.data[s.i] {
	case '{':
		return s.object(depth + 1)
	case '[':
		return s.array(depth + 1)
	case '"':
		_, err := s.str()
		return err
	default: // number, true, false, null
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return nil
			}
			s.i++
		}
		return nil
	}
}

// smallObject is the member count up to which names are checked by linear
// search; larger objects switch to a map, so hostile input stays linear.
const smallObject = 16

func (s *dupScanner) object(depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("JSON nested deeper than %d", maxJSONDepth)
	}
	s.i++ // {
	var (
		names [smallObject]string
		n     int
		set   map[string]struct{}
	)
	for {
		s.ws()
		if s.i >= len(s.data) {
			return io.ErrUnexpectedEOF
		}
		switch s.data[s.i] {
		case '}':
			s.i++
			return nil
		case ',':
			s.i++
			s.ws()
		}
		name, err := s.str()
		if err != nil {
			return err
		}
		dup := false
		switch {
		case set != nil:
			_, dup = set[name]
			set[name] = struct{}{}
		case n < smallObject:
			for _, x := range names[:n] {
				dup = dup || x == name
			}
			names[n] = name
			n++
		default:
			set = make(map[string]struct{}, 2*smallObject)
			for _, x := range names {
				set[x] = struct{}{}
			}
			_, dup = set[name]
			set[name] = struct{}{}
		}
		if dup {
			return fmt.Errorf("duplicate member %q", name)
		}
		s.ws()
		s.i++ // :
		if err := s.value(depth); err != nil {
			return err
		}
	}
}

func (s *dupScanner) array(depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("JSON nested deeper than %d", maxJSONDepth)
	}
	s.i++ // [
	for {
		s.ws()
		if s.i >= len(s.data) {
			return io.ErrUnexpectedEOF
		}
		switch s.data[s.i] {
		case ']':
			s.i++
			return nil
		case ',':
			s.i++
		}
		if err := s.value(depth); err != nil {
			return err
		}
	}
}

// str reads a string at s.i and returns its value, unescaped only when it
// has escapes, so that "a" and "\u0061" count as the same name.
func (s *dupScanner) str() (string, error) {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return "", errors.New("expected a string")
	}
	start := s.i
	escaped := false
	for s.i++; s.i < len(s.data); s.i++ {
		switch s.data[s.i] {
		case '\\':
			escaped = true
			s.i++
		case '"':
			s.i++
			raw := s.data[start:s.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", err
			}
			return v, nil
		}
	}
	return "", io.ErrUnexpectedEOF
}

// marshalJSON encodes v without encoding/json's HTML escaping of <, > and
// &, which is legal but makes tokens larger and differ from other
// implementations' output for no benefit.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
