package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/status"
)

func TestConcurrentIssuingNeverReusesAnIndex(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	const workers, each = 8, 12
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				format := FormatJWT
				if (w+i)%3 == 0 {
					format = FormatLDP
				}
				rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "p" + strconv.Itoa(w) + "@example.org"}, Format: format})
				if err != nil {
					t.Error(err)
					return
				}
				key := rec.Status.ListID + "#" + strconv.Itoa(rec.Status.Index)
				mu.Lock()
				if prev, dup := seen[key]; dup {
					t.Errorf("index %s handed to %s and %s", key, prev, rec.ID)
				}
				seen[key] = rec.ID
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("%d distinct indexes for %d credentials", len(seen), workers*each)
	}
}

func TestStatusEntryInCredential(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	rec, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	var vc map[string]any
	_ = json.Unmarshal(rec.Credential, &vc)
	entry := vc["credentialStatus"].(map[string]any)
	url := "https://badges.example.org/status/" + rec.Status.ListID
	want := map[string]any{"id": url + "#" + strconv.Itoa(rec.Status.Index), "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": strconv.Itoa(rec.Status.Index), "statusListCredential": url}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("credentialStatus.%s = %v, want %v", k, entry[k], v)
		}
	}
}

func TestRevokeSuspendRules(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	revocable, _ := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}})
	suspendable, _ := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "b@example.org"}, StatusPurpose: PurposeSuspension})

	bit := func(rec Issued) bool {
		t.Helper()
		v, err := s.cfg.Store.Status(ctx, rec.Status.ListID, rec.Status.Index)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := s.ChangeStatus(ctx, revocable.ID, ActionSuspend, StatusChange{}); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("suspend a revocation-list credential: %v", err)
	}
	for range 2 { // revoking twice is idempotent
		rec, err := s.ChangeStatus(ctx, revocable.ID, ActionRevoke, StatusChange{Reason: "cheating"})
		if err != nil || rec.Status.State != StateRevoked {
			t.Fatalf("revoke: %v %+v", err, rec.Status)
		}
	}
	if !bit(revocable) {
		t.Error("revocation bit not set")
	}
	if _, err := s.ChangeStatus(ctx, revocable.ID, ActionUnsuspend, StatusChange{}); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("unsuspend a revoked credential: %v", err)
	}
	audit, err := s.Audit(ctx, revocable.ID)
	if err != nil || len(audit) != 1 || audit[0].Reason != "cheating" || audit[0].Action != ActionRevoke {
		t.Errorf("audit %+v %v", audit, err)
	}

	if _, err := s.ChangeStatus(ctx, suspendable.ID, ActionSuspend, StatusChange{Reason: "review"}); err != nil || !bit(suspendable) {
		t.Fatalf("suspend: %v", err)
	}
	if _, err := s.ChangeStatus(ctx, suspendable.ID, ActionUnsuspend, StatusChange{Reason: "cleared"}); err != nil || bit(suspendable) {
		t.Fatalf("unsuspend: %v", err)
	}
	if _, err := s.ChangeStatus(ctx, suspendable.ID, ActionRevoke, StatusChange{}); err != nil || !bit(suspendable) {
		t.Fatalf("revoke a suspension-list credential: %v", err)
	}
	if _, err := s.ChangeStatus(ctx, suspendable.ID, ActionUnsuspend, StatusChange{}); !errors.Is(err, ErrStatusConflict) {
		t.Errorf("unsuspend after revoke: %v", err)
	}
	if audit, _ := s.Audit(ctx, suspendable.ID); len(audit) != 3 {
		t.Errorf("suspendable audit has %d entries, want 3", len(audit))
	}
}

func TestStatusListCredentialReflectsChanges(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	rec, _ := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}})
	read := func() (ListDocument, []byte) {
		t.Helper()
		doc, err := s.StatusListCredential(ctx, rec.Status.ListID, ListFormatDI)
		if err != nil {
			t.Fatal(err)
		}
		var vc map[string]any
		if err := json.Unmarshal(doc.Body, &vc); err != nil {
			t.Fatal(err)
		}
		subj := vc["credentialSubject"].(map[string]any)
		bits, err := status.Decode(subj["encodedList"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if vc["issuer"] != "did:web:badges.example.org" || vc["proof"] == nil || subj["statusPurpose"] != "revocation" {
			t.Errorf("list credential %v", vc)
		}
		return doc, bits
	}
	before, bits := read()
	if len(bits)*8 < DefaultStatusListSize {
		t.Errorf("list of %d bits, want at least %d", len(bits)*8, DefaultStatusListSize)
	}
	if v, _ := status.Get(bits, rec.Status.Index, 1); v != 0 {
		t.Error("bit set before revocation")
	}
	again, _ := read()
	if again.ETag != before.ETag {
		t.Error("an unchanged list was re-signed")
	}
	if _, err := s.ChangeStatus(ctx, rec.ID, ActionRevoke, StatusChange{}); err != nil {
		t.Fatal(err)
	}
	after, bits := read()
	if v, _ := status.Get(bits, rec.Status.Index, 1); v != 1 {
		t.Error("bit not set after revocation")
	}
	if after.ETag == before.ETag {
		t.Error("ETag did not change with the list")
	}
	jwt, err := s.StatusListCredential(ctx, rec.Status.ListID, ListFormatJWT)
	if err != nil || jwt.ContentType != "application/vc+jwt" {
		t.Errorf("jwt list: %v %s", err, jwt.ContentType)
	}
}

func TestListRollsOverWhenFull(t *testing.T) {
	// 40 credentials on 16-entry lists need 3 lists whatever the size of
	// the blocks indexes are reserved in: a block the list can only partly
	// serve is used up before the list rolls over.
	for _, block := range []int{1, 5, 16, 64} {
		t.Run(fmt.Sprint("block ", block), func(t *testing.T) {
			s := newService(t, "https://badges.example.org")
			s.cfg.StatusListSize = 16
			s.cfg.StatusIndexBlock = block
			a := newAchievement(t, s)
			ctx := context.Background()
			lists := map[string]int{}
			seen := map[string]bool{}
			for range 40 {
				rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, Format: FormatJWT})
				if err != nil {
					t.Fatal(err)
				}
				lists[rec.Status.ListID]++
				key := fmt.Sprint(rec.Status.ListID, "#", rec.Status.Index)
				if seen[key] {
					t.Fatalf("index %s handed out twice", key)
				}
				seen[key] = true
			}
			if len(lists) != 3 {
				t.Errorf("40 credentials on 16-entry lists used %d lists: %v", len(lists), lists)
			}
			for id, n := range lists {
				_, allocated, _, err := s.cfg.Store.ListInfo(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if allocated < n {
					t.Errorf("list %s: %d credentials but only %d indexes allocated in the store", id, n, allocated)
				}
			}
		})
	}
}

