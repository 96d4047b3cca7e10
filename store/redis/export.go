package redis

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Exporter = (*DB)(nil)
	_ store.Importer = (*DB)(nil)
)

// Export finds the collections, sequences, status lists and tokens by SCAN
// over the key layout (on every master of a cluster), decodes and sorts
// their names in memory (names only, never values), and then reads the
// values in pages and pipelines. It is not a snapshot: export a store that
// no server is writing to.
//
// Import writes documents with batchScript, one script per run of up to
// importBatch documents of one collection, many scripts to a pipeline;
// sequences and tokens with one script or command each, many to a
// pipeline; status lists with one script each. Nothing is held in memory
// but the current pipeline's batch.
const (
	// scanCount is the COUNT hint of each SCAN call.
	scanCount = 1000
	// pipelineBatch is how many commands or scripts go into one pipeline.
	pipelineBatch = 200
	// importBatch bounds the documents of one import script.
	importBatch = 500
	// importBatchBytes bounds the bytes of one pipeline of imports.
	importBatchBytes = 4 << 20
	// firstPage is the page size of the first page of each collection,
	// fetched pipelined for exportGroup collections at once; later pages
	// are maxLimit records.
	firstPage   = 100
	exportGroup = 50
)

var (
	// exportListScript: KEYS = meta, bits, alloc. Returns {size, version,
	// bits, alloc} read together, or {} for a missing list.
	exportListScript = goredis.NewScript(`
local meta = redis.call('HMGET', KEYS[1], 'size', 'version')
if not meta[1] then
  return {}
end
return {meta[1], meta[2], redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or ''}
`)

	// exportTokenScript: KEYS = one token. Returns {value, PTTL} read
	// together, or false if the token is missing.
	exportTokenScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  return false
end
return {v, redis.call('PTTL', KEYS[1])}
`)

	// raiseScript: KEYS = a sequence counter; ARGV = value, in decimal
	// without leading zeros. Sets the counter to value unless it is at
	// least that already, and returns 1 if it did. The comparison is on
	// the decimal strings (length, then bytes), which is exact where Lua's
	// double-precision numbers are not.
	raiseScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and (#cur > #ARGV[1] or (#cur == #ARGV[1] and cur >= ARGV[1])) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`)

	// importListScript: KEYS = meta, bits, alloc, a scratch key under the
	// list's hash tag; ARGV = size, version, bits, alloc, "1" to replace.
	// Returns 1, or 0 if the list exists and ARGV[5] is not "1". Replacing
	// a list of the same size ORs the allocation bitmaps (BITOP through the
	// scratch key, deleted again), so no index is ever handed out twice.
	importListScript = goredis.NewScript(`
local size = redis.call('HGET', KEYS[1], 'size')
if size and ARGV[5] ~= '1' then
  return 0
end
if size == ARGV[1] then
  redis.call('SET', KEYS[4], ARGV[4])
  redis.call('BITOP', 'OR', KEYS[3], KEYS[3], KEYS[4])
  redis.call('DEL', KEYS[4])
else
  redis.call('SET', KEYS[3], ARGV[4])
end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'size', ARGV[1], 'version', ARGV[2])
return 1
`)
)

// scanKeys returns every key matching the SCAN pattern match, on every
// master of a cluster. Keys may repeat (SCAN may return a key twice).
func (d *DB) scanKeys(ctx context.Context, match string) ([]string, error) {
	var (
		mu   sync.Mutex
		keys []string
	)
	scan := func(ctx context.Context, c *goredis.Client) error {
		it := c.Scan(ctx, 0, match, scanCount).Iterator()
		var found []string
		for it.Next(ctx) {
			found = append(found, it.Val())
		}
		mu.Lock()
		keys = append(keys, found...)
		mu.Unlock()
		return it.Err()
	}
	switch c := d.rdb.(type) {
	case *goredis.ClusterClient:
		return keys, c.ForEachMaster(ctx, scan)
	case *goredis.Client:
		return keys, scan(ctx, c)
	default:
		return nil, fmt.Errorf("unexpected client %T", d.rdb)
	}
}

