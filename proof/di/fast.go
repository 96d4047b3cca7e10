package di

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/rdfc"
)

// Fast is the Canonicalizer built on this module's own JSON-LD 1.1
// processor (internal/jsonld) and RDFC-1.0 implementation (internal/rdfc).
// Its output is byte for byte that of JSONGold wherever json-gold is right
// (diff_test.go lists where it is not), in a small fraction of the time:
// contexts are compiled once and shared, expansion runs on typed nodes
// without regular expressions, and the RDF dataset goes straight to
// canonicalization.
//
// It keeps JSONGold's contract; nothing is dropped silently:
//   - a property or type no context defines, a term mapped to null, a
//     relative IRI (@id, type, datatype), a free-floating value or a node
//     with nothing but @id fails with ErrUndefinedTerm;
//   - @direction, blank-node predicates, language tags that are not
//     well-formed (checked as jsonld.js does) and IRIs with characters
//     N-Quads cannot carry (space, <, >, …) fail with ErrUnsupportedContent;
//   - input over its Limits fails with ErrTooComplex, and so does a
//     document that needs more than jsonld.DefaultMaxTermDefinitions term
//     definitions compiled (an uncacheable context in every node, say).
//
// Unlike JSONGold it accepts, and escapes as RDFC-1.0 requires, strings
// with any control character, and it accepts well-formed URLs json-gold's
// regular expression drops (very long ones, or with a stray '%').
//
// Limits.MaxWork bounds the Hash N-Degree Quads work actually done (one
// unit per call or permutation, rdfc.Options.MaxWork), not an estimate;
// zero means rdfc.DefaultMaxWork (100,000 units, about 0.1 s), which
// accepts the W3C "evil" tests 044-046 and refuses the poison graph 074.
// A Fast is safe for concurrent use; its compiled contexts are cached
// (bounded by jsonld.DefaultMaxContexts) for its lifetime, on the
// assumption that the ContextLoader serves fixed documents, as package
// ldcontext does by pinning them.
type Fast struct {
	limits  Limits
	maxWork int
	proc    *jsonld.Processor
}

var _ Canonicalizer = (*Fast)(nil)

// NewFast returns a Fast that reads contexts from loader, within lim (a
// zero field takes its default).
func NewFast(loader ContextLoader, lim Limits) *Fast {
	f := &Fast{limits: lim.withDefaults(), maxWork: lim.MaxWork}
	if loader != nil {
		f.proc = jsonld.New(jsonld.Config{Loader: loader})
	}
	return f
}

// Canonicalize implements Canonicalizer.
func (f *Fast) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	out, err := f.canonicalize(ctx, doc)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	return out, nil
}

func (f *Fast) canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	if f == nil || f.proc == nil {
		return nil, fmt.Errorf("%w: no context loader", ErrInvalidDocument)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: nil document", ErrInvalidDocument)
	}
	if err := checkInput(doc, f.limits); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ds := datasets.Get().(*rdfc.Dataset)
	defer func() {
		// Drop the references into doc before pooling.
		clear(ds.Quads)
		ds.Quads = ds.Quads[:0]
		datasets.Put(ds)
	}()
	if err := f.proc.ToRDFInto(ctx, ds, doc, jsonld.Options{Strict: true}); err != nil {
		return nil, fastError(err)
	}
	if len(ds.Quads) > f.limits.MaxQuads {
		return nil, fmt.Errorf("%w: %d statements, limit %d", ErrTooComplex, len(ds.Quads), f.limits.MaxQuads)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := rdfc.Canonicalize(ds, rdfc.Options{MaxBlankNodes: f.limits.MaxBlankNodes, MaxWork: f.maxWork})
	if err != nil {
		return nil, fastError(err)
	}
	return out, nil
}

// datasets pools the RDF datasets of Canonicalize calls.
var datasets = sync.Pool{New: func() any { return new(rdfc.Dataset) }}

// fastError maps the errors of internal/jsonld and internal/rdfc onto this
// package's sentinels, keeping the cause (such as the loader's error)
// reachable.
func fastError(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, jsonld.ErrDropped):
		return fmt.Errorf("%w: %w", ErrUndefinedTerm, err)
	case errors.Is(err, jsonld.ErrUnsupported), errors.Is(err, rdfc.ErrInvalidDataset):
		return fmt.Errorf("%w: %w", ErrUnsupportedContent, err)
	case errors.Is(err, rdfc.ErrTooComplex), errors.Is(err, jsonld.ErrTooComplex):
		return fmt.Errorf("%w: %w", ErrTooComplex, err)
	default:
		return fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
}
