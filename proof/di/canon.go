package di

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/piprate/json-gold/ld"
)

// ContextLoader returns JSON-LD context documents from a local, pinned set;
// package ldcontext implements it. JSON returns the parsed JSON of the
// document at url (a map with an "@context" member), or an error for a URL
// it does not hold. The value may be shared between calls and goroutines:
// callers must not modify it. It must never fetch over the network.
type ContextLoader interface {
	JSON(ctx context.Context, url string) (any, error)
}

// Canonicalizer turns a JSON-LD document into its canonical N-Quads form
// (RDF Dataset Canonicalization, RDFC-1.0): one quad per line, each ending
// in "\n", sorted, blank nodes labelled _:c14n0, _:c14n1, …. It is the
// transformation of eddsa-rdfc-2022 and Ed25519Signature2020.
//
// Implementations must not modify doc, must refuse (not drop) anything that
// would not reach the RDF dataset, wrapping ErrUndefinedTerm,
// ErrUnsupportedContent or ErrTooComplex, and must be safe for concurrent
// use. JSONGold is the implementation; a faster one can replace it behind
// this interface.
type Canonicalizer interface {
	Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error)
}

// Limits bound the work of one Canonicalize call, so that a hostile
// document cannot exhaust CPU or memory: RDFC-1.0 ("Dataset Poisoning",
// Security Considerations) warns that some graphs take exponential time to
// canonicalize. A zero field takes its default.
type Limits struct {
	// MaxBytes caps the approximate JSON size of the input document
	// (default 1 MiB).
	MaxBytes int
	// MaxDepth caps the nesting of arrays and objects (default 64).
	MaxDepth int
	// MaxQuads caps the number of RDF statements (default 50,000).
	MaxQuads int
	// MaxBlankNodes caps the number of blank nodes (default 10,000).
	MaxBlankNodes int
	// MaxWork caps an upper-bound estimate of the Hash N-Degree Quads steps
	// (RDFC-1.0) that blank nodes sharing a first-degree hash would need
	// (default 500,000). Documents in which no two blank nodes look alike
	// need none. For tree-shaped JSON-LD a unit measured 0.15-0.3 µs of
	// json-gold time on a 2-core machine, so the default allows about
	// 0.15 s; for cyclic graphs of look-alike blank nodes (which only
	// explicit "_:" identifiers can build) the estimate is far above the
	// real cost, and such graphs are refused early.
	MaxWork int
}

// defaultLimits are the limits a zero Limits field stands for.
var defaultLimits = Limits{
	MaxBytes:      1 << 20,
	MaxDepth:      64,
	MaxQuads:      50_000,
	MaxBlankNodes: 10_000,
	MaxWork:       500_000,
}

func (l Limits) withDefaults() Limits {
	d := defaultLimits
	if l.MaxBytes > 0 {
		d.MaxBytes = l.MaxBytes
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxQuads > 0 {
		d.MaxQuads = l.MaxQuads
	}
	if l.MaxBlankNodes > 0 {
		d.MaxBlankNodes = l.MaxBlankNodes
	}
	if l.MaxWork > 0 {
		d.MaxWork = l.MaxWork
	}
	return d
}

// JSONGold is the Canonicalizer built on github.com/piprate/json-gold
// (JSON-LD 1.1 processing mode, URDNA2015, which RDFC-1.0 standardized
// unchanged).
//
// It is stricter than json-gold alone, because json-gold drops or
// mis-serializes some input where jsonld.js (rdf-canonize) rejects it or
// produces other bytes, and a signature over silently dropped data would
// not cover it:
//   - the document is expanded in safe mode first, and a property no
//     context defines fails with ErrUndefinedTerm;
//   - a relative IRI anywhere (an undefined @type such as
//     "1EdTechJsonSchemaValidator2019", a relative @id, a datatype) fails
//     with ErrUndefinedTerm;
//   - strings with control characters other than tab, LF and CR (which
//     json-gold escapes differently from RDFC-1.0), IRIs json-gold would
//     drop as invalid, invalid language tags, @direction and blank-node
//     predicates fail with ErrUnsupportedContent;
//   - a local context wrapped as {"@context": {...}}, which json-gold
//     (like jsonld.js) unwraps but JSON-LD 1.1 API §4.1.2 makes a keyword
//     redefinition, fails with ErrInvalidDocument, as in Fast;
//   - input over its Limits fails with ErrTooComplex.
//
// Context documents come only from the ContextLoader; nothing is fetched.
// A JSONGold is safe for concurrent use: json-gold's processor is
// stateless, and each call builds its own options and loader adapter.
type JSONGold struct {
	loader ContextLoader
	limits Limits
}

var _ Canonicalizer = (*JSONGold)(nil)

// NewJSONGold returns a JSONGold that reads contexts from loader, within
// lim (a zero field takes its default).
func NewJSONGold(loader ContextLoader, lim Limits) *JSONGold {
	return &JSONGold{loader: loader, limits: lim.withDefaults()}
}

// Canonicalize implements Canonicalizer.
func (j *JSONGold) Canonicalize(ctx context.Context, doc map[string]any) ([]byte, error) {
	ds, err := j.dataset(ctx, doc)
	if err != nil {
		return nil, err
	}
	return j.normalize(ctx, ds)
}

// dataset expands doc in safe mode, checks the result and converts it to
// an RDF dataset that is ready for RDFC-1.0.
func (j *JSONGold) dataset(ctx context.Context, doc map[string]any) (*ld.RDFDataset, error) {
	if j == nil || j.loader == nil {
		return nil, fmt.Errorf("canonicalize: %w: no context loader", ErrInvalidDocument)
	}
	if doc == nil {
		return nil, fmt.Errorf("canonicalize: %w: nil document", ErrInvalidDocument)
	}
	if err := checkInput(doc, j.limits); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	if wrappedContext(doc) {
		return nil, fmt.Errorf("canonicalize: %w: jsonld: keyword redefinition: @context (a local context is a context definition, "+
			"not a context document: give its terms without the {\"@context\": ...} wrapper)", ErrInvalidDocument)
	}
	loader := &goldLoader{ctx: ctx, loader: j.loader, copyDocs: hasImport(doc, 0)}
	opts := goldOptions(loader)
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: expand: %w", j.expandError(ctx, doc, err))
	}
	c := checker{iris: map[string]error{}}
	if err := c.walk(expanded); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	ds, err := ld.NewJsonLdApi().ToRDF(expanded, opts)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: to RDF: %w: %w", ErrInvalidDocument, err)
	}
	if err := checkDataset(ds, j.limits); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	return ds, nil
}