// scanNames returns the names encoded in the keys that start with head and
// end with tail, decoded, in byte-wise order, each once. head and tail hold
// no glob characters: the prefix alphabet and the layout guarantee that.
func (d *DB) scanNames(ctx context.Context, head, tail string) ([]string, error) {
	keys, err := d.scanKeys(ctx, head+"*"+tail)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		n, err := dec(strings.TrimSuffix(strings.TrimPrefix(k, head), tail))
		if err != nil {
			return nil, errors.New("unexpected key under the prefix")
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// dec is the inverse of enc.
func dec(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err
}

// exportError yields err, wrapped with op, as the one failure of an
// iteration.
func exportError[T any](yield func(T, error) bool, op string, err error) {
	var zero T
	yield(zero, wrap(op, err))
}

// ExportDocs implements store.Exporter. The first pages of exportGroup
// collections at a time are read in one pipeline, which matters because
// Accolade keeps an index collection per recipient and per achievement:
// many collections of few documents each.
func (d *DB) ExportDocs(ctx context.Context) iter.Seq2[store.Doc, error] {
	const op = "export docs"
	return func(yield func(store.Doc, error) bool) {
		if err := begin(ctx, op); err != nil {
			yield(store.Doc{}, err)
			return
		}
		head := "{" + d.prefix + ":d:"
		collections, err := d.scanNames(ctx, head, "}:i")
		if err != nil {
			exportError(yield, op, err)
			return
		}
		for group := range slices.Chunk(collections, exportGroup) {
			pipe := d.rdb.Pipeline()
			cmds := make([]*goredis.Cmd, len(group))
			for i, c := range group {
				cmds[i] = listScript.Eval(ctx, pipe, d.docKeys(c), "-", firstPage)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				exportError(yield, op, err)
				return
			}
			for i, c := range group {
				reply, err := cmds[i].Slice()
				for {
					if err != nil {
						exportError(yield, op+" of "+c, err)
						return
					}
					// perr, not err: the next page's error must reach the
					// check at the top of this loop.
					p, perr := decodePage(reply)
					if perr != nil {
						exportError(yield, op+" of "+c, perr)
						return
					}
					for _, r := range p.Records {
						if !yield(store.Doc{Collection: c, ID: r.ID, Value: r.Value}, nil) {
							return
						}
					}
					if p.Next == "" {
						break
					}
					if err := ctx.Err(); err != nil {
						exportError(yield, op, err)
						return
					}
					reply, err = listScript.Run(ctx, d.rdb, d.docKeys(c), "("+p.Next, maxLimit).Slice()
				}
			}
		}
	}
}

// ExportSequences implements store.Exporter.
func (d *DB) ExportSequences(ctx context.Context) iter.Seq2[store.Sequence, error] {
	const op = "export sequences"
	return func(yield func(store.Sequence, error) bool) {
		if err := begin(ctx, op); err != nil {
			yield(store.Sequence{}, err)
			return
		}
		names, err := d.scanNames(ctx, d.prefix+":s:", "")
		if err != nil {
			exportError(yield, op, err)
			return
		}
		for group := range slices.Chunk(names, pipelineBatch) {
			pipe := d.rdb.Pipeline()
			cmds := make([]*goredis.StringCmd, len(group))
			for i, n := range group {
				cmds[i] = pipe.Get(ctx, d.seqKey(n))
			}
			if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
				exportError(yield, op, err)
				return
			}
			for i, n := range group {
				v, err := cmds[i].Uint64()
				switch {
				case errors.Is(err, goredis.Nil):
					continue
				case err != nil:
					exportError(yield, op+" of "+n, err)
					return
				case v == 0:
					continue
				}
				if !yield(store.Sequence{Name: n, Value: v}, nil) {
					return
				}
			}
		}
	}
}

// ExportStatusLists implements store.Exporter: each list is one script that
// reads its size, version and both bitmaps together.
func (d *DB) ExportStatusLists(ctx context.Context) iter.Seq2[store.ListState, error] {
	const op = "export status lists"
	return func(yield func(store.ListState, error) bool) {
		if err := begin(ctx, op); err != nil {
			yield(store.ListState{}, err)
			return
		}
		ids, err := d.scanNames(ctx, "{"+d.prefix+":sl:", "}:meta")
		if err != nil {
			exportError(yield, op, err)
			return
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				exportError(yield, op, err)
				return
			}
			reply, err := exportListScript.Run(ctx, d.rdb, d.listKeys(id)).Slice()
			if err != nil {
				exportError(yield, op+" of "+id, err)
				return
			}
			if len(reply) == 0 {
				continue // gone since the scan
			}
			l, err := decodeListState(id, reply)
			if err != nil {
				yield(store.ListState{}, fmt.Errorf("redis: %s of %s: %w", op, id, err))
				return
			}
			if !yield(l, nil) {
				return
			}
		}
	}
}

