package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Environment variables the helpers read.
const (
	// EnvTestdata names the shared testdata directory.
	EnvTestdata = "ACCOLADE_TESTDATA_DIR"
	// EnvContexts lists offline context and schema directories.
	EnvContexts = "ACCOLADE_CONTEXTS_DIR"
	// EnvReport names a file to which each missing suite is appended, one
	// line each; `make test` prints it once at the end.
	EnvReport = "ACCOLADE_TESTDATA_REPORT"
)

var (
	findOnce sync.Once
	shared   string // shared/ beside or above the working directory, or ""
	module   string // the module root (directory holding go.mod), or ""

	reportMu sync.Mutex
	reported = map[string]bool{}
)

// find walks up from the working directory looking for shared/testdata and
// for the module root.
func find() {
	findOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if module == "" {
				if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
					module = dir
				}
			}
			cand := filepath.Join(dir, "shared")
			if shared == "" && isDir(filepath.Join(cand, "testdata")) {
				shared = cand
			}
			parent := filepath.Dir(dir)
			if parent == dir || (shared != "" && module != "") {
				return
			}
			dir = parent
		}
	})
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// inCI reports whether missing suites are failures (CI=true).
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Missing stops a test that needs suite (a test suite, or a service or
// program such as Redis, Node.js or Chromium), which is not here: it skips
// the test, or fails it when CI=true. how says how to make it available.
// The first time a test binary meets each missing need it says so in one
// line on stderr and appends it to $ACCOLADE_TESTDATA_REPORT.
func Missing(tb testing.TB, suite, how string) {
	tb.Helper()
	msg := fmt.Sprintf("%s is not here, so this test did not run: %s", suite, how)
	reportMu.Lock()
	first := !reported[suite]
	reported[suite] = true
	reportMu.Unlock()
	if first {
		fmt.Fprintf(os.Stderr, "sharedtest: SKIPPED, %s is not here: %s\n", suite, how)
		if f := os.Getenv(EnvReport); f != "" {
			if w, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
				fmt.Fprintf(w, "%s\t%s\n", suite, how)
				_ = w.Close()
			}
		}
	}
	if inCI() {
		tb.Fatal(msg + " (CI=true: every test must run)")
		return
	}
	tb.Skip(msg)
}

const howTestdata = "set " + EnvTestdata + " to the shared testdata directory (or keep shared/ beside the checkout) to run it"

// testdataBase returns the shared testdata directory, or "".
func testdataBase() string {
	if d := os.Getenv(EnvTestdata); d != "" {
		return d
	}
	find()
	if shared != "" {
		return filepath.Join(shared, "testdata")
	}
	return ""
}

// Testdata returns the path of a file or folder under the shared testdata
// directory. The first element names the suite (jsonld-api, rdf-canon, ob3,
// ...); when the directory or that suite is missing, the test is stopped
// by Missing.
func Testdata(tb testing.TB, elem ...string) string {
	tb.Helper()
	// The suite is the first element; with none, the whole directory.
	suite, dir := "", ""
	if len(elem) > 0 {
		suite = elem[0]
	}
	base := testdataBase()
	if base != "" {
		dir = filepath.Join(base, suite)
	}
	if dir == "" || !isDir(dir) {
		Missing(tb, strings.TrimSuffix("shared testdata/"+suite, "/"), howTestdata)
	}
	return filepath.Join(append([]string{base}, elem...)...)
}

// ReadTestdata reads a shared testdata file (see Testdata).
func ReadTestdata(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Testdata(tb, elem...))
	if err != nil {
		tb.Fatalf("read shared testdata: %v", err)
	}
	return b
}

// Specs returns the path of a file in the shared spec digests (shared/specs,
// beside the testdata directory), stopping the test by Missing when absent.
func Specs(tb testing.TB, name string) string {
	tb.Helper()
	base := testdataBase()
	p := filepath.Join(filepath.Dir(base), "specs", name)
	if base == "" {
		Missing(tb, "shared specs", howTestdata)
	}
	if _, err := os.Stat(p); err != nil {
		Missing(tb, "shared specs", howTestdata)
	}
	return p
}

// sharedContexts returns the shared contexts directory (with index.json), or "".
func sharedContexts() string {
	if d := filepath.SplitList(os.Getenv(EnvContexts)); len(d) > 0 && d[0] != "" {
		return d[0]
	}
	find()
	if shared != "" && isDir(filepath.Join(shared, "contexts")) {
		return filepath.Join(shared, "contexts")
	}
	return ""
}

// ContextsDir returns the shared JSON-LD contexts directory (with
// index.json), for the few tests about that directory itself; when it is
// missing the test is stopped by Missing. Tests that only need contexts use
// the bundled ones instead (ldcontext.Config.Bundled).
func ContextsDir(tb testing.TB) string {
	tb.Helper()
	d := sharedContexts()
	if d == "" {
		Missing(tb, "shared contexts", "set "+EnvContexts+" to the shared contexts directory (or keep shared/ beside the checkout) to run it")
	}
	return d
}

// Bundled stops the test by Missing unless the contexts bundled into the
// binary were extracted (ldcontext/bundled/index.json, written by `make
// contexts`).
func Bundled(tb testing.TB) {
	tb.Helper()
	find()
	if module == "" {
		tb.Fatal("sharedtest: module root (go.mod) not found above the working directory")
	}
	if _, err := os.Stat(filepath.Join(module, "ldcontext", "bundled", "index.json")); err != nil {
		Missing(tb, "bundled contexts", "run `make contexts` (npm ci in ldcontext/bundle, then extract.cjs) before go test")
	}
}

// ContextsIndexDir returns a directory of contexts with an index.json of
// the shared shape ({"contexts": {url: {"file", "sha256"}}}), for tools
// outside Go such as interop/js/dbvc.mjs: the shared contexts directory when
// it is here, else the bundled contexts (ldcontext/bundled, written by
// `make contexts`); without either the test is stopped by Missing.
func ContextsIndexDir(tb testing.TB) string {
	tb.Helper()
	if d := sharedContexts(); d != "" {
		return d
	}
	Bundled(tb)
	return filepath.Join(module, "ldcontext", "bundled")
}

// LoaderDirs returns the offline directories to give a context loader in
// tests beside the bundled contexts: the shared contexts and the OB 3.0
// JSON Schemas, joined with the path-list separator as ACCOLADE_CONTEXTS_DIR
// takes them, or "" when they are not here. It stops the test by Missing
// only when neither those nor the bundled contexts are available.
func LoaderDirs(tb testing.TB) string {
	tb.Helper()
	var dirs []string
	if d := sharedContexts(); d != "" {
		dirs = append(dirs, d)
	}
	if s := OBSchemaDir(); s != "" {
		dirs = append(dirs, s)
	}
	if len(dirs) == 0 {
		Bundled(tb)
	}
	return strings.Join(dirs, string(filepath.ListSeparator))
}

// OBSchemaDir returns the shared OB 3.0 JSON Schema directory, or "" when
// it is not here.
func OBSchemaDir() string {
	base := testdataBase()
	if base == "" || !isDir(filepath.Join(base, "ob3", "schema")) {
		return ""
	}
	return filepath.Join(base, "ob3", "schema")
}

// OBSchemas stops a test that needs the OB 3.0 JSON Schemas when they are
// not here (see Missing), and returns their directory.
func OBSchemas(tb testing.TB) string {
	tb.Helper()
	d := OBSchemaDir()
	if d == "" {
		Missing(tb, "shared testdata/ob3/schema (OB 3.0 JSON Schemas)", howTestdata)
	}
	return d
}
