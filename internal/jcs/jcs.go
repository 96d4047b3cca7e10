package jcs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack;
// encoding/json uses the same limit.
const maxDepth = 10000

// Error reports input that is not I-JSON (RFC 7493) and so has no canonical
// form: a syntax error, a duplicate member name, invalid UTF-8, a lone
// surrogate escape, or a number outside the IEEE-754 double range.
type Error struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Reason says what is wrong.
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("jcs: %s at offset %d", e.Reason, e.Offset)
}

// Transform returns the RFC 8785 canonical form of the JSON text data.
// Whitespace around the value is allowed; anything else after it is an error.
// The result is valid UTF-8 JSON, and Transform of the result returns it
// unchanged.
func Transform(data []byte) ([]byte, error) {
	p := parser{data: data}
	p.skipSpace()
	out, err := p.value(make([]byte, 0, len(data)), 0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.fail("unexpected data after the top-level value")
	}
	return out, nil
}

// Marshal returns the canonical form of v: json.Marshal followed by
// Transform. NaN and infinite floats fail in json.Marshal already.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("jcs: marshal: %w", err)
	}
	return Transform(b)
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) fail(reason string) error {
	return &Error{Offset: p.pos, Reason: reason}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses one JSON value at p.pos and appends its canonical form to dst.
func (p *parser) value(dst []byte, depth int) ([]byte, error) {
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(dst, depth+1)
	case c == '[':
		return p.array(dst, depth+1)
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return appendString(dst, s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	case c == 't':
		return p.literal(dst, "true")
	case c == 'f':
		return p.literal(dst, "false")
	case c == 'n':
		return p.literal(dst, "null")
	default:
		return nil, p.fail(fmt.Sprintf("invalid character %q looking for a value", c))
	}
}

func (p *parser) literal(dst []byte, lit string) ([]byte, error) {
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return nil, p.fail("invalid literal")
	}
	p.pos += len(lit)
	return append(dst, lit...), nil
}

type member struct {
	name       string
	start, end int // the canonical value in the object's scratch buffer
	offset     int // input offset of the name, for error reports
}

func (p *parser) object(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, p.fail("nesting too deep")
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return append(dst, '{', '}'), nil
	}
	var (
		members []member
		scratch []byte
	)
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail("expected a member name")
		}
		off := p.pos
		name, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail("expected ':' after a member name")
		}
		p.pos++
		p.skipSpace()
		start := len(scratch)
		if scratch, err = p.value(scratch, depth); err != nil {
			return nil, err
		}
		members = append(members, member{name: name, start: start, end: len(scratch), offset: off})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input in an object")
		}
		if c := p.data[p.pos]; c == ',' {
			p.pos++
			continue
		} else if c == '}' {
			p.pos++
			break
		}
		return nil, p.fail("expected ',' or '}' in an object")
	}
	slices.SortStableFunc(members, func(a, b member) int { return compareUTF16(a.name, b.name) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			if members[i-1].name == m.name {
				// RFC 8785 §3.1 / RFC 7493 §2.3: member names must be unique.
				return nil, &Error{Offset: m.offset, Reason: fmt.Sprintf("duplicate member name %q", m.name)}
			}
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.name)
		dst = append(dst, ':')
		dst = append(dst, scratch[m.start:m.end]...)
	}
	return append(dst, '}'), nil
}

func (p *parser) array(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, p.fail("nesting too deep")
	}
	p.pos++ // '['
	dst = append(dst, '[')
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return append(dst, ']'), nil
	}
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		p.skipSpace()
		var err error
		if dst, err = p.value(dst, depth); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input in an array")
		}
		if c := p.data[p.pos]; c == ',' {
			p.pos++
			continue
		} else if c == ']' {
			p.pos++
			return append(dst, ']'), nil
		}
		return nil, p.fail("expected ',' or ']' in an array")
	}
}

// number checks the RFC 8259 number grammar, converts the text to the
// nearest IEEE-754 double and appends its ECMAScript form.
func (p *parser) number(dst []byte) ([]byte, error) {
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		p.pos = i
		return nil, p.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			return nil, p.fail("invalid number: digit expected after '.'")
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			return nil, p.fail("invalid number: digit expected in exponent")
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	f, err := strconv.ParseFloat(string(d[start:i]), 64)
	if err != nil {
		// Only ErrRange is possible here: the grammar was checked above.
		return nil, p.fail("number outside the IEEE-754 double range")
	}
	p.pos = i
	return AppendNumber(dst, f)
}