// Concurrent first issues on a node must agree on one status list, not
// each make their own (which would publish empty lists).
func TestConcurrentFirstIssuesMakeOneList(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	// A store whose list creation takes a while, as a remote one's does:
	// every first issue is then under way before the first list exists.
	s.cfg.Store = slowListStore{s.cfg.Store}
	a := newAchievement(t, s)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if _, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: fmt.Sprint("p", i, "@example.org")}, Format: FormatJWT}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lists, err := s.StatusLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 {
		var ids []string
		for _, l := range lists {
			ids = append(ids, fmt.Sprintf("%s (%d allocated)", l.ID, l.Allocated))
		}
		t.Errorf("16 concurrent first issues made %d status lists, want 1: %s", len(lists), strings.Join(ids, ", "))
	}
}

type slowListStore struct{ Store }

func (s slowListStore) CreateList(ctx context.Context, listID string, size int) error {
	time.Sleep(20 * time.Millisecond)
	return s.Store.CreateList(ctx, listID, size)
}

// TestNodesReservingBlocksNeverShareAnIndex runs two issuer services (two
// nodes) on one store, each reserving indexes in blocks from small lists
// that keep rolling over.
func TestNodesReservingBlocksNeverShareAnIndex(t *testing.T) {
	a := newService(t, "https://badges.example.org")
	a.cfg.StatusListSize = 64
	a.cfg.StatusIndexBlock = 7
	b, err := New(a.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ach := newAchievement(t, a)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		node := []*Service{a, b}[w%2]
		wg.Go(func() {
			for range 30 {
				rec, err := node.Issue(ctx, IssueRequest{AchievementID: ach.ID, Recipient: Recipient{Email: "n@example.org"}, Format: FormatJWT})
				if err != nil {
					t.Error(err)
					return
				}
				key := fmt.Sprint(rec.Status.ListID, "#", rec.Status.Index)
				mu.Lock()
				if prev, dup := seen[key]; dup {
					t.Errorf("index %s handed to %s and %s", key, prev, rec.ID)
				}
				seen[key] = rec.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 180 {
		t.Errorf("%d distinct indexes for 180 credentials", len(seen))
	}
}

func TestBulkRevoke(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a, b := newAchievement(t, s), newAchievement(t, s)
	ctx := context.Background()
	for range 3 {
		_, _ = s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, Format: FormatJWT})
	}
	_, _ = s.Issue(ctx, IssueRequest{AchievementID: b.ID, Recipient: Recipient{Email: "a@example.org"}, Format: FormatJWT})
	res, err := s.RevokeMatching(ctx, ListQuery{AchievementID: a.ID}, StatusChange{Reason: "course withdrawn"})
	if err != nil || res.Matched != 3 || res.Changed != 3 {
		t.Fatalf("bulk revoke: %+v %v", res, err)
	}
	res, _ = s.RevokeMatching(ctx, ListQuery{AchievementID: a.ID}, StatusChange{})
	if res.Changed != 0 {
		t.Errorf("second bulk revoke changed %d", res.Changed)
	}
	if _, err := s.RevokeMatching(ctx, ListQuery{}, StatusChange{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bulk revoke without a filter: %v", err)
	}
}

// BenchmarkRevokeAndPublish flips one bit and re-signs the list credential,
// what a revocation costs the issuer.
func BenchmarkRevokeAndPublish(b *testing.B) {
	s := newService(b, "https://badges.example.org")
	a := newAchievement(b, s)
	ctx := context.Background()
	rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, StatusPurpose: PurposeSuspension})
	if err != nil {
		b.Fatal(err)
	}
	actions := []string{ActionSuspend, ActionUnsuspend}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.ChangeStatus(ctx, rec.ID, actions[i%2], StatusChange{}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.StatusListCredential(ctx, rec.Status.ListID, ListFormatDI); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
