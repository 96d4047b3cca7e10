package mem

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// sweepEvery is how often PutToken also purges expired tokens of all kinds,
// so that tokens nobody reads again do not pile up.
const sweepEvery = time.Minute

// defaultLimit is the page size List uses when asked for limit <= 0.
const defaultLimit = 100

var (
	_ store.Store       = (*Store)(nil)
	_ store.Batcher     = (*Store)(nil)
	_ store.StatusLists = (*Store)(nil)
)

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Now returns the current time for token expiry. Nil means time.Now.
	Now func() time.Time
}

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	now func() time.Time

	mu        sync.Mutex
	closed    bool
	docs      map[string]map[string][]byte
	tokens    map[string]map[string]token
	seqs      map[string]uint64
	lists     map[string]*statusList
	lastSweep time.Time

	// faultStep and faultErr inject a failure into status transitions
	// (SetFault).
	faultStep string
	faultErr  error
}

type token struct {
	value   []byte
	expires time.Time // live while now is before expires
}

// New returns an empty Store.
func New(opts Options) *Store {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Store{
		now:       now,
		docs:      make(map[string]map[string][]byte),
		tokens:    make(map[string]map[string]token),
		seqs:      make(map[string]uint64),
		lists:     make(map[string]*statusList),
		lastSweep: now(),
	}
}

// errClosed is returned by every method after Close.
var errClosed = fmt.Errorf("store closed: %w", store.ErrUnavailable)

// begin checks ctx and the arguments, then locks s. On success the caller
// must unlock s.mu.
func (s *Store) begin(ctx context.Context, op string, names ...string) error {
	if err := store.CheckCall(ctx, names...); err != nil {
		return fmt.Errorf("mem: %s: %w", op, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("mem: %s: %w", op, errClosed)
	}
	return nil
}

// Create implements store.Docs.
func (s *Store) Create(ctx context.Context, collection, id string, value []byte) error {
	if err := s.begin(ctx, "create", collection, id); err != nil {
		return err
	}
	defer s.mu.Unlock()
	c := s.docs[collection]
	if _, ok := c[id]; ok {
		return fmt.Errorf("mem: create in %s: %w", collection, store.ErrConflict)
	}
	if c == nil {
		c = make(map[string][]byte)
		s.docs[collection] = c
	}
	c[id] = clone(value)
	return nil
}

// Put implements store.Docs.
func (s *Store) Put(ctx context.Context, collection, id string, value []byte) error {
	if err := s.begin(ctx, "put", collection, id); err != nil {
		return err
	}
	defer s.mu.Unlock()
	c := s.docs[collection]
	if c == nil {
		c = make(map[string][]byte)
		s.docs[collection] = c
	}
	c[id] = clone(value)
	return nil
}

// Get implements store.Docs.
func (s *Store) Get(ctx context.Context, collection, id string) ([]byte, error) {
	if err := s.begin(ctx, "get", collection, id); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	v, ok := s.docs[collection][id]
	if !ok {
		return nil, fmt.Errorf("mem: get from %s: %w", collection, store.ErrNotFound)
	}
	return clone(v), nil
}

// Delete implements store.Docs.
func (s *Store) Delete(ctx context.Context, collection, id string) error {
	if err := s.begin(ctx, "delete", collection, id); err != nil {
		return err
	}
	defer s.mu.Unlock()
	c := s.docs[collection]
	if _, ok := c[id]; !ok {
		return fmt.Errorf("mem: delete from %s: %w", collection, store.ErrNotFound)
	}
	delete(c, id)
	if len(c) == 0 {
		delete(s.docs, collection)
	}
	return nil
}

// List implements store.Docs. It sorts the collection's IDs on every call,
// which is fine for the sizes an in-memory store holds.
func (s *Store) List(ctx context.Context, collection, after string, limit int) (store.Page, error) {
	if err := s.begin(ctx, "list", collection); err != nil {
		return store.Page{}, err
	}
	defer s.mu.Unlock()
	if limit <= 0 {
		limit = defaultLimit
	}
	c := s.docs[collection]
	ids := make([]string, 0, len(c))
	for id := range c {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var p store.Page
	if len(ids) > limit {
		ids = ids[:limit]
		p.Next = ids[limit-1]
	}
	p.Records = make([]store.Record, len(ids))
	for i, id := range ids {
		p.Records[i] = store.Record{ID: id, Value: clone(c[id])}
	}
	return p, nil
}

// Count implements store.Docs.
func (s *Store) Count(ctx context.Context, collection string) (int, error) {
	if err := s.begin(ctx, "count", collection); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return len(s.docs[collection]), nil
}

// PutToken implements store.Tokens.
func (s *Store) PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("mem: put token of kind %s: ttl %v is not positive", kind, ttl)
	}
	if err := s.begin(ctx, "put token", kind, id); err != nil {
		return err
	}
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.lastSweep) >= sweepEvery {
		s.sweepLocked(now)
	}
	k := s.tokens[kind]
	if tok, ok := k[id]; ok && now.Before(tok.expires) {
		return fmt.Errorf("mem: put token of kind %s: %w", kind, store.ErrConflict)
	}
	if k == nil {
		k = make(map[string]token)
		s.tokens[kind] = k
	}
	k[id] = token{value: clone(value), expires: now.Add(ttl)}
	return nil
}

