package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/store"
)

// RunTransitions runs the subtests for store.StatusTransitions against the
// stores that newStore returns, with the same rules for newStore as Run.
// Every store it returns must implement store.StatusTransitions and
// store.StatusLists; the subtests fail otherwise.
func RunTransitions(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, c := range transitionCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			c.run(t, s, capability[transitioner](t, s, true))
		})
	}
}

type transitioner interface {
	store.StatusTransitions
	store.StatusLists
}

var transitionCases = []struct {
	name string
	run  func(t *testing.T, s store.Store, ts transitioner)
}{
	{"transition/ok", testTransitionOK},
	{"transition/conflict/state", testTransitionStateConflict},
	{"transition/conflict/record-changed", testTransitionRecordChanged},
	{"transition/conflict/audit-exists", testTransitionAuditExists},
	{"transition/revoked-is-final", testTransitionRevokedFinal},
	{"transition/not-found", testTransitionNotFound},
	{"transition/validate", testTransitionValidate},
	{"transition/concurrent", testTransitionConcurrent},
}

const (
	trColl  = "tr-credentials"
	trAudit = "tr-audit"
	trList  = "tr-list"
	trIndex = 13
)

// trRecord is a credential record in the shape TransitionStatus reads.
func trRecord(state, reason string) []byte {
	return fmt.Appendf(nil, `{"id":"urn:uuid:1","status":{"listId":%q,"index":%d,"purpose":"suspension","state":%q,"reason":%q},"credential":{"big":12345678901234567890,"s":"a/b<c>"}}`,
		trList, trIndex, state, reason)
}

