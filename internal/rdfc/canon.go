package rdfc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"sync"
)

// HashAlgorithm names the hash function of RDFC-1.0 (§4.1: SHA-256 unless
// the caller asks for another).
type HashAlgorithm uint8

// Hash algorithms.
const (
	SHA256 HashAlgorithm = iota // the default
	SHA384
)

// Default limits; see Options.
const (
	DefaultMaxBlankNodes = 10_000
	DefaultMaxWork       = 100_000
)

// Options tune Canonicalize. The zero Options are RDFC-1.0 with SHA-256 and
// the default limits.
type Options struct {
	// Hash is the hash algorithm (SHA256 by default).
	Hash HashAlgorithm
	// MaxBlankNodes caps the distinct blank nodes (DefaultMaxBlankNodes if
	// zero).
	MaxBlankNodes int
	// MaxWork caps the Hash N-Degree Quads work (DefaultMaxWork if zero).
	// One unit is one call of Hash N-Degree Quads or one permutation
	// examined by it; datasets whose blank nodes all differ in their
	// first-degree hashes need none. A unit costs about 1 µs on a 2-core
	// machine, so the default bounds a refusal at about 0.1 s. The W3C
	// "evil" tests 044-046 need 3,348 units; the 10-node clique of test 074
	// (a poison graph) needs tens of millions and fails.
	MaxWork int
}

// Canonicalize returns the canonical N-Quads of d (RDFC-1.0 §4.4, §4.6-4.8):
// blank nodes relabelled _:c14n0, _:c14n1, …, one quad per line, each line
// ending in "\n", lines sorted by code point, duplicates removed. d is not
// modified.
func Canonicalize(d *Dataset, opts Options) ([]byte, error) {
	c := getCanonicalizer()
	defer c.release()
	if err := c.run(d, opts); err != nil {
		return nil, err
	}
	return c.serialize(), nil
}

// CanonicalizeMap is Canonicalize that also returns the issued identifiers
// map (RDFC-1.0 §4.4 step 7): input blank node label to canonical label
// (both without "_:").
func CanonicalizeMap(d *Dataset, opts Options) ([]byte, map[string]string, error) {
	c := getCanonicalizer()
	defer c.release()
	if err := c.run(d, opts); err != nil {
		return nil, nil, err
	}
	m := make(map[string]string, len(c.labels))
	for i, l := range c.labels {
		m[l] = "c14n" + strconv.Itoa(int(c.canon.ids[i]))
	}
	return c.serialize(), m, nil
}

// comp is one component of a quad: a blank node (bnode >= 0) or the N-Quads
// form of another term, buf[off:end]. The default graph has off == end.
type comp struct {
	bnode    int32
	off, end int32
}

type cquad [4]comp

// canonicalizer holds the state of one run (the "canonicalization state" of
// RDFC-1.0 §4.2, with blank nodes numbered in order of appearance).
type canonicalizer struct {
	buf    []byte  // N-Quads forms of the non-blank terms
	quads  []cquad // deduplicated
	labels []string
	// quadsOf lists the quads of blank node b as byQuad[qStart[b]:qStart[b+1]].
	qStart []int32
	byQuad []int32

	h        hash.Hash
	hashSize int
	first    []byte // first-degree hash of bnode b at first[b*hashSize:]
	canon    issuer

	maxWork, work int
	scratch       []byte
	lines         [][]byte
	ends          []int

	// Buffers kept between runs (see getCanonicalizer).
	ids      map[string]int32
	order    []int32
	fill     []int32
	lbl      []byte
	lblEnd   []int32
	sha256   hash.Hash
	sha384   hash.Hash
	issuerID []int32
}

var canonicalizers = sync.Pool{New: func() any { return new(canonicalizer) }}

// getCanonicalizer returns a canonicalizer whose buffers may be reused.
func getCanonicalizer() *canonicalizer { return canonicalizers.Get().(*canonicalizer) }

// release empties c, dropping references into the dataset, and pools it.
func (c *canonicalizer) release() {
	clear(c.labels)
	clear(c.ids)
	clear(c.lines)
	*c = canonicalizer{
		buf: c.buf[:0], quads: c.quads[:0], labels: c.labels[:0], qStart: c.qStart[:0], byQuad: c.byQuad[:0],
		first: c.first[:0], scratch: c.scratch[:0], lines: c.lines[:0], ends: c.ends[:0],
		ids: c.ids, order: c.canon.order[:0], fill: c.fill[:0], lbl: c.lbl[:0], lblEnd: c.lblEnd[:0],
		sha256: c.sha256, sha384: c.sha384, issuerID: c.issuerID[:0],
	}
	canonicalizers.Put(c)
}

