package mem

import (
	"context"
	"fmt"

	"github.com/accolade-badges/accolade/store"
)

var _ store.StatusTransitions = (*Store)(nil)

// TransitionStatus implements store.StatusTransitions under one hold of the
// store's mutex. Every check comes first; the changes are then staged (a
// new bitstring, the record, the audit entry) and installed together only
// when all of them are ready, so that a step that fails (see
// Store.failStep) leaves the store as it was.
func (s *Store) TransitionStatus(ctx context.Context, t store.StatusTransition) error {
	const op = "transition status"
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	fail := func(err error) error { return fmt.Errorf("mem: %s in %s: %w", op, t.Collection, err) }
	if err := store.CheckTransition(t); err != nil {
		return fail(err)
	}
	l, ok := s.lists[t.ListID]
	switch {
	case !ok:
		return fail(fmt.Errorf("status list %s: %w", t.ListID, store.ErrNotFound))
	case t.Index >= l.size:
		return fail(fmt.Errorf("index %d of %d: %w", t.Index, l.size, store.ErrOutOfRange))
	}
	stored, ok := s.docs[t.Collection][t.ID]
	if !ok {
		return fail(store.ErrNotFound)
	}
	if err := store.CheckStored(t, stored); err != nil {
		return fail(err)
	}
	if _, ok := s.docs[t.Audit.Collection][t.Audit.ID]; ok {
		return fail(fmt.Errorf("audit entry in %s: %w", t.Audit.Collection, store.ErrConflict))
	}

	// Stage.
	bits, version := l.bits, l.version
	mask := byte(0x80) >> (t.Index % 8)
	if set := bits[t.Index/8]&mask != 0; set != store.StatusBit(t.To) {
		bits = clone(bits)
		bits[t.Index/8] ^= mask
		version++
	}
	if err := s.failStep(StepBit); err != nil {
		return fail(err)
	}
	record := clone(t.Record)
	if err := s.failStep(StepRecord); err != nil {
		return fail(err)
	}
	audit := clone(t.Audit.Value)
	if err := s.failStep(StepAudit); err != nil {
		return fail(err)
	}

	// Install: nothing below can fail.
	l.bits, l.version = bits, version
	s.docs[t.Collection][t.ID] = record
	c := s.docs[t.Audit.Collection]
	if c == nil {
		c = make(map[string][]byte)
		s.docs[t.Audit.Collection] = c
	}
	c[t.Audit.ID] = audit
	return nil
}

// Steps of a status transition, in order, at which a fault can be injected
// with SetFault.
const (
	StepBit    = "bit"
	StepRecord = "record"
	StepAudit  = "audit"
)

// SetFault makes every later status transition fail at step (StepBit,
// StepRecord or StepAudit) with err, as if the process stopped there; ""
// removes the fault. Tests use it to show that a transition that stops
// part way changes nothing.
func (s *Store) SetFault(step string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultStep, s.faultErr = step, err
}

// failStep returns the injected fault of step, if any. s.mu is held.
func (s *Store) failStep(step string) error {
	if s.faultStep == step {
		return s.faultErr
	}
	return nil
}
