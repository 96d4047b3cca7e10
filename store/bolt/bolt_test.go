package bolt_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/storetest"
)

// freshDB is the factory of the conformance suites: a new database in a
// temporary directory, closed at the end of the test.
func freshDB(t *testing.T) store.Store {
	return open(t, filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{})
}

func TestConformance(t *testing.T) {
	storetest.Run(t, freshDB)
}

// open opens path and closes it when the test ends.
func open(t testing.TB, path string, opts bolt.Options) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "accolade.db")

	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Create(ctx, "profiles", "p1", []byte("ada")); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := db.PutToken(ctx, "code", "c1", []byte("code"), time.Hour); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	seen := map[uint64]bool{}
	var last uint64
	for range 3 {
		if last, err = db.Next(ctx, "credentials"); err != nil {
			t.Fatalf("Next: %v", err)
		}
		seen[last] = true
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = open(t, path, bolt.Options{})
	got, err := db.Get(ctx, "profiles", "p1")
	if err != nil {
		t.Fatalf("Get after reopen: %v", err)
	}
	if diff := cmp.Diff("ada", string(got)); diff != "" {
		t.Errorf("Get after reopen mismatch (-want +got):\n%s", diff)
	}
	if err := db.Create(ctx, "profiles", "p1", []byte("other")); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Create after reopen: got %v, want ErrConflict", err)
	}
	tok, err := db.TakeToken(ctx, "code", "c1")
	if err != nil || string(tok) != "code" {
		t.Errorf("TakeToken after reopen: got (%q, %v), want (%q, nil)", tok, err, "code")
	}
	for range 3 {
		n, err := db.Next(ctx, "credentials")
		if err != nil {
			t.Fatalf("Next after reopen: %v", err)
		}
		if seen[n] || n <= last {
			t.Errorf("Next after reopen: got %d, want a new value above %d", n, last)
		}
		seen[n], last = true, n
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "lib")
	path := filepath.Join(dir, "accolade.db")
	open(t, path, bolt.Options{})

	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{path, 0o600},
		{dir, 0o700 | os.ModeDir},
		{filepath.Dir(dir), 0o700 | os.ModeDir},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		if got := fi.Mode(); got != c.want {
			t.Errorf("mode of %s: got %v, want %v", c.path, got, c.want)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accolade.db")
	first, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}

	const timeout = 200 * time.Millisecond
	start := time.Now()
	second, err := bolt.Open(path, bolt.Options{LockTimeout: timeout})
	elapsed := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatalf("second Open succeeded while the file was open")
	}
	if !errors.Is(err, bolt.ErrLocked) {
		t.Errorf("second Open: got %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second Open error %q does not say the database is in use", err)
	}
	// bbolt polls the lock every 50ms, so it may give up slightly early.
	if elapsed > timeout+3*time.Second {
		t.Errorf("second Open gave up after %v, want about %v", elapsed, timeout)
	}

	// Close releases the lock.
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	open(t, path, bolt.Options{LockTimeout: timeout})
}

// TestOpenLockedByAnotherProcess runs this test binary again as a child that
// tries to open a file the parent holds.
func TestOpenLockedByAnotherProcess(t *testing.T) {
	if path := os.Getenv("BOLT_TEST_LOCKED_PATH"); path != "" {
		db, err := bolt.Open(path, bolt.Options{LockTimeout: 100 * time.Millisecond})
		if err == nil {
			db.Close()
			fmt.Println("child: opened a locked file")
			os.Exit(2)
		}
		fmt.Println(err)
		if !errors.Is(err, bolt.ErrLocked) {
			os.Exit(3)
		}
		os.Exit(0)
	}

	path := filepath.Join(t.TempDir(), "accolade.db")
	open(t, path, bolt.Options{})
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestOpenLockedByAnotherProcess$")
	cmd.Env = append(os.Environ(), "BOLT_TEST_LOCKED_PATH="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "in use by another process") {
		t.Errorf("child output %q does not say the database is in use", out)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a bolt file ", 1024)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		path string
		opts bolt.Options
	}{
		{"empty-path", "", bolt.Options{}},
		{"negative-lock-timeout", filepath.Join(dir, "x.db"), bolt.Options{LockTimeout: -time.Second}},
		{"not-a-bolt-file", garbage, bolt.Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := bolt.Open(c.path, c.opts)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want an error")
			}
			if errors.Is(err, bolt.ErrLocked) {
				t.Errorf("Open: got %v, want an error other than ErrLocked", err)
			}
		})
	}
}

func TestClose(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{SweepInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := db.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping after Close: got %v, want ErrUnavailable", err)
	}
	if _, err := db.Get(t.Context(), "c", "id"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get after Close: got %v, want ErrUnavailable", err)
	}
}

