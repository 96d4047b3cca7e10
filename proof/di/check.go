package di

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/internal/rdfc"
	"github.com/piprate/json-gold/ld"
)

// checkInput bounds the size and nesting of a decoded JSON document and
// refuses values that encoding/json would not produce (json-gold assumes
// them) or strings that are not UTF-8.
func checkInput(doc map[string]any, lim Limits) error {
	size := 0
	var walk func(v any, depth int) error
	walk = func(v any, depth int) error {
		if depth > lim.MaxDepth {
			return fmt.Errorf("%w: nested deeper than %d", ErrTooComplex, lim.MaxDepth)
		}
		switch t := v.(type) {
		case map[string]any:
			size += 2
			for k, e := range t {
				if !utf8.ValidString(k) {
					return fmt.Errorf("%w: key is not UTF-8", ErrUnsupportedContent)
				}
				size += len(k) + 4
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		case []any:
			size += 2
			for _, e := range t {
				size++
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		case string:
			if !utf8.ValidString(t) {
				return fmt.Errorf("%w: string is not UTF-8", ErrUnsupportedContent)
			}
			size += len(t) + 2
		case float64, bool, nil:
			size += 8
		case json.Number:
			size += len(t)
		default:
			return fmt.Errorf("%w: value of Go type %T; decode documents with encoding/json", ErrInvalidDocument, v)
		}
		if size > lim.MaxBytes {
			return fmt.Errorf("%w: larger than %d bytes", ErrTooComplex, lim.MaxBytes)
		}
		return nil
	}
	return walk(doc, 0)
}

// checker walks expanded JSON-LD and refuses whatever json-gold's toRDF
// would drop or serialize differently from RDFC-1.0 (see JSONGold).
type checker struct {
	// iris caches the verdict per IRI: documents repeat the same
	// predicates and types, and ld.IsURL runs a large regular expression.
	iris map[string]error
}

func (c *checker) walk(v any) error {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if err := c.walk(e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if _, ok := t["@value"]; ok {
			return c.value(t)
		}
		if l, ok := t["@list"]; ok {
			return c.walk(l)
		}
		return c.node(t)
	default:
		return nil
	}
}

func (c *checker) node(m map[string]any) error {
	for k, v := range m {
		switch k {
		case "@id":
			s, _ := v.(string)
			if err := c.iri(s, "@id", true); err != nil {
				return err
			}
		case "@type":
			types, _ := v.([]any)
			for _, t := range types {
				s, _ := t.(string)
				if err := c.iri(s, "type", true); err != nil {
					return err
				}
			}
		case "@reverse":
			rev, _ := v.(map[string]any)
			for p, vals := range rev {
				if err := c.property(p); err != nil {
					return err
				}
				if err := c.walk(vals); err != nil {
					return err
				}
			}
		case "@graph", "@included", "@set":
			if err := c.walk(v); err != nil {
				return err
			}
		default:
			if strings.HasPrefix(k, "@") {
				continue
			}
			if err := c.property(k); err != nil {
				return err
			}
			if err := c.walk(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// languageTag is the pattern json-gold keeps language-tagged literals for;
// it drops the statement otherwise.
var languageTag = regexp.MustCompile(`^[a-zA-Z]+(-[a-zA-Z0-9]+)*$`)

func (c *checker) value(m map[string]any) error {
	typ, _ := m["@type"].(string)
	if typ != "" && typ != "@json" {
		if err := c.iri(typ, "datatype", false); err != nil {
			return err
		}
	}
	if lang, ok := m["@language"].(string); ok && !languageTag.MatchString(lang) {
		return fmt.Errorf("%w: language tag %q", ErrUnsupportedContent, lang)
	}
	if _, ok := m["@direction"]; ok {
		// jsonld.js refuses @direction in safe mode unless rdfDirection is
		// set; json-gold drops it.
		return fmt.Errorf("%w: @direction", ErrUnsupportedContent)
	}
	if s, ok := m["@value"].(string); ok && typ != "@json" {
		return literal(s)
	}
	return nil
}

func (c *checker) property(p string) error {
	if strings.HasPrefix(p, "_:") {
		return fmt.Errorf("%w: blank node predicate %q", ErrUnsupportedContent, p)
	}
	return c.iri(p, "property", false)
}

// iri checks one IRI the way json-gold's toRDF decides to keep it
// (ld.IsAbsoluteIri, and ld.IsURL for http and https), and that N-Quads can
// carry it unescaped.
func (c *checker) iri(s, what string, blankOK bool) error {
	if strings.HasPrefix(s, "_:") {
		if blankOK {
			return nil
		}
		return fmt.Errorf("%w: blank node %s %q", ErrUnsupportedContent, what, s)
	}
	if err, seen := c.iris[s]; seen {
		return wrapIRI(err, what)
	}
	var err error
	if _, ok := goodIRIs.Load(s); !ok {
		err = checkIRI(s)
		if err == nil && goodIRIsN.Add(1) <= maxGoodIRIs {
			goodIRIs.Store(s, struct{}{})
		}
	}
	c.iris[s] = err
	return wrapIRI(err, what)
}

// goodIRIs remembers IRIs that passed checkIRI across calls: vocabularies
// repeat the same predicates and types, and ld.IsURL's regular expression
// dominates the check. It stops growing at maxGoodIRIs entries, so hostile
// input cannot grow it without bound.
var (
	goodIRIs  sync.Map
	goodIRIsN atomic.Int64
)

const maxGoodIRIs = 4096

func wrapIRI(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %w", what, err)
}

func checkIRI(s string) error {
	if !rdfc.HasScheme(s) {
		return fmt.Errorf("%q is a relative IRI: %w (no context defines it)", s, ErrUndefinedTerm)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c == 0x7f || strings.IndexByte(`<>"{}|^`+"`"+`\`, c) >= 0 {
			return fmt.Errorf("%q: %w: character %q not allowed in an IRI", s, ErrUnsupportedContent, c)
		}
	}
	if !ld.IsAbsoluteIri(s) {
		return fmt.Errorf("%q: %w: IRI does not parse", s, ErrUnsupportedContent)
	}
	if (strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")) && !ld.IsURL(s) {
		return fmt.Errorf("%q: %w: json-gold would drop this URL as invalid", s, ErrUnsupportedContent)
	}
	return nil
}

// literal refuses strings json-gold escapes differently from RDFC-1.0,
// which writes \b, \f, other C0 controls and DEL as escapes: it would
// change the blank-node hashes as well as the output.
func literal(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return fmt.Errorf("%w: string with control character U+%04X", ErrUnsupportedContent, c)
		}
	}
	return nil
}

// checkDataset applies the quad, blank-node and work limits to ds.
func checkDataset(ds *ld.RDFDataset, lim Limits) error {
	n := 0
	for _, quads := range ds.Graphs {
		n += len(quads)
	}
	if n > lim.MaxQuads {
		return fmt.Errorf("%w: %d statements, limit %d", ErrTooComplex, n, lim.MaxQuads)
	}
	bnodes := map[string][]*ld.Quad{}
	for _, quads := range ds.Graphs {
		for _, q := range quads {
			for pos, t := range [...]ld.Node{q.Subject, q.Predicate, q.Object, q.Graph} {
				switch n := t.(type) {
				case ld.BlankNode:
					if pos != 1 {
						bnodes[n.Attribute] = append(bnodes[n.Attribute], q)
					}
				case ld.IRI:
					// The expanded document was checked already; this
					// is the last line against a relative IRI such as
					// <1EdTechJsonSchemaValidator2019> reaching the
					// output.
					if !rdfc.HasScheme(n.Value) {
						return fmt.Errorf("%q is a relative IRI: %w", n.Value, ErrUndefinedTerm)
					}
				case ld.Literal:
					if !rdfc.HasScheme(n.Datatype) {
						return fmt.Errorf("datatype %q is a relative IRI: %w", n.Datatype, ErrUndefinedTerm)
					}
				}
			}
		}
	}
	if len(bnodes) > lim.MaxBlankNodes {
		return fmt.Errorf("%w: %d blank nodes, limit %d", ErrTooComplex, len(bnodes), lim.MaxBlankNodes)
	}
	if work, ok := estimateWork(bnodes, lim.MaxWork); !ok {
		return fmt.Errorf("%w: blank nodes too alike (work estimate over %d, limit %d)", ErrTooComplex, work, lim.MaxWork)
	}
	return nil
}

// estimateWork bounds from above the Hash N-Degree Quads work RDFC-1.0
// needs for bnodes (each blank node with the quads it occurs in), and
// reports whether it stays within budget. It stops counting once over.
//
// Only blank nodes that share a first-degree hash reach Hash N-Degree
// Quads. For each, the algorithm groups the related such nodes by related
// hash and tries every permutation of each group, recursing into nodes not
// yet labelled. The estimate groups by first-degree signature, which is
// never finer than the related hash, and counts a recursion for every
// permutation, so it never undercounts.
func estimateWork(bnodes map[string][]*ld.Quad, budget int) (int, bool) {
	sigs := make(map[string]string, len(bnodes))
	count := map[string]int{}
	for id, quads := range bnodes {
		s := firstDegree(id, quads)
		sigs[id] = s
		count[s]++
	}
	var shared []string
	for id, s := range sigs {
		if count[s] > 1 {
			shared = append(shared, id)
		}
	}
	if len(shared) == 0 {
		return 0, true
	}
	slices.Sort(shared)
	index := make(map[string]int, len(shared))
	for i, id := range shared {
		index[id] = i
	}
	// groups[x] lists, per related hash, the shared nodes related to x.
	groups := make([][][]int, len(shared))
	for x, id := range shared {
		byKey := map[string][]int{}
		var keys []string
		for _, q := range bnodes[id] {
			for pos, t := range [...]ld.Node{q.Subject, q.Object, q.Graph} {
				b, ok := t.(ld.BlankNode)
				if !ok || b.Attribute == id {
					continue
				}
				y, ok := index[b.Attribute]
				if !ok {
					continue
				}
				key := fmt.Sprintf("%d %s %s", pos, q.Predicate.GetValue(), sigs[b.Attribute])
				if _, ok := byKey[key]; !ok {
					keys = append(keys, key)
				}
				byKey[key] = append(byKey[key], y)
			}
		}
		for _, k := range keys {
			groups[x] = append(groups[x], byKey[k])
		}
	}
	work := 0
	visiting := make([]bool, len(shared))
	var est func(x int) bool
	est = func(x int) bool {
		work++
		if work > budget {
			return false
		}
		visiting[x] = true
		defer func() { visiting[x] = false }()
		for _, g := range groups[x] {
			if len(g) > 10 {
				work = budget + 1
				return false
			}
			perms := factorial(len(g))
			work += perms * len(g)
			if work > budget {
				return false
			}
			before := work
			for _, y := range g {
				if !visiting[y] && !est(y) {
					return false
				}
			}
			work += (perms - 1) * (work - before)
			if work > budget {
				return false
			}
		}
		return true
	}
	for x := range shared {
		if !est(x) {
			return work, false
		}
	}
	return work, true
}

// firstDegree is a stand-in for the Hash First Degree Quads input of id
// (RDFC-1.0): its quads with id written _:a and other blank nodes _:z,
// sorted. Equal strings mean equal first-degree hashes.
func firstDegree(id string, quads []*ld.Quad) string {
	lines := make([]string, len(quads))
	var b []byte
	for i, q := range quads {
		b = b[:0]
		for j, t := range [...]ld.Node{q.Subject, q.Predicate, q.Object, q.Graph} {
			if t == nil {
				continue
			}
			if j > 0 {
				b = append(b, ' ')
			}
			if bn, ok := t.(ld.BlankNode); ok {
				if bn.Attribute == id {
					b = append(b, "_:a"...)
				} else {
					b = append(b, "_:z"...)
				}
				continue
			}
			b = appendTerm(b, t)
		}
		lines[i] = string(b)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func factorial(n int) int {
	f := 1
	for i := 2; i <= n; i++ {
		f *= i
	}
	return f
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
