package jsonld

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// maxDepth bounds the nesting expansion follows (JSON depth).
const maxDepth = 512

// expander holds the state of one Expand or ToRDF call.
type expander struct {
	p      *Processor
	ctx    context.Context
	strict bool
	docs   map[string]map[string]any // remote contexts dereferenced in this call
	arena  []item
	chunks [][]item // every arena chunk, for release
	props  []prop   // slab for the property lists of items
	ptrs   []*item  // slab for one-value property lists
	est    int      // estimated statements, to size the dataset
	terms  int      // term definitions created in this call
	keys   []string // scratch stack of sorted keys
	path   []pathSeg
	depth  int
}

type pathSeg struct {
	key string
	idx int // -1 for a key
}

var expanders = sync.Pool{New: func() any { return new(expander) }}

// newExpander returns an expander from the pool; release it when the items
// it made are no longer needed.
func (p *Processor) newExpander(ctx context.Context, strict bool) *expander {
	e := expanders.Get().(*expander)
	e.p, e.ctx, e.strict = p, ctx, strict
	return e
}

// release clears e (so that the pool holds no references into documents)
// and returns it to the pool. The last chunk of each slab is kept.
func (e *expander) release() {
	for _, c := range e.chunks {
		clear(c[:cap(c)])
	}
	if len(e.chunks) > 0 {
		last := e.chunks[len(e.chunks)-1]
		e.arena = last[:0]
		e.chunks = append(e.chunks[:0], last)
	}
	clear(e.props[:cap(e.props)])
	clear(e.ptrs[:cap(e.ptrs)])
	clear(e.keys[:cap(e.keys)])
	clear(e.path[:cap(e.path)])
	*e = expander{arena: e.arena, chunks: e.chunks, props: e.props[:0], ptrs: e.ptrs[:0], keys: e.keys[:0], path: e.path[:0]}
	expanders.Put(e)
}

func (e *expander) push(key string, idx int) { e.path = append(e.path, pathSeg{key, idx}) }
func (e *expander) pop()                     { e.path = e.path[:len(e.path)-1] }