// trSetup creates the list and a record in state; it returns the record.
func trSetup(t *testing.T, s store.Store, ts transitioner, id, state string) []byte {
	t.Helper()
	ctx := context.Background()
	if err := ts.CreateList(ctx, trList, 64); err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	rec := trRecord(state, "")
	if err := s.Create(ctx, trColl, id, rec); err != nil {
		t.Fatal(err)
	}
	if store.StatusBit(state) {
		if _, err := ts.SetStatus(ctx, trList, trIndex, true); err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

func trTransition(id string, prev []byte, from, to, audit string) store.StatusTransition {
	return store.StatusTransition{Collection: trColl, ID: id, ListID: trList, Index: trIndex, From: from, To: to,
		Prev: prev, Record: trRecord(to, audit), Audit: store.Write{Collection: trAudit, ID: audit, Value: []byte(`{"a":"` + audit + `"}`)}}
}

// trSnapshot is what a transition may change.
type trSnapshot struct {
	record  string
	bit     bool
	version uint64
	audits  int
}

func trSnap(t *testing.T, s store.Store, ts transitioner, id string) trSnapshot {
	t.Helper()
	ctx := context.Background()
	rec, err := s.Get(ctx, trColl, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	bit, err := ts.Status(ctx, trList, trIndex)
	if err != nil {
		t.Fatal(err)
	}
	_, version, err := ts.Bits(ctx, trList)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Count(ctx, trAudit)
	if err != nil {
		t.Fatal(err)
	}
	return trSnapshot{string(rec), bit, version, n}
}

func testTransitionOK(t *testing.T, s store.Store, ts transitioner) {
	ctx := context.Background()
	prev := trSetup(t, s, ts, "c1", store.StateActive)
	before := trSnap(t, s, ts, "c1")
	steps := []struct{ from, to string }{
		{store.StateActive, store.StateSuspended},
		{store.StateSuspended, store.StateActive},
		{store.StateActive, store.StateSuspended},
		{store.StateSuspended, store.StateRevoked},
	}
	for i, st := range steps {
		tr := trTransition("c1", prev, st.from, st.to, fmt.Sprint("a", i))
		if err := ts.TransitionStatus(ctx, tr); err != nil {
			t.Fatalf("step %d %s -> %s: %v", i, st.from, st.to, err)
		}
		got := trSnap(t, s, ts, "c1")
		if got.record != string(tr.Record) || got.bit != store.StatusBit(st.to) || got.audits != i+1 {
			t.Fatalf("step %d %s -> %s: got %+v", i, st.from, st.to, got)
		}
		v, err := s.Get(ctx, trAudit, tr.Audit.ID)
		if err != nil || string(v) != string(tr.Audit.Value) {
			t.Errorf("step %d: audit entry %q, %v", i, v, err)
		}
		prev = tr.Record
	}
	// active -> suspended -> active -> suspended -> revoked: the bit moved
	// four times, and so did the version; revoked after suspended does not.
	if got := trSnap(t, s, ts, "c1"); got.version != before.version+3 {
		t.Errorf("version %d, want %d (it moves only when the bit does)", got.version, before.version+3)
	}
}

// trRefused checks that tr fails with an error wrapping want (or, with
// want nil, with neither ErrConflict nor ErrNotFound) and writes nothing.
func trRefused(t *testing.T, s store.Store, ts transitioner, tr store.StatusTransition, want error) {
	t.Helper()
	before := trSnap(t, s, ts, tr.ID)
	err := ts.TransitionStatus(context.Background(), tr)
	switch {
	case err == nil:
		t.Fatalf("transition %s -> %s succeeded", tr.From, tr.To)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("transition %s -> %s: %v, want %v", tr.From, tr.To, err, want)
	case want == nil && (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound)):
		t.Fatalf("transition %s -> %s: %v, want an invalid-argument error", tr.From, tr.To, err)
	}
	if after := trSnap(t, s, ts, tr.ID); after != before {
		t.Errorf("refused transition changed %+v into %+v", before, after)
	}
}

func testTransitionStateConflict(t *testing.T, s store.Store, ts transitioner) {
	prev := trSetup(t, s, ts, "c1", store.StateSuspended)
	trRefused(t, s, ts, trTransition("c1", prev, store.StateActive, store.StateSuspended, "a1"), store.ErrConflict)
}

func testTransitionRecordChanged(t *testing.T, s store.Store, ts transitioner) {
	trSetup(t, s, ts, "c1", store.StateActive)
	// Same state, other bytes: a change in between that led back.
	trRefused(t, s, ts, trTransition("c1", trRecord(store.StateActive, "earlier"), store.StateActive, store.StateRevoked, "a1"), store.ErrConflict)
}

func testTransitionAuditExists(t *testing.T, s store.Store, ts transitioner) {
	prev := trSetup(t, s, ts, "c1", store.StateActive)
	if err := s.Create(context.Background(), trAudit, "a1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	trRefused(t, s, ts, trTransition("c1", prev, store.StateActive, store.StateRevoked, "a1"), store.ErrConflict)
}

func testTransitionRevokedFinal(t *testing.T, s store.Store, ts transitioner) {
	prev := trSetup(t, s, ts, "c1", store.StateRevoked)
	// Whatever the caller says, even with From and Prev right.
	for _, to := range []string{store.StateActive, store.StateSuspended} {
		trRefused(t, s, ts, trTransition("c1", prev, store.StateRevoked, to, "a-"+to), store.ErrConflict)
		other := store.StateActive // a From that lies about the state
		if to == store.StateActive {
			other = store.StateSuspended
		}
		trRefused(t, s, ts, trTransition("c1", prev, other, to, "b-"+to), store.ErrConflict)
	}
}

func testTransitionNotFound(t *testing.T, s store.Store, ts transitioner) {
	ctx := context.Background()
	prev := trSetup(t, s, ts, "c1", store.StateActive)
	trRefused(t, s, ts, trTransition("missing", prev, store.StateActive, store.StateRevoked, "a1"), store.ErrNotFound)
	tr := trTransition("c1", prev, store.StateActive, store.StateRevoked, "a2")
	tr.ListID = "no-such-list"
	tr.Record = []byte(`{"status":{"listId":"no-such-list","index":13,"state":"revoked"}}`)
	if err := ts.TransitionStatus(ctx, tr); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing list: %v, want ErrNotFound", err)
	}
	tr = trTransition("c1", prev, store.StateActive, store.StateRevoked, "a3")
	tr.Index = 64
	tr.Record = fmt.Appendf(nil, `{"status":{"listId":%q,"index":64,"state":"revoked"}}`, trList)
	if err := ts.TransitionStatus(ctx, tr); !errors.Is(err, store.ErrOutOfRange) {
		t.Errorf("index 64 of 64: %v, want ErrOutOfRange", err)
	}
	if got := trSnap(t, s, ts, "c1"); got.record != string(prev) || got.bit || got.audits != 0 {
		t.Errorf("refused transitions changed the store: %+v", got)
	}
}

func testTransitionValidate(t *testing.T, s store.Store, ts transitioner) {
	prev := trSetup(t, s, ts, "c1", store.StateActive)
	ok := func() store.StatusTransition {
		return trTransition("c1", prev, store.StateActive, store.StateSuspended, "a1")
	}
	cases := map[string]func(*store.StatusTransition){
		"no change": func(tr *store.StatusTransition) {
			tr.To, tr.Record = store.StateActive, trRecord(store.StateActive, "")
		},
		"unknown state":       func(tr *store.StatusTransition) { tr.To, tr.Record = "gone", trRecord("gone", "") },
		"record state not to": func(tr *store.StatusTransition) { tr.Record = trRecord(store.StateRevoked, "") },
		"record other entry": func(tr *store.StatusTransition) {
			tr.Record = fmt.Appendf(nil, `{"status":{"listId":%q,"index":14,"state":"suspended"}}`, trList)
		},
		"record without status": func(tr *store.StatusTransition) { tr.Record = []byte(`{"id":"x"}`) },
		"record not JSON":       func(tr *store.StatusTransition) { tr.Record = []byte(`{`) },
		"no prev":               func(tr *store.StatusTransition) { tr.Prev = nil },
		"empty collection":      func(tr *store.StatusTransition) { tr.Collection = "" },
		"empty audit ID":        func(tr *store.StatusTransition) { tr.Audit.ID = "" },
		"stored other entry": func(tr *store.StatusTransition) {
			tr.Index = 14
			tr.Record = fmt.Appendf(nil, `{"status":{"listId":%q,"index":14,"state":"suspended"}}`, trList)
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			tr := ok()
			mutate(&tr)
			trRefused(t, s, ts, tr, nil)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ts.TransitionStatus(ctx, ok()); err == nil {
		t.Error("cancelled context: transition succeeded")
	}
	if got := trSnap(t, s, ts, "c1"); got.record != string(prev) || got.bit || got.audits != 0 {
		t.Errorf("refused transitions changed the store: %+v", got)
	}
}

// testTransitionConcurrent races transitions decided on the same read:
// exactly one wins, and the record and the bit agree afterwards.
func testTransitionConcurrent(t *testing.T, s store.Store, ts transitioner) {
	ctx := context.Background()
	prev := trSetup(t, s, ts, "c1", store.StateSuspended)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		to := []string{store.StateActive, store.StateRevoked}[i%2]
		wg.Go(func() {
			errs[i] = ts.TransitionStatus(ctx, trTransition("c1", prev, store.StateSuspended, to, fmt.Sprint("a", i)))
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Errorf("transitions %d and %d both succeeded from the same read", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("transition %d: %v, want ErrConflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no transition succeeded")
	}
	to := []string{store.StateActive, store.StateRevoked}[won%2]
	if got := trSnap(t, s, ts, "c1"); got.record != string(trRecord(to, fmt.Sprint("a", won))) || got.bit != store.StatusBit(to) || got.audits != 1 {
		t.Errorf("after the race: %+v, want the record, bit and one audit entry of transition %d (%s)", got, won, to)
	}
}
