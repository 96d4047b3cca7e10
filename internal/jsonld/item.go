package jsonld

// item is an expanded JSON-LD object (JSON-LD 1.1 §9): a node object
// (possibly a graph object), a value object, a list object or, while
// expanding, a set object. Keyword entries are fields; has records which
// are present.
type item struct {
	has    keys
	nullID bool // "@id": null (a keyword-like value that IRI expansion drops)
	id     string
	types  []string // @type: node types, or the datatype of a value object
	// value objects
	value any // @value: string, float64, json.Number, bool, nil, or any JSON for @json
	lang  string
	// node objects
	props []prop
	// list and set objects
	list []*item
	// x holds the entries credentials rarely have.
	x *itemExt
}

// itemExt holds the rare entries of an item, to keep item small.
type itemExt struct {
	index    string
	dir      string
	reverse  []prop
	graph    []*item
	included []*item
}

// ext returns the rare entries, creating them.
func (it *item) ext() *itemExt {
	if it.x == nil {
		it.x = &itemExt{}
	}
	return it.x
}

var noExt itemExt

// rare returns the rare entries for reading.
func (it *item) rare() *itemExt {
	if it.x == nil {
		return &noExt
	}
	return it.x
}

// prop is one property of a node object and its values.
type prop struct {
	iri  string
	vals []*item
}

type keys uint16

const (
	hID keys = 1 << iota
	hType
	hTypeArray // @type came as an array or from several entries
	hIndex
	hValue
	hLang
	hDir
	hGraph
	hIncluded
	hReverse
	hList
	hSet
	hSetArray // the @set value was an array
	hProps    // at least one property entry (possibly with no values)
)

// keyword entries other than these make a map a node object.
const valueKeys = hValue | hType | hTypeArray | hLang | hDir | hIndex

func (it *item) isValue() bool { return it.has&hValue != 0 }
func (it *item) isList() bool  { return it.has&hList != 0 }
func (it *item) isNode() bool  { return it.has&(hValue|hList|hSet) == 0 }

// isGraph reports a graph object: @graph with at most @id and @index.
func (it *item) isGraph() bool {
	return it.has&hGraph != 0 && it.has&^(hGraph|hID|hIndex) == 0
}

// addProp appends vals to property iri (creating it, even with no values).
func (it *item) addProp(iri string, vals ...*item) {
	it.has |= hProps
	for i := range it.props {
		if it.props[i].iri == iri {
			it.props[i].vals = append(it.props[i].vals, vals...)
			return
		}
	}
	it.props = append(it.props, prop{iri: iri, vals: vals})
}

// prependProp puts v before the values of property iri.
func (it *item) prependProp(iri string, v *item) {
	it.has |= hProps
	for i := range it.props {
		if it.props[i].iri == iri {
			it.props[i].vals = append([]*item{v}, it.props[i].vals...)
			return
		}
	}
	it.props = append(it.props, prop{iri: iri, vals: []*item{v}})
}

func (it *item) addReverse(iri string, vals ...*item) {
	it.has |= hReverse
	x := it.ext()
	for i := range x.reverse {
		if x.reverse[i].iri == iri {
			x.reverse[i].vals = append(x.reverse[i].vals, vals...)
			return
		}
	}
	x.reverse = append(x.reverse, prop{iri: iri, vals: vals})
}

// toJSON returns the expanded form as decoded JSON (for Expand).
func (it *item) toJSON() any {
	m := map[string]any{}
	if it.has&hID != 0 {
		if it.nullID {
			m["@id"] = nil
		} else {
			m["@id"] = it.id
		}
	}
	if it.has&hIndex != 0 {
		m["@index"] = it.rare().index
	}
	if it.isValue() {
		m["@value"] = it.value
		if it.has&hType != 0 {
			if it.has&hTypeArray != 0 {
				m["@type"] = stringsJSON(it.types)
			} else if len(it.types) == 1 {
				m["@type"] = it.types[0]
			}
		}
		if it.has&hLang != 0 {
			m["@language"] = it.lang
		}
		if it.has&hDir != 0 {
			m["@direction"] = it.rare().dir
		}
		return m
	}
	if it.has&hList != 0 {
		m["@list"] = itemsJSON(it.list)
	}
	if it.has&hType != 0 {
		m["@type"] = stringsJSON(it.types)
	}
	for _, p := range it.props {
		m[p.iri] = itemsJSON(p.vals)
	}
	if it.has&hReverse != 0 {
		r := map[string]any{}
		for _, p := range it.rare().reverse {
			r[p.iri] = itemsJSON(p.vals)
		}
		m["@reverse"] = r
	}
	if it.has&hGraph != 0 {
		m["@graph"] = itemsJSON(it.rare().graph)
	}
	if it.has&hIncluded != 0 {
		m["@included"] = itemsJSON(it.rare().included)
	}
	return m
}

func itemsJSON(items []*item) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.toJSON()
	}
	return out
}

func stringsJSON(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
