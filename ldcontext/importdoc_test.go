package ldcontext_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
)

func TestImportDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Find the VC 2.0 context among the shared files by importing the
	// directory into a scratch cache first.
	scratch := newFakeCache()
	if _, err := newLoader(t, ldcontext.Config{Cache: scratch}).Import(ctx, sharedtest.ContextsDir(t)); err != nil {
		t.Fatal(err)
	}
	vc2 := scratch.m[urlVCv2]
	if vc2 == nil {
		t.Fatal("no VC 2.0 context among the shared contexts")
	}
	cache := newFakeCache()
	l := newLoader(t, ldcontext.Config{Cache: cache, Offline: true})
	t.Run("ok/pinned document", func(t *testing.T) {
		urls, err := l.ImportDocument(ctx, vc2)
		if err != nil {
			t.Fatal(err)
		}
		if len(urls) != 1 || urls[0] != urlVCv2 {
			t.Errorf("imported %q, want [%s]", urls, urlVCv2)
		}
		fresh := newLoader(t, ldcontext.Config{Cache: cache, Offline: true})
		if _, err := fresh.JSON(ctx, urlVCv2); err != nil {
			t.Errorf("imported context does not load: %v", err)
		}
	})
	t.Run("fail/not pinned", func(t *testing.T) {
		if _, err := l.ImportDocument(ctx, []byte(`{"@context":{"x":"https://example.org/x"}}`)); !errors.Is(err, ldcontext.ErrNotPinned) {
			t.Errorf("err %v, want ErrNotPinned", err)
		}
	})
	t.Run("fail/not JSON", func(t *testing.T) {
		if _, err := l.ImportDocument(ctx, []byte("not json")); !errors.Is(err, ldcontext.ErrBadDocument) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("fail/no cache", func(t *testing.T) {
		if _, err := newLoader(t, ldcontext.Config{}).ImportDocument(ctx, vc2); err == nil {
			t.Error("import without a Cache succeeded")
		}
	})
}
