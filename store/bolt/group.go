package bolt

import (
	"errors"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"
)

// Group commit. A durable bbolt write costs a page write and an fdatasync
// whatever its size, and bbolt allows one writer at a time. So the writes
// of concurrent callers are gathered and committed together: while one
// transaction commits, every call that arrives waits in a queue, and the
// next transaction takes the whole queue. A caller alone commits at once,
// without waiting for company (bbolt's own DB.Batch waits MaxBatchDelay
// after the first call and so forms small batches under load).
//
// A call's function may refuse (a conflict, a full list, a missing list):
// it must then return a refusal before it writes anything, and the other
// calls of the transaction go on. Any other error aborts the shared
// transaction, and each of its calls is then run again in a transaction of
// its own, so that every caller gets its own outcome; functions must
// therefore start from scratch each time they run.

// maxGroup bounds the calls committed in one transaction.
const maxGroup = 1024

// refusal marks an error a transaction function returned before writing
// anything: only its own call fails.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// refuse wraps err as a refusal.
func refuse(err error) error { return refusal{err} }

type groupCall struct {
	fn   func(*bbolt.Tx) error
	err  error
	done chan struct{}
}

// committer queues calls for the next group transaction.
type committer struct {
	mu      sync.Mutex
	queue   []*groupCall
	leading bool // a goroutine is committing, or about to
}

// update runs fn in a write transaction shared with concurrent callers and
// returns fn's error, or the commit's.
func (d *DB) update(fn func(*bbolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan struct{})}
	g := &d.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		d.lead()
	}
	<-c.done
	return c.err
}

// lead commits the queue as one transaction, then hands the lead to a new
// goroutine if more calls arrived meanwhile, so that the leader's own
// caller is not held up by later ones.
func (d *DB) lead() {
	g := &d.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	if len(g.queue) == 0 {
		g.queue = nil
	}
	g.mu.Unlock()
	d.commitGroup(calls)
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.mu.Unlock()
		go d.lead()
		return
	}
	g.leading = false
	g.mu.Unlock()
}

func (d *DB) commitGroup(calls []*groupCall) {
	defer func() {
		for _, c := range calls {
			close(c.done)
		}
	}()
	if len(calls) == 1 {
		calls[0].err = d.db.Update(safely(calls[0].fn))
		return
	}
	err := d.db.Update(func(tx *bbolt.Tx) error {
		for _, c := range calls {
			c.err = safely(c.fn)(tx)
			if c.err != nil && !errors.As(c.err, new(refusal)) {
				return c.err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	// The shared transaction is rolled back: give every call its own.
	for _, c := range calls {
		c.err = d.db.Update(safely(c.fn))
	}
}

// errPanicked reports a transaction function that panicked; its
// transaction is rolled back.
var errPanicked = errors.New("bolt: transaction function panicked")

// safely turns a panic of fn into an error, so that a leader goroutine
// never takes the process down for another caller's bug.
func safely(fn func(*bbolt.Tx) error) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: %v", errPanicked, p)
			}
		}()
		return fn(tx)
	}
}
