package ldcontext

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/internal/jcs"
)

// DefaultMaxBytes is the size limit used when Config.MaxBytes is zero. The
// largest pinned document is about 40 KiB.
const DefaultMaxBytes = 1 << 20

// DefaultRetryAfter is used when Config.RetryAfter is zero: a host that is
// down, or a machine without internet, costs one failed fetch per URL a
// minute, not one per request.
const DefaultRetryAfter = time.Minute

var (
	// ErrNotPinned is returned for a URL that is neither in the pinned table
	// nor in Config.Extra. The loader never loads such a URL.
	ErrNotPinned = errors.New("ldcontext: document not pinned")
	// ErrDigestMismatch reports bytes whose JCS SHA-256 is not the pinned one.
	ErrDigestMismatch = errors.New("ldcontext: digest mismatch")
	// ErrUnavailable is returned when no allowed source holds a pinned
	// document with the right digest.
	ErrUnavailable = errors.New("ldcontext: document unavailable")
	// ErrNotCached is what a Cache returns (wrapped or not) for a miss.
	ErrNotCached = errors.New("ldcontext: not cached")
)

// Cache is persistent storage for pinned documents, adapted by the caller
// from the store (for example a bbolt bucket). The loader digest-checks what
// Get returns, so a Cache need not be trusted for integrity.
//
// Get returns the bytes last Put for url, or an error wrapping ErrNotCached
// when there are none; any other error is treated as a failed source and
// the loader goes on to the next one. Put stores or replaces the bytes for
// url. Both must be safe for concurrent use and honour ctx.
type Cache interface {
	Get(ctx context.Context, url string) ([]byte, error)
	Put(ctx context.Context, url string, doc []byte) error
}

// Config holds the loader's sources and limits. The zero Config is valid: a
// loader that serves nothing (every pinned URL is ErrUnavailable).
type Config struct {
	// Bundled serves the contexts compiled into the binary at build time
	// (see Bundled), after the Cache and before Dir. New fails if a bundled
	// document differs from its pin.
	Bundled bool
	// Dir is an optional offline directory, or several separated by the
	// OS path-list separator (":" on Unix). New walks each recursively and
	// indexes every *.json and *.jsonld file of at most MaxBytes by its JCS
	// digest; a pinned URL is served from the file with its digest.
	Dir string
	// Cache is optional persistent storage, filled by Import and by fetches.
	Cache Cache
	// Client fetches pinned documents that no other source has. Nil means
	// never fetch. Pass a guarded client (internal/httpguard): the URLs are
	// fixed by the table, but redirects are followed.
	Client *http.Client
	// Offline forbids the network even when Client is set.
	Offline bool
	// RetryAfter is how long a URL whose fetch failed is not fetched
	// again (every Get in that time fails at once); zero means
	// DefaultRetryAfter, negative means always retry.
	RetryAfter time.Duration
	// MaxBytes caps the size of a document from any source; zero means
	// DefaultMaxBytes.
	MaxBytes int64
	// Extra pins operator-added documents: URL -> hex SHA-256 of the
	// document's JCS form (see Digest). It cannot change a built-in pin.
	Extra map[string]string
}

// Source says where a document can be served from.
type Source string

// Sources reported by List, in the order Get tries them.
const (
	SourceMemory  Source = "memory"
	SourceCache   Source = "cache"
	SourceBundled Source = "bundled"
	SourceDir     Source = "dir"
	SourceNone    Source = "none"
)

// Entry describes one pinned URL, for `accolade contexts list`.
type Entry struct {
	URL        string
	Kind       Kind
	SHA256     string // hex SHA-256 of the JCS form
	Provenance string
	// Available is where Get would find the document now without the
	// network: memory, cache, bundled, dir, or none.
	Available Source
	// Bundled is the npm package and version of the copy compiled into
	// the binary, or "" when none is (or Config.Bundled is false).
	Bundled string
}

