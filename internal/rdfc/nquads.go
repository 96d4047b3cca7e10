package rdfc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AppendNQuads appends the quads of d in N-Quads form, in their order, with
// their own blank node labels: the serialization of a dataset that is not
// (yet) canonical. Use Canonicalize for the canonical form.
func AppendNQuads(dst []byte, d *Dataset) []byte {
	for i := range d.Quads {
		dst = AppendQuad(dst, &d.Quads[i])
	}
	return dst
}

// AppendQuad appends q as one N-Quads line, ending in "\n".
func AppendQuad(dst []byte, q *Quad) []byte {
	dst = appendTerm(dst, q.Subject)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Predicate)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Object)
	if q.Graph.Kind != 0 {
		dst = append(dst, ' ')
		dst = appendTerm(dst, q.Graph)
	}
	return append(dst, " .\n"...)
}

// appendTerm writes t in canonical N-Quads form: IRIs raw in <>, literals
// escaped, xsd:string implied, blank nodes as _:label.
func appendTerm(dst []byte, t Term) []byte {
	switch t.Kind {
	case KindIRI:
		dst = append(dst, '<')
		dst = append(dst, t.Value...)
		return append(dst, '>')
	case KindBlank:
		dst = append(dst, '_', ':')
		return append(dst, t.Value...)
	case KindLiteral:
		dst = append(dst, '"')
		dst = appendEscaped(dst, t.Value)
		dst = append(dst, '"')
		switch {
		case t.Language != "":
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString:
			dst = append(dst, '^', '^', '<')
			dst = append(dst, t.Datatype...)
			dst = append(dst, '>')
		}
		return dst
	}
	return dst
}

const hexUpper = "0123456789ABCDEF"

// appendEscaped escapes a literal's lexical form the canonical way
// (RDFC-1.0 §4.4 and RDF 1.1 N-Quads canonical form): \b \t \n \f \r \"
// \\ as ECHAR, the other characters below U+0020 and U+007F as \uXXXX with
// upper-case hex, everything else as its UTF-8 bytes.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xf])
		}
	}
	return append(dst, s[start:]...)
}

// ParseNQuads parses an N-Quads document (RDF 1.1 N-Quads, W3C
// Recommendation 2014-02-25): one statement per line, comments and blank
// lines allowed, \u and \U escapes in IRIs and literals, ECHAR escapes in
// literals. Blank node labels are kept as written (without "_:"). It does
// not resolve relative IRIs: N-Quads has none.
func ParseNQuads(data []byte) (*Dataset, error) {
	p := nqParser{s: string(data), line: 1}
	d := &Dataset{}
	for {
		p.skipSpaceAndComments()
		if p.i >= len(p.s) {
			return d, nil
		}
		q, err := p.statement()
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrSyntax, p.line, err)
		}
		d.Quads = append(d.Quads, q)
	}
}

type nqParser struct {
	s    string
	i    int
	line int
}

func (p *nqParser) skipSpaceAndComments() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case ' ', '\t', '\r':
			p.i++
		case '\n':
			p.i++
			p.line++
		case '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

// skipInline skips spaces and tabs within a statement.
func (p *nqParser) skipInline() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *nqParser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term(); err != nil {
		return q, err
	}
	if q.Subject.Kind == KindLiteral {
		return q, fmt.Errorf("literal subject")
	}
	p.skipInline()
	if q.Predicate, err = p.term(); err != nil {
		return q, err
	}
	if q.Predicate.Kind != KindIRI {
		return q, fmt.Errorf("predicate is not an IRI")
	}
	p.skipInline()
	if q.Object, err = p.term(); err != nil {
		return q, err
	}
	p.skipInline()
	if p.i < len(p.s) && p.s[p.i] != '.' {
		if q.Graph, err = p.term(); err != nil {
			return q, err
		}
		if q.Graph.Kind == KindLiteral {
			return q, fmt.Errorf("literal graph name")
		}
		p.skipInline()
	}
	if p.i >= len(p.s) || p.s[p.i] != '.' {
		return q, fmt.Errorf("statement does not end in '.'")
	}
	p.i++
	p.skipInline()
	if p.i < len(p.s) && p.s[p.i] == '#' {
		for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
			p.i++
		}
	}
	if p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != '\r' {
		return q, fmt.Errorf("text after '.'")
	}
	return q, nil
}

func (p *nqParser) term() (Term, error) {
	if p.i >= len(p.s) {
		return Term{}, fmt.Errorf("unexpected end of input")
	}
	switch p.s[p.i] {
	case '<':
		iri, err := p.iriRef()
		if err != nil {
			return Term{}, err
		}
		return IRI(iri), nil
	case '_':
		return p.blank()
	case '"':
		return p.literal()
	default:
		return Term{}, fmt.Errorf("unexpected %q", p.s[p.i])
	}
}

