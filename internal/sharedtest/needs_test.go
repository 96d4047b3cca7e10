package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTB records how a helper stopped a test. Skip and Fatal end the
// goroutine as testing.T's do.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skip(args ...any) {
	f.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) {
	f.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

// stop runs fn on a fakeTB and returns it with fn's result.
func stop(fn func(tb testing.TB) string) (*fakeTB, string) {
	f := &fakeTB{}
	var got string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = fn(f)
	}()
	<-done
	return f, got
}

// wantStopped checks that f was skipped (CI unset) or failed (CI=true) with
// a message containing each of want.
func wantStopped(t *testing.T, f *fakeTB, ci bool, want ...string) {
	t.Helper()
	msg := f.skipped
	if ci {
		msg = f.failed
		if f.skipped != "" {
			t.Errorf("CI=true: skipped (%q), want a failure", f.skipped)
		}
	} else if f.failed != "" {
		t.Errorf("CI unset: failed (%q), want a skip", f.failed)
	}
	if msg == "" {
		t.Fatalf("CI=%v: the test was neither skipped nor failed", ci)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

func TestMissingSkipsLocallyFailsInCIAndReportsOnce(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report")
	t.Setenv(EnvReport, report)
	for _, ci := range []bool{false, true} {
		t.Run(fmt.Sprint("ci=", ci), func(t *testing.T) {
			if ci {
				t.Setenv("CI", "true")
			} else {
				t.Setenv("CI", "")
			}
			for range 2 {
				f, _ := stop(func(tb testing.TB) string { Missing(tb, "need "+t.Name(), "do this"); return "" })
				wantStopped(t, f, ci, "need "+t.Name()+" is not here", "do this")
			}
		})
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "\tdo this") {
		t.Errorf("report %q: want one line per need", lines)
	}
}

func TestRedis(t *testing.T) {
	for _, ci := range []bool{false, true} {
		t.Run(fmt.Sprint("ci=", ci), func(t *testing.T) {
			t.Setenv("CI", map[bool]string{false: "", true: "true"}[ci])
			t.Run("fail/unset", func(t *testing.T) {
				t.Setenv(EnvRedis, "")
				f, got := stop(Redis)
				wantStopped(t, f, ci, "Redis is not here", EnvRedis+"=redis://")
				if got != "" {
					t.Errorf("Redis = %q, want \"\"", got)
				}
			})
			t.Run("fail/unreachable", func(t *testing.T) {
				// Port 1 on loopback refuses connections.
				t.Setenv(EnvRedis, "redis://127.0.0.1:1/0")
				f, _ := stop(Redis)
				wantStopped(t, f, ci, "Redis is not here", "redis://127.0.0.1:1/0 does not answer")
			})
			t.Run("fail/bad-url", func(t *testing.T) {
				t.Setenv(EnvRedis, "http://127.0.0.1:6379")
				f, _ := stop(Redis)
				wantStopped(t, f, ci, "does not answer")
			})
		})
	}
	t.Run("ok", func(t *testing.T) {
		url := os.Getenv(EnvRedis)
		if got := Redis(t); got != url {
			t.Errorf("Redis = %q, want %q", got, url)
		}
	})
}

func TestProgramAndNode(t *testing.T) {
	for _, ci := range []bool{false, true} {
		t.Run(fmt.Sprint("ci=", ci), func(t *testing.T) {
			t.Setenv("CI", map[bool]string{false: "", true: "true"}[ci])
			f, got := stop(func(tb testing.TB) string {
				return Program(tb, "accolade-no-such-program", "install it")
			})
			wantStopped(t, f, ci, "program accolade-no-such-program is not here", "install it")
			if got != "" {
				t.Errorf("Program = %q, want \"\"", got)
			}
			t.Setenv("PATH", t.TempDir())
			f, _ = stop(func(tb testing.TB) string { return Node(tb) })
			wantStopped(t, f, ci, "program node is not here", "Node.js")
		})
	}
	t.Run("fail/npm-packages", func(t *testing.T) {
		t.Setenv("CI", "")
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "node"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir)
		f, _ := stop(func(tb testing.TB) string { return Node(tb, "no/such/dir") })
		wantStopped(t, f, false, "npm packages of no/such/dir is not here", "make interop-deps")
		if got := Node(t); got != filepath.Join(dir, "node") {
			t.Errorf("Node = %q, want the node on PATH", got)
		}
	})
}

func TestChromium(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ci := range []bool{false, true} {
		t.Run(fmt.Sprint("ci=", ci), func(t *testing.T) {
			t.Setenv("CI", map[bool]string{false: "", true: "true"}[ci])
			t.Setenv(EnvChromium, filepath.Join(dir, "nope"))
			f, _ := stop(Chromium)
			wantStopped(t, f, ci, "Chromium is not here", EnvChromium+"="+filepath.Join(dir, "nope")+" is not a file")
			t.Setenv(EnvChromium, "")
			t.Setenv("PATH", t.TempDir())
			f, _ = stop(Chromium)
			wantStopped(t, f, ci, "Chromium is not here", "apt-get install chromium")
		})
	}
	t.Run("ok", func(t *testing.T) {
		t.Setenv(EnvChromium, fake)
		if got := Chromium(t); got != fake {
			t.Errorf("Chromium = %q, want %q", got, fake)
		}
		t.Setenv(EnvChromium, "")
		t.Setenv("PATH", dir)
		if got := Chromium(t); got != fake {
			t.Errorf("Chromium = %q, want %q from PATH", got, fake)
		}
	})
}

// TestTestdataWholeDirectory: Testdata with no element is the directory
// itself, present when the directory is (a test walking all of it once
// looked for a "testdata" suite inside it and never ran).
func TestTestdataWholeDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "eddsa"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvTestdata, dir)
	t.Setenv("CI", "true")
	f, got := stop(func(tb testing.TB) string { return Testdata(tb) })
	if f.skipped != "" || f.failed != "" || got != dir {
		t.Errorf("Testdata() = %q (skipped %q, failed %q), want %q", got, f.skipped, f.failed, dir)
	}
	f, got = stop(func(tb testing.TB) string { return Testdata(tb, "eddsa", "x.json") })
	if f.skipped != "" || f.failed != "" || got != filepath.Join(dir, "eddsa", "x.json") {
		t.Errorf("Testdata(eddsa) = %q (skipped %q, failed %q)", got, f.skipped, f.failed)
	}
	t.Setenv(EnvTestdata, filepath.Join(dir, "absent"))
	f, _ = stop(func(tb testing.TB) string { return Testdata(tb) })
	wantStopped(t, f, true, "shared testdata")
}
