package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"iter"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/redis"
)

const migrateSynopsis = `Copies a whole installation from one store to another, bolt:// to redis://
or back (or between two of either), then verifies the copy: for each kind of
data (the documents of each collection, sequences, status lists, tokens) it
counts the entries and computes a SHA-256 over them in a canonical order, on
each side independently, prints a table and exits 1 on any difference.

Stop every server that uses the source first: the copy is not a snapshot of a
store in use. The target must be empty unless --force; --from and --to must
differ. Tokens (offers, pre-authorized codes, nonces) keep the time they have
left; expired ones are not copied, and the check leaves out tokens that expire
within 10s on both sides.

The key-encryption key is not in the store, and migrate neither reads nor
copies it: the issuer's private keys in the store stay encrypted with it.
Copy DATA_DIR/kek (or the --kek-file) to every node that will use the target
yourself, and point ACCOLADE_KEK_FILE at it.`

// tokenGuard is how close to expiry a token may be and still count in the
// verification: tokens that expire sooner may be gone from one side and not
// from the other by the time each is read.
const tokenGuard = 10 * time.Second

// progressEvery is how many elements of a kind go by between progress lines.
const progressEvery = 10000

// migrateFlags are migrate's own flags.
type migrateFlags struct {
	from, to                 string
	fromPrefix, toPrefix     string
	fromPrefixSet, toPrefSet bool
	force, verifyOnly        bool
}

func runMigrate(ctx context.Context, env *environment, args []string) int {
	var f migrateFlags
	cfg, code, ok := loadConfig(env, "migrate --from URL --to URL", migrateSynopsis, args, func(fs *flag.FlagSet) {
		fs.StringVar(&f.from, "from", "", "store `URL` to copy from (required)")
		fs.StringVar(&f.to, "to", "", "store `URL` to copy to (required)")
		fs.Func("from-prefix", "key `prefix` of a redis:// source (default: --redis-prefix)", func(v string) error { f.fromPrefix, f.fromPrefixSet = v, true; return nil })
		fs.Func("to-prefix", "key `prefix` of a redis:// target (default: --redis-prefix)", func(v string) error { f.toPrefix, f.toPrefSet = v, true; return nil })
		fs.BoolVar(&f.force, "force", false, "copy into a target that already holds data: its keys take the source's values, sequences are only raised, status-list allocations are merged (the check reports what only the target holds)")
		fs.BoolVar(&f.verifyOnly, "verify-only", false, "copy nothing: compare the two stores and print the table")
	}, settingsMigrate)
	if !ok {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(env.stderr, "accolade migrate: "+format+"\n", a...)
		return 2
	}
	if f.from == "" || f.to == "" {
		return usageErr("--from and --to are both required (see accolade migrate --help)")
	}
	if !f.fromPrefixSet {
		f.fromPrefix = cfg.Store.RedisPrefix
	}
	if !f.toPrefSet {
		f.toPrefix = cfg.Store.RedisPrefix
	}
	src, err := parseEndpoint("--from", f.from, f.fromPrefix, f.fromPrefixSet)
	if err != nil {
		return usageErr("%v", err)
	}
	dst, err := parseEndpoint("--to", f.to, f.toPrefix, f.toPrefSet)
	if err != nil {
		return usageErr("%v", err)
	}
	if src.same(dst) {
		return usageErr("--from and --to name the same store (%s)", src)
	}

	m := &migration{out: env.stdout, log: env.stderr, force: f.force}
	if err := m.run(ctx, src, dst, f.verifyOnly); err != nil {
		fmt.Fprintf(env.stderr, "accolade migrate: %v\n", err)
		return 1
	}
	return 0
}

// endpoint is one side of a migration: a store URL and, for Redis, the key
// prefix.
type endpoint struct {
	flag   string // --from or --to, for messages
	rawURL string
	bolt   string // the file path of a bolt:// URL
	prefix string // the key prefix of a redis URL
}