// grow returns s resized to n, reusing its array when it is big enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		s = s[:n]
		clear(s)
		return s
	}
	return make([]T, n)
}

func (c *canonicalizer) run(d *Dataset, opts Options) error {
	switch opts.Hash {
	case SHA256:
		if c.sha256 == nil {
			c.sha256 = sha256.New()
		}
		c.h, c.hashSize = c.sha256, sha256.Size
	case SHA384:
		if c.sha384 == nil {
			c.sha384 = sha512.New384()
		}
		c.h, c.hashSize = c.sha384, sha512.Size384
	default:
		return fmt.Errorf("%w: unknown hash algorithm %d", ErrInvalidDataset, opts.Hash)
	}
	maxBlank := opts.MaxBlankNodes
	if maxBlank <= 0 {
		maxBlank = DefaultMaxBlankNodes
	}
	c.maxWork = opts.MaxWork
	if c.maxWork <= 0 {
		c.maxWork = DefaultMaxWork
	}
	if err := c.load(d, maxBlank); err != nil {
		return err
	}
	n := len(c.labels)
	c.issuerID = grow(c.issuerID, n)
	c.canon = issuer{ids: c.issuerID, order: c.order[:0]}
	for i := range c.canon.ids {
		c.canon.ids[i] = -1
	}
	if n == 0 {
		return nil
	}

	// §4.4 steps 2-4: first-degree hashes; issue canonical identifiers for
	// the unique ones in hash order.
	c.first = grow(c.first, n*c.hashSize)
	order := grow(c.fill, n)
	for b := range n {
		c.hashFirstDegree(int32(b), c.first[b*c.hashSize:b*c.hashSize])
		order[b] = int32(b)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if r := bytes.Compare(c.firstHash(a), c.firstHash(b)); r != 0 {
			return r
		}
		return int(a - b)
	})
	var shared [][]int32 // groups of blank nodes sharing a first-degree hash
	for i := 0; i < n; {
		j := i + 1
		for j < n && bytes.Equal(c.firstHash(order[i]), c.firstHash(order[j])) {
			j++
		}
		if j-i == 1 {
			c.canon.issue(order[i])
		} else {
			shared = append(shared, order[i:j])
		}
		i = j
	}

	// §4.4 step 5: the shared groups, in hash order, through Hash N-Degree
	// Quads.
	type result struct {
		hash []byte
		iss  issuer
	}
	for _, group := range shared {
		var results []result
		for _, b := range group {
			if c.canon.has(b) {
				continue
			}
			tmp := newIssuer(n)
			tmp.issue(b)
			h, iss, err := c.hashNDegree(b, tmp)
			if err != nil {
				return err
			}
			results = append(results, result{h, iss})
		}
		slices.SortStableFunc(results, func(a, b result) int { return bytes.Compare(a.hash, b.hash) })
		for _, r := range results {
			for _, b := range r.iss.order {
				c.canon.issue(b)
			}
		}
	}
	return nil
}

