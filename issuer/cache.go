package issuer

import (
	"sync"
	"time"
)

// defCacheTTL bounds how long a node serves an achievement or profile
// definition from memory; an edit on another node is seen within it.
const defCacheTTL = time.Second

// defCache keeps recently read definitions (achievements, profiles) for the
// issuing hot path, so issuing one credential does not read them from the
// store each time. Edits through this node drop the entry at once.
type defCache[T any] struct {
	mu  sync.Mutex
	m   map[string]defEntry[T]
	now func() time.Time
}

type defEntry[T any] struct {
	v       T
	expires time.Time
}

func (c *defCache[T]) get(id string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.now().After(e.expires) {
		var zero T
		return zero, false
	}
	return e.v, true
}

func (c *defCache[T]) put(id string, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]defEntry[T]{}
	}
	if len(c.m) > 4096 {
		clear(c.m)
	}
	c.m[id] = defEntry[T]{v: v, expires: c.now().Add(defCacheTTL)}
}

func (c *defCache[T]) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
