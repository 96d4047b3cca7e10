package rdfc

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Well-known datatype IRIs (RDF 1.1 Concepts §5, XML Schema 1.1 Part 2).
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// Errors. Canonicalize and ParseNQuads wrap them with detail; test with
// errors.Is.
var (
	// ErrTooComplex reports a dataset over the Options limits: too many
	// blank nodes, or more Hash N-Degree Quads work than allowed (a
	// "poison" dataset, RDFC-1.0 §7).
	ErrTooComplex = errors.New("rdfc: dataset too complex to canonicalize")
	// ErrInvalidDataset reports a term that is not valid RDF or cannot be
	// written as canonical N-Quads without ambiguity.
	ErrInvalidDataset = errors.New("rdfc: invalid dataset")
	// ErrSyntax reports N-Quads that do not parse.
	ErrSyntax = errors.New("rdfc: N-Quads syntax error")
)

// Kind is the kind of a Term.
type Kind uint8

// Term kinds. The zero Kind is "no term", which Quad.Graph uses for the
// default graph.
const (
	KindIRI Kind = iota + 1
	KindBlank
	KindLiteral
)

// Term is an RDF term: an IRI, a blank node or a literal.
type Term struct {
	Kind Kind
	// Value is the IRI, the blank node label (without "_:"), or the
	// literal's lexical form.
	Value string
	// Datatype is a literal's datatype IRI. Empty means xsd:string, or
	// rdf:langString when Language is set.
	Datatype string
	// Language is a literal's language tag.
	Language string
}

// HasScheme reports whether s starts with an RFC 3986 scheme and ':': the
// test for an absolute IRI that N-Quads, JSON-LD expansion and the Data
// Integrity checks share.
func HasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// IRI returns the IRI term s.
func IRI(s string) Term { return Term{Kind: KindIRI, Value: s} }

// Blank returns the blank node labelled label (without "_:").
func Blank(label string) Term { return Term{Kind: KindBlank, Value: label} }

// Literal returns a literal; datatype "" means xsd:string, or rdf:langString
// when lang is set.
func Literal(value, datatype, lang string) Term {
	return Term{Kind: KindLiteral, Value: value, Datatype: datatype, Language: lang}
}

// IsZero reports whether t is the zero Term (the default graph).
func (t Term) IsZero() bool { return t.Kind == 0 }

// String returns t in N-Quads form (the canonical form for IRIs and
// literals).
func (t Term) String() string { return string(appendTerm(nil, t)) }

// Quad is an RDF statement in a graph; a zero Graph is the default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}

// Dataset is an RDF dataset: a set of quads. Quads may repeat here;
// Canonicalize treats the dataset as the set it stands for.
type Dataset struct {
	Quads []Quad
}

// Add appends the quad (s, p, o, g); g is the zero Term for the default
// graph.
func (d *Dataset) Add(s, p, o, g Term) {
	d.Quads = append(d.Quads, Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

// BlankNodes returns the number of distinct blank node labels in d.
func (d *Dataset) BlankNodes() int {
	seen := map[string]struct{}{}
	for i := range d.Quads {
		q := &d.Quads[i]
		for _, t := range [...]*Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind == KindBlank {
				seen[t.Value] = struct{}{}
			}
		}
	}
	return len(seen)
}

// validate checks that q is RDF that serializes unambiguously.
func (q *Quad) validate() error {
	switch q.Subject.Kind {
	case KindIRI, KindBlank:
	default:
		return fmt.Errorf("%w: subject must be an IRI or blank node", ErrInvalidDataset)
	}
	if q.Predicate.Kind != KindIRI {
		return fmt.Errorf("%w: predicate must be an IRI", ErrInvalidDataset)
	}
	if q.Object.Kind == 0 {
		return fmt.Errorf("%w: quad without an object", ErrInvalidDataset)
	}
	switch q.Graph.Kind {
	case 0, KindIRI, KindBlank:
	default:
		return fmt.Errorf("%w: graph name must be an IRI or blank node", ErrInvalidDataset)
	}
	for _, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
		if err := t.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (t *Term) validate() error {
	switch t.Kind {
	case 0:
		return nil
	case KindIRI:
		return checkIRI(t.Value)
	case KindBlank:
		if t.Value == "" {
			return fmt.Errorf("%w: empty blank node label", ErrInvalidDataset)
		}
		return nil
	case KindLiteral:
		if !utf8.ValidString(t.Value) {
			return fmt.Errorf("%w: literal is not UTF-8", ErrInvalidDataset)
		}
		if t.Language != "" {
			if !ValidLanguageTag(t.Language) {
				return fmt.Errorf("%w: language tag %q", ErrInvalidDataset, t.Language)
			}
			if t.Datatype != "" && t.Datatype != RDFLangString {
				return fmt.Errorf("%w: language-tagged literal with datatype %q", ErrInvalidDataset, t.Datatype)
			}
			return nil
		}
		if t.Datatype == RDFLangString {
			return fmt.Errorf("%w: rdf:langString literal without a language tag", ErrInvalidDataset)
		}
		if t.Datatype != "" {
			return checkIRI(t.Datatype)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown term kind %d", ErrInvalidDataset, t.Kind)
	}
}

// checkIRI refuses what an N-Quads IRIREF cannot hold unescaped: control
// characters, space and <>"{}|^`\ (RDF 1.1 N-Quads §5), and invalid UTF-8.
// Canonical N-Quads write IRIs raw, so such a character could forge the
// structure of the signed text.
func checkIRI(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty IRI", ErrInvalidDataset)
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !iriByte[c] {
			return fmt.Errorf("%w: IRI %q has character %q", ErrInvalidDataset, s, c)
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return fmt.Errorf("%w: IRI is not UTF-8", ErrInvalidDataset)
	}
	return nil
}

var badIRIByte = [256]bool{'<': true, '>': true, '"': true, '{': true, '}': true, '|': true, '^': true, '`': true, '\\': true}

// iriByte marks the bytes an IRIREF can carry unescaped: not the controls,
// space, DEL or <>"{}|^`\ (bytes from 0x80 up are checked as UTF-8).
var iriByte = func() (t [256]bool) {
	for c := 0x21; c < 0x100; c++ {
		t[c] = !badIRIByte[c] && c != 0x7f
	}
	return t
}()

// ValidLanguageTag reports whether s matches the N-Quads LANGTAG production
// without the '@': [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*.
func ValidLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	first, start := true, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '-' {
			if i == start {
				return false
			}
			first, start = false, i+1
			continue
		}
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case !first && '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return true
}
