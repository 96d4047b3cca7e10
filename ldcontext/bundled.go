package ldcontext

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// bundleFS holds the contexts extracted at build time from their
// publishers' npm packages (ldcontext/bundle, `make contexts`). In a clone
// that never ran that step it holds only README.md, and the loader has no
// bundled documents.
//
//go:embed bundled
var bundleFS embed.FS

// bundledDoc is one context compiled into the binary, already checked
// against its pin.
type bundledDoc struct {
	raw    []byte
	pkg    string // npm package@version it came from
	sha256 string
}

// bundleIndex is bundled/index.json as extract.cjs writes it.
type bundleIndex struct {
	Contexts map[string]struct {
		File    string `json:"file"`
		Package string `json:"package"`
	} `json:"contexts"`
}

// readBundle parses the embedded bundle once. Every document must be a
// built-in pin with the pinned JCS digest: a mismatch means the build took
// the wrong package version, and is an error, never a silent skip.
var readBundle = sync.OnceValues(func() (map[string]bundledDoc, error) {
	return parseBundle(bundleFS, "bundled")
})

func parseBundle(fsys fs.FS, dir string) (map[string]bundledDoc, error) {
	raw, err := fs.ReadFile(fsys, path.Join(dir, "index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bundledDoc{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ldcontext: bundled index: %w", err)
	}
	var idx bundleIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("ldcontext: bundled index: %w", err)
	}
	docs := make(map[string]bundledDoc, len(idx.Contexts))
	var errs []error
	for u, d := range idx.Contexts {
		p, ok := pinned[u]
		if !ok {
			errs = append(errs, fmt.Errorf("ldcontext: bundled %s (%s): %w", u, d.Package, ErrNotPinned))
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, path.Base(d.File)))
		if err != nil {
			errs = append(errs, fmt.Errorf("ldcontext: bundled %s: %w", u, err))
			continue
		}
		if int64(len(b)) > DefaultMaxBytes {
			errs = append(errs, fmt.Errorf("ldcontext: bundled %s: larger than %d bytes", u, DefaultMaxBytes))
			continue
		}
		sum, err := Digest(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("ldcontext: bundled %s: %w", u, err))
			continue
		}
		if sum != p.sha256 {
			errs = append(errs, fmt.Errorf("ldcontext: bundled %s from %s: %w: JCS sha256 %s, pinned %s",
				u, d.Package, ErrDigestMismatch, sum, p.sha256))
			continue
		}
		docs[u] = bundledDoc{raw: b, pkg: d.Package, sha256: sum}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return docs, nil
}

// BundledDocument describes one document compiled into the binary.
type BundledDocument struct {
	URL     string
	Package string // the npm package and version it was extracted from
	SHA256  string // hex SHA-256 of its JCS form, equal to the pin
}

// Bundled lists the documents compiled into this binary, sorted by URL, after
// checking each against the pinned table. It fails if any bundled document
// is not pinned or differs from its pin; an empty list means the build did
// not run `make contexts`.
func Bundled() ([]BundledDocument, error) {
	docs, err := readBundle()
	if err != nil {
		return nil, err
	}
	out := make([]BundledDocument, 0, len(docs))
	for u, d := range docs {
		out = append(out, BundledDocument{URL: u, Package: d.pkg, SHA256: d.sha256})
	}
	slices.SortFunc(out, func(a, b BundledDocument) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}