// parseEndpoint checks a store URL given to flag. prefixSet says whether
// the prefix was given explicitly, which only a Redis URL allows.
func parseEndpoint(flagName, rawURL, prefix string, prefixSet bool) (endpoint, error) {
	e := endpoint{flag: flagName, rawURL: rawURL}
	scheme, _, _ := strings.Cut(rawURL, "://")
	switch scheme {
	case "bolt":
		p, err := bolt.ParseURL(rawURL)
		if err != nil {
			return e, fmt.Errorf("%s: %w", flagName, err)
		}
		if prefixSet {
			return e, fmt.Errorf("%s-prefix applies to redis:// stores only", flagName)
		}
		if e.bolt, err = filepath.Abs(p); err != nil {
			return e, fmt.Errorf("%s: %w", flagName, err)
		}
	case "redis", "rediss", "redis+sentinel", "rediss+sentinel", "redis+cluster", "rediss+cluster":
		e.prefix = prefix
	default:
		return e, fmt.Errorf("%s: scheme %q: want bolt:// or redis:// (rediss://, redis+sentinel://, redis+cluster://)", flagName, scheme)
	}
	return e, nil
}

// String names the endpoint without any password in its URL.
func (e endpoint) String() string {
	if e.bolt != "" {
		return "bolt://" + filepath.ToSlash(e.bolt)
	}
	var s string
	if u, err := url.Parse(e.rawURL); err == nil {
		s = u.Redacted()
	} else {
		s = "(unparsable URL)"
	}
	return s + " (prefix " + e.prefix + ")"
}

// same reports whether e and o certainly name the same store: one bolt file,
// or the same Redis server, database and prefix.
func (e endpoint) same(o endpoint) bool {
	if e.bolt != "" || o.bolt != "" {
		if e.bolt == o.bolt {
			return true
		}
		a, err1 := os.Stat(e.bolt)
		b, err2 := os.Stat(o.bolt)
		return err1 == nil && err2 == nil && os.SameFile(a, b)
	}
	if e.prefix != o.prefix {
		return false
	}
	return redisTarget(e.rawURL) == redisTarget(o.rawURL)
}

// redisTarget reduces a single-server Redis URL to host:port/db, with the
// defaults filled in, so that spellings of one server compare equal. Other
// forms are compared as written.
func redisTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return raw
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = "6379"
	}
	if host == "localhost" || host == "" {
		host = "127.0.0.1"
	}
	db := strings.Trim(u.Path, "/")
	if db == "" {
		db = "0"
	}
	if q := u.Query().Get("db"); q != "" {
		db = q
	}
	return net.JoinHostPort(host, port) + "/" + db
}

// migrationStore is what migrate needs of both sides.
type migrationStore interface {
	store.Store
	store.Exporter
	store.Importer
}

// open opens the store of e. A bolt source must exist already: opening a
// missing file would create an empty store and "copy" nothing.
func (e endpoint) open(ctx context.Context, mustExist bool) (migrationStore, error) {
	var s store.Store
	if e.bolt != "" {
		if _, err := os.Stat(e.bolt); mustExist && err != nil {
			return nil, fmt.Errorf("%s %s: %w", e.flag, e, err)
		}
		// No background sweep: migrate writes nothing but the copy.
		db, err := bolt.Open(e.bolt, bolt.Options{SweepInterval: -1}) //nolint:contextcheck // the store outlives this call; Close ends it
		if errors.Is(err, bolt.ErrLocked) {
			return nil, fmt.Errorf("%s %s: %w; stop the server that uses it first", e.flag, e, bolt.ErrLocked)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.flag, err)
		}
		s = db
	} else {
		octx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		db, err := redis.Open(octx, e.rawURL, redis.Options{Prefix: e.prefix})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", e.flag, e, err)
		}
		s = db
	}
	ms, ok := s.(migrationStore)
	if !ok {
		_ = s.Close()
		return nil, fmt.Errorf("%s: store %T cannot export and import", e.flag, s)
	}
	return ms, nil
}