// iriRef reads <...>, decoding \u and \U escapes. It requires an absolute
// IRI (a scheme), as N-Quads does.
func (p *nqParser) iriRef() (string, error) {
	p.i++ // '<'
	var b strings.Builder
	start := p.i
	for {
		if p.i >= len(p.s) {
			return "", fmt.Errorf("unterminated IRI")
		}
		c := p.s[p.i]
		switch {
		case c == '>':
			var iri string
			if b.Len() == 0 {
				iri = p.s[start:p.i]
			} else {
				b.WriteString(p.s[start:p.i])
				iri = b.String()
			}
			p.i++
			if !HasScheme(iri) {
				return "", fmt.Errorf("relative IRI <%s>", iri)
			}
			if err := checkIRI(iri); err != nil {
				return "", err
			}
			return iri, nil
		case c == '\\':
			b.WriteString(p.s[start:p.i])
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
			start = p.i
		case c <= 0x20 || badIRIByte[c]:
			return "", fmt.Errorf("character %q in IRI", c)
		default:
			p.i++
		}
	}
}

// uchar reads \uXXXX or \UXXXXXXXX at p.i.
func (p *nqParser) uchar() (rune, error) {
	if p.i+1 >= len(p.s) {
		return 0, fmt.Errorf("unterminated escape")
	}
	n := 0
	switch p.s[p.i+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, fmt.Errorf("bad escape \\%c", p.s[p.i+1])
	}
	if p.i+2+n > len(p.s) {
		return 0, fmt.Errorf("short \\%c escape", p.s[p.i+1])
	}
	v, err := strconv.ParseUint(p.s[p.i+2:p.i+2+n], 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, fmt.Errorf("bad \\%c escape %q", p.s[p.i+1], p.s[p.i+2:p.i+2+n])
	}
	p.i += 2 + n
	return rune(v), nil
}

func (p *nqParser) blank() (Term, error) {
	if !strings.HasPrefix(p.s[p.i:], "_:") {
		return Term{}, fmt.Errorf("bad blank node")
	}
	p.i += 2
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '"' || c == '#' {
			break
		}
		p.i++
	}
	// A label may contain '.' but not end with one (PN_CHARS).
	for p.i > start && p.s[p.i-1] == '.' {
		p.i--
	}
	if p.i == start {
		return Term{}, fmt.Errorf("empty blank node label")
	}
	label := p.s[start:p.i]
	if !utf8.ValidString(label) {
		return Term{}, fmt.Errorf("blank node label is not UTF-8")
	}
	return Blank(label), nil
}

func (p *nqParser) literal() (Term, error) {
	p.i++ // '"'
	var b strings.Builder
	start := p.i
	escaped := false
	var value string
	for {
		if p.i >= len(p.s) {
			return Term{}, fmt.Errorf("unterminated literal")
		}
		c := p.s[p.i]
		if c == '"' {
			if !escaped {
				value = p.s[start:p.i]
			} else {
				b.WriteString(p.s[start:p.i])
				value = b.String()
			}
			p.i++
			break
		}
		if c == '\n' || c == '\r' {
			return Term{}, fmt.Errorf("line break in literal")
		}
		if c != '\\' {
			p.i++
			continue
		}
		b.WriteString(p.s[start:p.i])
		escaped = true
		if p.i+1 >= len(p.s) {
			return Term{}, fmt.Errorf("unterminated escape")
		}
		switch e := p.s[p.i+1]; e {
		case 'u', 'U':
			r, err := p.uchar()
			if err != nil {
				return Term{}, err
			}
			b.WriteRune(r)
		default:
			d, ok := echar(e)
			if !ok {
				return Term{}, fmt.Errorf("bad escape \\%c", e)
			}
			b.WriteByte(d)
			p.i += 2
		}
		start = p.i
	}
	if !utf8.ValidString(value) {
		return Term{}, fmt.Errorf("literal is not UTF-8")
	}
	t := Literal(value, "", "")
	if p.i < len(p.s) && p.s[p.i] == '@' {
		p.i++
		start := p.i
		for p.i < len(p.s) && (isAlnum(p.s[p.i]) || p.s[p.i] == '-') {
			p.i++
		}
		t.Language = p.s[start:p.i]
		if !ValidLanguageTag(t.Language) {
			return Term{}, fmt.Errorf("bad language tag %q", t.Language)
		}
	} else if strings.HasPrefix(p.s[p.i:], "^^") {
		p.i += 2
		if p.i >= len(p.s) || p.s[p.i] != '<' {
			return Term{}, fmt.Errorf("datatype is not an IRI")
		}
		dt, err := p.iriRef()
		if err != nil {
			return Term{}, err
		}
		if dt != XSDString {
			t.Datatype = dt
		}
	}
	return t, nil
}

func echar(e byte) (byte, bool) {
	switch e {
	case 't':
		return '\t', true
	case 'b':
		return '\b', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 'f':
		return '\f', true
	case '"', '\'', '\\':
		return e, true
	}
	return 0, false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
