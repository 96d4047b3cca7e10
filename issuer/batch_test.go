package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/go-cmp/cmp"
)

// TestIssueBatchMixedRows issues the valid rows of a batch, reports the
// invalid ones by row, and keeps row order.
func TestIssueBatchMixedRows(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	const n = 40
	bad := map[int]string{3: "not-an-email", 17: "ada@", 31: "two@example.org, three@example.org"}
	req := BatchRequest{AchievementID: a.ID, Format: FormatLDP, Name: "Gophercon attendee"}
	for i := range n {
		email := fmt.Sprintf("attendee-%d@example.org", i)
		if b, ok := bad[i]; ok {
			email = b
		}
		req.Rows = append(req.Rows, BatchRow{Recipient: Recipient{Email: email}})
	}
	req.Rows[5].Name = "Speaker"
	req.Rows[6] = BatchRow{Recipient: Recipient{DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}}
	var mu sync.Mutex
	var calls, lastDone, lastFailed int
	res, err := s.IssueBatch(ctx, req, func(done, failed int) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if done != lastDone+1 || failed < lastFailed {
			t.Errorf("progress(%d, %d) after (%d, %d)", done, failed, lastDone, lastFailed)
		}
		lastDone, lastFailed = done, failed
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Issued != n-len(bad) || res.Failed != len(bad) || res.NotAttempted != 0 || len(res.Items) != n {
		t.Fatalf("issued %d, failed %d, not attempted %d, %d items; want %d, %d, 0, %d",
			res.Issued, res.Failed, res.NotAttempted, len(res.Items), n-len(bad), len(bad), n)
	}
	if calls != n || lastFailed != len(bad) {
		t.Errorf("progress called %d times, last failed %d; want %d, %d", calls, lastFailed, n, len(bad))
	}
	indexes := map[string]int{}
	for i, it := range res.Items {
		if it.Row != i {
			t.Fatalf("item %d has row %d", i, it.Row)
		}
		if _, isBad := bad[i]; isBad {
			want := &RowError{Code: RowInvalid, Reason: "recipient.email: is not an email address",
				Fields: []*credential.ValidationError{{Field: "recipient.email", Reason: "is not an email address"}}}
			if it.ID != "" || !cmp.Equal(it.Error, want) {
				t.Errorf("row %d: id %q, error %s", i, it.ID, cmp.Diff(want, it.Error))
			}
			continue
		}
		if it.Error != nil || it.Credential != nil {
			t.Fatalf("row %d: error %+v, credential included %v", i, it.Error, it.Credential != nil)
		}
		rec, err := s.Credential(ctx, it.ID)
		if err != nil {
			t.Fatalf("row %d: issued %s is not retrievable: %v", i, it.ID, err)
		}
		if rec.Recipient != req.Rows[i].Recipient {
			t.Errorf("row %d: credential for %+v, want %+v (order lost)", i, rec.Recipient, req.Rows[i].Recipient)
		}
		key := rec.Status.ListID + "#" + strconv.Itoa(rec.Status.Index)
		if prev, dup := indexes[key]; dup {
			t.Errorf("rows %d and %d share status index %s", prev, i, key)
		}
		indexes[key] = i
		wantName := "Gophercon attendee"
		if i == 5 {
			wantName = "Speaker"
		}
		if !strings.Contains(string(rec.Credential), `"name":"`+wantName+`"`) {
			t.Errorf("row %d: credential name is not %q", i, wantName)
		}
	}
}

func TestIssueBatchIncludeCredentials(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	res, err := s.IssueBatch(context.Background(), BatchRequest{AchievementID: a.ID, Format: FormatJWT, IncludeCredentials: true,
		Rows: []BatchRow{{Recipient: Recipient{Email: "ada@example.org"}}, {Recipient: Recipient{URL: "https://example.org/people/bob"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.ID == "" || !strings.HasPrefix(string(it.Credential), `"ey`) {
			t.Errorf("row %d: id %q, credential %.20s; want a compact JWS string", it.Row, it.ID, it.Credential)
		}
	}
}

// TestIssueBatchRefusedAsAWhole checks the requests that issue nothing.
func TestIssueBatchRefusedAsAWhole(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	one := []BatchRow{{Recipient: Recipient{Email: "ada@example.org"}}}
	tooMany := make([]BatchRow, MaxBatchRows+1)
	for i := range tooMany {
		tooMany[i].Recipient.Email = fmt.Sprintf("p%d@example.org", i)
	}
	tests := []struct {
		name  string
		req   BatchRequest
		field string
	}{
		{"fail/no rows", BatchRequest{AchievementID: a.ID}, "rows"},
		{"fail/over the limit", BatchRequest{AchievementID: a.ID, Rows: tooMany}, "rows"},
		{"fail/unknown achievement", BatchRequest{AchievementID: "nope", Rows: one}, "achievementId"},
		{"fail/no achievement", BatchRequest{Rows: one}, "achievementId"},
		{"fail/bad format", BatchRequest{AchievementID: a.ID, Format: "pdf", Rows: one}, "format"},
		{"fail/bad status purpose", BatchRequest{AchievementID: a.ID, StatusPurpose: "expiry", Rows: one}, "statusPurpose"},
		{"fail/bad validUntil", BatchRequest{AchievementID: a.ID, ValidUntil: "tomorrow", Rows: one}, "validUntil"},
		{"fail/unknown profile", BatchRequest{AchievementID: a.ID, ProfileID: "nope", Rows: one}, "profileId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.IssueBatch(context.Background(), tt.req, nil)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			var ve *credential.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("problem %v, want one on %s", err, tt.field)
			}
			if res.Items != nil {
				t.Errorf("a refused batch reports items: %+v", res)
			}
		})
	}
	page, err := s.Credentials(context.Background(), ListQuery{})
	if err != nil || page.Total != 0 {
		t.Errorf("refused batches issued %d credentials (%v)", page.Total, err)
	}
}

// failingStore fails credential writes with store.ErrUnavailable after
// the first ok ones.
type failingStore struct {
	Store
	mu sync.Mutex
	ok int
}

func (f *failingStore) Apply(ctx context.Context, writes []store.Write) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ok == 0 {
		return fmt.Errorf("apply: %w", store.ErrUnavailable)
	}
	f.ok--
	return f.Store.Apply(ctx, writes)
}

// TestIssueBatchStopsWhenStorageFails checks that a storage outage stops
// the batch and that every row issued before it is still reported.
func TestIssueBatchStopsWhenStorageFails(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	fs := &failingStore{Store: s.cfg.Store, ok: 5}
	s.cfg.Store = fs
	req := BatchRequest{AchievementID: a.ID, Format: FormatJWT}
	for i := range 200 {
		req.Rows = append(req.Rows, BatchRow{Recipient: Recipient{URL: fmt.Sprintf("https://example.org/people/%d", i)}})
	}
	req.Rows[0].Recipient = Recipient{Email: "broken"}
	res, err := s.IssueBatch(context.Background(), req, nil)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("got %v, want store.ErrUnavailable", err)
	}
	if res.Issued != 5 || res.Failed != 1 || res.Issued+res.Failed+res.NotAttempted != 200 || len(res.Items) != 200 {
		t.Fatalf("issued %d, failed %d, not attempted %d of %d items; want 5, 1 and the rest", res.Issued, res.Failed, res.NotAttempted, len(res.Items))
	}
	// Rows already under way when the outage is seen finish (and fail);
	// no new row starts.
	if workers := runtime.GOMAXPROCS(0) * 4; res.NotAttempted < 200-6-workers {
		t.Errorf("only %d rows not attempted: rows were handed out after the outage", res.NotAttempted)
	}
	for i, it := range res.Items {
		switch {
		case it.ID != "":
			if _, err := s.Credential(context.Background(), it.ID); err != nil {
				t.Errorf("row %d reported issued but not stored: %v", i, err)
			}
		case it.Error == nil:
			t.Errorf("row %d has neither id nor error", i)
		case i == 0 && it.Error.Code != RowInvalid, i > 0 && it.Error.Code != RowNotAttempted:
			t.Errorf("row %d: error code %q", i, it.Error.Code)
		}
	}
}

// TestIssueBatchIdempotent sends the same batch again, and concurrently:
// nothing is issued twice; the rows issued before report their credential
// ids as existing. An explicit idempotency key wins over the row's content,
// a changed row without one is a new credential, and a row that failed is
// issued once fixed.
func TestIssueBatchIdempotent(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	req := BatchRequest{AchievementID: a.ID, Format: FormatJWT}
	for i := range 12 {
		req.Rows = append(req.Rows, BatchRow{Recipient: Recipient{Email: fmt.Sprintf("attendee-%d@example.org", i)}})
	}
	req.Rows[4].Recipient.Email = "not-an-email"
	req.Rows[7].IdempotencyKey = "ticket-7"
	first, err := s.IssueBatch(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Issued != 11 || first.Existing != 0 || first.Failed != 1 {
		t.Fatalf("first run: issued %d, existing %d, failed %d", first.Issued, first.Existing, first.Failed)
	}
	total := func() int {
		t.Helper()
		page, err := s.Credentials(ctx, ListQuery{AchievementID: a.ID, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	// The same file again, three times at once, with addresses in another
	// case: every valid row reports the first run's credential.
	again := req
	again.Rows = append([]BatchRow(nil), req.Rows...)
	again.Rows[0].Recipient.Email = "ATTENDEE-0@example.org"
	var wg sync.WaitGroup
	results := make([]BatchResult, 3)
	for i := range results {
		wg.Go(func() {
			var err error
			if results[i], err = s.IssueBatch(ctx, again, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, res := range results {
		if res.Issued != 11 || res.Existing != 11 || res.Failed != 1 {
			t.Errorf("again: issued %d, existing %d, failed %d; want 11, 11, 1", res.Issued, res.Existing, res.Failed)
		}
		for i, it := range res.Items {
			if it.ID != first.Items[i].ID || (it.ID != "") != it.Existing {
				t.Errorf("again, row %d: %+v, first run %+v", i, it, first.Items[i])
			}
		}
	}
	if n := total(); n != 11 {
		t.Fatalf("%d credentials after sending the batch again, want 11", n)
	}
	// Row 7 keeps its key while its content changes: still the same
	// credential. Row 8 changes without a key: a new credential. Row 4,
	// fixed, is issued.
	changed := req
	changed.Rows = append([]BatchRow(nil), req.Rows...)
	changed.Rows[7].Name = "Speaker"
	changed.Rows[8].Name = "Speaker"
	changed.Rows[4].Recipient.Email = "fixed@example.org"
	res, err := s.IssueBatch(ctx, changed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[7].ID != first.Items[7].ID || !res.Items[7].Existing {
		t.Errorf("row 7 with its key: %+v, want %s", res.Items[7], first.Items[7].ID)
	}
	if res.Items[8].ID == first.Items[8].ID || res.Items[8].Existing || res.Items[4].ID == "" || res.Items[4].Existing {
		t.Errorf("changed row 8 %+v, fixed row 4 %+v", res.Items[8], res.Items[4])
	}
	if n := total(); n != 13 {
		t.Errorf("%d credentials, want 13", n)
	}
	// Too long a key refuses the batch.
	long := req
	long.Rows = []BatchRow{{Recipient: Recipient{Email: "x@example.org"}, IdempotencyKey: strings.Repeat("k", MaxIdempotencyKey+1)}}
	if _, err := s.IssueBatch(ctx, long, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("long key: %v", err)
	}
}

// TestIssueBatchResumesClaimedRow checks the row whose key was claimed by
// a request that stopped before storing its credential (a crash): the next
// request issues it under the recorded id, once.
func TestIssueBatchResumesClaimedRow(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	ctx := context.Background()
	req := BatchRequest{AchievementID: a.ID, Rows: []BatchRow{{Recipient: Recipient{Email: "crash@example.org"}}}}
	const recorded = "urn:uuid:01940000-0000-7000-8000-000000000001"
	h := sha256.Sum256([]byte(DefaultProfileID + "\x00" + req.idempotencyKey(req.Rows[0])))
	if err := s.cfg.Store.Create(ctx, collBatchRows, hex.EncodeToString(h[:]), []byte(`{"credentialId":"`+recorded+`"}`)); err != nil {
		t.Fatal(err)
	}
	for i, wantExisting := range []bool{false, true} {
		res, err := s.IssueBatch(ctx, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if it := res.Items[0]; it.ID != recorded || it.Existing != wantExisting {
			t.Errorf("run %d: %+v, want %s, existing %v", i, it, recorded, wantExisting)
		}
	}
}
