package ldcontext

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// ErrBadDocument is returned by ImportDocument for a document that is not
// JSON with a JCS form, or is larger than the loader's MaxBytes.
var ErrBadDocument = errors.New("ldcontext: not a JSON document within the size limit")

// ImportDocument stores doc in the Cache under every URL pinned to its JCS
// digest, as Import does for each file of a directory, and returns those
// URLs, sorted. A document pinned to no URL is refused with ErrNotPinned;
// one larger than MaxBytes or not JSON with a JCS form with ErrBadDocument.
func (l *Loader) ImportDocument(ctx context.Context, doc []byte) ([]string, error) {
	if l.cfg.Cache == nil {
		return nil, errors.New("ldcontext: import: no Cache configured")
	}
	if int64(len(doc)) > l.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrBadDocument, len(doc), l.maxBytes)
	}
	sum, err := Digest(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadDocument, err)
	}
	urls := slices.Clone(l.byDigest[sum])
	if len(urls) == 0 {
		return nil, fmt.Errorf("%w: no pinned URL has digest %s", ErrNotPinned, sum)
	}
	slices.Sort(urls)
	for _, u := range urls {
		if err := l.cfg.Cache.Put(ctx, u, doc); err != nil {
			return nil, fmt.Errorf("ldcontext: import: cache %s: %w", u, err)
		}
	}
	return urls, nil
}
