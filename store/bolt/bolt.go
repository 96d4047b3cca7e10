package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/accolade-badges/accolade/store"
)

var (
	_ store.Store       = (*DB)(nil)
	_ store.Batcher     = (*DB)(nil)
	_ store.StatusLists = (*DB)(nil)
)

// ErrLocked reports that another process holds the database file open.
// Open returns it, wrapped, when the file lock is not released within
// Options.LockTimeout.
var ErrLocked = errors.New("database is in use by another process")

// Defaults for the zero Options.
const (
	DefaultSweepInterval = time.Minute
	DefaultLockTimeout   = time.Second
)

// defaultLimit is the page size List uses when asked for limit <= 0.
const defaultLimit = 100

// Root bucket names.
var (
	rootDocs   = []byte("docs")
	rootTokens = []byte("tokens")
	rootSeqs   = []byte("seqs")
	rootLists  = []byte("lists")
)

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Now returns the current time for token expiry. Nil means time.Now.
	Now func() time.Time
	// SweepInterval is how often a background goroutine deletes expired
	// tokens. Zero means DefaultSweepInterval; a negative value turns the
	// sweep off (expired tokens still read as missing). Close stops it.
	SweepInterval time.Duration
	// LockTimeout is how long Open waits for another process to release the
	// file lock before failing with ErrLocked. Zero means
	// DefaultLockTimeout; it must not be negative.
	LockTimeout time.Duration
}

// DB is a store.Store backed by one bbolt file. Its methods are safe for
// concurrent use.
type DB struct {
	db  *bbolt.DB
	now func() time.Time

	group committer // gathers concurrent writes into shared transactions

	faultMu sync.Mutex
	faultFn func(step string) error // SetFault

	stopSweep context.CancelFunc // called by Close to end the sweeper
	done      chan struct{}      // closed when the sweeper has returned
	closeOnce sync.Once
	closeErr  error
}

// Open opens the database file at path, creating it (mode 0600) and its
// parent directories (mode 0700) if needed. A file that already exists keeps
// its mode. If another process has the file open, Open waits up to
// opts.LockTimeout and then returns an error wrapping ErrLocked.
func Open(path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("bolt: open: empty path")
	}
	if opts.LockTimeout < 0 {
		return nil, fmt.Errorf("bolt: open %s: negative lock timeout %v", path, opts.LockTimeout)
	}
	lockTimeout := opts.LockTimeout
	if lockTimeout == 0 {
		lockTimeout = DefaultLockTimeout
	}
	sweep := opts.SweepInterval
	if sweep == 0 {
		sweep = DefaultSweepInterval
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: open %s: create directory: %w", path, err)
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:      lockTimeout,
		FreelistType: bbolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: %w (file lock not released within %v)", path, ErrLocked, lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{rootDocs, rootTokens, rootSeqs, rootLists} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("bolt: open %s: create root buckets: %w", path, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	d := &DB{db: bdb, now: now, stopSweep: cancel, done: make(chan struct{})}
	if sweep > 0 {
		go d.sweepLoop(ctx, sweep)
	} else {
		close(d.done)
	}
	return d, nil
}

// Close stops the background sweep and closes the file, releasing its lock.
// Later calls return the first call's result.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.stopSweep()
		<-d.done
		if err := d.db.Close(); err != nil {
			d.closeErr = fmt.Errorf("bolt: close: %w", err)
		}
	})
	return d.closeErr
}

// Ping implements store.Store with a read transaction that looks up a root
// bucket.
func (d *DB) Ping(ctx context.Context) error {
	if err := begin(ctx, "ping"); err != nil {
		return err
	}
	err := d.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(rootDocs) == nil {
			return errors.New("root bucket missing")
		}
		return nil
	})
	return wrap("ping", err)
}

// begin checks ctx and the names an operation is given. Every method calls
// it before touching the database, so a cancelled call has no effect.
func begin(ctx context.Context, op string, names ...string) error {
	if err := store.CheckCall(ctx, names...); err != nil {
		return fmt.Errorf("bolt: %s: %w", op, err)
	}
	return nil
}

// wrap names the operation in err. It also marks a closed database as
// store.ErrUnavailable, so callers such as /readyz can tell it from a bug.
// Sentinels from the store package pass through wrapped.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return fmt.Errorf("bolt: %s: %w: %w", op, store.ErrUnavailable, err)
	default:
		return fmt.Errorf("bolt: %s: %w", op, err)
	}
}