// string parses a JSON string at p.pos (which holds '"') and returns its
// decoded value, rejecting invalid UTF-8 and unpaired surrogate escapes.
func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	d := p.data
	// Fast path: no escapes.
	i := p.pos
	for i < len(d) {
		c := d[i]
		if c == '"' {
			s := d[p.pos:i]
			if !utf8.Valid(s) {
				return "", p.invalidUTF8(p.pos)
			}
			p.pos = i + 1
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	buf := make([]byte, 0, i-p.pos+16)
	for {
		if p.pos >= len(d) {
			return "", p.fail("unterminated string")
		}
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(d[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.invalidUTF8(p.pos)
			}
			buf = append(buf, d[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
}

func (p *parser) invalidUTF8(from int) error {
	s := p.data[from:]
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{Offset: from + i, Reason: "invalid UTF-8 in string"}
		}
		i += size
	}
	return &Error{Offset: from, Reason: "invalid UTF-8 in string"}
}

// escape decodes one escape sequence at p.pos (which holds '\'), combining a
// \uD800-\uDBFF escape with the \uDC00-\uDFFF escape that must follow it.
func (p *parser) escape() (rune, error) {
	d := p.data
	if p.pos+1 >= len(d) {
		return 0, p.fail("unterminated escape")
	}
	c := d[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
	default:
		p.pos -= 2
		return 0, p.fail(fmt.Sprintf("invalid escape '\\%c'", c))
	}
	start := p.pos - 2
	r, ok := p.hex4()
	if !ok {
		return 0, p.fail("invalid \\u escape")
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		if p.pos+6 <= len(d) && d[p.pos] == '\\' && d[p.pos+1] == 'u' {
			p.pos += 2
			lo, ok := p.hex4()
			if ok && lo >= 0xDC00 && lo <= 0xDFFF {
				return utf16.DecodeRune(r, lo), nil
			}
		}
		return 0, &Error{Offset: start, Reason: "lone high surrogate escape"}
	case utf16.IsSurrogate(r):
		return 0, &Error{Offset: start, Reason: "lone low surrogate escape"}
	}
	return r, nil
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

const hexDigits = "0123456789abcdef"

// appendString appends s (valid UTF-8) as a JSON string the way
// ECMAScript's JSON.stringify writes it (RFC 8785 §3.2.2.2): only '"', '\'
// and the C0 controls are escaped, with the two-character forms where they
// exist and \u00xx (lowercase hex) otherwise. Everything else, including
// '/', DEL, U+2028 and non-ASCII, is written as is.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// compareUTF16 orders two valid UTF-8 strings by their UTF-16 code units
// (RFC 8785 §3.2.3). It differs from byte (code point) order only when a
// supplementary-plane character (a surrogate pair, 0xD800-0xDFFF) meets a
// BMP character at or above U+E000: the pair sorts first.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return cmpUnit(ra) - cmpUnit(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// cmpUnit maps a rune to a key whose numeric order is the order of its
// first UTF-16 code units: characters below U+D800 keep their value,
// supplementary characters (written as surrogate pairs, 0xD800-0xDBFF first)
// come next in code point order, and U+E000-U+FFFF sort last.
func cmpUnit(r rune) int {
	switch {
	case r < 0xD800:
		return int(r)
	case r >= 0x10000:
		return 0x10000 + int(r) // 0x20000..0x20FFFF
	default:
		return 0x300000 + int(r) // U+E000..U+FFFF
	}
}

// Equal reports whether a and b are the same decoded JSON value: the types
// encoding/json decodes into any (map[string]any, []any, string, float64 or
// json.Number, bool and nil), compared member by member, numbers of the same
// Go type by value (float64) or text (json.Number). A value of any other
// type is equal to nothing, not even itself: callers compare what a
// document says, and a type this does not know cannot be vouched for.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// Clone deep-copies a decoded JSON value: maps and slices are copied, all
// other values (strings, numbers, bools, nil) are immutable and shared.
func Clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = Clone(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = Clone(e)
		}
		return s
	}
	return v
}
