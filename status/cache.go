package status

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// loadTimeout bounds one fetch made on behalf of possibly several callers;
// it runs detached from any single caller's context.
const loadTimeout = time.Minute

// loader fetches and checks the list of key, returning it, its size in
// bytes for the cache budget and when it expires.
type loader func(ctx context.Context, key cacheKey) (val any, size int64, expires time.Time, err error)

// cacheKey names a list; the kind is part of it because one URL read as
// two kinds of list gives two different results.
type cacheKey struct {
	kind kind
	url  string
}

// cache keeps loaded lists, and for errorTTL their errors, per key.
// Concurrent misses for one key share one load.
type cache struct {
	load     loader
	max      int
	maxBytes int64
	errorTTL time.Duration
	now      func() time.Time

	mu       sync.Mutex
	entries  map[cacheKey]*list.Element // of *cacheEntry
	order    *list.List                 // oldest load at the front
	bytes    int64
	inflight map[cacheKey]*call
}

type cacheEntry struct {
	key     cacheKey
	val     any
	err     error
	size    int64
	expires time.Time
}

// call is one load shared by concurrent misses.
type call struct {
	done chan struct{}
	val  any
	err  error
}

func newCache(load loader, maxEntries int, maxBytes int64, errorTTL time.Duration, now func() time.Time) *cache {
	return &cache{
		load:     load,
		max:      maxEntries,
		maxBytes: maxBytes,
		errorTTL: errorTTL,
		now:      now,
		entries:  make(map[cacheKey]*list.Element),
		order:    list.New(),
		inflight: make(map[cacheKey]*call),
	}
}

// get returns the cached value or error for key, or loads it. The load runs
// detached from ctx (bounded by loadTimeout and the Fetch client's own
// limits) so one caller giving up does not fail the others; each caller
// still returns as soon as its own ctx is done. Cached values are shared
// and must not be modified.
func (c *cache) get(ctx context.Context, key cacheKey) (any, error) {
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*cacheEntry)
		if c.now().Before(e.expires) {
			c.mu.Unlock()
			return e.val, e.err
		}
		c.remove(el)
	}
	cl, ok := c.inflight[key]
	if !ok {
		cl = &call{done: make(chan struct{})}
		c.inflight[key] = cl
		go c.fill(context.WithoutCancel(ctx), key, cl)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for status list: %w", ctx.Err())
	}
}

func (c *cache) fill(ctx context.Context, key cacheKey, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	var (
		val     any
		size    int64
		expires time.Time
		err     error
	)
	func() {
		// This goroutine has no caller to propagate a panic to.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("load status list: panic: %v", p)
			}
		}()
		val, size, expires, err = c.load(ctx, key)
	}()

	c.mu.Lock()
	defer c.mu.Unlock()
	cl.val, cl.err = val, err
	if err != nil {
		val, size, expires = nil, 0, c.now().Add(c.errorTTL)
	}
	// Store before waking waiters and clearing inflight, so a caller
	// arriving now finds the entry.
	if c.now().Before(expires) && size <= c.maxBytes {
		c.entries[key] = c.order.PushBack(&cacheEntry{key: key, val: val, err: err, size: size, expires: expires})
		c.bytes += size
		for c.order.Len() > c.max || c.bytes > c.maxBytes {
			c.remove(c.order.Front())
		}
	}
	delete(c.inflight, key)
	close(cl.done)
}

// forget drops every kind of entry cached for url. A load in flight is
// not stopped: it may still store what it read before the change.
func (c *cache) forget(url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, el := range c.entries {
		if key.url == url {
			c.remove(el)
		}
	}
}

// remove drops an entry; c.mu is held.
func (c *cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.entries, e.key)
	c.bytes -= e.size
}
