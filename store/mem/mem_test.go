package mem_test

import (
	"errors"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := mem.New(mem.Options{})
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

// fakeClock is a settable clock for deterministic expiry tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func TestTokenExpiryWithClock(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := mem.New(mem.Options{Now: clock.Now})
	ctx := t.Context()
	if err := s.PutToken(ctx, "nonce", "n1", []byte("v"), time.Minute); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	clock.Advance(time.Minute - time.Nanosecond)
	if _, err := s.GetToken(ctx, "nonce", "n1"); err != nil {
		t.Fatalf("GetToken just before expiry: %v", err)
	}
	clock.Advance(time.Nanosecond)
	if _, err := s.GetToken(ctx, "nonce", "n1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetToken at expiry: got %v, want ErrNotFound", err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep: got (%d, %v), want (1, nil)", n, err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second Sweep: got (%d, %v), want (0, nil)", n, err)
	}
}

func TestClosed(t *testing.T) {
	s := mem.New(mem.Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping after Close: got %v, want ErrUnavailable", err)
	}
	if _, err := s.Get(t.Context(), "c", "id"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get after Close: got %v, want ErrUnavailable", err)
	}
}

// TestExport runs the export and import conformance subtests.
func TestExport(t *testing.T) {
	storetest.RunExport(t, func(*testing.T) store.Store { return mem.New(mem.Options{}) })
}
