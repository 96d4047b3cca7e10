package bolt_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/storetest"
)

func TestTransitionConformance(t *testing.T) {
	storetest.RunTransitions(t, freshDB)
}

var (
	crashPrev   = []byte(`{"status":{"listId":"l","index":3,"state":"active"}}`)
	crashRecord = []byte(`{"status":{"listId":"l","index":3,"state":"revoked"}}`)
	crashTr     = store.StatusTransition{Collection: "creds", ID: "c", ListID: "l", Index: 3, From: store.StateActive, To: store.StateRevoked,
		Prev: crashPrev, Record: crashRecord, Audit: store.Write{Collection: "audit", ID: "a", Value: []byte("{}")}}
)

// envCrash tells the test binary, run again as a child, to crash in a
// status transition: its value is "path step".
const envCrash = "ACCOLADE_TEST_BOLT_CRASH"

// TestTransitionCrashAtEachStep kills a process in the middle of a status
// transition, after each of its steps (the bit, the record, the audit
// entry), then opens the file again: the transaction did not commit, so the
// record, the bit and the audit trail are all as they were and agree; the
// same transition then goes through. It also stops a transition at each
// step with an error, in process, with the same outcome.
func TestTransitionCrashAtEachStep(t *testing.T) {
	if v := os.Getenv(envCrash); v != "" {
		transitionCrashChild(v)
		return
	}
	ctx := context.Background()
	for _, step := range []string{bolt.StepBit, bolt.StepRecord, bolt.StepAudit} {
		t.Run("crash/"+step, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "accolade.db")
			setupCrash(t, path)
			cmd := exec.Command(os.Args[0], "-test.run", "^TestTransitionCrashAtEachStep$", "-test.count=1")
			cmd.Env = append(os.Environ(), envCrash+"="+path+" "+step)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 3 {
				t.Fatalf("child: %v, want exit status 3 (it dies in the transaction)\n%s", err, out)
			}
			db := open(t, path, bolt.Options{})
			checkUnchanged(t, db, step)
			if err := db.TransitionStatus(ctx, crashTr); err != nil {
				t.Fatalf("the same transition after the crash: %v", err)
			}
			if bit, _ := db.Status(ctx, "l", 3); !bit {
				t.Error("bit clear after the transition went through")
			}
		})
		t.Run("error/"+step, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "accolade.db")
			setupCrash(t, path)
			db := open(t, path, bolt.Options{})
			stop := errors.New("stopped at " + step)
			db.SetFault(func(s string) error {
				if s == step {
					return stop
				}
				return nil
			})
			if err := db.TransitionStatus(ctx, crashTr); !errors.Is(err, stop) {
				t.Fatalf("transition with a fault at %s: %v", step, err)
			}
			checkUnchanged(t, db, step)
		})
	}
}

func setupCrash(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateList(ctx, "l", 8); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(ctx, "creds", "c", crashPrev); err != nil {
		t.Fatal(err)
	}
}

func checkUnchanged(t *testing.T, db *bolt.DB, step string) {
	t.Helper()
	ctx := context.Background()
	rec, err := db.Get(ctx, "creds", "c")
	if err != nil {
		t.Fatal(err)
	}
	bit, _ := db.Status(ctx, "l", 3)
	_, version, _ := db.Bits(ctx, "l")
	n, _ := db.Count(ctx, "audit")
	if string(rec) != string(crashPrev) || bit || version != 0 || n != 0 {
		t.Errorf("after stopping at %s: record %s, bit %v, version %d, %d audit entries; want it all as before", step, rec, bit, version, n)
	}
}

// transitionCrashChild runs the transition and ends the process, without any
// cleanup, from inside the transaction after the given step.
func transitionCrashChild(v string) {
	i := strings.LastIndexByte(v, ' ')
	path, step := v[:i], v[i+1:]
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		os.Exit(2)
	}
	db.SetFault(func(s string) error {
		if s == step {
			os.Exit(3) // dies holding an uncommitted transaction
		}
		return nil
	})
	_ = db.TransitionStatus(context.Background(), crashTr)
	os.Exit(4) // not reached
}