// load numbers the blank nodes, serializes the other terms once, removes
// duplicate quads and indexes the quads of each blank node.
func (c *canonicalizer) load(d *Dataset, maxBlank int) error {
	size := 0
	for i := range d.Quads {
		q := &d.Quads[i]
		if err := q.validate(); err != nil {
			return err
		}
		size += len(q.Subject.Value) + len(q.Predicate.Value) + len(q.Object.Value) + len(q.Object.Datatype) + len(q.Graph.Value) + 16
	}
	if cap(c.buf) < size {
		c.buf = make([]byte, 0, size)
	}
	c.quads = grow(c.quads, len(d.Quads))
	if c.ids == nil {
		c.ids = make(map[string]int32)
	}
	ids := c.ids
	for i := range d.Quads {
		q := &d.Quads[i]
		for j, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			cp := comp{bnode: -1}
			if t.Kind == KindBlank {
				id, ok := ids[t.Value]
				if !ok {
					if len(c.labels) >= maxBlank {
						return fmt.Errorf("%w: more than %d blank nodes", ErrTooComplex, maxBlank)
					}
					id = int32(len(c.labels))
					ids[t.Value] = id
					c.labels = append(c.labels, t.Value)
				}
				cp.bnode = id
			} else {
				cp.off = int32(len(c.buf))
				c.buf = appendTerm(c.buf, *t)
				cp.end = int32(len(c.buf))
			}
			c.quads[i][j] = cp
		}
	}

	// A dataset is a set (RDF 1.1 Concepts §4): sort and drop duplicates.
	slices.SortFunc(c.quads, c.compareQuads)
	c.quads = slices.CompactFunc(c.quads, func(a, b cquad) bool { return c.compareQuads(a, b) == 0 })

	n := len(c.labels)
	c.qStart = grow(c.qStart, n+1)
	for i := range c.quads {
		c.forBlanks(i, func(b int32) { c.qStart[b+1]++ })
	}
	for b := range n {
		c.qStart[b+1] += c.qStart[b]
	}
	c.byQuad = grow(c.byQuad, int(c.qStart[n]))
	fill := append(c.fill[:0], c.qStart[:n]...)
	c.fill = fill
	for i := range c.quads {
		c.forBlanks(i, func(b int32) {
			c.byQuad[fill[b]] = int32(i)
			fill[b]++
		})
	}
	return nil
}

// forBlanks calls f once for each distinct blank node of quad i.
func (c *canonicalizer) forBlanks(i int, f func(int32)) {
	q := &c.quads[i]
	for j, cp := range q {
		if cp.bnode < 0 {
			continue
		}
		dup := false
		for k := 0; k < j; k++ {
			if q[k].bnode == cp.bnode {
				dup = true
			}
		}
		if !dup {
			f(cp.bnode)
		}
	}
}

func (c *canonicalizer) compareQuads(a, b cquad) int {
	for j := range a {
		x, y := a[j], b[j]
		switch {
		case x.bnode >= 0 && y.bnode >= 0:
			if x.bnode != y.bnode {
				return int(x.bnode - y.bnode)
			}
		case x.bnode >= 0:
			return -1
		case y.bnode >= 0:
			return 1
		default:
			if r := bytes.Compare(c.buf[x.off:x.end], c.buf[y.off:y.end]); r != 0 {
				return r
			}
		}
	}
	return 0
}

func (c *canonicalizer) firstHash(b int32) []byte {
	return c.first[int(b)*c.hashSize : int(b+1)*c.hashSize]
}

func (c *canonicalizer) quadsOf(b int32) []int32 {
	return c.byQuad[c.qStart[b]:c.qStart[b+1]]
}

// appendLine appends quad q as a canonical N-Quads line, writing each blank
// node with label(b).
func (c *canonicalizer) appendLine(dst []byte, q *cquad, label func(dst []byte, b int32) []byte) []byte {
	for j, cp := range q {
		if j == 3 && cp.bnode < 0 && cp.off == cp.end {
			break
		}
		if j > 0 {
			dst = append(dst, ' ')
		}
		if cp.bnode >= 0 {
			dst = label(dst, cp.bnode)
		} else {
			dst = append(dst, c.buf[cp.off:cp.end]...)
		}
	}
	return append(dst, " .\n"...)
}

// hashFirstDegree is Hash First Degree Quads (RDFC-1.0 §4.6): the hash of
// the sorted lines of b's quads, with b written _:a and other blank nodes
// _:z. It appends the digest to dst.
func (c *canonicalizer) hashFirstDegree(b int32, dst []byte) []byte {
	label := func(dst []byte, x int32) []byte {
		if x == b {
			return append(dst, "_:a"...)
		}
		return append(dst, "_:z"...)
	}
	c.scratch = c.scratch[:0]
	c.lines = c.lines[:0]
	c.ends = c.ends[:0]
	for _, qi := range c.quadsOf(b) {
		c.scratch = c.appendLine(c.scratch, &c.quads[qi], label)
		c.ends = append(c.ends, len(c.scratch))
	}
	start := 0
	for _, e := range c.ends {
		c.lines = append(c.lines, c.scratch[start:e])
		start = e
	}
	slices.SortFunc(c.lines, bytes.Compare)
	c.h.Reset()
	for _, l := range c.lines {
		c.h.Write(l)
	}
	return c.h.Sum(dst)
}

