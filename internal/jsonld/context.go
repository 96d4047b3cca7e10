package jsonld

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/internal/rdfc"
)

// container is a set of @container values.
type container uint8

const (
	cGraph container = 1 << iota
	cID
	cIndex
	cLanguage
	cList
	cSet
	cType
)

// termDef is a term definition (JSON-LD 1.1 API §4.1). It never changes
// once its context is built.
type termDef struct {
	iri       string // IRI mapping, or a keyword for an alias
	null      bool   // the IRI mapping is null: the term is decoupled
	prefix    bool
	protected bool
	reverse   bool
	typ       string   // type mapping: an IRI, @id, @vocab, @json or @none
	typs      []string // []string{typ}, shared by the values it types
	lang      string   // language mapping (lowercased); "" with hasLang is null
	hasLang   bool
	dir       string // base direction mapping; "" with hasDir is null
	hasDir    bool
	container container
	index     string // index mapping
	nest      string // nest value
	ctx       any    // local context, as decoded JSON (shared, read-only)
	hasCtx    bool
	baseURL   string // the URL the local context is resolved against
	// shared marks a definition that belongs to a cached context, so that
	// its address may key the cache of scoped contexts.
	shared bool
}

// typSlice returns the type mapping as a one-element slice; callers must
// not modify it.
func (d *termDef) typSlice() []string { return d.typs[:1:1] }

// sameAs reports whether two definitions agree on everything but
// protection (JSON-LD 1.1 API §4.2.2 step 27).
func (d *termDef) sameAs(o *termDef) bool {
	if d.iri != o.iri || d.null != o.null || d.prefix != o.prefix || d.reverse != o.reverse ||
		d.typ != o.typ || d.lang != o.lang || d.hasLang != o.hasLang || d.dir != o.dir ||
		d.hasDir != o.hasDir || d.container != o.container || d.index != o.index ||
		d.nest != o.nest || d.hasCtx != o.hasCtx {
		return false
	}
	return !d.hasCtx || jcs.Equal(d.ctx, o.ctx)
}

// activeContext is an active context (JSON-LD 1.1 API §4.1): term
// definitions, base IRI, vocabulary mapping, default language and
// direction. It is immutable once built and safe to share; contexts
// derived from a shared one are cached in it.
type activeContext struct {
	terms    map[string]*termDef
	base     string
	hasBase  bool
	origBase string
	vocab    string
	hasVocab bool
	lang     string
	hasLang  bool
	dir      string
	previous *activeContext

	// shared marks a cached context: derivations from it may be cached.
	shared bool
	// gen is the cache generation of a shared context.
	gen     *generation
	mu      sync.Mutex
	derived map[deriveKey]*activeContext
}

// deriveKey names a derivation of a context: processing a remote context
// URL, or the scoped context of a shared term definition in one of three
// ways.
type deriveKey struct {
	mode deriveMode
	url  string
	td   *termDef
}

type deriveMode uint8

const (
	deriveURL      deriveMode = iota + 1
	deriveType                // type-scoped: propagate false
	deriveProperty            // property-scoped: override protected
	deriveMap                 // @type map entry (JSON-LD 1.1 API §5.1.2 step 13.8.3.2)
)

func newContext(base string) *activeContext {
	c := &activeContext{terms: map[string]*termDef{}, origBase: base}
	if base != "" {
		c.base, c.hasBase = base, true
	}
	return c
}

// clone returns a mutable copy of c (not shared, no derivations).
func (c *activeContext) clone() *activeContext {
	return &activeContext{
		terms:    maps.Clone(c.terms),
		base:     c.base,
		hasBase:  c.hasBase,
		origBase: c.origBase,
		vocab:    c.vocab,
		hasVocab: c.hasVocab,
		lang:     c.lang,
		hasLang:  c.hasLang,
		dir:      c.dir,
		previous: c.previous,
	}
}

func (c *activeContext) hasProtected() bool {
	for _, td := range c.terms {
		if td.protected {
			return true
		}
	}
	return false
}

// generation groups the shared contexts cached since the last reset, and
// counts them against Config.MaxContexts.
type generation struct {
	mu sync.Mutex
	n  int
}