// migration runs one copy-and-verify or verify.
type migration struct {
	out, log io.Writer
	force    bool
}

func (m *migration) run(ctx context.Context, src, dst endpoint, verifyOnly bool) error {
	from, err := src.open(ctx, true)
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := dst.open(ctx, verifyOnly)
	if err != nil {
		return err
	}
	defer to.Close()
	fmt.Fprintf(m.log, "from %s\nto   %s\n", src, dst)

	if !verifyOnly {
		if err := m.copy(ctx, from, to); err != nil {
			return err
		}
	}
	fmt.Fprintln(m.log, "verifying: counting and hashing both stores")
	start := time.Now()
	rows, err := compare(ctx, from, to, start.Add(tokenGuard))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.log, "verified in %s\n", time.Since(start).Round(time.Millisecond))
	if bad := printTable(m.out, rows); len(bad) > 0 {
		return fmt.Errorf("MISMATCH in %d of %d kinds: %s", len(bad), len(rows), strings.Join(bad, ", "))
	}
	fmt.Fprintf(m.out, "OK: all %d kinds match\n", len(rows))
	if !verifyOnly {
		fmt.Fprintln(m.log, "The key-encryption key was not copied (it is not in the store): copy DATA_DIR/kek\nto every node that uses the target and point ACCOLADE_KEK_FILE at it.")
	}
	return nil
}

