package bolt_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
)

// TestStatusListSurvivesReopen allocates half a list, reopens the file and
// allocates the rest: no index comes out twice, and then the list is full.
func TestStatusListSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "accolade.db")
	const size = 64

	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.CreateList(ctx, "list", size); err != nil {
		t.Fatalf("CreateList: %v", err)
	}
	if _, err := db.SetStatus(ctx, "list", 9, true); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	seen := map[int]bool{}
	allocate := func(db *bolt.DB) {
		t.Helper()
		i, err := db.Allocate(ctx, "list", rand.IntN(size))
		if err != nil {
			t.Fatalf("Allocate after %d: %v", len(seen), err)
		}
		if seen[i] {
			t.Fatalf("index %d handed out twice", i)
		}
		seen[i] = true
	}
	for range size / 2 {
		allocate(db)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = open(t, path, bolt.Options{})
	if n, a, v, err := db.ListInfo(ctx, "list"); err != nil || n != size || a != size/2 || v != 1 {
		t.Fatalf("ListInfo after reopen: got (%d, %d, %d, %v), want (%d, %d, 1, nil)", n, a, v, err, size, size/2)
	}
	if set, err := db.Status(ctx, "list", 9); err != nil || !set {
		t.Errorf("Status(9) after reopen: got (%t, %v), want (true, nil)", set, err)
	}
	for range size / 2 {
		allocate(db)
	}
	if len(seen) != size {
		t.Errorf("got %d distinct indexes, want %d", len(seen), size)
	}
	if i, err := db.Allocate(ctx, "list", 0); !errors.Is(err, store.ErrFull) {
		t.Errorf("Allocate on a full list: got (%d, %v), want ErrFull", i, err)
	}
	if err := db.CreateList(ctx, "list", size); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateList after reopen: got %v, want ErrConflict", err)
	}
}

const (
	envCrashPath = "BOLT_TEST_CRASH_PATH"
	crashSize    = 1024
	crashPrinted = 100 // indexes the parent reads before it kills the child
)

// TestAllocateCrash runs this test binary again as a child that allocates
// indexes in a loop and prints each one once Allocate has returned. The
// parent kills it with SIGKILL mid-loop, reopens the file and allocates the
// rest: no index may come out twice, counting the ones the child printed.
// The child's allocations that committed but were not printed yet are lost
// to both, which is allowed (an allocation is never released).
func TestAllocateCrash(t *testing.T) {
	if path := os.Getenv(envCrashPath); path != "" {
		crashChild(path)
		return
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "accolade.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.CreateList(ctx, "list", crashSize); err != nil {
		t.Fatalf("CreateList: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAllocateCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashPath+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	seen := map[int]bool{}
	sc := bufio.NewScanner(out)
	for len(seen) < crashPrinted && sc.Scan() {
		i, err := strconv.Atoi(sc.Text())
		if err != nil {
			continue // the test framework's own output
		}
		if seen[i] {
			t.Errorf("child printed index %d twice", i)
		}
		seen[i] = true
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	for sc.Scan() { // indexes printed before the kill landed
		if i, err := strconv.Atoi(sc.Text()); err == nil {
			if seen[i] {
				t.Errorf("child printed index %d twice", i)
			}
			seen[i] = true
		}
	}
	err = cmd.Wait()
	if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v", err)
	}
	if len(seen) < crashPrinted {
		t.Fatalf("child printed %d indexes before it ended, want at least %d", len(seen), crashPrinted)
	}
	printed := len(seen)

	db = open(t, path, bolt.Options{LockTimeout: 5 * time.Second})
	_, allocated, _, err := db.ListInfo(ctx, "list")
	if err != nil {
		t.Fatalf("ListInfo after the crash: %v", err)
	}
	if allocated < printed {
		t.Fatalf("after the crash %d indexes are allocated, but the child printed %d", allocated, printed)
	}
	fresh := 0
	for {
		i, err := db.Allocate(ctx, "list", rand.IntN(crashSize))
		if errors.Is(err, store.ErrFull) {
			break
		}
		if err != nil {
			t.Fatalf("Allocate after the crash: %v", err)
		}
		if seen[i] {
			t.Fatalf("index %d handed out again after the crash", i)
		}
		seen[i] = true
		fresh++
	}
	if fresh != crashSize-allocated {
		t.Errorf("allocated %d after the crash, want %d (size %d - %d already allocated)", fresh, crashSize-allocated, crashSize, allocated)
	}
	t.Logf("child printed %d indexes (%d committed), parent allocated %d more", printed, allocated, fresh)
}

// crashChild is the child of TestAllocateCrash: it allocates and prints
// until it is killed. It never returns normally.
func crashChild(path string) {
	db, err := bolt.Open(path, bolt.Options{SweepInterval: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(3)
	}
	for {
		i, err := db.Allocate(context.Background(), "list", rand.IntN(crashSize))
		if errors.Is(err, store.ErrFull) {
			// Not killed in time; wait for the signal rather than exit, so
			// that the parent sees the same ending either way.
			for {
				time.Sleep(time.Hour)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: allocate:", err)
			os.Exit(4)
		}
		fmt.Println(i)
	}
}
