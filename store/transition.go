package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Credential status states, as a credential record's "status" member holds
// them in its "state" member.
const (
	StateActive    = "active"
	StateSuspended = "suspended"
	StateRevoked   = "revoked"
)

// StatusTransition is one change of an issued credential's status: the
// credential's record and its status-list bit change together, and an audit
// entry records the change.
//
// The record is a JSON object whose "status" member is an object holding at
// least "listId" (a string), "index" (a number) and "state" (one of the
// State constants): the entry of the credential in a status list and its
// current state. Nothing else of the record matters to the store.
type StatusTransition struct {
	// Collection and ID name the credential's record (a Docs key).
	Collection, ID string
	// ListID and Index name the record's status-list entry; the record's
	// status.listId and status.index must be the same.
	ListID string
	Index  int
	// From is the state the caller read; To the state it asks for.
	From, To string
	// Prev is the record as the caller read it. The stored record must
	// still be byte for byte the same: a change that came in between,
	// even one that led back to From (suspend, then unsuspend), makes the
	// transition a conflict, so every change applies to the record it was
	// decided on.
	Prev []byte
	// Record is the whole record after the change: its status.state is To.
	Record []byte
	// Audit is the audit entry, created if absent (its Create is ignored):
	// an existing key is a conflict.
	Audit Write
}

// StatusTransitions is implemented by stores that change a credential's
// status as one atomic step, which is how the issuer revokes, suspends and
// unsuspends. store/mem, store/bolt and store/redis implement it.
type StatusTransitions interface {
	// TransitionStatus applies t as one atomic step, also across processes
	// sharing the store: it compares the stored record's status.state with
	// t.From and the stored record with t.Prev and, only if both are
	// equal, sets the status bit at
	// (t.ListID, t.Index) to 1 for suspended and revoked or 0 for active
	// (moving the list's version as StatusLists.SetStatus does), replaces
	// the record with t.Record and creates the audit entry. Either all of
	// that is done or none of it, and no reader sees part of it.
	//
	// Revocation is final: a record whose stored state is revoked never
	// changes through TransitionStatus, whatever t says; that is an error
	// wrapping ErrConflict. So is a stored state other than t.From or a
	// stored record other than t.Prev (another change came first: read
	// again and decide again) and an audit key that exists. A missing record or list wraps ErrNotFound; an index outside
	// the list wraps ErrOutOfRange. Nothing is written in any of these
	// cases.
	//
	// A transition that is not a change (t.From equal to t.To), a state that
	// is not one of the State constants, empty names, a t.Record whose
	// status is not (t.ListID, t.Index, t.To), or a stored record whose
	// status entry is not (t.ListID, t.Index), is an error that is neither
	// ErrConflict nor ErrNotFound, and writes nothing.
	TransitionStatus(ctx context.Context, t StatusTransition) error
}

// RecordStatus is the part of a credential record TransitionStatus reads.
type RecordStatus struct {
	ListID string `json:"listId"`
	Index  int    `json:"index"`
	State  string `json:"state"`
}

// ParseRecordStatus returns a record's status: its "status" member. A
// record that is not a JSON object with a status object is an error.
func ParseRecordStatus(record []byte) (RecordStatus, error) {
	var r struct {
		Status *RecordStatus `json:"status"`
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return RecordStatus{}, fmt.Errorf("record: %w", err)
	}
	if r.Status == nil {
		return RecordStatus{}, errors.New("record has no status entry")
	}
	return *r.Status, nil
}

// ValidState reports whether state is one of the State constants.
func ValidState(state string) bool {
	return state == StateActive || state == StateSuspended || state == StateRevoked
}

// CheckTransition checks what TransitionStatus can check of t without the
// store: names, states and the new record. Implementations call it first.
func CheckTransition(t StatusTransition) error {
	switch {
	case t.Collection == "" || t.ID == "" || t.ListID == "" || t.Audit.Collection == "" || t.Audit.ID == "":
		return errors.New("empty name or ID")
	case t.Index < 0:
		return fmt.Errorf("index %d: %w", t.Index, ErrOutOfRange)
	case !ValidState(t.From) || !ValidState(t.To):
		return fmt.Errorf("transition %q -> %q: unknown state", t.From, t.To)
	case t.From == t.To:
		return fmt.Errorf("transition %q -> %q is not a change", t.From, t.To)
	case len(t.Prev) == 0:
		return errors.New("no previous record to compare with")
	}
	st, err := ParseRecordStatus(t.Record)
	if err != nil {
		return fmt.Errorf("new %w", err)
	}
	if st.ListID != t.ListID || st.Index != t.Index || st.State != t.To {
		return errors.New("the new record's status is not the transition's entry and target state")
	}
	return nil
}

// CheckStored checks the stored record of a transition against t: its
// status entry must be t's, its state t.From and not revoked, and its bytes
// t.Prev. It returns an error wrapping ErrConflict for a state that is
// revoked or not t.From, and for a record that is not t.Prev.
func CheckStored(t StatusTransition, stored []byte) error {
	st, err := ParseRecordStatus(stored)
	if err != nil {
		return fmt.Errorf("stored %w", err)
	}
	switch {
	case st.ListID != t.ListID || st.Index != t.Index:
		return errors.New("the stored record's status entry is not the transition's")
	case st.State == StateRevoked:
		return fmt.Errorf("the credential is revoked, which is final: %w", ErrConflict)
	case st.State != t.From:
		return fmt.Errorf("the credential is %s, not %s: %w", st.State, t.From, ErrConflict)
	case !bytes.Equal(stored, t.Prev):
		return fmt.Errorf("the record changed since it was read: %w", ErrConflict)
	}
	return nil
}

// StatusBit is the status-list bit of a state: set for suspended and
// revoked.
func StatusBit(state string) bool { return state != StateActive }
