package jsonld

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/internal/rdfc"
)

// Vocabulary IRIs of the RDF conversion (JSON-LD 1.1 API §8).
const (
	rdfNS      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	xsdNS      = "http://www.w3.org/2001/XMLSchema#"
	xsdBoolean = xsdNS + "boolean"
	xsdDouble  = xsdNS + "double"
	xsdInteger = xsdNS + "integer"
	rdfJSON    = rdfNS + "JSON"
)

var (
	rdfType  = rdfc.IRI(rdfNS + "type")
	rdfFirst = rdfc.IRI(rdfNS + "first")
	rdfRest  = rdfc.IRI(rdfNS + "rest")
	rdfNil   = rdfc.IRI(rdfNS + "nil")
)

// genLabels are the first blank node labels the writer issues. Document
// blank node identifiers "_:x" become ":x", which no issued label starts
// with, so the two never collide.
var genLabels = func() (l [256]string) {
	for i := range l {
		l[i] = "g" + strconv.Itoa(i)
	}
	return l
}()

// rdfWriter turns expanded items into quads (JSON-LD 1.1 API §8.1-8.3),
// walking the tree instead of building a node map first: the node map only
// merges nodes and removes duplicate statements, which an RDF dataset (a
// set) does anyway.
type rdfWriter struct {
	ds     *rdfc.Dataset
	strict bool
	n      int
}

func (w *rdfWriter) fresh() rdfc.Term {
	n := w.n
	w.n++
	if n < len(genLabels) {
		return rdfc.Blank(genLabels[n])
	}
	return rdfc.Blank("g" + strconv.Itoa(n))
}

