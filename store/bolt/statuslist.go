package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/internal/bitlist"
)

// Each status list is a bucket lists/<list ID> holding four keys. Allocate,
// AllocateMany and SetStatus each rewrite one bitmap (16 KiB for a
// 131,072-entry list) in one Update transaction; bbolt serialises writers
// and holds the file lock, so an index once handed out is in the file
// before Allocate returns and is never handed out again, by this process or
// the next.
var (
	listSize    = []byte("size")    // 8-byte big-endian size in entries
	listVersion = []byte("version") // 8-byte big-endian version
	listBits    = []byte("bits")    // the status bitstring, size/8 bytes
	listAlloc   = []byte("alloc")   // the allocation bitmap, size/8 bytes
)

// CreateList implements store.StatusLists in one Update transaction.
func (d *DB) CreateList(ctx context.Context, listID string, size int) error {
	const op = "create status list "
	if err := begin(ctx, op+listID, listID); err != nil {
		return err
	}
	if err := bitlist.CheckSize(size); err != nil {
		return fmt.Errorf("bolt: %s%s: %w", op, listID, err)
	}
	err := d.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(rootLists).CreateBucket([]byte(listID))
		if errors.Is(err, berrors.ErrBucketExists) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		zero := make([]byte, size/8)
		for k, v := range map[string][]byte{
			string(listSize):    binary.BigEndian.AppendUint64(nil, uint64(size)),
			string(listVersion): binary.BigEndian.AppendUint64(nil, 0),
			string(listBits):    zero,
			string(listAlloc):   zero,
		} {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(op+listID, err)
}

// Allocate implements store.StatusLists: AllocateMany with one start.
func (d *DB) Allocate(ctx context.Context, listID string, start int) (int, error) {
	if err := beginIndex(ctx, "allocate in status list ", listID, start); err != nil {
		return 0, err
	}
	got, err := d.AllocateMany(ctx, listID, []int{start})
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

// AllocateMany implements store.StatusLists: the searches for every start
// and one rewrite of the allocation bitmap are one Update transaction. When
// the list fills up part way, that transaction still commits the indexes it
// found, and AllocateMany returns them with store.ErrFull.
func (d *DB) AllocateMany(ctx context.Context, listID string, starts []int) ([]int, error) {
	const op = "allocate many in status list "
	if err := begin(ctx, op+listID, listID); err != nil {
		return nil, err
	}
	maxStart, err := bitlist.CheckStarts(starts)
	if err != nil {
		return nil, fmt.Errorf("bolt: %s%s: %w", op, listID, err)
	}
	var got []int
	fn := func(tx *bbolt.Tx) error {
		// A re-run starts from the rolled-back state: so does got.
		got = make([]int, 0, len(starts))
		l, err := openList(tx, listID, maxStart)
		if err != nil {
			return refuse(err)
		}
		alloc := clone(l.b.Get(listAlloc))
		for _, start := range starts {
			i := bitlist.FirstClear(alloc, start)
			if i < 0 {
				break
			}
			alloc[i/8] |= 0x80 >> (i % 8)
			got = append(got, i)
		}
		if len(got) == 0 {
			return refuse(store.ErrFull)
		}
		return l.b.Put(listAlloc, alloc)
	}
	// As in Allocate: alone, commit at once; with concurrent writers, share
	// a commit.
	if err := d.update(fn); err != nil {
		return nil, wrap(op+listID, err)
	}
	if len(got) < len(starts) {
		return got, fmt.Errorf("bolt: %s%s: %d of %d starts served: %w", op, listID, len(got), len(starts), store.ErrFull)
	}
	return got, nil
}

// SetStatus implements store.StatusLists: the bit and the version change in
// one Update transaction. A SetStatus that changes nothing writes nothing.
func (d *DB) SetStatus(ctx context.Context, listID string, index int, value bool) (bool, error) {
	const op = "set status in list "
	if err := beginIndex(ctx, op, listID, index); err != nil {
		return false, err
	}
	var prev bool
	err := d.update(func(tx *bbolt.Tx) error {
		l, err := openList(tx, listID, index)
		if err != nil {
			return refuse(err)
		}
		mask := byte(0x80) >> (index % 8)
		bs := l.b.Get(listBits)
		if prev = bs[index/8]&mask != 0; prev == value {
			return nil
		}
		bs = clone(bs)
		bs[index/8] ^= mask
		if err := l.b.Put(listBits, bs); err != nil {
			return err
		}
		return l.b.Put(listVersion, binary.BigEndian.AppendUint64(nil, l.version+1))
	})
	if err != nil {
		return false, wrap(op+listID, err)
	}
	return prev, nil
}

// Status implements store.StatusLists.
func (d *DB) Status(ctx context.Context, listID string, index int) (bool, error) {
	const op = "get status in list "
	if err := beginIndex(ctx, op, listID, index); err != nil {
		return false, err
	}
	var set bool
	err := d.db.View(func(tx *bbolt.Tx) error {
		l, err := openList(tx, listID, index)
		if err != nil {
			return err
		}
		set = l.b.Get(listBits)[index/8]&(0x80>>(index%8)) != 0
		return nil
	})
	return set, wrap(op+listID, err)
}

// Bits implements store.StatusLists from one read transaction.
func (d *DB) Bits(ctx context.Context, listID string) ([]byte, uint64, error) {
	const op = "read status list "
	if err := beginIndex(ctx, op, listID, 0); err != nil {
		return nil, 0, err
	}
	var (
		out     []byte
		version uint64
	)
	err := d.db.View(func(tx *bbolt.Tx) error {
		l, err := openList(tx, listID, 0)
		if err != nil {
			return err
		}
		out, version = clone(l.b.Get(listBits)), l.version
		return nil
	})
	if err != nil {
		return nil, 0, wrap(op+listID, err)
	}
	return out, version, nil
}

// ListInfo implements store.StatusLists from one read transaction. It
// counts the allocation bitmap's bits, in time linear in the list's size.
func (d *DB) ListInfo(ctx context.Context, listID string) (int, int, uint64, error) {
	const op = "get info of status list "
	if err := beginIndex(ctx, op, listID, 0); err != nil {
		return 0, 0, 0, err
	}
	var (
		size, allocated int
		version         uint64
	)
	err := d.db.View(func(tx *bbolt.Tx) error {
		l, err := openList(tx, listID, 0)
		if err != nil {
			return err
		}
		size, allocated, version = l.size, bitlist.PopCount(l.b.Get(listAlloc)), l.version
		return nil
	})
	if err != nil {
		return 0, 0, 0, wrap(op+listID, err)
	}
	return size, allocated, version, nil
}

// list is a status list's bucket, read in the current transaction.
type list struct {
	b       *bbolt.Bucket
	size    int
	version uint64
}

// openList finds the list listID and checks that index is below its size.
// It returns store.ErrNotFound for a missing list. A list whose keys do not
// fit together (a damaged or foreign file) is an error rather than a panic.
func openList(tx *bbolt.Tx, listID string, index int) (list, error) {
	b := tx.Bucket(rootLists).Bucket([]byte(listID))
	if b == nil {
		return list{}, store.ErrNotFound
	}
	size, version := b.Get(listSize), b.Get(listVersion)
	if len(size) != 8 || len(version) != 8 {
		return list{}, errors.New("damaged status list: bad size or version")
	}
	l := list{b: b, size: int(binary.BigEndian.Uint64(size)), version: binary.BigEndian.Uint64(version)}
	if bitlist.CheckSize(l.size) != nil || len(b.Get(listBits)) != l.size/8 || len(b.Get(listAlloc)) != l.size/8 {
		return list{}, errors.New("damaged status list: bitmaps do not match its size")
	}
	if index >= l.size {
		return list{}, fmt.Errorf("index %d of %d: %w", index, l.size, store.ErrOutOfRange)
	}
	return l, nil
}

// beginIndex is begin for the StatusLists methods that take an index (or an
// allocation start): a negative one is out of range for every list.
func beginIndex(ctx context.Context, op, listID string, index int) error {
	if err := begin(ctx, op+listID, listID); err != nil {
		return err
	}
	if index < 0 {
		return fmt.Errorf("bolt: %s%s: index %d: %w", op, listID, index, store.ErrOutOfRange)
	}
	return nil
}
