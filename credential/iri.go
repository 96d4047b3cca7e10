package credential

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IRIProblem says why s cannot be an absolute IRI in a signed credential,
// or returns "" when it can. The rule is RFC 3987's absolute IRI as far as
// the RDF Dataset Canonicalization of a Data Integrity proof needs it: a
// scheme ([A-Za-z][A-Za-z0-9+.-]*), a colon, and none of the characters the
// N-Quads IRIREF production forbids (U+0000-U+0020, <, >, ", {, }, |, ^, `
// and \; RDF 1.1 N-Quads §6.1). Such a character must be percent-encoded.
// A value holding one cannot be canonicalized, so Accolade refuses it where
// it enters instead of failing when it signs.
func IRIProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !validScheme(s[:colon]) {
		return "must be an absolute IRI (scheme:...)"
	}
	if i := strings.IndexFunc(s, forbiddenInIRI); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Sprintf("must not contain %q (percent-encode it): not a valid IRI (RFC 3987)", r)
	}
	return ""
}

// ValidIRI reports whether s is an absolute IRI that can be signed
// (IRIProblem(s) == "").
func ValidIRI(s string) bool { return IRIProblem(s) == "" }

// CheckIRI returns a *ValidationError naming field when s is not an IRI
// that can be signed, or nil.
func CheckIRI(field, s string) *ValidationError {
	if p := IRIProblem(s); p != "" {
		return &ValidationError{Field: field, Reason: p}
	}
	return nil
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func forbiddenInIRI(r rune) bool {
	if r <= 0x20 {
		return true
	}
	switch r {
	case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
		return true
	}
	return false
}

// iriTerms are the JSON members of a credential whose string values are
// node references (JSON-LD "@type": "@id" or "@vocab" in the VCDM 2.0 and
// OB 3.0 contexts) and so become IRIs when the credential is
// canonicalized; "id" and "type" are checked everywhere.
var iriTerms = map[string]bool{
	"id": true, "type": true, "issuer": true, "holder": true, "image": true, "criteria": true,
	"address": true, "parentOrg": true, "source": true, "verificationMethod": true,
}

// CheckIRIs walks a credential (or any JSON-LD document in its JSON object
// form) and reports every node reference that is not an IRI that can be
// signed (see IRIProblem), by its dotted path. A type that is a relative
// term (a name such as "OpenBadgeCredential") only has to be free of the
// forbidden characters. @context members are not walked.
func CheckIRIs(doc map[string]any) []*ValidationError {
	var out []*ValidationError
	// The path is kept as segments and written out only for a problem:
	// issuing checks every credential, and nearly all are fine.
	var segs []pathSeg
	var walk func(v any, term bool, typ bool)
	walk = func(v any, term, typ bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if strings.HasPrefix(k, "@") {
					continue
				}
				segs = append(segs, pathSeg{key: k})
				walk(val, iriTerms[k], k == "type")
				segs = segs[:len(segs)-1]
			}
		case []any:
			for i, item := range x {
				segs = append(segs, pathSeg{idx: i, isIdx: true})
				walk(item, term, typ)
				segs = segs[:len(segs)-1]
			}
		case string:
			if !term {
				return
			}
			if typ && !strings.Contains(x, ":") {
				if x == "" || strings.IndexFunc(x, forbiddenInIRI) >= 0 {
					out = append(out, &ValidationError{Field: pathString(segs), Reason: "must be a term or an IRI without spaces or <>\"{}|^`\\"})
				}
				return
			}
			if strings.HasPrefix(x, "_:") && strings.IndexFunc(x, forbiddenInIRI) < 0 {
				return // a blank node identifier
			}
			if IRIProblem(x) == "" {
				return
			}
			if ve := CheckIRI(pathString(segs), x); ve != nil {
				out = append(out, ve)
			}
		}
	}
	walk(doc, false, false)
	slices.SortFunc(out, func(a, b *ValidationError) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// pathSeg is one step of a path into a JSON document: a member or an index.
type pathSeg struct {
	key   string
	idx   int
	isIdx bool
}

// pathString writes segs the way field names are reported: members joined
// with dots, indexes in brackets ("evidence[0].id").
func pathString(segs []pathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		if s.isIdx {
			b.WriteString("[")
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteString("]")
			continue
		}
		if b.Len() > 0 {
			b.WriteString(".")
		}
		b.WriteString(s.key)
	}
	return b.String()
}