// wellFormedIRI reports whether s is an absolute IRI that N-Quads can
// carry: JSON-LD drops statements with other IRIs.
func wellFormedIRI(s string) bool {
	if !rdfc.HasScheme(s) {
		return false
	}
	hashes, ascii := 0, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !iriByte[c] {
			return false
		}
		if c == '#' {
			hashes++
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	// A fragment cannot hold '#' (RFC 3987 ifragment).
	return hashes <= 1 && (ascii || utf8.ValidString(s))
}

// idTerm converts an @id, a type or a graph name: a blank node or an IRI.
// It returns false for an IRI the conversion drops (an error in strict
// mode).
func (w *rdfWriter) idTerm(s, what string) (rdfc.Term, bool, error) {
	if isBlank(s) {
		if len(s) == 2 {
			return rdfc.Term{}, false, w.drop(ErrUnsupported, "%s %q is an empty blank node identifier", what, s)
		}
		return rdfc.Blank(s[1:]), true, nil
	}
	if wellFormedIRI(s) {
		return rdfc.IRI(s), true, nil
	}
	if !rdfc.HasScheme(s) {
		return rdfc.Term{}, false, w.drop(ErrDropped, "%s %q is a relative IRI (no context defines it)", what, s)
	}
	return rdfc.Term{}, false, w.drop(ErrUnsupported, "%s %q has characters an N-Quads IRI cannot hold", what, s)
}

// drop returns the strict-mode error, or nil outside strict mode.
func (w *rdfWriter) drop(kind error, format string, args ...any) error {
	if !w.strict {
		return nil
	}
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

func (w *rdfWriter) add(s, p, o, g rdfc.Term) {
	w.ds.Quads = append(w.ds.Quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

// node writes the statements of node object n in graph g and returns its
// subject; false means the subject is dropped (its statements are, but
// nested nodes still count).
func (w *rdfWriter) node(n *item, g rdfc.Term) (rdfc.Term, bool, error) {
	var s rdfc.Term
	sOK := true
	switch {
	case n.nullID:
		sOK = false
	case n.has&hID != 0:
		var err error
		if s, sOK, err = w.idTerm(n.id, "@id"); err != nil {
			return s, false, err
		}
	default:
		s = w.fresh()
	}
	if n.has&hType != 0 {
		for _, t := range n.types {
			o, ok, err := w.idTerm(t, "type")
			if err != nil {
				return s, false, err
			}
			if ok && sOK {
				w.add(s, rdfType, o, g)
			}
		}
	}
	for i := range n.props {
		p := &n.props[i]
		pred, pOK, err := w.predicate(p.iri)
		if err != nil {
			return s, false, err
		}
		for _, v := range p.vals {
			o, ok, err := w.object(v, g)
			if err != nil {
				return s, false, err
			}
			if ok && sOK && pOK {
				w.add(s, pred, o, g)
			}
		}
	}
	x := n.rare()
	for i := range x.reverse {
		p := &x.reverse[i]
		pred, pOK, err := w.predicate(p.iri)
		if err != nil {
			return s, false, err
		}
		for _, v := range p.vals {
			subj, ok, err := w.node(v, g)
			if err != nil {
				return s, false, err
			}
			if ok && sOK && pOK {
				w.add(subj, pred, s, g)
			}
		}
	}
	if n.has&hGraph != 0 && sOK {
		for _, it := range x.graph {
			if _, _, err := w.node(it, s); err != nil {
				return s, false, err
			}
		}
	}
	for _, it := range x.included {
		if _, _, err := w.node(it, g); err != nil {
			return s, false, err
		}
	}
	return s, sOK, nil
}

func (w *rdfWriter) predicate(iri string) (rdfc.Term, bool, error) {
	if isBlank(iri) {
		return rdfc.Term{}, false, w.drop(ErrUnsupported, "property %q is a blank node (generalized RDF)", iri)
	}
	if wellFormedIRI(iri) {
		return rdfc.IRI(iri), true, nil
	}
	if !rdfc.HasScheme(iri) {
		return rdfc.Term{}, false, w.drop(ErrDropped, "property %q is a relative IRI (no context defines it)", iri)
	}
	return rdfc.Term{}, false, w.drop(ErrUnsupported, "property %q has characters an N-Quads IRI cannot hold", iri)
}

// object is Object to RDF Conversion (JSON-LD 1.1 API §8.2).
func (w *rdfWriter) object(v *item, g rdfc.Term) (rdfc.Term, bool, error) {
	switch {
	case v.isValue():
		return w.literal(v)
	case v.isList():
		return w.list(v.list, g)
	default:
		return w.node(v, g)
	}
}

// list is List Conversion (JSON-LD 1.1 API §8.3).
func (w *rdfWriter) list(items []*item, g rdfc.Term) (rdfc.Term, bool, error) {
	if len(items) == 0 {
		return rdfNil, true, nil
	}
	head := w.fresh()
	cur := head
	for i, it := range items {
		o, ok, err := w.object(it, g)
		if err != nil {
			return head, false, err
		}
		if ok {
			w.add(cur, rdfFirst, o, g)
		}
		next := rdfNil
		if i < len(items)-1 {
			next = w.fresh()
		}
		w.add(cur, rdfRest, next, g)
		cur = next
	}
	return head, true, nil
}

func (w *rdfWriter) literal(v *item) (rdfc.Term, bool, error) {
	dt := ""
	if v.has&hType != 0 && len(v.types) > 0 {
		dt = v.types[0]
	}
	if dt == "@json" {
		b, err := jcs.Marshal(v.value)
		if err != nil {
			return rdfc.Term{}, false, newError("invalid JSON literal", err.Error())
		}
		return rdfc.Literal(string(b), rdfJSON, ""), true, nil
	}
	if dt != "" && !wellFormedIRI(dt) {
		if !rdfc.HasScheme(dt) {
			return rdfc.Term{}, false, w.drop(ErrDropped, "datatype %q is a relative IRI", dt)
		}
		return rdfc.Term{}, false, w.drop(ErrUnsupported, "datatype %q has characters an N-Quads IRI cannot hold", dt)
	}
	lang := ""
	if v.has&hLang != 0 {
		if !wellFormedLanguage(v.lang) {
			return rdfc.Term{}, false, w.drop(ErrUnsupported, "language tag %q is not well-formed", v.lang)
		}
		lang = v.lang
	}
	if v.has&hDir != 0 && w.strict {
		// With rdfDirection unset the direction is dropped; jsonld.js in
		// safe mode refuses it.
		return rdfc.Term{}, false, w.drop(ErrUnsupported, "@direction %q has no RDF form without rdfDirection", v.rare().dir)
	}
	var lex string
	switch x := v.value.(type) {
	case string:
		lex = x
		if !utf8.ValidString(x) {
			return rdfc.Term{}, false, w.drop(ErrUnsupported, "string is not UTF-8")
		}
	case bool:
		lex = "false"
		if x {
			lex = "true"
		}
		if dt == "" {
			dt = xsdBoolean
		}
	case float64:
		lex, dt = number(x, dt)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return rdfc.Term{}, false, newError("invalid JSON literal", fmt.Sprintf("number %q", string(x)))
		}
		lex, dt = number(f, dt)
	default:
		return rdfc.Term{}, false, newError("invalid value object value", fmt.Sprintf("%T", v.value))
	}
	if lang != "" && dt == "" {
		return rdfc.Literal(lex, "", lang), true, nil
	}
	return rdfc.Literal(lex, dt, ""), true, nil
}

// number writes a JSON number the way JSON-LD 1.1 API §8.2 steps 8-9 do: an
// integer below 10^21 in xsd:integer form, anything else (or an
// xsd:double datatype) in canonical xsd:double form such as 1.1E0.
func number(f float64, dt string) (string, string) {
	if f == 0 {
		f = 0 // no negative zero
	}
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 || dt == xsdDouble {
		if dt == "" {
			dt = xsdDouble
		}
		return canonicalDouble(f), dt
	}
	if dt == "" {
		dt = xsdInteger
	}
	return strconv.FormatFloat(f, 'f', -1, 64), dt
}

// canonicalDouble is the canonical lexical form of an xsd:double as JSON-LD
// writes it (ECMAScript toExponential(15) trimmed): a mantissa with at least
// one fractional digit and no trailing zeros, "E", an exponent without "+"
// or leading zeros.
func canonicalDouble(f float64) string {
	s := strconv.FormatFloat(f, 'E', 15, 64)
	mant, exp, _ := strings.Cut(s, "E")
	mant = strings.TrimRight(mant, "0")
	if strings.HasSuffix(mant, ".") {
		mant += "0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// wellFormedLanguage is the BCP 47 test of jsonld.js:
// [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*.
func wellFormedLanguage(s string) bool {
	if !rdfc.ValidLanguageTag(s) {
		return false
	}
	for len(s) > 0 {
		part, rest, _ := strings.Cut(s, "-")
		if len(part) > 8 {
			return false
		}
		s = rest
	}
	return true
}