// decodeListState reads exportListScript's reply. Bitmaps shorter than the
// list read as zero-padded, as SETBIT and GETBIT treat them.
func decodeListState(id string, reply []any) (store.ListState, error) {
	if len(reply) != 4 {
		return store.ListState{}, fmt.Errorf("unexpected reply of %d elements", len(reply))
	}
	size, version, err := decodeMeta(reply[:3])
	if err != nil {
		return store.ListState{}, err
	}
	l := store.ListState{ID: id, Size: size, Version: version}
	for i, dst := range []*[]byte{&l.Bits, &l.Alloc} {
		raw, ok := reply[2+i].(string)
		if !ok || len(raw) > size/8 {
			return store.ListState{}, fmt.Errorf("damaged status list: bitmap of %d bytes for %d entries", len(raw), size)
		}
		*dst = make([]byte, size/8)
		copy(*dst, raw)
	}
	return l, nil
}

// tokenName is a token's kind and ID.
type tokenName struct{ kind, id string }

// scanTokens returns the kind and ID of every token key, sorted by kind,
// then ID, each once. A token key is <prefix>:t:<enc kind>:<enc ID>, and
// the encoding has no ':', so the split is unambiguous.
func (d *DB) scanTokens(ctx context.Context) ([]tokenName, error) {
	head := d.prefix + ":t:"
	keys, err := d.scanKeys(ctx, head+"*")
	if err != nil {
		return nil, err
	}
	names := make([]tokenName, 0, len(keys))
	for _, k := range keys {
		ek, eid, ok := strings.Cut(strings.TrimPrefix(k, head), ":")
		kind, err1 := dec(ek)
		id, err2 := dec(eid)
		if !ok || err1 != nil || err2 != nil {
			return nil, errors.New("unexpected key under the prefix")
		}
		names = append(names, tokenName{kind, id})
	}
	slices.SortFunc(names, compareTokenNames)
	return slices.CompactFunc(names, func(a, b tokenName) bool { return a == b }), nil
}

func compareTokenNames(a, b tokenName) int {
	if c := strings.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// ExportTokens implements store.Exporter: each token's value and PTTL are
// read together by one script, many to a pipeline.
func (d *DB) ExportTokens(ctx context.Context) iter.Seq2[store.Token, error] {
	const op = "export tokens"
	return func(yield func(store.Token, error) bool) {
		if err := begin(ctx, op); err != nil {
			yield(store.Token{}, err)
			return
		}
		names, err := d.scanTokens(ctx)
		if err != nil {
			exportError(yield, op, err)
			return
		}
		for group := range slices.Chunk(names, pipelineBatch) {
			pipe := d.rdb.Pipeline()
			cmds := make([]*goredis.Cmd, len(group))
			for i, n := range group {
				cmds[i] = exportTokenScript.Eval(ctx, pipe, []string{d.tokenKey(n.kind, n.id)})
			}
			if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
				exportError(yield, op, err)
				return
			}
			for i, n := range group {
				reply, err := cmds[i].Slice()
				if errors.Is(err, goredis.Nil) {
					continue // taken or expired since the scan
				}
				if err != nil {
					exportError(yield, op+" of kind "+n.kind, err)
					return
				}
				if len(reply) != 2 {
					yield(store.Token{}, fmt.Errorf("redis: %s of kind %s: unexpected reply", op, n.kind))
					return
				}
				v, _ := reply[0].(string)
				ms, _ := reply[1].(int64)
				switch {
				case ms == -1:
					yield(store.Token{}, fmt.Errorf("redis: %s of kind %s: a token has no expiry", op, n.kind))
					return
				case ms <= 0:
					continue
				}
				tok := store.Token{Kind: n.kind, ID: n.id, Value: []byte(v), TTL: time.Duration(ms) * time.Millisecond}
				if !yield(tok, nil) {
					return
				}
			}
		}
	}
}