// lookupDerived returns a cached derivation of c.
func (c *activeContext) lookupDerived(k deriveKey) *activeContext {
	if !c.shared {
		return nil
	}
	c.mu.Lock()
	d := c.derived[k]
	c.mu.Unlock()
	return d
}

// storeDerived caches d as the derivation k of c, if the generation has
// room, marking d and its new term definitions shared. It returns the
// context to use (an earlier one if another call won the race).
func (p *Processor) storeDerived(c *activeContext, k deriveKey, d *activeContext) *activeContext {
	if !c.shared || (k.td != nil && !k.td.shared) {
		return d
	}
	g := c.gen
	g.mu.Lock()
	full := g.n >= p.maxContexts
	if !full {
		g.n++
	}
	g.mu.Unlock()
	if full {
		p.resetCache(g)
		return d
	}
	if !d.shared && d != c {
		// d is new and not yet visible to other goroutines.
		for _, td := range d.terms {
			if !td.shared {
				td.shared = true
			}
		}
		d.shared, d.gen = true, g
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.derived[k]; ok {
		return old
	}
	if c.derived == nil {
		c.derived = map[deriveKey]*activeContext{}
	}
	c.derived[k] = d
	return d
}

// maxRemoteContexts bounds nested remote contexts ("context overflow").
const maxRemoteContexts = 32

// process is the Context Processing algorithm (JSON-LD 1.1 API §4.1.2).
func (e *expander) process(active *activeContext, local any, baseURL string, remote []string, override, propagate, validate bool) (*activeContext, error) {
	result := active
	owned := false // result is a fresh copy this call may modify
	mut := func() {
		if !owned {
			result, owned = result.clone(), true
		}
	}
	if m, ok := local.(map[string]any); ok {
		if v, ok := m["@propagate"]; ok {
			b, ok := v.(bool)
			if !ok {
				return nil, newError("invalid @propagate value", fmt.Sprintf("%v", v))
			}
			propagate = b
		}
	}
	if !propagate && result.previous == nil {
		mut()
		result.previous = active
	}
	items, isArray := local.([]any)
	n := len(items)
	if !isArray {
		n = 1
	}
	for i := range n {
		item := local
		if isArray {
			item = items[i]
		}
		switch v := item.(type) {
		case nil:
			if !override && result.hasProtected() {
				return nil, newError("invalid context nullification", "a context with protected terms cannot be set to null")
			}
			prev := result.previous
			result, owned = newContext(active.origBase), true
			if !propagate {
				result.previous = prev
			}
		case string:
			u := v
			if !rdfc.HasScheme(v) || strings.Contains(v, "/.") {
				u = resolveIRI(baseURL, v)
			}
			if !rdfc.HasScheme(u) {
				return nil, newError("loading document failed", fmt.Sprintf("context %q is a relative IRI and there is no base URL", v))
			}
			if !validate && slices.Contains(remote, u) {
				continue
			}
			if len(remote) >= maxRemoteContexts {
				return nil, newError("context overflow", fmt.Sprintf("more than %d nested remote contexts", maxRemoteContexts))
			}
			next, err := e.deriveURL(result, u, remote, validate)
			if err != nil {
				return nil, err
			}
			result, owned = next, false
		case map[string]any:
			// A local context map is a context definition (step 5.4); only
			// a remote context document is unwrapped to its @context entry
			// (step 5.2.5, deriveURL). So a local {"@context": {...}} is
			// not unwrapped: its "@context" key reaches Create Term
			// Definition, where a keyword is a "keyword redefinition"
			// (§4.2.2 step 5; JSON-LD 1.1 §9.15 does not list @context
			// among a context definition's keys; W3C test expand/er56).
			// jsonld.js and json-gold unwrap it; proof/di's JSONGold
			// refuses it as this processor does (see its doc).
			mut()
			if err := e.processDefinition(result, v, baseURL, remote, override); err != nil {
				return nil, err
			}
		default:
			return nil, newError("invalid local context", fmt.Sprintf("a context is a %T", item))
		}
	}
	return result, nil
}

// deriveURL processes the remote context u on top of active, through the
// cache.
func (e *expander) deriveURL(active *activeContext, u string, remote []string, validate bool) (*activeContext, error) {
	k := deriveKey{mode: deriveURL, url: u}
	if d := active.lookupDerived(k); d != nil {
		return d, nil
	}
	doc, err := e.loadContext(u)
	if err != nil {
		return nil, err
	}
	loaded, ok := doc["@context"]
	if !ok {
		return nil, newError("invalid remote context", fmt.Sprintf("%s has no @context", u))
	}
	remote = append(remote[:len(remote):len(remote)], u)
	d, err := e.process(active, loaded, u, remote, false, true, validate)
	if err != nil {
		return nil, err
	}
	return e.p.storeDerived(active, k, d), nil
}

// deriveScoped applies the local context of td (a scoped context) to active.
func (e *expander) deriveScoped(active *activeContext, td *termDef, mode deriveMode) (*activeContext, error) {
	k := deriveKey{mode: mode, td: td}
	if d := active.lookupDerived(k); d != nil {
		return d, nil
	}
	var d *activeContext
	var err error
	switch mode {
	case deriveType:
		d, err = e.process(active, td.ctx, td.baseURL, nil, false, false, true)
	case deriveProperty:
		d, err = e.process(active, td.ctx, td.baseURL, nil, true, true, true)
	default:
		d, err = e.process(active, td.ctx, td.baseURL, nil, false, true, true)
	}
	if err != nil {
		return nil, err
	}
	return e.p.storeDerived(active, k, d), nil
}

// loadContext dereferences a remote context document, once per call.
func (e *expander) loadContext(u string) (map[string]any, error) {
	if d, ok := e.docs[u]; ok {
		return d, nil
	}
	if e.p.loader == nil {
		return nil, &Error{Code: "loading remote context failed", Detail: u + ": no loader"}
	}
	if err := e.ctx.Err(); err != nil {
		return nil, &Error{Code: "loading remote context failed", Detail: u, Err: err}
	}
	v, err := e.p.loader.JSON(e.ctx, u)
	if err != nil {
		return nil, &Error{Code: "loading remote context failed", Detail: u, Err: err}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, newError("invalid remote context", fmt.Sprintf("%s is not a JSON object", u))
	}
	if e.docs == nil {
		e.docs = map[string]map[string]any{}
	}
	e.docs[u] = m
	return m, nil
}

// processDefinition is steps 5.5-5.13 of Context Processing for one context
// definition (a map), applied to result in place.
func (e *expander) processDefinition(result *activeContext, def map[string]any, baseURL string, remote []string, override bool) error {
	if v, ok := def["@version"]; ok {
		if !isNumber(v, 1.1) {
			return newError("invalid @version value", fmt.Sprintf("%v", v))
		}
	}
	if v, ok := def["@import"]; ok {
		s, ok := v.(string)
		if !ok {
			return newError("invalid @import value", fmt.Sprintf("%v", v))
		}
		u := resolveIRI(baseURL, s)
		doc, err := e.loadContext(u)
		if err != nil {
			return err
		}
		imported, ok := doc["@context"].(map[string]any)
		if !ok {
			return newError("invalid remote context", fmt.Sprintf("imported context %s is not an object", u))
		}
		if _, ok := imported["@import"]; ok {
			return newError("invalid context entry", fmt.Sprintf("imported context %s has @import", u))
		}
		merged := maps.Clone(imported)
		for k, v := range def {
			merged[k] = v
		}
		delete(merged, "@import")
		def = merged
	}
	if v, ok := def["@base"]; ok && len(remote) == 0 {
		switch b := v.(type) {
		case nil:
			result.base, result.hasBase = "", false
		case string:
			switch {
			case rdfc.HasScheme(b):
				result.base, result.hasBase = b, true
			case result.hasBase:
				result.base = resolveIRI(result.base, b)
			default:
				return newError("invalid base IRI", fmt.Sprintf("%q is relative and there is no base", b))
			}
		default:
			return newError("invalid base IRI", fmt.Sprintf("%v", v))
		}
	}
	if v, ok := def["@vocab"]; ok {
		switch s := v.(type) {
		case nil:
			result.vocab, result.hasVocab = "", false
		case string:
			iri, null, err := e.expandIRIDef(result, s, true, true, nil)
			if err != nil {
				return err
			}
			if null || (!isBlank(iri) && isKeyword(iri)) {
				return newError("invalid vocab mapping", fmt.Sprintf("%q", s))
			}
			result.vocab, result.hasVocab = iri, true
		default:
			return newError("invalid vocab mapping", fmt.Sprintf("%v", v))
		}
	}
	if v, ok := def["@language"]; ok {
		switch s := v.(type) {
		case nil:
			result.lang, result.hasLang = "", false
		case string:
			result.lang, result.hasLang = strings.ToLower(s), true
		default:
			return newError("invalid default language", fmt.Sprintf("%v", v))
		}
	}
	if v, ok := def["@direction"]; ok {
		switch v {
		case nil:
			result.dir = ""
		case "ltr", "rtl":
			result.dir = v.(string)
		default:
			return newError("invalid base direction", fmt.Sprintf("%v", v))
		}
	}
	if v, ok := def["@propagate"]; ok {
		if _, ok := v.(bool); !ok {
			return newError("invalid @propagate value", fmt.Sprintf("%v", v))
		}
	}
	protected := false
	if v, ok := def["@protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return newError("invalid @protected value", fmt.Sprintf("%v", v))
		}
		protected = b
	}
	env := &termEnv{local: def, defined: make(map[string]bool, len(def)), baseURL: baseURL, protected: protected, override: override, remote: remote}
	keys := make([]string, 0, len(def))
	for k := range def {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "@base", "@direction", "@import", "@language", "@propagate", "@protected", "@version", "@vocab":
			continue
		}
		if err := e.createTerm(result, env, k); err != nil {
			return err
		}
	}
	return nil
}