// GetToken implements store.Tokens.
func (s *Store) GetToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := s.begin(ctx, "get token", kind, id); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	tok, ok := s.tokens[kind][id]
	if !ok || !s.now().Before(tok.expires) {
		return nil, fmt.Errorf("mem: get token of kind %s: %w", kind, store.ErrNotFound)
	}
	return clone(tok.value), nil
}

// TakeToken implements store.Tokens.
func (s *Store) TakeToken(ctx context.Context, kind, id string) ([]byte, error) {
	if err := s.begin(ctx, "take token", kind, id); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	k := s.tokens[kind]
	tok, ok := k[id]
	if !ok {
		return nil, fmt.Errorf("mem: take token of kind %s: %w", kind, store.ErrNotFound)
	}
	delete(k, id)
	if !s.now().Before(tok.expires) {
		return nil, fmt.Errorf("mem: take token of kind %s: %w", kind, store.ErrNotFound)
	}
	// The entry is gone from the map, so its slice can be handed out as is.
	return tok.value, nil
}

// Sweep removes expired tokens of every kind and returns how many it
// removed. Expired tokens are already invisible; Sweep only frees memory.
// PutToken sweeps by itself about once a minute.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	if err := s.begin(ctx, "sweep"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return s.sweepLocked(s.now()), nil
}

func (s *Store) sweepLocked(now time.Time) int {
	n := 0
	for kind, k := range s.tokens {
		for id, tok := range k {
			if !now.Before(tok.expires) {
				delete(k, id)
				n++
			}
		}
		if len(k) == 0 {
			delete(s.tokens, kind)
		}
	}
	s.lastSweep = now
	return n
}

// Next implements store.Sequences.
func (s *Store) Next(ctx context.Context, name string) (uint64, error) {
	if err := s.begin(ctx, "next", name); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	s.seqs[name]++
	return s.seqs[name], nil
}

// Ping implements store.Store. It fails only after Close or when ctx is done.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.begin(ctx, "ping"); err != nil {
		return err
	}
	s.mu.Unlock()
	return nil
}

// Close implements store.Store. It drops all data; later calls fail with an
// error wrapping store.ErrUnavailable. Closing twice is not an error.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.docs, s.tokens, s.seqs, s.lists = nil, nil, nil, nil
	return nil
}

// clone copies b so the store never shares memory with its callers. It
// keeps empty values non-nil, so an empty value reads back as present.
func clone(b []byte) []byte {
	return append([]byte{}, b...)
}
