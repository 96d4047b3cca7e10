package sharedtest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once   sync.Once
	shared string
)

// find walks up from the working directory looking for shared/testdata.
func find() string {
	once.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			cand := filepath.Join(dir, "shared")
			if st, err := os.Stat(filepath.Join(cand, "testdata")); err == nil && st.IsDir() {
				shared = cand
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return
			}
			dir = parent
		}
	})
	return shared
}

// Testdata returns the path of a file or folder under the shared testdata
// directory, failing the test if that directory cannot be found.
func Testdata(tb testing.TB, elem ...string) string {
	tb.Helper()
	base := os.Getenv("ACCOLADE_TESTDATA_DIR")
	if base == "" {
		if s := find(); s != "" {
			base = filepath.Join(s, "testdata")
		}
	}
	if base == "" {
		tb.Fatal("shared testdata not found: set ACCOLADE_TESTDATA_DIR or keep ../shared/testdata beside the checkout")
	}
	return filepath.Join(append([]string{base}, elem...)...)
}

// ContextsDir returns the shared JSON-LD contexts directory (with
// index.json), failing the test if it cannot be found.
func ContextsDir(tb testing.TB) string {
	tb.Helper()
	// The setting may list several directories; the contexts (with
	// index.json) come first.
	if d := filepath.SplitList(os.Getenv("ACCOLADE_CONTEXTS_DIR")); len(d) > 0 && d[0] != "" {
		return d[0]
	}
	if s := find(); s != "" {
		return filepath.Join(s, "contexts")
	}
	tb.Fatal("shared contexts not found: set ACCOLADE_CONTEXTS_DIR or keep ../shared/contexts beside the checkout")
	return ""
}

// LoaderDirs returns the offline directories a context and schema loader
// needs in tests: the contexts and the OB 3.0 JSON Schemas, joined with the
// path-list separator as ACCOLADE_CONTEXTS_DIR takes them.
func LoaderDirs(tb testing.TB) string {
	tb.Helper()
	return ContextsDir(tb) + string(filepath.ListSeparator) + Testdata(tb, "ob3", "schema")
}

// ReadTestdata reads a shared testdata file.
func ReadTestdata(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Testdata(tb, elem...))
	if err != nil {
		tb.Fatalf("read shared testdata: %v", err)
	}
	return b
}
