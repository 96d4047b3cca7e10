package jsonld

import (
	"context"
	"sync"

	"github.com/accolade-badges/accolade/internal/rdfc"
)

// Loader returns the parsed JSON of the context document at url (a map with
// an "@context" entry), or an error for a URL it does not hold. The value
// may be shared between calls and goroutines; this package never modifies
// it. Processor assumes that a URL always yields the same document (a
// loader that pins contexts by digest, such as package ldcontext, does), so
// it caches what it compiles from a URL for the life of the Processor.
type Loader interface {
	JSON(ctx context.Context, url string) (any, error)
}

// DefaultMaxContexts is the default of Config.MaxContexts.
const DefaultMaxContexts = 1024

// Config configures a Processor.
type Config struct {
	// Loader serves remote contexts; nil refuses every remote context.
	Loader Loader
	// MaxContexts caps the compiled contexts cached (default
	// DefaultMaxContexts). When the cache is full it is dropped as a
	// whole, so memory stays bounded whatever documents come in.
	MaxContexts int
	// MaxTermDefinitions caps the term definitions one call may create
	// (default DefaultMaxTermDefinitions); past it the call fails with
	// ErrTooComplex. Cached contexts cost nothing; compiling the VC 2.0,
	// OB 3.0 and extensions contexts from scratch costs about 370, in
	// about 1 ms.
	MaxTermDefinitions int
}

// DefaultMaxTermDefinitions is the default of Config.MaxTermDefinitions:
// ten times what the OB 3.0 contexts need, and a few milliseconds of work.
const DefaultMaxTermDefinitions = 4_000

// Processor expands JSON-LD documents and converts them to RDF, caching the
// contexts it compiles. It is safe for concurrent use.
type Processor struct {
	loader      Loader
	maxContexts int
	maxTerms    int

	mu      sync.Mutex
	gen     *generation
	initial map[string]*activeContext // initial active context per base IRI
}

// maxBases bounds the initial contexts kept (one per base IRI).
const maxBases = 64

// New returns a Processor.
func New(cfg Config) *Processor {
	p := &Processor{loader: cfg.Loader, maxContexts: cfg.MaxContexts, maxTerms: cfg.MaxTermDefinitions}
	if p.maxContexts <= 0 {
		p.maxContexts = DefaultMaxContexts
	}
	if p.maxTerms <= 0 {
		p.maxTerms = DefaultMaxTermDefinitions
	}
	p.gen, p.initial = &generation{}, map[string]*activeContext{}
	return p
}

// Options are per call.
type Options struct {
	// Base is the document's URL: the base IRI for relative IRIs and the
	// base URL for relative context references. Empty means none, and
	// relative IRIs stay relative (which Strict refuses).
	Base string
	// ExpandContext is applied before the document's own context (the
	// expandContext API option): a context, or a map with an "@context"
	// entry.
	ExpandContext any
	// Strict turns silent data loss into errors: ErrDropped and
	// ErrUnsupported (see the package documentation).
	Strict bool
}

// initialContext returns the shared initial active context for base.
func (p *Processor) initialContext(base string) *activeContext {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.initial[base]; ok {
		return c
	}
	if len(p.initial) >= maxBases {
		p.gen, p.initial = &generation{}, map[string]*activeContext{}
	}
	c := newContext(base)
	c.shared, c.gen = true, p.gen
	p.initial[base] = c
	return c
}

// resetCache drops every cached context, if g is still the current
// generation.
func (p *Processor) resetCache(g *generation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen == g {
		p.gen, p.initial = &generation{}, map[string]*activeContext{}
	}
}

// CachedContexts returns the number of compiled contexts in the current
// cache generation.
func (p *Processor) CachedContexts() int {
	p.mu.Lock()
	g := p.gen
	p.mu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// Expand returns the expanded form of doc (JSON-LD 1.1 API §5.1.2 and the
// expand() method), as decoded JSON: an array of node objects. doc is
// decoded JSON (maps, slices, strings, float64 or json.Number, bools, nil)
// and is not modified.
func (p *Processor) Expand(ctx context.Context, doc any, opts Options) ([]any, error) {
	e := p.newExpander(ctx, opts.Strict)
	defer e.release()
	items, err := e.expandDoc(doc, opts)
	if err != nil {
		return nil, err
	}
	return itemsJSON(items), nil
}

// ToRDF returns the RDF dataset of doc (JSON-LD 1.1 API §8.1, Deserialize
// JSON-LD to RDF, with produceGeneralizedRdf false and no rdfDirection).
// Blank nodes are labelled by the processor. doc is not modified.
func (p *Processor) ToRDF(ctx context.Context, doc any, opts Options) (*rdfc.Dataset, error) {
	ds := &rdfc.Dataset{}
	if err := p.ToRDFInto(ctx, ds, doc, opts); err != nil {
		return nil, err
	}
	return ds, nil
}

// ToRDFInto is ToRDF writing into ds: it replaces the quads of ds, reusing
// their memory, so that a caller can pool datasets. On error ds holds
// whatever was converted.
func (p *Processor) ToRDFInto(ctx context.Context, ds *rdfc.Dataset, doc any, opts Options) error {
	e := p.newExpander(ctx, opts.Strict)
	defer e.release()
	clear(ds.Quads)
	ds.Quads = ds.Quads[:0]
	items, err := e.expandDoc(doc, opts)
	if err != nil {
		return err
	}
	if cap(ds.Quads) < e.est+4 {
		ds.Quads = make([]rdfc.Quad, 0, e.est+4)
	}
	w := rdfWriter{ds: ds, strict: opts.Strict}
	for _, it := range items {
		if _, _, err := w.node(it, rdfc.Term{}); err != nil {
			return err
		}
	}
	return nil
}

func (e *expander) expandDoc(doc any, opts Options) ([]*item, error) {
	ac := e.p.initialContext(opts.Base)
	if opts.ExpandContext != nil {
		c := opts.ExpandContext
		if m, ok := c.(map[string]any); ok {
			if inner, ok := m["@context"]; ok {
				c = inner
			}
		}
		var err error
		if ac, err = e.process(ac, c, opts.Base, nil, false, true, true); err != nil {
			return nil, err
		}
	}
	r, err := e.expand(ac, "", doc, opts.Base, false)
	if err != nil {
		return nil, err
	}
	if !r.array && r.one != nil && r.one.has == hGraph {
		return r.one.rare().graph, nil
	}
	return r.items(), nil
}