// termEnv is what Create Term Definition needs besides the term: the
// context definition being processed and its settings, shared by the terms
// it defines on demand (dependencies take the context's @protected, as in
// jsonld.js).
type termEnv struct {
	local     map[string]any
	defined   map[string]bool
	baseURL   string
	protected bool
	override  bool
	remote    []string
}

// isNumber reports whether v is the JSON number want.
func isNumber(v any, want float64) bool {
	switch n := v.(type) {
	case float64:
		return n == want
	case json.Number:
		f, err := n.Float64()
		return err == nil && f == want
	}
	return false
}

// createTerm is the Create Term Definition algorithm (JSON-LD 1.1 API
// §4.2.2).
func (e *expander) createTerm(active *activeContext, env *termEnv, term string) error {
	local, defined := env.local, env.defined
	if e.terms++; e.terms > e.p.maxTerms {
		return fmt.Errorf("%w: more than %d term definitions to compile", ErrTooComplex, e.p.maxTerms)
	}
	if e.terms%256 == 0 {
		if err := e.ctx.Err(); err != nil {
			return fmt.Errorf("jsonld: compile contexts: %w", err)
		}
	}
	if done, ok := defined[term]; ok {
		if done {
			return nil
		}
		return newError("cyclic IRI mapping", fmt.Sprintf("term %q", term))
	}
	if term == "" {
		return newError("invalid term definition", "empty term")
	}
	defined[term] = false
	value := local[term]
	if term == "@type" {
		m, ok := value.(map[string]any)
		if !ok || len(m) == 0 {
			return newError("keyword redefinition", "@type")
		}
		for k, v := range m {
			switch {
			case k == "@container" && v == "@set":
			case k == "@protected":
			default:
				return newError("keyword redefinition", "@type may only set @container @set and @protected")
			}
		}
	} else if isKeyword(term) {
		return newError("keyword redefinition", term)
	} else if hasKeywordForm(term) {
		// Reserved for future keywords: ignored (a warning).
		defined[term] = true
		return nil
	}
	previous := active.terms[term]
	delete(active.terms, term)

	var m map[string]any
	simple := false
	switch v := value.(type) {
	case nil:
		m = map[string]any{"@id": nil}
	case string:
		m = map[string]any{"@id": v}
		simple = true
	case map[string]any:
		m = v
	default:
		return newError("invalid term definition", fmt.Sprintf("term %q is a %T", term, value))
	}
	def := &termDef{protected: env.protected}
	if v, ok := m["@protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return newError("invalid @protected value", fmt.Sprintf("term %q", term))
		}
		def.protected = b
	}
	if v, ok := m["@type"]; ok {
		s, ok := v.(string)
		if !ok {
			return newError("invalid type mapping", fmt.Sprintf("term %q", term))
		}
		t, null, err := e.expandIRIDef(active, s, false, true, env)
		if err != nil {
			return err
		}
		switch {
		case null:
			return newError("invalid type mapping", fmt.Sprintf("term %q: %q", term, s))
		case t == "@id" || t == "@json" || t == "@none" || t == "@vocab":
		case isAbsoluteIRI(t):
		default:
			return newError("invalid type mapping", fmt.Sprintf("term %q: %q", term, s))
		}
		def.typ, def.typs = t, []string{t}
	}
	if v, ok := m["@reverse"]; ok {
		if _, ok := m["@id"]; ok {
			return newError("invalid reverse property", fmt.Sprintf("term %q has @reverse and @id", term))
		}
		if _, ok := m["@nest"]; ok {
			return newError("invalid reverse property", fmt.Sprintf("term %q has @reverse and @nest", term))
		}
		s, ok := v.(string)
		if !ok {
			return newError("invalid IRI mapping", fmt.Sprintf("term %q: @reverse is not a string", term))
		}
		if hasKeywordForm(s) {
			defined[term] = true
			return nil
		}
		iri, null, err := e.expandIRIDef(active, s, false, true, env)
		if err != nil {
			return err
		}
		if null || !strings.Contains(iri, ":") {
			return newError("invalid IRI mapping", fmt.Sprintf("term %q: @reverse %q", term, s))
		}
		def.iri, def.reverse = iri, true
		if c, ok := m["@container"]; ok {
			switch c {
			case "@set", "@index", nil:
			default:
				return newError("invalid reverse property", fmt.Sprintf("term %q: container %v", term, c))
			}
		}
	}
	if def.reverse { //nolint:revive // empty-block: the branch documents the @reverse case of the algorithm, step by step
		// The IRI mapping came from @reverse.
	} else if v, ok := m["@id"]; ok && v != term {
		switch s := v.(type) {
		case nil:
			def.null = true
		case string:
			if !isKeyword(s) && hasKeywordForm(s) {
				defined[term] = true
				return nil
			}
			iri, null, err := e.expandIRIDef(active, s, false, true, env)
			if err != nil {
				return err
			}
			if null || !(isKeyword(iri) || strings.Contains(iri, ":")) {
				return newError("invalid IRI mapping", fmt.Sprintf("term %q: %q", term, s))
			}
			if iri == "@context" {
				return newError("invalid keyword alias", fmt.Sprintf("term %q", term))
			}
			def.iri = iri
			if i := strings.IndexByte(term[1:], ':'); (i >= 0 && i+2 < len(term)) || strings.Contains(term, "/") {
				defined[term] = true
				exp, null, err := e.expandIRIDef(active, term, false, true, env)
				if err != nil {
					return err
				}
				if null || exp != iri {
					return newError("invalid IRI mapping", fmt.Sprintf("term %q looks like an IRI but maps to %q", term, iri))
				}
			}
			if !strings.ContainsAny(term, ":/") && simple && (isGenDelim(iri[len(iri)-1]) || isBlank(iri)) {
				def.prefix = true
			}
		default:
			return newError("invalid IRI mapping", fmt.Sprintf("term %q: @id is a %T", term, v))
		}
	} else if i := strings.IndexByte(term, ':'); i > 0 {
		prefix, suffix := term[:i], term[i+1:]
		if _, ok := local[prefix]; ok && !strings.HasPrefix(suffix, "//") {
			if err := e.createTerm(active, env, prefix); err != nil {
				return err
			}
		}
		if ptd := active.terms[prefix]; ptd != nil && !ptd.null && !strings.HasPrefix(suffix, "//") {
			def.iri = ptd.iri + suffix
		} else {
			def.iri = term
		}
	} else if strings.Contains(term, "/") {
		iri, null, err := e.expandIRIDef(active, term, false, true, nil)
		if err != nil {
			return err
		}
		if null || !rdfc.HasScheme(iri) {
			return newError("invalid IRI mapping", fmt.Sprintf("term %q", term))
		}
		def.iri = iri
	} else if term == "@type" {
		def.iri = "@type"
	} else if active.hasVocab {
		def.iri = active.vocab + term
	} else {
		return newError("invalid IRI mapping", fmt.Sprintf("term %q has no IRI and there is no @vocab", term))
	}

	if v, ok := m["@container"]; ok && v != nil {
		c, err := containerValue(v)
		if err != nil {
			return fmt.Errorf("term %q: %w", term, err)
		}
		def.container = c
		if c&cType != 0 {
			switch def.typ {
			case "":
				def.typ, def.typs = "@id", []string{"@id"}
			case "@id", "@vocab":
			default:
				return newError("invalid type mapping", fmt.Sprintf("term %q: a @type container needs @type @id or @vocab", term))
			}
		}
	}
	if v, ok := m["@index"]; ok {
		s, ok := v.(string)
		if def.container&cIndex == 0 || !ok {
			return newError("invalid term definition", fmt.Sprintf("term %q: @index", term))
		}
		iri, null, err := e.expandIRIDef(active, s, false, true, env)
		if err != nil {
			return err
		}
		if null || isKeyword(iri) || !strings.Contains(iri, ":") {
			return newError("invalid term definition", fmt.Sprintf("term %q: @index %q is not an IRI", term, s))
		}
		def.index = s
	}
	if v, ok := m["@context"]; ok {
		if _, err := e.process(active, v, env.baseURL, env.remote, true, true, false); err != nil {
			return &Error{Code: "invalid scoped context", Detail: fmt.Sprintf("term %q", term), Err: err}
		}
		def.ctx, def.hasCtx, def.baseURL = v, true, env.baseURL
	}
	if v, ok := m["@language"]; ok {
		if _, typed := m["@type"]; !typed {
			switch s := v.(type) {
			case nil:
				def.hasLang = true
			case string:
				def.lang, def.hasLang = strings.ToLower(s), true
			default:
				return newError("invalid language mapping", fmt.Sprintf("term %q", term))
			}
		}
	}
	if v, ok := m["@direction"]; ok {
		if _, typed := m["@type"]; !typed {
			switch v {
			case nil:
				def.hasDir = true
			case "ltr", "rtl":
				def.dir, def.hasDir = v.(string), true
			default:
				return newError("invalid base direction", fmt.Sprintf("term %q", term))
			}
		}
	}
	if v, ok := m["@nest"]; ok {
		s, ok := v.(string)
		if !ok || (isKeyword(s) && s != "@nest") {
			return newError("invalid @nest value", fmt.Sprintf("term %q", term))
		}
		def.nest = s
	}
	if v, ok := m["@prefix"]; ok {
		if strings.ContainsAny(term, ":/") {
			return newError("invalid term definition", fmt.Sprintf("term %q cannot be a prefix", term))
		}
		b, ok := v.(bool)
		if !ok {
			return newError("invalid @prefix value", fmt.Sprintf("term %q", term))
		}
		def.prefix = b
		if b && isKeyword(def.iri) {
			return newError("invalid term definition", fmt.Sprintf("term %q: a keyword alias cannot be a prefix", term))
		}
	}
	for k := range m {
		switch k {
		case "@id", "@reverse", "@container", "@context", "@direction", "@index", "@language", "@nest", "@prefix", "@protected", "@type":
		default:
			return newError("invalid term definition", fmt.Sprintf("term %q has %q", term, k))
		}
	}
	if err := e.storeTerm(active, term, def, env.override, previous); err != nil {
		return err
	}
	defined[term] = true
	return nil
}