// docRun is a run of documents of one collection that one batchScript
// imports.
type docRun struct {
	collection string
	docs       []store.Doc
}

// ImportDocs implements store.Importer: each run of up to importBatch
// documents of one collection is one batchScript, atomic on its own, and
// up to pipelineBatch runs or importBatchBytes bytes go into one pipeline.
// Without opts.Replace a run that meets an existing key writes nothing.
func (d *DB) ImportDocs(ctx context.Context, docs iter.Seq2[store.Doc, error], opts store.ImportOptions) (int, error) {
	const op = "import docs"
	if err := begin(ctx, op); err != nil {
		return 0, err
	}
	flag := "c"
	if opts.Replace {
		flag = "p"
	}
	var (
		runs  []docRun
		bytes int
		total int
	)
	flush := func() error {
		if len(runs) == 0 {
			return nil
		}
		pipe := d.rdb.Pipeline()
		cmds := make([]*goredis.Cmd, len(runs))
		for i, r := range runs {
			keys := make([]string, 0, 2*len(r.docs))
			args := make([]any, 1, 1+3*len(r.docs))
			args[0] = "0"
			for _, doc := range r.docs {
				keys = append(keys, d.docKeys(r.collection)...)
				args = append(args, flag, doc.ID, doc.Value)
			}
			cmds[i] = batchScript.Eval(ctx, pipe, keys, args...)
		}
		if _, err := pipe.Exec(ctx); err != nil && unavailable(err) {
			return wrap(op, err)
		}
		// Other errors are the scripts' own; the first one is reported.
		var first error
		for i, r := range runs {
			reply, err := cmds[i].Slice()
			conflict := -1
			if err == nil {
				conflict, _, err = decodeBatchReply(reply, len(r.docs))
			}
			switch {
			case first != nil:
			case err != nil:
				first = fmt.Errorf("redis: %s in %s: %w", op, r.collection, err)
			case conflict >= 0:
				first = fmt.Errorf("redis: %s in %s: %w", op, r.collection, store.ErrConflict)
			}
			if err == nil && conflict < 0 {
				total += len(r.docs)
			}
		}
		runs, bytes = runs[:0], 0
		return first
	}
	for doc, err := range docs {
		if err != nil {
			return total, fmt.Errorf("redis: %s: read: %w", op, err)
		}
		if doc.Collection == "" || doc.ID == "" {
			return total, fmt.Errorf("redis: %s: empty collection or ID", op)
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("redis: %s: %w", op, err)
		}
		if n := len(runs); n == 0 || runs[n-1].collection != doc.Collection || len(runs[n-1].docs) >= importBatch {
			if n >= pipelineBatch {
				if err := flush(); err != nil {
					return total, err
				}
			}
			runs = append(runs, docRun{collection: doc.Collection})
		}
		r := &runs[len(runs)-1]
		r.docs = append(r.docs, doc)
		if bytes += len(doc.ID) + len(doc.Value); bytes >= importBatchBytes {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	return total, flush()
}

// ImportSequences implements store.Importer with raiseScript, many to a
// pipeline. Redis counters are signed 64-bit integers, so a value above
// math.MaxInt64 is an error.
func (d *DB) ImportSequences(ctx context.Context, seqs iter.Seq2[store.Sequence, error]) (int, error) {
	const op = "import sequences"
	if err := begin(ctx, op); err != nil {
		return 0, err
	}
	var (
		batch []store.Sequence
		total int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		pipe := d.rdb.Pipeline()
		for _, q := range batch {
			raiseScript.Eval(ctx, pipe, []string{d.seqKey(q.Name)}, strconv.FormatUint(q.Value, 10))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return wrap(op, err)
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	for q, err := range seqs {
		if err != nil {
			return total, fmt.Errorf("redis: %s: read: %w", op, err)
		}
		switch {
		case q.Name == "":
			return total, fmt.Errorf("redis: %s: empty sequence name", op)
		case q.Value > math.MaxInt64:
			return total, fmt.Errorf("redis: %s: sequence %s: value %d above the largest Redis counter", op, q.Name, q.Value)
		case q.Value == 0:
			continue
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("redis: %s: %w", op, err)
		}
		if batch = append(batch, q); len(batch) >= pipelineBatch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	return total, flush()
}

// ImportStatusLists implements store.Importer with one importListScript per
// list.
func (d *DB) ImportStatusLists(ctx context.Context, lists iter.Seq2[store.ListState, error], opts store.ImportOptions) (int, error) {
	const op = "import status lists"
	if err := begin(ctx, op); err != nil {
		return 0, err
	}
	replace := "0"
	if opts.Replace {
		replace = "1"
	}
	total := 0
	for l, err := range lists {
		if err != nil {
			return total, fmt.Errorf("redis: %s: read: %w", op, err)
		}
		switch {
		case l.ID == "":
			return total, fmt.Errorf("redis: %s: empty status list ID", op)
		case l.Size < 8 || l.Size > store.MaxStatusListSize || l.Size%8 != 0:
			return total, fmt.Errorf("redis: %s: list %s: size %d is not a multiple of 8 between 8 and %d", op, l.ID, l.Size, store.MaxStatusListSize)
		case len(l.Bits) != l.Size/8 || len(l.Alloc) != l.Size/8:
			return total, fmt.Errorf("redis: %s: list %s: bitmaps of %d and %d bytes, want %d", op, l.ID, len(l.Bits), len(l.Alloc), l.Size/8)
		}
		keys := append(d.listKeys(l.ID), d.listTag(l.ID)+":import")
		n, err := importListScript.Run(ctx, d.rdb, keys, l.Size, l.Version, l.Bits, l.Alloc, replace).Int()
		if err != nil {
			return total, wrap(op+" "+l.ID, err)
		}
		if n == 0 {
			return total, fmt.Errorf("redis: %s %s: %w", op, l.ID, store.ErrConflict)
		}
		total++
	}
	return total, nil
}

// ImportTokens implements store.Importer with SET … PX (and NX without
// opts.Replace), many to a pipeline.
func (d *DB) ImportTokens(ctx context.Context, tokens iter.Seq2[store.Token, error], opts store.ImportOptions) (int, error) {
	const op = "import tokens"
	if err := begin(ctx, op); err != nil {
		return 0, err
	}
	var (
		batch []store.Token
		bytes int
		total int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		pipe := d.rdb.Pipeline()
		cmds := make([]*goredis.BoolCmd, len(batch))
		for i, t := range batch {
			key, ttl := d.tokenKey(t.Kind, t.ID), ceilMillis(t.TTL)
			if opts.Replace {
				pipe.Set(ctx, key, t.Value, ttl)
			} else {
				cmds[i] = pipe.SetNX(ctx, key, t.Value, ttl)
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return wrap(op, err)
		}
		var first error
		for i, t := range batch {
			if cmds[i] != nil && !cmds[i].Val() {
				if first == nil {
					first = fmt.Errorf("redis: %s of kind %s: %w", op, t.Kind, store.ErrConflict)
				}
				continue
			}
			total++
		}
		batch, bytes = batch[:0], 0
		return first
	}
	for t, err := range tokens {
		if err != nil {
			return total, fmt.Errorf("redis: %s: read: %w", op, err)
		}
		if t.Kind == "" || t.ID == "" {
			return total, fmt.Errorf("redis: %s: empty token kind or ID", op)
		}
		if t.TTL <= 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("redis: %s: %w", op, err)
		}
		batch = append(batch, t)
		if bytes += len(t.ID) + len(t.Value); len(batch) >= pipelineBatch || bytes >= importBatchBytes {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	return total, flush()
}