// normalize runs URDNA2015 on ds and serializes the canonical N-Quads.
func (j *JSONGold) normalize(ctx context.Context, ds *ld.RDFDataset) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	na := ld.NewNormalisationAlgorithm(ld.AlgorithmURDNA2015)
	na.Normalize(ds)
	// json-gold's own serialization concatenates strings (quadratic in the
	// number of quads); Quads is in canonical order after Normalize.
	quads := na.Quads()
	out := make([]byte, 0, 128*len(quads))
	for _, q := range quads {
		out = appendNQuad(out, q)
	}
	return out, nil
}

// goldOptions returns the json-gold options for one call. They are built
// from scratch rather than with ld.NewJsonLdOptions, whose default loader
// fetches over HTTP.
func goldOptions(loader ld.DocumentLoader) *ld.JsonLdOptions {
	return &ld.JsonLdOptions{
		ProcessingMode: ld.JsonLd_1_1,
		DocumentLoader: loader,
		SafeMode:       true,
		Algorithm:      ld.AlgorithmURDNA2015,
		Format:         "application/n-quads",
		CompactArrays:  true,
		Embed:          ld.EmbedOnce,
		RequireAll:     true,
		OmitGraph:      true,
	}
}

// expandError maps json-gold's expansion errors onto the sentinels. A safe
// mode failure is re-run without safe mode to name the term, which costs one
// more expansion on this error path only.
func (j *JSONGold) expandError(ctx context.Context, doc map[string]any, err error) error {
	var lerr *ld.JsonLdError
	if !errors.As(err, &lerr) {
		return fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	switch lerr.Code {
	case ld.InvalidProperty:
		if where := j.locateDropped(ctx, doc); where != "" {
			return fmt.Errorf("%w: %s", ErrUndefinedTerm, where)
		}
		return fmt.Errorf("%w: a property expands to no absolute IRI (no context defines it)", ErrUndefinedTerm)
	case ld.LoadingRemoteContextFailed, ld.LoadingDocumentFailed:
		// Keep the loader's own error (for example an unknown context)
		// reachable through errors.Is.
		return fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	default:
		return fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
}

// locateDropped expands doc again without safe mode, recording each node
// object, and names the first input object whose properties did not all
// survive. It returns "" if it cannot tell.
func (j *JSONGold) locateDropped(ctx context.Context, doc map[string]any) string {
	type node struct {
		ptr      string
		expanded map[string]any
	}
	var nodes []node
	opts := goldOptions(&goldLoader{ctx: ctx, loader: j.loader, copyDocs: true})
	opts.SafeMode = false
	opts.ExpandedElementHandler = func(ptr string, v any) {
		if m, ok := v.(map[string]any); ok {
			nodes = append(nodes, node{ptr, m})
		}
	}
	if _, err := ld.NewJsonLdProcessor().Expand(doc, opts); err != nil {
		return ""
	}
	slices.SortStableFunc(nodes, func(a, b node) int { return strings.Compare(a.ptr, b.ptr) })
	for _, n := range nodes {
		in, ok := lookupPointer(doc, n.ptr).(map[string]any)
		if !ok {
			continue
		}
		var missing []string
		for _, k := range sortedKeys(in) {
			if strings.HasPrefix(k, "@") || in[k] == nil || survived(k, n.expanded) {
				continue
			}
			missing = append(missing, fmt.Sprintf("%q", k))
		}
		if len(missing) > 0 {
			at := n.ptr
			if at == "" {
				at = "/"
			}
			return fmt.Sprintf("property %s at %s is not defined by any context", strings.Join(missing, ", "), at)
		}
	}
	return ""
}

// survived guesses whether input key k is among the expanded properties:
// terms usually map to an IRI ending in the term, and "id"/"type" to the
// keywords. It only serves the error message.
func survived(k string, expanded map[string]any) bool {
	switch k {
	case "id":
		_, ok := expanded["@id"]
		return ok
	case "type":
		_, ok := expanded["@type"]
		return ok
	}
	for p := range expanded {
		if p == k || strings.HasSuffix(p, "#"+k) || strings.HasSuffix(p, "/"+k) || strings.HasSuffix(p, ":"+k) {
			return true
		}
	}
	return strings.Contains(k, ":")
}

// lookupPointer resolves an RFC 6901 pointer in a decoded JSON value.
func lookupPointer(v any, ptr string) any {
	if ptr == "" {
		return v
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := v.(type) {
		case map[string]any:
			v = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// goldLoader adapts a ContextLoader to json-gold's DocumentLoader for one
// call, carrying that call's context.
type goldLoader struct {
	ctx    context.Context
	loader ContextLoader
	// copyDocs makes the adapter hand out deep copies. json-gold writes
	// into a context document only when it merges an @import (JSON-LD 1.1
	// §4.1.2 step 5.6), so the shared documents are copied once an @import
	// has been seen in this call.
	copyDocs bool
}

func (g *goldLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if err := g.ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := g.loader.JSON(g.ctx, u)
	if err != nil {
		return nil, fmt.Errorf("load context %s: %w", u, err)
	}
	// json-gold calls the loader from one goroutine per call.
	if !g.copyDocs && hasImport(doc, 0) {
		g.copyDocs = true
	}
	if g.copyDocs {
		doc = jcs.Clone(doc)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// wrappedContext reports whether a local context in v (an @context value
// or an entry of one, at any depth, scoped contexts included) is a map with
// an "@context" entry. JSON-LD 1.1 API §4.1.2 unwraps only remote context
// documents that way; a local one is a context definition, and its
// "@context" key a keyword redefinition (W3C test expand/er56), which
// internal/jsonld reports. json-gold unwraps it instead. The walk does not
// know which values are @json literals, so it also refuses such a shape
// inside one, which no credential carries.
func wrappedContext(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "@context" {
				for _, c := range asList(e) {
					if m, ok := c.(map[string]any); ok {
						if _, ok := m["@context"]; ok {
							return true
						}
					}
				}
			}
			if wrappedContext(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if wrappedContext(e) {
				return true
			}
		}
	}
	return false
}

// hasImport reports whether v holds an "@import" key at any depth.
func hasImport(v any, depth int) bool {
	if depth > 64 {
		return true
	}
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "@import" || hasImport(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if hasImport(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// appendNQuad appends q in the canonical N-Quads form RDFC-1.0 hashes and
// outputs. It matches json-gold's serialization for the
// strings checker admits, where json-gold's escaping agrees with RDFC-1.0.
func appendNQuad(b []byte, q *ld.Quad) []byte {
	b = appendTerm(b, q.Subject)
	b = append(b, ' ')
	b = appendTerm(b, q.Predicate)
	b = append(b, ' ')
	b = appendTerm(b, q.Object)
	if q.Graph != nil {
		b = append(b, ' ')
		b = appendTerm(b, q.Graph)
	}
	return append(b, " .\n"...)
}

func appendTerm(b []byte, n ld.Node) []byte {
	switch t := n.(type) {
	case ld.IRI:
		b = append(b, '<')
		b = appendEscaped(b, t.Value)
		return append(b, '>')
	case ld.BlankNode:
		return append(b, t.Attribute...)
	case ld.Literal:
		b = append(b, '"')
		b = appendEscaped(b, t.Value)
		b = append(b, '"')
		switch {
		case t.Datatype == ld.RDFLangString:
			b = append(b, '@')
			b = append(b, t.Language...)
		case t.Datatype != ld.XSDString:
			b = append(b, "^^<"...)
			b = appendEscaped(b, t.Datatype)
			b = append(b, '>')
		}
		return b
	default:
		return append(b, n.GetValue()...)
	}
}

// appendEscaped escapes as json-gold does: \\ \" \n \r \t. RDFC-1.0 also
// escapes \b, \f and other control characters as \uXXXX; checker refuses
// those, so both agree on everything that gets here.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, c)
		}
	}
	return b
}