// issuer is an identifier issuer (RDFC-1.0 §4.5) over numbered blank nodes.
type issuer struct {
	ids   []int32 // issued number per blank node, -1 if none
	order []int32 // blank nodes in issue order
}

func newIssuer(n int) issuer {
	iss := issuer{ids: make([]int32, n)}
	for i := range iss.ids {
		iss.ids[i] = -1
	}
	return iss
}

func (iss *issuer) has(b int32) bool { return iss.ids[b] >= 0 }

// issue returns b's identifier number, issuing the next one if needed.
func (iss *issuer) issue(b int32) int32 {
	if id := iss.ids[b]; id >= 0 {
		return id
	}
	id := int32(len(iss.order))
	iss.ids[b] = id
	iss.order = append(iss.order, b)
	return id
}

func (iss issuer) clone() issuer {
	all := make([]int32, len(iss.ids)+len(iss.order), len(iss.ids)+cap(iss.order))
	copy(all, iss.ids)
	copy(all[len(iss.ids):], iss.order)
	return issuer{ids: all[:len(iss.ids):len(iss.ids)], order: all[len(iss.ids):]}
}

// appendID writes the identifier issued to b with prefix ("c14n" or "b").
func appendID(dst []byte, prefix string, id int32) []byte {
	dst = append(dst, prefix...)
	return strconv.AppendInt(dst, int64(id), 10)
}

// hashRelated is Hash Related Blank Node (RDFC-1.0 §4.7) for related at
// position (s, o or g) of quad q, appending the digest to dst.
func (c *canonicalizer) hashRelated(dst []byte, related int32, q *cquad, iss *issuer, position byte) []byte {
	in := make([]byte, 0, 128)
	in = append(in, position)
	if position != 'g' {
		p := q[1]
		in = append(in, c.buf[p.off:p.end]...)
	}
	switch {
	case c.canon.has(related):
		in = append(in, '_', ':')
		in = appendID(in, "c14n", c.canon.ids[related])
	case iss.has(related):
		in = append(in, '_', ':')
		in = appendID(in, "b", iss.ids[related])
	default:
		in = hex.AppendEncode(in, c.firstHash(related))
	}
	c.h.Reset()
	c.h.Write(in)
	return c.h.Sum(dst)
}

func (c *canonicalizer) spend(units int) error {
	c.work += units
	if c.work > c.maxWork {
		return fmt.Errorf("%w: Hash N-Degree Quads work over %d (poison dataset?)", ErrTooComplex, c.maxWork)
	}
	return nil
}

