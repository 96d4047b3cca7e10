package bolt

import (
	"bytes"
	"context"

	bbolt "go.etcd.io/bbolt"

	"github.com/accolade-badges/accolade/store"
)

// Error messages name the collection but never the ID; IDs can be
// credentials' subjects or other identifiers that must not reach logs.

// Create implements store.Docs in one write transaction, shared with
// concurrent writers (group commit, group.go) like every single write here.
func (d *DB) Create(ctx context.Context, collection, id string, value []byte) error {
	if err := begin(ctx, "create", collection, id); err != nil {
		return err
	}
	err := d.update(func(tx *bbolt.Tx) error {
		docs := tx.Bucket(rootDocs)
		if _, ok := lookup(docs.Bucket([]byte(collection)), id); ok {
			return refuse(store.ErrConflict)
		}
		b, err := docs.CreateBucketIfNotExists([]byte(collection))
		if err != nil {
			return err
		}
		return b.Put([]byte(id), nonNil(value))
	})
	return wrap("create in "+collection, err)
}

// Put implements store.Docs.
func (d *DB) Put(ctx context.Context, collection, id string, value []byte) error {
	if err := begin(ctx, "put", collection, id); err != nil {
		return err
	}
	err := d.update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(rootDocs).CreateBucketIfNotExists([]byte(collection))
		if err != nil {
			return err
		}
		return b.Put([]byte(id), nonNil(value))
	})
	return wrap("put in "+collection, err)
}

// Get implements store.Docs.
func (d *DB) Get(ctx context.Context, collection, id string) ([]byte, error) {
	if err := begin(ctx, "get", collection, id); err != nil {
		return nil, err
	}
	var out []byte
	err := d.db.View(func(tx *bbolt.Tx) error {
		v, ok := lookup(tx.Bucket(rootDocs).Bucket([]byte(collection)), id)
		if !ok {
			return store.ErrNotFound
		}
		out = clone(v)
		return nil
	})
	return out, wrap("get from "+collection, err)
}

// Delete implements store.Docs.
func (d *DB) Delete(ctx context.Context, collection, id string) error {
	if err := begin(ctx, "delete", collection, id); err != nil {
		return err
	}
	err := d.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rootDocs).Bucket([]byte(collection))
		if _, ok := lookup(b, id); !ok {
			return refuse(store.ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
	return wrap("delete from "+collection, err)
}

// List implements store.Docs. bbolt keeps keys in byte-wise order, so a page
// is one cursor walk; it reads one record past the page to tell whether the
// page is the last.
func (d *DB) List(ctx context.Context, collection, after string, limit int) (store.Page, error) {
	if err := begin(ctx, "list", collection); err != nil {
		return store.Page{}, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	var p store.Page
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rootDocs).Bucket([]byte(collection))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.First()
		} else {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		p.Records = make([]store.Record, 0, min(limit, defaultLimit))
		for ; k != nil; k, v = c.Next() {
			if len(p.Records) == limit {
				p.Next = p.Records[limit-1].ID
				break
			}
			p.Records = append(p.Records, store.Record{ID: string(k), Value: clone(v)})
		}
		return nil
	})
	if err != nil {
		return store.Page{}, wrap("list "+collection, err)
	}
	return p, nil
}

// Count implements store.Docs. It walks the collection's keys, so it costs
// time linear in the collection's size.
func (d *DB) Count(ctx context.Context, collection string) (int, error) {
	if err := begin(ctx, "count", collection); err != nil {
		return 0, err
	}
	n := 0
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(rootDocs).Bucket([]byte(collection))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, wrap("count "+collection, err)
}

// lookup returns the value stored under id in b, which may be nil. It seeks
// with a cursor rather than using Bucket.Get so that an empty value is told
// apart from a missing key.
func lookup(b *bbolt.Bucket, id string) ([]byte, bool) {
	if b == nil {
		return nil, false
	}
	k, v := b.Cursor().Seek([]byte(id))
	if k == nil || !bytes.Equal(k, []byte(id)) || v == nil && isBucket(b, k) {
		return nil, false
	}
	return v, true
}

// isBucket reports whether k names a nested bucket in b. Collections hold no
// nested buckets, but a damaged or foreign file might.
func isBucket(b *bbolt.Bucket, k []byte) bool {
	return b.Bucket(k) != nil
}

// clone copies a value out of a transaction; bbolt's slices are only valid
// until it ends. Empty values stay non-nil.
func clone(v []byte) []byte {
	return append([]byte{}, v...)
}

func nonNil(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}