// Loader serves pinned JSON-LD contexts and JSON Schemas. It is safe for
// concurrent use.
type Loader struct {
	cfg      Config
	maxBytes int64
	table    map[string]pin        // URL -> pin, built-in plus Extra
	byDigest map[string][]string   // digest -> URLs pinned to it
	dir      map[string]string     // digest -> file in cfg.Dir
	bundled  map[string]bundledDoc // URL -> document compiled in
	retry    time.Duration

	mu     sync.RWMutex
	mem    map[string]*document
	failed map[string]time.Time // URL -> when its last fetch failed
}

// document is one verified document held in memory; val is parsed once.
type document struct {
	raw  []byte
	once sync.Once
	val  any
	err  error
}

// New returns a loader for cfg. It fails on a bad Extra entry and on a Dir
// that cannot be walked; files in Dir that are too large or not JSON are
// skipped.
func New(cfg Config) (*Loader, error) {
	if cfg.MaxBytes < 0 {
		return nil, fmt.Errorf("ldcontext: negative MaxBytes %d", cfg.MaxBytes)
	}
	l := &Loader{
		cfg:      cfg,
		maxBytes: cfg.MaxBytes,
		table:    make(map[string]pin, len(pinned)+len(cfg.Extra)),
		byDigest: make(map[string][]string),
		mem:      make(map[string]*document),
		failed:   make(map[string]time.Time),
		retry:    cfg.RetryAfter,
	}
	if l.maxBytes == 0 {
		l.maxBytes = DefaultMaxBytes
	}
	if l.retry == 0 {
		l.retry = DefaultRetryAfter
	}
	if cfg.Bundled {
		docs, err := readBundle()
		if err != nil {
			return nil, err
		}
		l.bundled = docs
	}
	for u, p := range pinned {
		l.table[u] = p
	}
	for u, sum := range cfg.Extra {
		sum = strings.ToLower(sum)
		if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("ldcontext: extra %s: sha256 must be 64 hex digits", u)
		}
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Host == "" {
			return nil, fmt.Errorf("ldcontext: extra %q: not an absolute URL", u)
		}
		if p, ok := pinned[u]; ok {
			if p.sha256 != sum {
				return nil, fmt.Errorf("ldcontext: extra %s: conflicts with the built-in pin", u)
			}
			continue
		}
		l.table[u] = pin{kind: KindExtra, sha256: sum, provenance: "operator-added (Config.Extra)"}
	}
	for u, p := range l.table {
		l.byDigest[p.sha256] = append(l.byDigest[p.sha256], u)
	}
	for _, us := range l.byDigest {
		slices.Sort(us)
	}
	if cfg.Dir != "" {
		idx := make(map[string]string)
		for _, dir := range filepath.SplitList(cfg.Dir) {
			if dir == "" {
				continue
			}
			err := l.walk(dir, func(path string, _ []byte, sum string) error {
				if _, ok := idx[sum]; !ok {
					idx[sum] = path
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("ldcontext: index %s: %w", dir, err)
			}
		}
		l.dir = idx
	}
	return l, nil
}

// Digest returns the hex SHA-256 of the RFC 8785 canonical form of the JSON
// document doc: the value pinned for each URL.
func Digest(doc []byte) (string, error) {
	c, err := jcs.Transform(doc)
	if err != nil {
		return "", fmt.Errorf("ldcontext: digest: %w", err)
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// Get returns the bytes of the document pinned for url. The caller owns the
// returned slice.
func (l *Loader) Get(ctx context.Context, url string) ([]byte, error) {
	d, err := l.document(ctx, url)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(d.raw), nil
}

// JSON returns the document pinned for url parsed by encoding/json (objects
// are map[string]any, numbers float64). It is parsed once and the same value
// is returned to every caller, so callers must not modify it.
func (l *Loader) JSON(ctx context.Context, url string) (any, error) {
	d, err := l.document(ctx, url)
	if err != nil {
		return nil, err
	}
	d.once.Do(func() {
		if err := json.Unmarshal(d.raw, &d.val); err != nil {
			d.err = fmt.Errorf("ldcontext: parse %s: %w", url, err)
		}
	})
	return d.val, d.err
}

// Warm loads every pinned document from the sources allowed, so that later
// calls are served from memory. It returns the URLs it could not load,
// joined; a partial warm-up leaves the loader fully usable.
func (l *Loader) Warm(ctx context.Context) error {
	var errs []error
	for _, u := range l.urls() {
		if _, err := l.document(ctx, u); err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// List describes every pinned URL, sorted by URL, with where it is
// available now. It reads the Cache but never the network.
func (l *Loader) List(ctx context.Context) []Entry {
	out := make([]Entry, 0, len(l.table))
	for _, u := range l.urls() {
		p := l.table[u]
		e := Entry{URL: u, Kind: p.kind, SHA256: p.sha256, Provenance: p.provenance, Available: SourceNone}
		b, inBundle := l.bundled[u]
		e.Bundled = b.pkg
		l.mu.RLock()
		_, inMem := l.mem[u]
		l.mu.RUnlock()
		switch {
		case inMem:
			e.Available = SourceMemory
		case l.fromCache(ctx, u, p) == nil:
			e.Available = SourceCache
		case inBundle:
			e.Available = SourceBundled
		case l.dir[p.sha256] != "":
			e.Available = SourceDir
		}
		out = append(out, e)
	}
	return out
}

// Import walks dir and stores in the Cache every *.json or *.jsonld file
// whose JCS digest is pinned, under each URL pinned to that digest. It
// returns those URLs, sorted. Files that are not JSON, too large or not
// pinned are skipped.
func (l *Loader) Import(ctx context.Context, dir string) (imported []string, err error) {
	if l.cfg.Cache == nil {
		return nil, errors.New("ldcontext: import: no Cache configured")
	}
	seen := make(map[string]bool)
	err = l.walk(dir, func(_ string, b []byte, sum string) error {
		for _, u := range l.byDigest[sum] {
			if seen[u] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := l.cfg.Cache.Put(ctx, u, b); err != nil {
				return fmt.Errorf("cache %s: %w", u, err)
			}
			seen[u] = true
			imported = append(imported, u)
		}
		return nil
	})
	slices.Sort(imported)
	if err != nil {
		return imported, fmt.Errorf("ldcontext: import %s: %w", dir, err)
	}
	return imported, nil
}

func (l *Loader) urls() []string {
	us := make([]string, 0, len(l.table))
	for u := range l.table {
		us = append(us, u)
	}
	slices.Sort(us)
	return us
}

// document returns the in-memory document for url, loading it on a miss.
// Two concurrent misses may both load; the first stored wins, so every
// caller shares one parsed value.
func (l *Loader) document(ctx context.Context, url string) (*document, error) {
	p, ok := l.table[url]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotPinned, url)
	}
	l.mu.RLock()
	d := l.mem[url]
	l.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	raw, err := l.load(ctx, url, p)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if d = l.mem[url]; d == nil {
		d = &document{raw: raw}
		l.mem[url] = d
	}
	return d, nil
}

// load tries the Cache, the bundled documents, the directory and the
// network, in that order, and returns the first bytes that pass the digest
// check.
func (l *Loader) load(ctx context.Context, url string, p pin) ([]byte, error) {
	var problems []error
	if l.cfg.Cache != nil {
		b, err := l.cfg.Cache.Get(ctx, url)
		switch {
		case err == nil:
			if err = l.check(b, p); err == nil {
				return b, nil
			}
			problems = append(problems, fmt.Errorf("cache: %w", err))
		case errors.Is(err, ErrNotCached):
		default:
			problems = append(problems, fmt.Errorf("cache: %w", err))
		}
	}
	if b, ok := l.bundled[url]; ok {
		// Checked against the pin when the bundle was read.
		return b.raw, nil
	}
	if path := l.dir[p.sha256]; path != "" {
		b, err := readFile(path, l.maxBytes)
		if err == nil {
			err = l.check(b, p)
		}
		if err == nil {
			return b, nil
		}
		problems = append(problems, fmt.Errorf("dir: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ldcontext: load %s: %w", url, err)
	}
	var why string
	switch {
	case l.cfg.Offline:
		why = "offline"
	case l.cfg.Client == nil:
		why = "no HTTP client"
	case l.recentlyFailed(url):
		why = fmt.Sprintf("its last fetch failed less than %s ago", l.retry)
	default:
		b, err := l.fetch(ctx, url)
		if err == nil {
			err = l.check(b, p)
		}
		if err != nil && ctx.Err() == nil {
			l.mu.Lock()
			l.failed[url] = time.Now()
			l.mu.Unlock()
		}
		if err == nil {
			if l.cfg.Cache != nil {
				// The document is verified; failing to cache it only means
				// the next process fetches it again, so Get still succeeds.
				_ = l.cfg.Cache.Put(ctx, url, b)
			}
			return b, nil
		}
		problems = append(problems, fmt.Errorf("fetch: %w", err))
	}
	return nil, &unavailableError{url: url, network: why, problems: problems}
}

// check verifies size and JCS digest of b against p.
func (l *Loader) check(b []byte, p pin) error {
	if int64(len(b)) > l.maxBytes {
		return fmt.Errorf("document larger than %d bytes", l.maxBytes)
	}
	sum, err := Digest(b)
	if err != nil {
		return err
	}
	if sum != p.sha256 {
		return fmt.Errorf("%w: JCS sha256 %s, pinned %s", ErrDigestMismatch, sum, p.sha256)
	}
	return nil
}

// recentlyFailed reports whether url's last fetch failed within RetryAfter.
func (l *Loader) recentlyFailed(url string) bool {
	if l.retry < 0 {
		return false
	}
	l.mu.RLock()
	at, ok := l.failed[url]
	l.mu.RUnlock()
	return ok && time.Since(at) < l.retry
}

func (l *Loader) fromCache(ctx context.Context, url string, p pin) error {
	if l.cfg.Cache == nil {
		return ErrNotCached
	}
	b, err := l.cfg.Cache.Get(ctx, url)
	if err != nil {
		return err
	}
	return l.check(b, p)
}

func (l *Loader) fetch(ctx context.Context, url string) ([]byte, error) {
	if !strings.HasPrefix(url, "https://") {
		return nil, errors.New("only https URLs are fetched")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/ld+json, application/json")
	resp, err := l.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, l.maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > l.maxBytes {
		return nil, fmt.Errorf("document larger than %d bytes", l.maxBytes)
	}
	return b, nil
}

// walk calls fn for every *.json or *.jsonld regular file under root that
// is at most MaxBytes and is JSON with a JCS form. Unreadable files are
// skipped; an error from fn or from reading root stops the walk.
func (l *Loader) walk(root string, fn func(path string, b []byte, sum string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			return nil // an unreadable subdirectory is skipped
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".json" && ext != ".jsonld" {
			return nil
		}
		b, err := readFile(path, l.maxBytes)
		if err != nil {
			return nil
		}
		sum, err := Digest(b)
		if err != nil {
			return nil
		}
		return fn(path, b, sum)
	})
}

// readFile reads a regular file (following symlinks) of at most max bytes.
func readFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return b, nil
}

// unavailableError is ErrUnavailable with the reason each source failed.
type unavailableError struct {
	url      string
	network  string // why the network was not tried, if it was not
	problems []error
}

func (e *unavailableError) Error() string {
	var sb strings.Builder
	sb.WriteString(ErrUnavailable.Error())
	sb.WriteString(": ")
	sb.WriteString(e.url)
	var parts []string
	for _, p := range e.problems {
		parts = append(parts, p.Error())
	}
	if len(parts) == 0 {
		parts = append(parts, "not in cache, bundle or directory")
	}
	if e.network != "" {
		parts = append(parts, "network not used: "+e.network)
	}
	sb.WriteString(" (")
	sb.WriteString(strings.Join(parts, "; "))
	sb.WriteString(")")
	return sb.String()
}

func (e *unavailableError) Unwrap() []error {
	return append([]error{ErrUnavailable}, e.problems...)
}