// copy checks the stores and copies every kind from from to to.
func (m *migration) copy(ctx context.Context, from, to migrationStore) error {
	kind, err := firstKind(ctx, from)
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	if kind == "" {
		return errors.New("the source holds no data; check --from and --from-prefix")
	}
	if !m.force {
		kind, err := firstKind(ctx, to)
		if err != nil {
			return fmt.Errorf("read target: %w", err)
		}
		if kind != "" {
			return fmt.Errorf("the target is not empty (it holds %s); use --force to copy into it anyway", kind)
		}
	}
	opts := store.ImportOptions{Replace: m.force}
	partly := errors.New("the target now holds part of the data; remove it, or fix the cause and run again with --force")
	var collections int
	last := ""
	docs := counted(m.log, "docs", from.ExportDocs(ctx), func(d store.Doc) {
		if d.Collection != last {
			collections, last = collections+1, d.Collection
		}
	})
	steps := []struct {
		kind string
		run  func() (int, error)
		more func() string
	}{
		{"docs", func() (int, error) { return to.ImportDocs(ctx, docs, opts) },
			func() string { return fmt.Sprintf(" in %d collections", collections) }},
		{"sequences", func() (int, error) {
			return to.ImportSequences(ctx, counted(m.log, "sequences", from.ExportSequences(ctx), nil))
		}, nil},
		{"status lists", func() (int, error) {
			return to.ImportStatusLists(ctx, counted(m.log, "status lists", from.ExportStatusLists(ctx), nil), opts)
		}, nil},
		// Tokens last, so that their TTLs are read as late as possible.
		{"tokens", func() (int, error) {
			return to.ImportTokens(ctx, counted(m.log, "tokens", from.ExportTokens(ctx), nil), opts)
		}, nil},
	}
	for _, s := range steps {
		start := time.Now()
		n, err := s.run()
		if err != nil {
			return fmt.Errorf("copy %s: %w (%d written); %w", s.kind, err, n, partly)
		}
		more := ""
		if s.more != nil {
			more = s.more()
		}
		fmt.Fprintf(m.log, "copied %s: %d%s (%s)\n", s.kind, n, more, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// counted passes seq through, calling each for every element and writing a
// progress line to w every progressEvery elements.
func counted[T any](w io.Writer, kind string, seq iter.Seq2[T, error], each func(T)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		n := 0
		for v, err := range seq {
			if err == nil {
				if n++; n%progressEvery == 0 {
					fmt.Fprintf(w, "copying %s: %d so far\n", kind, n)
				}
				if each != nil {
					each(v)
				}
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// firstKind returns the first kind of which s holds an element, or "".
func firstKind(ctx context.Context, s store.Exporter) (string, error) {
	for _, k := range []struct {
		name  string
		first func() (bool, error)
	}{
		{"documents", func() (bool, error) { return any1(s.ExportDocs(ctx)) }},
		{"sequences", func() (bool, error) { return any1(s.ExportSequences(ctx)) }},
		{"status lists", func() (bool, error) { return any1(s.ExportStatusLists(ctx)) }},
		{"tokens", func() (bool, error) { return any1(s.ExportTokens(ctx)) }},
	} {
		found, err := k.first()
		if err != nil || found {
			return k.name, err
		}
	}
	return "", nil
}

// any1 reports whether seq yields an element.
func any1[T any](seq iter.Seq2[T, error]) (bool, error) {
	for _, err := range seq {
		return err == nil, err
	}
	return false, nil
}

// sum is the count and checksum of one kind on one side.
type sum struct {
	count int
	hash  [sha256.Size]byte
}

// row is one line of the verification table.
type row struct {
	kind     string
	src, dst sum
}

// compare computes the sums of both stores concurrently and pairs them by
// kind: documents per collection (in byte-wise order), then sequences,
// status lists and tokens. A kind missing on one side has count 0 there.
func compare(ctx context.Context, from, to store.Exporter, cutoff time.Time) ([]row, error) {
	var (
		wg         sync.WaitGroup
		sums       [2]map[string]sum
		order      [2][]string
		errs       [2]error
		exporters  = [2]store.Exporter{from, to}
		sideLabels = [2]string{"source", "target"}
	)
	for i := range 2 {
		wg.Go(func() {
			sums[i], order[i], errs[i] = digest(ctx, exporters[i], cutoff)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("read %s: %w", sideLabels[i], errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	var rows []row
	seen := map[string]bool{}
	// Merge the two orders; both list document collections first, sorted,
	// then the same three fixed kinds.
	a, b := order[0], order[1]
	for len(a) > 0 || len(b) > 0 {
		var k string
		switch {
		case len(b) == 0 || len(a) > 0 && kindLess(a[0], b[0]):
			k, a = a[0], a[1:]
		case len(a) == 0 || kindLess(b[0], a[0]):
			k, b = b[0], b[1:]
		default:
			k, a, b = a[0], a[1:], b[1:]
		}
		if !seen[k] {
			seen[k] = true
			rows = append(rows, row{kind: k, src: sums[0][k], dst: sums[1][k]})
		}
	}
	return rows, nil
}

// Kinds other than document collections, in table order.
const (
	kindSequences = "sequences"
	kindLists     = "status lists"
	kindTokens    = "tokens"
	docsPrefix    = "docs/"
)

// kindLess orders the table: docs/… by collection, then the fixed kinds.
func kindLess(a, b string) bool {
	rank := func(k string) int {
		switch k {
		case kindSequences:
			return 1
		case kindLists:
			return 2
		case kindTokens:
			return 3
		}
		return 0
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	return a < b
}

// digest reads every kind of s and returns its count and SHA-256 per kind,
// and the kinds in table order. Each element is hashed as its fields,
// each written as a uvarint length and the bytes (numbers as 8 bytes
// big-endian), in the export's order, which Exporter fixes for every
// implementation; digest checks that order rather than trusting it.
// Tokens are hashed without their TTLs, which differ between the sides by
// the time that passed, and only if they expire after cutoff.
func digest(ctx context.Context, s store.Exporter, cutoff time.Time) (map[string]sum, []string, error) {
	sums := map[string]sum{}
	var order []string
	finish := func(kind string, h hash.Hash, n int) {
		var s sum
		s.count = n
		h.Sum(s.hash[:0])
		sums[kind] = s
		order = append(order, kind)
	}

	h, n := sha256.New(), 0
	cur, lastID := "", ""
	for d, err := range s.ExportDocs(ctx) {
		if err != nil {
			return nil, nil, err
		}
		switch {
		case n > 0 && d.Collection == cur && d.ID <= lastID, n > 0 && d.Collection < cur:
			return nil, nil, errors.New("export of documents out of order")
		case n > 0 && d.Collection != cur:
			finish(docsPrefix+cur, h, n)
			h, n = sha256.New(), 0
		}
		cur, lastID = d.Collection, d.ID
		writeField(h, []byte(d.Collection), []byte(d.ID), d.Value)
		n++
	}
	if n > 0 {
		finish(docsPrefix+cur, h, n)
	}

	h, n = sha256.New(), 0
	last := ""
	for q, err := range s.ExportSequences(ctx) {
		if err != nil {
			return nil, nil, err
		}
		if n > 0 && q.Name <= last {
			return nil, nil, errors.New("export of sequences out of order")
		}
		last = q.Name
		writeField(h, []byte(q.Name), binary.BigEndian.AppendUint64(nil, q.Value))
		n++
	}
	finish(kindSequences, h, n)

	h, n, last = sha256.New(), 0, ""
	for l, err := range s.ExportStatusLists(ctx) {
		if err != nil {
			return nil, nil, err
		}
		if n > 0 && l.ID <= last {
			return nil, nil, errors.New("export of status lists out of order")
		}
		last = l.ID
		writeField(h, []byte(l.ID), binary.BigEndian.AppendUint64(nil, uint64(l.Size)),
			binary.BigEndian.AppendUint64(nil, l.Version), l.Bits, l.Alloc)
		n++
	}
	finish(kindLists, h, n)

	h, n = sha256.New(), 0
	var lastKind, lastTok string
	first := true
	for t, err := range s.ExportTokens(ctx) {
		if err != nil {
			return nil, nil, err
		}
		if !first && (t.Kind < lastKind || t.Kind == lastKind && t.ID <= lastTok) {
			return nil, nil, errors.New("export of tokens out of order")
		}
		first, lastKind, lastTok = false, t.Kind, t.ID
		if !time.Now().Add(t.TTL).After(cutoff) {
			continue
		}
		writeField(h, []byte(t.Kind), []byte(t.ID), t.Value)
		n++
	}
	finish(kindTokens, h, n)
	return sums, order, nil
}

// writeField writes each field as its length (uvarint) and bytes, so that
// no two different element sequences hash the same input.
func writeField(h hash.Hash, fields ...[]byte) {
	for _, f := range fields {
		h.Write(binary.AppendUvarint(nil, uint64(len(f))))
		h.Write(f)
	}
}

// printTable writes the verification table and returns the kinds that
// differ.
func printTable(w io.Writer, rows []row) []string {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSOURCE\tSHA-256\tTARGET\tSHA-256\tRESULT")
	var bad []string
	for _, r := range rows {
		result := "ok"
		label := r.kind
		if c, ok := strings.CutPrefix(label, docsPrefix); ok {
			label = docsPrefix + printable(c)
		}
		if r.src != r.dst {
			result = "MISMATCH"
			bad = append(bad, label)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", label, r.src.count, short(r.src), r.dst.count, short(r.dst), result)
	}
	_ = tw.Flush()
	return bad
}

// short shows the first 16 hex digits of a checksum; the comparison uses
// all of it.
func short(s sum) string { return hex.EncodeToString(s.hash[:8]) }

// printable quotes a collection name that holds spaces or unprintable characters, so
// that collection names cannot break the table.
func printable(k string) string {
	for _, r := range k {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return strconv.Quote(k)
		}
	}
	return k
}
