package public_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accolade-badges/accolade/internal/public"
)

var errSentinel = errors.New("status change not allowed")

func TestMessage(t *testing.T) {
	internal := errors.New("redis: EXECABORT transaction discarded")
	tests := []struct {
		name       string
		err        error
		wantPublic string // "" means none
		wantText   string
		wantIs     error
	}{
		{"ok/new", public.New("the share link has expired"), "the share link has expired", "the share link has expired", nil},
		{"ok/errorf wraps the sentinel", public.Errorf("%w: the credential is revoked", errSentinel),
			"status change not allowed: the credential is revoked", "status change not allowed: the credential is revoked", errSentinel},
		{"ok/errorf with two %w", public.Errorf("%w: %w", errSentinel, internal), "status change not allowed: redis: EXECABORT transaction discarded", "status change not allowed: redis: EXECABORT transaction discarded", internal},
		{"ok/internal wraps above stay out", fmt.Errorf("revoke urn:uuid:1: %w", public.Errorf("%w: the credential is revoked", errSentinel)),
			"status change not allowed: the credential is revoked", "revoke urn:uuid:1: status change not allowed: the credential is revoked", errSentinel},
		{"ok/with message keeps the cause for logs", public.WithMessage(fmt.Errorf("%w: retry (%v)", errSentinel, internal), "status change not allowed: try again"),
			"status change not allowed: try again", "status change not allowed: retry (redis: EXECABORT transaction discarded)", errSentinel},
		{"fail/plain error has none", fmt.Errorf("%w: the credential is revoked", errSentinel), "", "status change not allowed: the credential is revoked", errSentinel},
		{"fail/nil", nil, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := public.Message(tt.err)
			if got != tt.wantPublic || ok != (tt.wantPublic != "") {
				t.Errorf("Message = %q, %v; want %q", got, ok, tt.wantPublic)
			}
			if tt.err != nil && tt.err.Error() != tt.wantText {
				t.Errorf("Error() = %q; want %q", tt.err.Error(), tt.wantText)
			}
			if tt.wantIs != nil && !errors.Is(tt.err, tt.wantIs) {
				t.Errorf("errors.Is(%v) = false", tt.wantIs)
			}
		})
	}
	if public.WithMessage(nil, "x") != nil {
		t.Error("WithMessage(nil) != nil")
	}
}

func ExampleErrorf() {
	errRevoked := errors.New("status change not allowed")
	err := fmt.Errorf("unsuspend urn:uuid:1: %w", public.Errorf("%w: a revoked credential cannot be unsuspended", errRevoked))
	msg, _ := public.Message(err)
	fmt.Println(msg)
	fmt.Println(errors.Is(err, errRevoked))
	// Output:
	// status change not allowed: a revoked credential cannot be unsuspended
	// true
}