// hashNDegree is Hash N-Degree Quads (RDFC-1.0 §4.8) for identifier b with
// the issuer iss (which it does not modify); it returns the hash and the
// issuer it settled on.
func (c *canonicalizer) hashNDegree(b int32, iss issuer) ([]byte, issuer, error) {
	if err := c.spend(1); err != nil {
		return nil, issuer{}, err
	}
	// Step 1-3: group the related blank nodes by their related hash. A
	// node related through several quads appears once per quad, as in the
	// reference implementations.
	type rel struct {
		hash []byte
		node int32
	}
	var related []rel
	for _, qi := range c.quadsOf(b) {
		q := &c.quads[qi]
		for j, cp := range q {
			if cp.bnode < 0 || cp.bnode == b || j == 1 {
				continue
			}
			pos := byte('s')
			switch j {
			case 2:
				pos = 'o'
			case 3:
				pos = 'g'
			}
			related = append(related, rel{c.hashRelated(nil, cp.bnode, q, &iss, pos), cp.bnode})
		}
	}
	slices.SortStableFunc(related, func(x, y rel) int { return bytes.Compare(x.hash, y.hash) })

	// Step 4-5.
	var data []byte
	for i := 0; i < len(related); {
		j := i + 1
		for j < len(related) && bytes.Equal(related[i].hash, related[j].hash) {
			j++
		}
		data = hex.AppendEncode(data, related[i].hash)
		list := make([]int32, 0, j-i)
		for _, r := range related[i:j] {
			list = append(list, r.node)
		}
		i = j

		var chosenPath []byte
		var chosenIssuer issuer
		chosen := false
		perm := newPermuter(list)
		for p := perm.next(); p != nil; p = perm.next() {
			if err := c.spend(1); err != nil {
				return nil, issuer{}, err
			}
			issCopy := iss.clone()
			var path []byte
			var recursion []int32
			skip := false
			for _, r := range p {
				if c.canon.has(r) {
					path = append(path, '_', ':')
					path = appendID(path, "c14n", c.canon.ids[r])
				} else {
					if !issCopy.has(r) {
						recursion = append(recursion, r)
					}
					path = append(path, '_', ':')
					path = appendID(path, "b", issCopy.issue(r))
				}
				if chosen && len(path) >= len(chosenPath) && bytes.Compare(path, chosenPath) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			for _, r := range recursion {
				h, resIss, err := c.hashNDegree(r, issCopy)
				if err != nil {
					return nil, issuer{}, err
				}
				path = append(path, '_', ':')
				path = appendID(path, "b", issCopy.issue(r))
				path = append(path, '<')
				path = hex.AppendEncode(path, h)
				path = append(path, '>')
				issCopy = resIss
				if chosen && len(path) >= len(chosenPath) && bytes.Compare(path, chosenPath) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			if !chosen || bytes.Compare(path, chosenPath) < 0 {
				chosenPath, chosenIssuer, chosen = path, issCopy, true
			}
		}
		data = append(data, chosenPath...)
		iss = chosenIssuer
	}
	c.h.Reset()
	c.h.Write(data)
	return c.h.Sum(nil), iss, nil
}

// permuter yields every permutation of a list once, in lexicographic order
// of positions in the sorted list (duplicates included, as RDFC-1.0 asks
// for "each permutation").
type permuter struct {
	list  []int32
	idx   []int
	out   []int32
	begun bool
	done  bool
}

func newPermuter(list []int32) *permuter {
	slices.Sort(list)
	p := &permuter{list: list, idx: make([]int, len(list)), out: make([]int32, len(list))}
	for i := range p.idx {
		p.idx[i] = i
	}
	return p
}

// next returns the next permutation (valid until the following call), or
// nil after the last.
func (p *permuter) next() []int32 {
	if p.done {
		return nil
	}
	if p.begun {
		// Next lexicographic permutation of idx.
		i := len(p.idx) - 2
		for i >= 0 && p.idx[i] >= p.idx[i+1] {
			i--
		}
		if i < 0 {
			p.done = true
			return nil
		}
		j := len(p.idx) - 1
		for p.idx[j] <= p.idx[i] {
			j--
		}
		p.idx[i], p.idx[j] = p.idx[j], p.idx[i]
		slices.Reverse(p.idx[i+1:])
	}
	p.begun = true
	for k, i := range p.idx {
		p.out[k] = p.list[i]
	}
	return p.out
}

// serialize writes the canonical N-Quads: every quad with canonical labels,
// lines sorted. It sorts the quads component by component, which orders
// them as their lines: a term that is a proper prefix of another is
// followed in its line by " ", below any character that can continue a
// term in canonical form, and a missing graph name sorts first as "."
// does before "<" and "_".
func (c *canonicalizer) serialize() []byte {
	n := len(c.labels)
	lbl := c.lbl[:0]
	lblEnd := grow(c.lblEnd, n)
	defer func() { c.lbl, c.lblEnd = lbl, lblEnd }()
	for b := range n {
		lbl = append(lbl, '_', ':')
		lbl = appendID(lbl, "c14n", c.canon.ids[b])
		lblEnd[b] = int32(len(lbl))
	}
	comp := func(cp comp) []byte {
		if cp.bnode >= 0 {
			start := int32(0)
			if cp.bnode > 0 {
				start = lblEnd[cp.bnode-1]
			}
			return lbl[start:lblEnd[cp.bnode]]
		}
		return c.buf[cp.off:cp.end]
	}
	slices.SortFunc(c.quads, func(a, b cquad) int {
		for j := range a {
			if r := bytes.Compare(comp(a[j]), comp(b[j])); r != 0 {
				return r
			}
		}
		return 0
	})
	size := 0
	for i := range c.quads {
		for _, cp := range c.quads[i] {
			size += len(comp(cp)) + 1
		}
		size += 2
	}
	out := make([]byte, 0, size)
	for i := range c.quads {
		q := &c.quads[i]
		for j, cp := range q {
			x := comp(cp)
			if j == 3 && len(x) == 0 {
				break
			}
			if j > 0 {
				out = append(out, ' ')
			}
			out = append(out, x...)
		}
		out = append(out, " .\n"...)
	}
	return out
}
