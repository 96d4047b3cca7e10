package jsonld

import (
	"strings"

	"github.com/accolade-badges/accolade/internal/rdfc"
)

// isKeyword reports whether s is a JSON-LD 1.1 keyword (JSON-LD 1.1 §1.7).
func isKeyword(s string) bool {
	if len(s) < 3 || s[0] != '@' {
		return false
	}
	switch s {
	case "@base", "@container", "@context", "@direction", "@graph", "@id", "@import",
		"@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix",
		"@propagate", "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab":
		return true
	}
	return false
}

// hasKeywordForm reports whether s is "@" followed by one or more ALPHA
// characters: reserved for future keywords, and ignored with a warning.
func hasKeywordForm(s string) bool {
	if len(s) < 2 || s[0] != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isBlank(s string) bool { return strings.HasPrefix(s, "_:") }

// isAbsoluteIRI reports whether s is an IRI with a scheme (not a blank node
// identifier) and no whitespace (the test of jsonld.js).
func isAbsoluteIRI(s string) bool { return rdfc.HasScheme(s) && !isBlank(s) && !hasSpace(s) }

// hasSpace reports ASCII whitespace, which an IRI never contains.
func hasSpace(s string) bool {
	return strings.ContainsAny(s, " \t\n\r\f\v")
}

// isGenDelim reports whether c is an RFC 3986 gen-delim.
func isGenDelim(c byte) bool {
	switch c {
	case ':', '/', '?', '#', '[', ']', '@':
		return true
	}
	return false
}

// iriByte marks the ASCII bytes an N-Quads IRIREF can carry unescaped (RDF
// 1.1 N-Quads §5): no controls, space, DEL or <>"{}|^`\. Bytes from 0x80 up
// are allowed here; UTF-8 validity is checked apart.
var iriByte = func() (t [256]bool) {
	for c := 0x21; c < 0x100; c++ {
		t[c] = true
	}
	for _, c := range []byte("<>\"{}|^`\\\x7f") {
		t[c] = false
	}
	return t
}()

// uriRef is an RFC 3986 URI reference split into its components.
type uriRef struct {
	scheme, authority, path, query, fragment       string
	hasScheme, hasAuthority, hasQuery, hasFragment bool
}

// parseRef splits s by the regular expression of RFC 3986 Appendix B.
func parseRef(s string) uriRef {
	var r uriRef
	if rdfc.HasScheme(s) {
		i := strings.IndexByte(s, ':')
		r.scheme, r.hasScheme = s[:i], true
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "//") {
		s = s[2:]
		i := strings.IndexAny(s, "/?#")
		if i < 0 {
			i = len(s)
		}
		r.authority, r.hasAuthority = s[:i], true
		s = s[i:]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		r.fragment, r.hasFragment = s[i+1:], true
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		r.query, r.hasQuery = s[i+1:], true
		s = s[:i]
	}
	r.path = s
	return r
}

func (r *uriRef) String() string {
	var b strings.Builder
	if r.hasScheme {
		b.WriteString(r.scheme)
		b.WriteByte(':')
	}
	if r.hasAuthority {
		b.WriteString("//")
		b.WriteString(r.authority)
	}
	b.WriteString(r.path)
	if r.hasQuery {
		b.WriteByte('?')
		b.WriteString(r.query)
	}
	if r.hasFragment {
		b.WriteByte('#')
		b.WriteString(r.fragment)
	}
	return b.String()
}

// resolveIRI resolves ref against base by RFC 3986 §5.2 (no normalization
// beyond removing dot segments), as JSON-LD 1.1 asks. A base without a
// scheme leaves ref as it is.
func resolveIRI(base, ref string) string {
	if rdfc.HasScheme(ref) {
		r := parseRef(ref)
		r.path = removeDotSegments(r.path)
		return r.String()
	}
	if !rdfc.HasScheme(base) {
		return ref
	}
	b, r := parseRef(base), parseRef(ref)
	var t uriRef
	switch {
	case r.hasAuthority:
		t.authority, t.hasAuthority = r.authority, true
		t.path = removeDotSegments(r.path)
		t.query, t.hasQuery = r.query, r.hasQuery
	default:
		if r.path == "" {
			t.path = b.path
			if r.hasQuery {
				t.query, t.hasQuery = r.query, true
			} else {
				t.query, t.hasQuery = b.query, b.hasQuery
			}
		} else {
			if strings.HasPrefix(r.path, "/") {
				t.path = removeDotSegments(r.path)
			} else {
				t.path = removeDotSegments(mergePaths(&b, r.path))
			}
			t.query, t.hasQuery = r.query, r.hasQuery
		}
		t.authority, t.hasAuthority = b.authority, b.hasAuthority
	}
	t.scheme, t.hasScheme = b.scheme, true
	t.fragment, t.hasFragment = r.fragment, r.hasFragment
	return t.String()
}

// mergePaths is RFC 3986 §5.2.3.
func mergePaths(base *uriRef, ref string) string {
	if base.hasAuthority && base.path == "" {
		return "/" + ref
	}
	i := strings.LastIndexByte(base.path, '/')
	if i < 0 {
		return ref
	}
	return base.path[:i+1] + ref
}

// removeDotSegments is RFC 3986 §5.2.4.
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string
	for len(in) > 0 {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			start := 0
			if in[0] == '/' {
				start = 1
			}
			i := strings.IndexByte(in[start:], '/')
			if i < 0 {
				i = len(in)
			} else {
				i += start
			}
			out = append(out, in[:i])
			in = in[i:]
		}
	}
	return strings.Join(out, "")
}
