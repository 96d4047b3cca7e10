package mem_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/mem"
	"github.com/accolade-badges/accolade/store/storetest"
)

func TestTransitionConformance(t *testing.T) {
	storetest.RunTransitions(t, func(*testing.T) store.Store { return mem.New(mem.Options{}) })
}

// TestTransitionFaultAtEachStep stops a status transition at each of its
// steps: the store is left exactly as it was, the record and the bit agree,
// and the same transition then goes through.
func TestTransitionFaultAtEachStep(t *testing.T) {
	ctx := context.Background()
	for _, step := range []string{mem.StepBit, mem.StepRecord, mem.StepAudit} {
		t.Run(step, func(t *testing.T) {
			s := mem.New(mem.Options{})
			if err := s.CreateList(ctx, "l", 8); err != nil {
				t.Fatal(err)
			}
			prev := []byte(`{"status":{"listId":"l","index":3,"state":"active"}}`)
			if err := s.Create(ctx, "creds", "c", prev); err != nil {
				t.Fatal(err)
			}
			tr := store.StatusTransition{Collection: "creds", ID: "c", ListID: "l", Index: 3, From: store.StateActive, To: store.StateRevoked,
				Prev: prev, Record: []byte(`{"status":{"listId":"l","index":3,"state":"revoked"}}`), Audit: store.Write{Collection: "audit", ID: "a"}}
			crash := errors.New("stopped at " + step)
			s.SetFault(step, crash)
			if err := s.TransitionStatus(ctx, tr); !errors.Is(err, crash) {
				t.Fatalf("transition with a fault at %s: %v", step, err)
			}
			rec, _ := s.Get(ctx, "creds", "c")
			bit, _ := s.Status(ctx, "l", 3)
			_, version, _ := s.Bits(ctx, "l")
			n, _ := s.Count(ctx, "audit")
			if string(rec) != string(prev) || bit || version != 0 || n != 0 {
				t.Errorf("after a fault at %s: record %s, bit %v, version %d, %d audit entries; want it all unchanged", step, rec, bit, version, n)
			}
			s.SetFault("", nil)
			if err := s.TransitionStatus(ctx, tr); err != nil {
				t.Fatal(err)
			}
			if bit, _ := s.Status(ctx, "l", 3); !bit {
				t.Error("bit clear after the transition went through")
			}
		})
	}
}