// storeTerm applies the protected-term rule and stores def.
func (e *expander) storeTerm(active *activeContext, term string, def *termDef, override bool, previous *termDef) error {
	if !override && previous != nil && previous.protected {
		if !def.sameAs(previous) {
			return newError("protected term redefinition", fmt.Sprintf("term %q", term))
		}
		def = previous
	}
	active.terms[term] = def
	return nil
}

func parseContainer(s string) (container, bool) {
	switch s {
	case "@graph":
		return cGraph, true
	case "@id":
		return cID, true
	case "@index":
		return cIndex, true
	case "@language":
		return cLanguage, true
	case "@list":
		return cList, true
	case "@set":
		return cSet, true
	case "@type":
		return cType, true
	}
	return 0, false
}

// containerValue validates an @container value (JSON-LD 1.1 API §4.2.2
// step 19).
func containerValue(v any) (container, error) {
	var c container
	switch t := v.(type) {
	case string:
		x, ok := parseContainer(t)
		if !ok {
			return 0, newError("invalid container mapping", fmt.Sprintf("%q", t))
		}
		c = x
	case []any:
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return 0, newError("invalid container mapping", fmt.Sprintf("%v", v))
			}
			x, ok := parseContainer(s)
			if !ok || c&x != 0 {
				return 0, newError("invalid container mapping", fmt.Sprintf("%v", v))
			}
			c |= x
		}
	default:
		return 0, newError("invalid container mapping", fmt.Sprintf("%v", v))
	}
	switch {
	case c&cList != 0 && c != cList:
		return 0, newError("invalid container mapping", "@list cannot be combined")
	case c&cGraph != 0 && c&^(cGraph|cID|cIndex|cSet) != 0, c&cGraph != 0 && c&cID != 0 && c&cIndex != 0:
		return 0, newError("invalid container mapping", fmt.Sprintf("%v", v))
	case c&cGraph == 0 && c&^cSet != 0 && bitsSet(c&^cSet) > 1:
		return 0, newError("invalid container mapping", fmt.Sprintf("%v", v))
	}
	return c, nil
}

