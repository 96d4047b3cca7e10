package did

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Cache defaults, used for zero or negative NewCache arguments.
const (
	DefaultCacheTTL        = 5 * time.Minute
	DefaultCacheMaxEntries = 1024
	// NegativeCacheTTL is how long a failed resolution is remembered (or
	// the cache TTL, if shorter): a DID that did not resolve is not
	// fetched again for anyone who asks within it.
	NegativeCacheTTL = time.Minute
)

// upstreamTimeout bounds one upstream resolution made on behalf of possibly
// several callers; it runs detached from any single caller's context.
const upstreamTimeout = time.Minute

// cache is the Resolver NewCache returns.
type cache struct {
	next Resolver
	ttl  time.Duration
	max  int
	now  func() time.Time

	mu       sync.Mutex
	entries  map[string]*list.Element // of *cacheEntry
	order    *list.List               // oldest fetch at the front
	inflight map[string]*call
}

type cacheEntry struct {
	did     string
	doc     *Document
	err     error // a failed resolution (negative entry) when not nil
	fetched time.Time
}

// call is one upstream resolution shared by concurrent misses.
type call struct {
	done chan struct{}
	doc  *Document
	err  error
}

// NewCache returns a Resolver that keeps documents resolved by next for ttl
// (measured with now) and at most maxEntries of them, evicting the oldest
// fetch first. Zero or negative values mean DefaultCacheTTL and
// DefaultCacheMaxEntries; a nil now means time.Now.
//
// It is safe for concurrent use. Concurrent misses for the same DID share
// one upstream call, which runs detached from the callers' contexts (bounded
// by a one-minute timeout and the HTTP client's own limits), so one caller
// giving up does not fail the others; each caller still returns as soon as
// its own ctx is done. A failed resolution is cached too, for
// NegativeCacheTTL (or ttl if shorter), so a DID that does not resolve
// costs one upstream call a minute however often it is asked for.
// Every caller gets its own deep copy of the document, so callers may modify
// what they get.
//
// did:key and did:jwk resolve without I/O; put the cache in front of the
// did:web resolver only, so that DIDs anyone can mint cheaply do not evict
// fetched documents.
func NewCache(next Resolver, ttl time.Duration, maxEntries int, now func() time.Time) Resolver {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	if maxEntries <= 0 {
		maxEntries = DefaultCacheMaxEntries
	}
	if now == nil {
		now = time.Now
	}
	return &cache{
		next:     next,
		ttl:      ttl,
		max:      maxEntries,
		now:      now,
		entries:  make(map[string]*list.Element),
		order:    list.New(),
		inflight: make(map[string]*call),
	}
}

// Resolve returns the cached document for did, or resolves it with the
// wrapped resolver.
func (c *cache) Resolve(ctx context.Context, did string) (*Document, error) {
	c.mu.Lock()
	if el, ok := c.entries[did]; ok {
		e := el.Value.(*cacheEntry)
		switch age := c.now().Sub(e.fetched); {
		case e.err != nil && age < min(c.ttl, NegativeCacheTTL):
			c.mu.Unlock()
			return nil, e.err
		case e.err == nil && age < c.ttl:
			c.mu.Unlock()
			return e.doc.Clone(), nil
		}
		c.order.Remove(el)
		delete(c.entries, did)
	}
	cl, ok := c.inflight[did]
	if !ok {
		cl = &call{done: make(chan struct{})}
		c.inflight[did] = cl
		go c.fetch(context.WithoutCancel(ctx), did, cl)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		if cl.err != nil {
			return nil, cl.err
		}
		return cl.doc.Clone(), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("resolve %s: %w", did, ctx.Err())
	}
}

func (c *cache) fetch(ctx context.Context, did string, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, upstreamTimeout)
	defer cancel()
	var (
		doc *Document
		err error
	)
	func() {
		// This goroutine has no caller to propagate a panic to.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("resolve %s: resolver panicked: %v", did, p)
			}
		}()
		doc, err = c.next.Resolve(ctx, did)
	}()

	c.mu.Lock()
	defer c.mu.Unlock()
	cl.doc, cl.err = doc, err
	// Store before waking waiters and clearing inflight, so a caller
	// arriving now finds the entry.
	var e *cacheEntry
	switch {
	case err == nil && doc != nil:
		e = &cacheEntry{did: did, doc: doc, fetched: c.now()}
	case err != nil && !errors.Is(err, context.Canceled):
		e = &cacheEntry{did: did, err: err, fetched: c.now()}
	}
	if e != nil {
		if old, ok := c.entries[did]; ok {
			c.order.Remove(old)
		}
		c.entries[did] = c.order.PushBack(e)
		for c.order.Len() > c.max {
			oldest := c.order.Front()
			c.order.Remove(oldest)
			delete(c.entries, oldest.Value.(*cacheEntry).did)
		}
	}
	delete(c.inflight, did)
	close(cl.done)
}
