package jsonld

import (
	"errors"
	"strings"
)

// Strict-mode errors (see Options.Strict). Errors wrap them with detail;
// test with errors.Is.
var (
	// ErrDropped reports data that JSON-LD processing would silently drop:
	// a property or type no context defines, a term mapped to null, a
	// relative IRI, a free-floating value or node.
	ErrDropped = errors.New("jsonld: data would be dropped")
	// ErrUnsupported reports content that has no single RDF form this
	// package accepts: @direction, a blank-node predicate, an invalid
	// language tag, an IRI with characters N-Quads cannot carry.
	ErrUnsupported = errors.New("jsonld: unsupported content")
	// ErrTooComplex reports a document over Config.MaxTermDefinitions: one
	// that makes the processor compile more context than any real
	// credential needs (for example an uncacheable context in every node).
	ErrTooComplex = errors.New("jsonld: document too complex")
)

// Error is a JSON-LD processing error. Code is the error code of JSON-LD
// 1.1 Processing Algorithms and API §9.4.2 (JsonLdErrorCode), such as
// "invalid IRI mapping" or "loading remote context failed".
type Error struct {
	Code   string
	Detail string
	// Err is the cause, such as the Loader's error.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jsonld: ")
	b.WriteString(e.Code)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func newError(code, detail string) *Error { return &Error{Code: code, Detail: detail} }