func bitsSet(c container) int {
	n := 0
	for ; c != 0; c &= c - 1 {
		n++
	}
	return n
}

// expandIRIDef is IRI Expansion (JSON-LD 1.1 API §5.2.2) during context
// processing, defining terms of local on demand. It returns null for a
// value that expands to nothing.
func (e *expander) expandIRIDef(active *activeContext, value string, docRelative, vocab bool, env *termEnv) (string, bool, error) {
	if isKeyword(value) {
		return value, false, nil
	}
	if hasKeywordForm(value) {
		return "", true, nil
	}
	if env != nil {
		if _, ok := env.local[value]; ok && !env.defined[value] {
			if err := e.createTerm(active, env, value); err != nil {
				return "", false, err
			}
		}
	}
	if td := active.terms[value]; td != nil {
		if isKeyword(td.iri) {
			return td.iri, false, nil
		}
		if vocab {
			return td.iri, td.null, nil
		}
	}
	if i := strings.IndexByte(value, ':'); i > 0 {
		prefix, suffix := value[:i], value[i+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, false, nil
		}
		if env != nil {
			if _, ok := env.local[prefix]; ok && !env.defined[prefix] {
				if err := e.createTerm(active, env, prefix); err != nil {
					return "", false, err
				}
			}
		}
		if td := active.terms[prefix]; td != nil && !td.null && td.prefix {
			return td.iri + suffix, false, nil
		}
		if rdfc.HasScheme(value) {
			return value, false, nil
		}
	}
	if vocab && active.hasVocab {
		return active.vocab + value, false, nil
	}
	if docRelative && active.hasBase {
		return resolveIRI(active.base, value), false, nil
	}
	return value, false, nil
}

// expandIRI is IRI Expansion (JSON-LD 1.1 API §5.2.2) outside context
// processing: the hot path of expansion. The boolean is true for null.
func expandIRI(active *activeContext, value string, docRelative, vocab bool) (string, bool) {
	if len(value) > 0 && value[0] == '@' {
		if isKeyword(value) {
			return value, false
		}
		if hasKeywordForm(value) {
			return "", true
		}
	}
	if td := active.terms[value]; td != nil {
		if len(td.iri) > 0 && td.iri[0] == '@' && isKeyword(td.iri) {
			return td.iri, false
		}
		if vocab {
			return td.iri, td.null
		}
	}
	if i := strings.IndexByte(value, ':'); i > 0 {
		prefix, suffix := value[:i], value[i+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, false
		}
		if td := active.terms[prefix]; td != nil && !td.null && td.prefix {
			return td.iri + suffix, false
		}
		if rdfc.HasScheme(value) {
			return value, false
		}
	}
	if vocab && active.hasVocab {
		return active.vocab + value, false
	}
	if docRelative && active.hasBase {
		return resolveIRI(active.base, value), false
	}
	return value, false
}
