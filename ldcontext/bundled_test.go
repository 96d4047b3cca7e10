package ldcontext

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// A bundle without index.json (a clone that never ran `make contexts`) is
// empty, not an error: the loader falls back to its other sources.
func TestParseBundleEmpty(t *testing.T) {
	docs, err := parseBundle(fstest.MapFS{"bundled/README.md": {Data: []byte("placeholder")}}, "bundled")
	if err != nil || len(docs) != 0 {
		t.Fatalf("got %d docs, %v; want none, nil", len(docs), err)
	}
}

// A bundled document whose JCS digest differs from its pin, or whose URL is
// not pinned, fails the whole bundle loudly.
func TestParseBundleRefusesMismatchAndUnpinned(t *testing.T) {
	const index = `{"contexts": {
		"https://www.w3.org/ns/credentials/v2": {"file": "v2.json", "package": "@digitalbazaar/credentials-context@0.0.0"}}}`
	_, err := parseBundle(fstest.MapFS{
		"b/index.json": {Data: []byte(index)},
		"b/v2.json":    {Data: []byte(`{"@context": {"tampered": "https://example.org/t"}}`)},
	}, "b")
	if !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("tampered document: got %v, want ErrDigestMismatch", err)
	}
	const unpinned = `{"contexts": {"https://w3id.org/security/v2": {"file": "s.json", "package": "x@1"}}}`
	_, err = parseBundle(fstest.MapFS{
		"b/index.json": {Data: []byte(unpinned)},
		"b/s.json":     {Data: []byte(`{"@context": {}}`)},
	}, "b")
	if !errors.Is(err, ErrNotPinned) {
		t.Errorf("unpinned URL: got %v, want ErrNotPinned", err)
	}
	_, err = parseBundle(fstest.MapFS{"b/index.json": {Data: []byte(index)}}, "b")
	if err == nil {
		t.Error("missing document file: no error")
	}
}

// The bundle compiled into this test binary (make contexts) matches the
// pinned table and holds the contexts every issued credential needs.
func TestBundledMatchesPins(t *testing.T) {
	sharedtest.Bundled(t)
	docs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range docs {
		got[d.URL] = d.Package
		if d.SHA256 != pinned[d.URL].sha256 {
			t.Errorf("%s: sha256 %s, pinned %s", d.URL, d.SHA256, pinned[d.URL].sha256)
		}
	}
	for _, u := range []string{
		"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		"https://w3id.org/security/data-integrity/v2", "https://w3id.org/security/multikey/v1",
		"https://www.w3.org/ns/credentials/status/v1", "https://www.w3.org/ns/did/v1",
	} {
		if got[u] == "" {
			t.Errorf("%s is not bundled", u)
		}
	}
}