// clock is a settable clock, safe for the background sweeper to read.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	calls chan struct{} // if not nil, gets a value on each Now it has room for
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls != nil {
		select {
		case c.calls <- struct{}{}:
		default:
		}
	}
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestTokenExpiryWithClock(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{Now: clk.Now, SweepInterval: -1})

	for i := range 3 {
		if err := db.PutToken(ctx, "nonce", fmt.Sprint("short", i), []byte("v"), time.Minute); err != nil {
			t.Fatalf("PutToken: %v", err)
		}
	}
	if err := db.PutToken(ctx, "code", "long", []byte("v"), time.Hour); err != nil {
		t.Fatalf("PutToken: %v", err)
	}

	clk.Advance(time.Minute - time.Nanosecond)
	if _, err := db.GetToken(ctx, "nonce", "short0"); err != nil {
		t.Fatalf("GetToken just before expiry: %v", err)
	}
	clk.Advance(time.Nanosecond)
	if _, err := db.GetToken(ctx, "nonce", "short0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetToken at expiry: got %v, want ErrNotFound", err)
	}
	// TakeToken of an expired entry removes it.
	if _, err := db.TakeToken(ctx, "nonce", "short0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TakeToken at expiry: got %v, want ErrNotFound", err)
	}
	wantRaw(t, db, "nonce", 2)

	n, err := db.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Sweep: got (%d, %v), want (2, nil)", n, err)
	}
	wantRaw(t, db, "nonce", 0)
	wantRaw(t, db, "code", 1)
	if n, err := db.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep: got (%d, %v), want (0, nil)", n, err)
	}
}

func TestSweepBatches(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{Now: clk.Now, SweepInterval: -1})
	// Several sweep batches, spread over two kinds.
	bolt.SetSweepBatch(t, 7)
	const n = 50
	for i := range n {
		kind := []string{"nonce", "offer"}[i%2]
		if err := db.PutToken(ctx, kind, fmt.Sprint(i), []byte("v"), time.Minute); err != nil {
			t.Fatalf("PutToken: %v", err)
		}
	}
	clk.Advance(time.Hour)
	got, err := db.Sweep(ctx)
	if err != nil || got != n {
		t.Fatalf("Sweep: got (%d, %v), want (%d, nil)", got, err, n)
	}
	wantRaw(t, db, "nonce", 0)
	wantRaw(t, db, "offer", 0)
}

func TestBackgroundSweep(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), calls: make(chan struct{}, 64)}
	db := open(t, filepath.Join(t.TempDir(), "accolade.db"), bolt.Options{Now: clk.Now, SweepInterval: 10 * time.Millisecond})
	if err := db.PutToken(ctx, "nonce", "n1", []byte("v"), time.Minute); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	// Only the sweeper reads the clock now, once per pass (one batch here),
	// inside its write transaction. Forget the reads so far: the next one
	// starts a pass that sees the token, the one after it shows that pass
	// has ended.
	for len(clk.calls) > 0 {
		<-clk.calls
	}
	for range 2 {
		select {
		case <-clk.calls:
		case <-time.After(30 * time.Second):
			t.Fatal("the background sweep did not run within 30s")
		}
	}
	wantRaw(t, db, "nonce", 1) // still live: the sweep must not remove it

	clk.Advance(2 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := db.RawTokenCount("nonce")
		if err != nil {
			t.Fatalf("RawTokenCount: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background sweep did not remove the expired token within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func wantRaw(t *testing.T, db *bolt.DB, kind string, want int) {
	t.Helper()
	got, err := db.RawTokenCount(kind)
	if err != nil {
		t.Fatalf("RawTokenCount(%q): %v", kind, err)
	}
	if got != want {
		t.Errorf("stored tokens of kind %q: got %d, want %d", kind, got, want)
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		name    string
		url     string
		want    string
		wantErr bool
	}{
		{"ok/absolute", "bolt:///var/lib/accolade/accolade.db", "/var/lib/accolade/accolade.db", false},
		{"ok/relative", "bolt://data/accolade.db", "data/accolade.db", false},
		{"ok/relative-one-element", "bolt://accolade.db", "accolade.db", false},
		{"ok/relative-dot", "bolt://./accolade.db", "accolade.db", false},
		{"ok/relative-parent", "bolt://../shared/accolade.db", "../shared/accolade.db", false},
		{"ok/escaped", "bolt:///srv/my%20data/a.db", "/srv/my data/a.db", false},
		{"ok/cleaned", "bolt:///srv//a/../b.db", "/srv/b.db", false},
		{"ok/scheme-case", "BOLT:///srv/a.db", "/srv/a.db", false},
		{"fail/other-scheme", "redis://localhost:6379/0", "", true},
		{"fail/file-scheme", "file:///srv/a.db", "", true},
		{"fail/no-scheme", "/srv/a.db", "", true},
		{"fail/empty", "", "", true},
		{"fail/no-path", "bolt://", "", true},
		{"fail/root", "bolt:///", "", true},
		{"fail/directory", "bolt:///srv/", "", true},
		{"fail/opaque", "bolt:accolade.db", "", true},
		{"fail/user", "bolt://me@data/a.db", "", true},
		{"fail/port", "bolt://data:1/a.db", "", true},
		{"fail/query", "bolt:///srv/a.db?mode=ro", "", true},
		{"fail/fragment", "bolt:///srv/a.db#x", "", true},
		{"fail/bad-escape", "bolt:///srv/%zz.db", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := bolt.ParseURL(c.url)
			if c.wantErr {
				if err == nil {
					t.Errorf("ParseURL(%q) = %q, want an error", c.url, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", c.url, err)
			}
			if diff := cmp.Diff(filepath.FromSlash(c.want), got); diff != "" {
				t.Errorf("ParseURL(%q) mismatch (-want +got):\n%s", c.url, diff)
			}
		})
	}
}

// TestExport runs the export and import conformance subtests.
func TestExport(t *testing.T) {
	storetest.RunExport(t, freshDB)
}