// where returns the current position as a JSON pointer (RFC 6901).
func (e *expander) where() string {
	if len(e.path) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range e.path {
		b.WriteByte('/')
		if s.idx >= 0 {
			b.WriteString(strconv.Itoa(s.idx))
			continue
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s.key, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func (e *expander) dropped(format string, args ...any) error {
	return fmt.Errorf("%w: %s at %s", ErrDropped, fmt.Sprintf(format, args...), e.where())
}

func (e *expander) newItem() *item {
	if len(e.arena) == cap(e.arena) {
		e.arena = make([]item, 0, max(16, 2*cap(e.arena)))
		e.chunks = append(e.chunks, e.arena)
	}
	e.arena = e.arena[:len(e.arena)+1]
	return &e.arena[len(e.arena)-1]
}

// propSlab returns an empty slice with room for n properties, carved from
// a shared slab.
func (e *expander) propSlab(n int) []prop {
	if n > 32 {
		return make([]prop, 0, n)
	}
	if cap(e.props)-len(e.props) < n {
		e.props = make([]prop, 0, max(32, 2*cap(e.props)))
	}
	l := len(e.props)
	e.props = e.props[:l+n]
	return e.props[l : l : l+n]
}

// one returns a one-element slice holding it, carved from a shared slab.
func (e *expander) one(it *item) []*item {
	if len(e.ptrs) == cap(e.ptrs) {
		e.ptrs = make([]*item, 0, max(32, 2*cap(e.ptrs)))
	}
	l := len(e.ptrs)
	e.ptrs = append(e.ptrs, it)
	return e.ptrs[l : l+1 : l+1]
}

// sortedKeys pushes the keys of m, sorted, on the scratch stack and returns
// them; release with e.keys = e.keys[:start].
func (e *expander) sortedKeys(m map[string]any) (keys []string, start int) {
	start = len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys = e.keys[start:len(e.keys):len(e.keys)]
	slices.Sort(keys)
	return keys, start
}

// result is what expansion returns for an element: null, one object, or an
// array.
type result struct {
	one   *item
	many  []*item
	array bool
}

func (r result) isNull() bool { return !r.array && r.one == nil }

func (r result) items() []*item {
	if r.array {
		return r.many
	}
	if r.one != nil {
		return []*item{r.one}
	}
	return nil
}

var jsonType = []string{"@json"}

// expand is the Expansion Algorithm (JSON-LD 1.1 API §5.1.2). prop is the
// active property ("" for null).
func (e *expander) expand(ac *activeContext, prop string, elem any, baseURL string, fromMap bool) (result, error) {
	if elem == nil {
		return result{}, nil
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return result{}, fmt.Errorf("%w: nested deeper than %d", ErrTooComplex, maxDepth)
	}
	var propTD *termDef
	if prop != "" {
		propTD = ac.terms[prop]
	}
	switch v := elem.(type) {
	case []any:
		out := make([]*item, 0, len(v))
		for i, x := range v {
			e.push("", i)
			r, err := e.expand(ac, prop, x, baseURL, fromMap)
			e.pop()
			if err != nil {
				return result{}, err
			}
			if r.array && propTD != nil && propTD.container&cList != 0 {
				l := e.newItem()
				l.has, l.list = hList, r.many
				r = result{one: l}
			}
			if r.array {
				out = append(out, r.many...)
			} else if r.one != nil {
				out = append(out, r.one)
			}
		}
		return result{many: out, array: true}, nil
	case map[string]any:
		return e.expandObject(ac, prop, propTD, v, baseURL, fromMap)
	case string, float64, bool, json.Number:
		if prop == "" || prop == "@graph" {
			if e.strict {
				return result{}, e.dropped("free-floating %T value", v)
			}
			return result{}, nil
		}
		if propTD != nil && propTD.hasCtx {
			var err error
			if ac, err = e.deriveScoped(ac, propTD, deriveProperty); err != nil {
				return result{}, err
			}
		}
		it, err := e.expandValue(ac, prop, v)
		return result{one: it}, err
	default:
		return result{}, newError("invalid JSON value", fmt.Sprintf("Go type %T at %s", elem, e.where()))
	}
}

func (e *expander) expandObject(ac *activeContext, prop string, propTD *termDef, elem map[string]any, baseURL string, fromMap bool) (result, error) {
	var err error
	// Step 7: leave a type-scoped context, unless this is a value object
	// or a node reference.
	if ac.previous != nil && !fromMap {
		revert := true
		for k := range elem {
			x, _ := expandIRI(ac, k, false, true)
			if x == "@value" || (x == "@id" && len(elem) == 1) {
				revert = false
				break
			}
		}
		if revert {
			ac = ac.previous
		}
	}
	// Step 8: property-scoped context.
	if propTD != nil && propTD.hasCtx {
		if ac, err = e.deriveScoped(ac, propTD, deriveProperty); err != nil {
			return result{}, err
		}
	}
	// Step 9: embedded context.
	if c, ok := elem["@context"]; ok {
		e.push("@context", -1)
		ac, err = e.process(ac, c, baseURL, nil, false, true, true)
		e.pop()
		if err != nil {
			return result{}, err
		}
	}
	typeScoped := ac
	keys, start := e.sortedKeys(elem)
	defer func() { e.keys = e.keys[:start] }()

	// Step 11: type-scoped contexts, by type in lexicographic order.
	inputType := ""
	foundType := false
	for _, k := range keys {
		if x, _ := expandIRI(ac, k, false, true); x != "@type" {
			continue
		}
		tstart := len(e.keys)
		switch t := elem[k].(type) {
		case string:
			e.keys = append(e.keys, t)
		case []any:
			for _, x := range t {
				if s, ok := x.(string); ok {
					e.keys = append(e.keys, s)
				}
			}
		}
		types := e.keys[tstart:len(e.keys):len(e.keys)]
		slices.Sort(types)
		for _, t := range types {
			if td := typeScoped.terms[t]; td != nil && td.hasCtx {
				if ac, err = e.deriveScoped(ac, td, deriveType); err != nil {
					e.keys = e.keys[:tstart]
					return result{}, err
				}
			}
		}
		e.keys = e.keys[:tstart]
		if !foundType {
			// Step 12: the input type is the last value of the first
			// entry expanding to @type.
			foundType = true
			var last string
			switch t := elem[k].(type) {
			case string:
				last = t
			case []any:
				if n := len(t); n > 0 {
					last, _ = t[n-1].(string)
				}
			}
			if last != "" {
				inputType, _ = expandIRI(ac, last, true, true)
			}
		}
	}

	res := e.newItem()
	res.props = e.propSlab(len(elem))
	var nests []string
	if err := e.expandEntries(ac, typeScoped, prop, res, elem, keys, inputType, baseURL, &nests); err != nil {
		return result{}, err
	}
	if err := e.expandNests(ac, typeScoped, prop, res, elem, nests, inputType, baseURL); err != nil {
		return result{}, err
	}
	return e.finish(res, prop)
}

// expandNests is step 14: the entries of @nest values, as if they were the
// element's own, with the nesting key as active property and its
// property-scoped context (JSON-LD 1.1 API errata, step 14.2.2).
func (e *expander) expandNests(ac, typeScoped *activeContext, prop string, res *item, elem map[string]any, nests []string, inputType, baseURL string) error {
	outer := ac
	for _, nk := range nests {
		ac := outer
		if td := ac.terms[nk]; td != nil && td.hasCtx {
			var err error
			if ac, err = e.deriveScoped(ac, td, deriveProperty); err != nil {
				return err
			}
		}
		prop := nk
		e.push(nk, -1)
		vals, ok := elem[nk].([]any)
		if !ok {
			vals = []any{elem[nk]}
		}
		for i, v := range vals {
			e.push("", i)
			m, ok := v.(map[string]any)
			if !ok {
				return newError("invalid @nest value", fmt.Sprintf("at %s", e.where()))
			}
			for k := range m {
				if x, _ := expandIRI(ac, k, false, true); x == "@value" {
					return newError("invalid @nest value", fmt.Sprintf("a value object at %s", e.where()))
				}
			}
			keys, start := e.sortedKeys(m)
			var inner []string
			err := e.expandEntries(ac, typeScoped, prop, res, m, keys, inputType, baseURL, &inner)
			if err == nil {
				err = e.expandNests(ac, typeScoped, prop, res, m, inner, inputType, baseURL)
			}
			e.keys = e.keys[:start]
			if err != nil {
				return err
			}
			e.pop()
		}
		e.pop()
	}
	return nil
}

// expandEntries is step 13 for the entries keys of elem, into res.
func (e *expander) expandEntries(ac, typeScoped *activeContext, prop string, res *item, elem map[string]any, keys []string, inputType, baseURL string, nests *[]string) error {
	for _, key := range keys {
		if key == "@context" {
			continue
		}
		value := elem[key]
		expProp, null := expandIRI(ac, key, false, true)
		if null || (!isKeyword(expProp) && !strings.Contains(expProp, ":")) {
			if e.strict {
				return e.dropped("property %q is not defined by any context", key)
			}
			continue
		}
		e.push(key, -1)
		var err error
		if isKeyword(expProp) {
			err = e.expandKeyword(ac, typeScoped, prop, res, key, expProp, value, inputType, baseURL, nests)
		} else {
			err = e.expandProperty(ac, res, key, expProp, value, baseURL)
		}
		e.pop()
		if err != nil {
			return err
		}
	}
	return nil
}

// keywordBit maps the keywords kept in an item to their has bit.
func keywordBit(k string) keys {
	switch k {
	case "@id":
		return hID
	case "@type":
		return hType
	case "@index":
		return hIndex
	case "@value":
		return hValue
	case "@language":
		return hLang
	case "@direction":
		return hDir
	case "@graph":
		return hGraph
	case "@included":
		return hIncluded
	case "@reverse":
		return hReverse
	case "@list":
		return hList
	case "@set":
		return hSet
	}
	return 0
}

// expandKeyword is steps 13.4.1-13.4.17 for one keyword entry.
func (e *expander) expandKeyword(ac, typeScoped *activeContext, prop string, res *item, key, kw string, value any, inputType, baseURL string, nests *[]string) error {
	if prop == "@reverse" {
		return newError("invalid reverse property map", fmt.Sprintf("%q at %s", key, e.where()))
	}
	if bit := keywordBit(kw); bit != 0 && res.has&bit != 0 && kw != "@included" && kw != "@type" {
		return newError("colliding keywords", fmt.Sprintf("%s at %s", kw, e.where()))
	}
	switch kw {
	case "@id":
		s, ok := value.(string)
		if !ok {
			return newError("invalid @id value", fmt.Sprintf("at %s", e.where()))
		}
		id, null := expandIRI(ac, s, true, false)
		if null && e.strict {
			return e.dropped("@id %q is a reserved keyword form", s)
		}
		res.id, res.nullID = id, null
		res.has |= hID
	case "@type":
		var types []string
		switch t := value.(type) {
		case string:
			x, null := expandIRI(typeScoped, t, true, true)
			if null {
				if e.strict {
					return e.dropped("type %q is a reserved keyword form", t)
				}
			} else {
				types = []string{x}
			}
		case []any:
			types = make([]string, 0, len(t))
			for _, v := range t {
				s, ok := v.(string)
				if !ok {
					return newError("invalid type value", fmt.Sprintf("at %s", e.where()))
				}
				x, null := expandIRI(typeScoped, s, true, true)
				if null {
					if e.strict {
						return e.dropped("type %q is a reserved keyword form", s)
					}
					continue
				}
				types = append(types, x)
			}
			res.has |= hTypeArray
		default:
			return newError("invalid type value", fmt.Sprintf("at %s", e.where()))
		}
		if res.has&hType != 0 {
			types = append(slices.Clip(res.types), types...)
			res.has |= hTypeArray
		}
		res.types = types
		res.has |= hType
		e.est += len(types)
	case "@graph":
		r, err := e.expand(ac, "@graph", value, baseURL, false)
		if err != nil {
			return err
		}
		res.ext().graph = r.items()
		res.has |= hGraph
	case "@included":
		r, err := e.expand(ac, prop, value, baseURL, false)
		if err != nil {
			return err
		}
		items := r.items()
		if r.isNull() {
			return newError("invalid @included value", fmt.Sprintf("at %s", e.where()))
		}
		for _, it := range items {
			if !it.isNode() {
				return newError("invalid @included value", fmt.Sprintf("at %s", e.where()))
			}
		}
		res.ext().included = append(slices.Clip(res.rare().included), items...)
		res.has |= hIncluded
	case "@value":
		if inputType != "@json" {
			switch value.(type) {
			case nil, string, float64, bool, json.Number:
			default:
				return newError("invalid value object value", fmt.Sprintf("at %s", e.where()))
			}
		}
		res.value = value
		res.has |= hValue
	case "@language":
		s, ok := value.(string)
		if !ok {
			return newError("invalid language-tagged string", fmt.Sprintf("at %s", e.where()))
		}
		res.lang = strings.ToLower(s)
		res.has |= hLang
	case "@direction":
		s, ok := value.(string)
		if !ok || (s != "ltr" && s != "rtl") {
			return newError("invalid base direction", fmt.Sprintf("at %s", e.where()))
		}
		res.ext().dir = s
		res.has |= hDir
	case "@index":
		s, ok := value.(string)
		if !ok {
			return newError("invalid @index value", fmt.Sprintf("at %s", e.where()))
		}
		res.ext().index = s
		res.has |= hIndex
	case "@list":
		if prop == "" || prop == "@graph" {
			if e.strict {
				return e.dropped("free-floating list")
			}
			return nil
		}
		r, err := e.expand(ac, prop, value, baseURL, false)
		if err != nil {
			return err
		}
		res.list = r.items()
		res.has |= hList
		e.est += 2 * len(res.list)
	case "@set":
		r, err := e.expand(ac, prop, value, baseURL, false)
		if err != nil {
			return err
		}
		res.list = r.items()
		res.has |= hSet
		if r.array {
			res.has |= hSetArray
		}
	case "@reverse":
		m, ok := value.(map[string]any)
		if !ok {
			return newError("invalid @reverse value", fmt.Sprintf("at %s", e.where()))
		}
		r, err := e.expand(ac, "@reverse", m, baseURL, false)
		if err != nil {
			return err
		}
		if rv := r.one; rv != nil {
			for _, p := range rv.rare().reverse {
				res.addProp(p.iri, p.vals...)
			}
			for _, p := range rv.props {
				for _, v := range p.vals {
					if v.isValue() || v.isList() {
						return newError("invalid reverse property value", fmt.Sprintf("at %s", e.where()))
					}
				}
				res.addReverse(p.iri, p.vals...)
			}
		}
	case "@nest":
		*nests = append(*nests, key)
	default:
		// Other keywords (@base, @vocab, @version, …) mean nothing in a
		// node object.
		if e.strict {
			return e.dropped("keyword %s has no meaning here", kw)
		}
	}
	return nil
}

// expandProperty is steps 13.5-13.13 for one property entry.
func (e *expander) expandProperty(ac *activeContext, res *item, key, expProp string, value any, baseURL string) error {
	td := ac.terms[key]
	var cont container
	if td != nil {
		cont = td.container
	}
	var r result
	var err error
	_, isMap := value.(map[string]any)
	switch {
	case td != nil && td.typ == "@json":
		it := e.newItem()
		it.has, it.value, it.types = hValue|hType, value, jsonType
		r = result{one: it}
	case cont&cLanguage != 0 && isMap:
		r, err = e.languageMap(ac, td, value.(map[string]any))
	case cont&(cIndex|cType|cID) != 0 && isMap:
		r, err = e.indexMap(ac, key, td, value.(map[string]any), baseURL)
	default:
		r, err = e.expand(ac, key, value, baseURL, false)
	}
	if err != nil {
		return err
	}
	if r.isNull() {
		return nil
	}
	if cont&cList != 0 && (r.array || !r.one.isList()) {
		l := e.newItem()
		l.has, l.list = hList, r.items()
		e.est += 2 * len(l.list)
		r = result{one: l}
	}
	if cont&cGraph != 0 && cont&(cID|cIndex) == 0 {
		items := r.items()
		out := make([]*item, len(items))
		for i, it := range items {
			g := e.newItem()
			g.has = hGraph
			g.ext().graph = []*item{it}
			out[i] = g
		}
		r = result{many: out, array: true}
	}
	if td != nil && td.reverse {
		items := r.items()
		for _, it := range items {
			if it.isValue() || it.isList() {
				return newError("invalid reverse property value", fmt.Sprintf("at %s", e.where()))
			}
		}
		res.addReverse(expProp, items...)
		return nil
	}
	if r.array {
		e.est += len(r.many)
		res.addProp(expProp, r.many...)
	} else {
		e.est++
		res.addProp(expProp, e.one(r.one)...)
	}
	return nil
}

// languageMap is step 13.7: a language map to language-tagged strings.
func (e *expander) languageMap(ac *activeContext, td *termDef, m map[string]any) (result, error) {
	dir := ac.dir
	if td.hasDir {
		dir = td.dir
	}
	keys, start := e.sortedKeys(m)
	defer func() { e.keys = e.keys[:start] }()
	out := make([]*item, 0, len(keys))
	for _, lang := range keys {
		vals, ok := m[lang].([]any)
		if !ok {
			vals = []any{m[lang]}
		}
		expLang, _ := expandIRI(ac, lang, false, true)
		for _, v := range vals {
			if v == nil {
				continue
			}
			if _, ok := v.(string); !ok {
				return result{}, newError("invalid language map value", fmt.Sprintf("%q at %s", lang, e.where()))
			}
			it := e.newItem()
			it.has, it.value = hValue, v
			if lang != "@none" && expLang != "@none" {
				it.lang = strings.ToLower(lang)
				it.has |= hLang
			}
			if dir != "" {
				it.ext().dir = dir
				it.has |= hDir
			}
			out = append(out, it)
		}
	}
	return result{many: out, array: true}, nil
}

// indexMap is step 13.8: an @index, @id or @type map.
func (e *expander) indexMap(ac *activeContext, key string, td *termDef, m map[string]any, baseURL string) (result, error) {
	cont := td.container
	indexKey := "@index"
	if td.index != "" {
		indexKey = td.index
	}
	keys, start := e.sortedKeys(m)
	defer func() { e.keys = e.keys[:start] }()
	var out []*item
	for _, index := range keys {
		e.push(index, -1)
		mapCtx := ac
		if cont&(cID|cType) != 0 && ac.previous != nil {
			mapCtx = ac.previous
		}
		if cont&cType != 0 {
			if itd := mapCtx.terms[index]; itd != nil && itd.hasCtx {
				var err error
				if mapCtx, err = e.deriveScoped(mapCtx, itd, deriveMap); err != nil {
					return result{}, err
				}
			}
		}
		expIndex, _ := expandIRI(ac, index, false, true)
		vals, ok := m[index].([]any)
		if !ok {
			vals = []any{m[index]}
		}
		r, err := e.expand(mapCtx, key, vals, baseURL, true)
		if err != nil {
			return result{}, err
		}
		for _, it := range r.many {
			if cont&cGraph != 0 && !it.isGraph() {
				g := e.newItem()
				g.has = hGraph
				g.ext().graph = []*item{it}
				it = g
			}
			switch {
			case cont&cIndex != 0 && indexKey != "@index" && expIndex != "@none":
				reExp, err := e.expandValue(ac, indexKey, index)
				if err != nil {
					return result{}, err
				}
				expKey, _ := expandIRI(ac, indexKey, false, true)
				if it.isValue() {
					return result{}, newError("invalid value object", fmt.Sprintf("property-valued index on a value at %s", e.where()))
				}
				if reExp != nil {
					it.prependProp(expKey, reExp)
				}
			case cont&cIndex != 0 && it.has&hIndex == 0 && expIndex != "@none":
				it.ext().index = index
				it.has |= hIndex
			case cont&cID != 0 && it.has&hID == 0 && expIndex != "@none":
				id, null := expandIRI(ac, index, true, false)
				if !null {
					it.id = id
					it.has |= hID
				}
			case cont&cType != 0 && expIndex != "@none":
				it.types = append([]string{expIndex}, it.types...)
				it.has |= hType | hTypeArray
			}
			out = append(out, it)
		}
		e.pop()
	}
	return result{many: out, array: true}, nil
}

// expandValue is the Value Expansion algorithm (JSON-LD 1.1 API §5.3.2).
func (e *expander) expandValue(ac *activeContext, prop string, v any) (*item, error) {
	td := ac.terms[prop]
	if td != nil && (td.typ == "@id" || td.typ == "@vocab") {
		if s, ok := v.(string); ok {
			id, null := expandIRI(ac, s, true, td.typ == "@vocab")
			if null && e.strict {
				return nil, e.dropped("@id %q is a reserved keyword form", s)
			}
			it := e.newItem()
			it.has, it.id, it.nullID = hID, id, null
			return it, nil
		}
	}
	it := e.newItem()
	it.has, it.value = hValue, v
	switch {
	case td != nil && td.typ != "" && td.typ != "@id" && td.typ != "@vocab" && td.typ != "@none":
		it.types = td.typSlice()
		it.has |= hType
	default:
		if _, ok := v.(string); !ok {
			break
		}
		switch {
		case td != nil && td.hasLang:
			if td.lang != "" {
				it.lang = td.lang
				it.has |= hLang
			}
		case ac.hasLang:
			it.lang = ac.lang
			it.has |= hLang
		}
		dir := ac.dir
		if td != nil && td.hasDir {
			dir = td.dir
		}
		if dir != "" {
			it.ext().dir = dir
			it.has |= hDir
		}
	}
	return it, nil
}

// finish is steps 15-19 of the Expansion Algorithm.
func (e *expander) finish(res *item, prop string) (result, error) {
	h := res.has
	out := result{one: res}
	switch {
	case h&hValue != 0:
		if h&^valueKeys != 0 || (h&hType != 0 && h&(hLang|hDir) != 0) {
			return result{}, newError("invalid value object", fmt.Sprintf("at %s", e.where()))
		}
		isJSON := h&hType != 0 && h&hTypeArray == 0 && len(res.types) == 1 && res.types[0] == "@json"
		switch {
		case isJSON:
		case res.value == nil:
			return result{}, nil
		case h&hLang != 0:
			if _, ok := res.value.(string); !ok {
				return result{}, newError("invalid language-tagged value", fmt.Sprintf("at %s", e.where()))
			}
		case h&hType != 0:
			if h&hTypeArray != 0 || len(res.types) != 1 || !isAbsoluteIRI(res.types[0]) {
				return result{}, newError("invalid typed value", fmt.Sprintf("at %s", e.where()))
			}
		}
	case h&hType != 0 && h&hTypeArray == 0:
		res.has |= hTypeArray
	case h&(hSet|hList) != 0:
		if h&^(hSet|hSetArray|hList|hIndex) != 0 || (h&hSet != 0 && h&hList != 0) {
			return result{}, newError("invalid set or list object", fmt.Sprintf("at %s", e.where()))
		}
		if h&hSet != 0 {
			switch {
			case h&hSetArray != 0:
				out = result{many: res.list, array: true}
			case len(res.list) == 1:
				out = result{one: res.list[0]}
			default:
				out = result{}
			}
		}
	}
	it := out.one
	if it == nil {
		return out, nil
	}
	if it.has == hLang {
		return result{}, nil
	}
	if prop == "" || prop == "@graph" {
		switch {
		case it.has == 0:
			return result{}, nil
		case it.has&(hValue|hList) != 0:
			if e.strict {
				return result{}, e.dropped("free-floating value or list")
			}
			return result{}, nil
		case it.has == hID:
			if e.strict {
				return result{}, e.dropped("node %q has nothing but @id", it.id)
			}
			return result{}, nil
		}
	}
	return out, nil
}
