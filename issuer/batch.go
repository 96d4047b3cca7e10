package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// MaxBatchRows is the most rows one IssueBatch call takes. A larger list is
// sent in several batches (accolade issue bulk does this).
const MaxBatchRows = 1000

// Row error codes (RowError.Code).
const (
	// RowInvalid: the row's own input is invalid; fix the row and send it
	// again.
	RowInvalid = "invalid"
	// RowNotAttempted: the batch stopped before the row was issued; send
	// it again.
	RowNotAttempted = "not-attempted"
)

// BatchRequest asks for one credential per row, all of one achievement.
// The shared fields mean what they mean in IssueRequest; a row's non-empty
// Name, Description and Evidence replace the shared ones for that row.
type BatchRequest struct {
	AchievementID string                `json:"achievementId"`
	Format        string                `json:"format,omitempty"`
	ProfileID     string                `json:"profileId,omitempty"`
	StatusPurpose string                `json:"statusPurpose,omitempty"`
	ValidFrom     string                `json:"validFrom,omitempty"`
	ValidUntil    string                `json:"validUntil,omitempty"`
	Name          string                `json:"name,omitempty"`
	Description   string                `json:"description,omitempty"`
	Evidence      []credential.Evidence `json:"evidence,omitempty"`
	Rows          []BatchRow            `json:"rows"`
	// IncludeCredentials puts each issued credential in its item; without
	// it items carry only the credential id, which keeps responses small.
	IncludeCredentials bool `json:"includeCredentials,omitempty"`
}

// BatchRow is one recipient of a batch.
type BatchRow struct {
	Recipient   Recipient             `json:"recipient"`
	Results     []credential.Result   `json:"results,omitempty"`
	Evidence    []credential.Evidence `json:"evidence,omitempty"`
	Name        string                `json:"name,omitempty"`
	Description string                `json:"description,omitempty"`
	// IdempotencyKey names the row across requests: a row whose key was
	// issued before, under the same issuer profile, is not issued again;
	// its item names the credential issued then (Existing). Empty means
	// the hash of the row's achievement, format, recipient and own fields,
	// so a file sent again issues nothing new. At most 200 characters.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// MaxIdempotencyKey is the longest BatchRow.IdempotencyKey.
const MaxIdempotencyKey = 200

// BatchResult reports a batch row by row. Issued + Failed + NotAttempted is
// the number of rows.
type BatchResult struct {
	// Issued counts rows with a credential, including those issued by an
	// earlier request (Existing).
	Issued int `json:"issued"`
	// Existing counts the rows whose idempotency key had been issued
	// before: nothing new was issued for them.
	Existing int `json:"existing"`
	// Failed counts rows refused for their own input (code "invalid").
	Failed int `json:"failed"`
	// NotAttempted counts rows left out because the batch stopped.
	NotAttempted int `json:"notAttempted"`
	// Items holds one item per row, in row order.
	Items []BatchItem `json:"items"`
	// IgnoredColumns names the columns of a CSV batch that Accolade does
	// not read (attendee exports carry many), so a misspelt column shows.
	IgnoredColumns []string `json:"ignoredColumns,omitempty"`
}

// BatchItem is the outcome of one row: an issued credential's id, or an
// error.
type BatchItem struct {
	// Row is the row's 0-based index in the request.
	Row int `json:"row"`
	// Line is the row's 1-based line in a CSV body (the header is line 1);
	// the HTTP API sets it, IssueBatch does not.
	Line int `json:"line,omitempty"`
	// ID is the issued credential's id.
	ID string `json:"id,omitempty"`
	// Existing tells that the credential was issued by an earlier request
	// with the row's idempotency key, not by this one.
	Existing bool `json:"existing,omitempty"`
	// Credential is the issued credential, when the request asked for it:
	// a JSON object (ldp_vc) or a JSON string holding the compact JWS
	// (jwt_vc).
	Credential json.RawMessage `json:"credential,omitempty"`
	Error      *RowError       `json:"error,omitempty"`
}

// RowError says why a row was not issued.
type RowError struct {
	// Code is RowInvalid or RowNotAttempted.
	Code string `json:"code"`
	// Reason is the public explanation (for RowInvalid, the field
	// problems joined).
	Reason string `json:"reason"`
	// Fields names each invalid field of the row (for RowInvalid).
	Fields []*credential.ValidationError `json:"fields,omitempty"`
}

// IssueBatch issues one credential per row by calling Issue, from a pool of
// workers: signing is CPU bound and storage waits overlap. The result keeps
// row order.
//
// A request that is invalid as a whole (no rows, more than MaxBatchRows, an
// unknown achievement or profile, a bad shared field) is refused with an
// ErrInvalid error before anything is issued. A row whose own input is
// invalid (a malformed email address, say) fails alone. Any other error, such
// as store.ErrUnavailable or a cancelled ctx, is not the row's fault and
// would hit the following rows too: no further row is started, rows already
// under way finish, and the error is returned with the result so far, in
// which every issued row is reported as issued and the rest as not attempted.
//
// progress, if not nil, is called after each row with the rows done (issued
// or failed) and failed so far; calls are serialized.
func (s *Service) IssueBatch(ctx context.Context, req BatchRequest, progress func(done, failed int)) (BatchResult, error) {
	profileID, err := s.checkBatch(ctx, req)
	if err != nil {
		return BatchResult{}, err
	}
	rows := req.Rows
	items := make([]BatchItem, len(rows))
	var (
		mu          sync.Mutex // guards the fields below, items' outcomes and progress calls
		next        int
		stopped     error
		stoppedRow  int
		done, fails int
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if stopped == nil && ctx.Err() != nil {
			stopped, stoppedRow = ctx.Err(), next
		}
		if stopped != nil || next >= len(rows) {
			return 0, false
		}
		next++
		return next - 1, true
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0)*16, len(rows)) {
		wg.Go(func() {
			for {
				i, ok := take()
				if !ok {
					return
				}
				rec, existing, err := s.issueRow(ctx, &req, profileID, rows[i])
				mu.Lock()
				switch {
				case err == nil:
					items[i] = BatchItem{Row: i, ID: rec.ID, Existing: existing}
					if req.IncludeCredentials {
						items[i].Credential = rec.Credential
					}
				case errors.Is(err, ErrInvalid):
					fields := validationErrors(err)
					items[i] = BatchItem{Row: i, Error: &RowError{Code: RowInvalid, Reason: joinProblems(fields), Fields: fields}}
					fails++
				default:
					if stopped == nil || i < stoppedRow {
						stopped, stoppedRow = err, i
					}
					mu.Unlock()
					continue
				}
				done++
				if progress != nil {
					progress(done, fails)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	res := BatchResult{Items: items}
	for i := range items {
		switch it := &items[i]; {
		case it.ID != "":
			res.Issued++
			if it.Existing {
				res.Existing++
			}
		case it.Error != nil:
			res.Failed++
		default:
			*it = BatchItem{Row: i, Error: &RowError{Code: RowNotAttempted, Reason: "not issued: the batch stopped (see the error); send the row again"}}
			res.NotAttempted++
		}
	}
	s.log.InfoContext(ctx, "batch issued", "achievement_id", req.AchievementID, "rows", len(rows),
		"issued", res.Issued, "existing", res.Existing, "failed", res.Failed, "not_attempted", res.NotAttempted)
	if stopped != nil {
		return res, fmt.Errorf("issue batch: row %d: %w", stoppedRow, stopped)
	}
	return res, nil
}

// collBatchRows holds one idempotency record per issued batch row, keyed
// by the hash of the issuer profile and the row's key.
const collBatchRows = "batch-rows"

// batchRowRecord is a row's idempotency record: the id its credential
// has, or gets.
type batchRowRecord struct {
	CredentialID string    `json:"credentialId"`
	Created      time.Time `json:"created"`
}

// idempotencyKey is the row's key: its own, or the hash of what the row
// would issue.
func (req *BatchRequest) idempotencyKey(row BatchRow) string {
	if row.IdempotencyKey != "" {
		return "key:" + row.IdempotencyKey
	}
	format := req.Format
	if format == "" {
		format = FormatLDP
	}
	r := row.Recipient
	r.Email = credential.NormalizeEmail(r.Email)
	b, _ := json.Marshal(struct {
		AchievementID string
		Format        string
		Recipient     Recipient
		Row           BatchRow
	}{req.AchievementID, format, r, BatchRow{Results: row.Results, Evidence: row.Evidence, Name: row.Name, Description: row.Description}})
	h := sha256.Sum256(b)
	return "row:" + hex.EncodeToString(h[:])
}

// issueRow issues one row unless its idempotency key was issued before
// under the profile. The key is claimed with an atomic create-if-absent of
// its record, which names the credential id chosen beforehand; the
// credential is then stored under that id, also create-if-absent. So of
// any number of requests sending the row, at once or one after another,
// one credential results; a request that finds the record reports that
// credential (existing), and one that finds a record without a credential
// (an earlier attempt failed or stopped before storing it) issues it under
// the recorded id.
func (s *Service) issueRow(ctx context.Context, req *BatchRequest, profileID string, row BatchRow) (Issued, bool, error) {
	h := sha256.Sum256([]byte(profileID + "\x00" + req.idempotencyKey(row)))
	docID := hex.EncodeToString(h[:])
	rr := req.rowRequest(row)
	// A row refused for its own input claims no key.
	if _, _, err := rr.validate(s.now()); err != nil {
		return Issued{}, false, err
	}
	rec := batchRowRecord{CredentialID: "urn:uuid:" + uuid.Must(uuid.NewV7()).String(), Created: s.now()}
	raw, _ := json.Marshal(rec)
	switch err := s.cfg.Store.Create(ctx, collBatchRows, docID, raw); {
	case errors.Is(err, store.ErrConflict):
		if err := s.getJSON(ctx, collBatchRows, docID, &rec); err != nil {
			return Issued{}, false, fmt.Errorf("batch row: %w", err)
		}
		if prev, err := s.Credential(ctx, rec.CredentialID); err == nil {
			return prev, true, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return Issued{}, false, err
		}
	case err != nil:
		return Issued{}, false, fmt.Errorf("batch row: %w", err)
	}
	rr.CredentialID = rec.CredentialID
	issued, err := s.Issue(ctx, rr)
	if errors.Is(err, store.ErrConflict) {
		// Another request issued the row meanwhile, under the same id.
		if prev, perr := s.Credential(ctx, rec.CredentialID); perr == nil {
			return prev, true, nil
		}
	}
	return issued, false, err
}

// checkBatch refuses a batch that is invalid as a whole, with the rules
// Issue applies to each row's shared fields, and returns the issuer
// profile its credentials are issued under.
func (s *Service) checkBatch(ctx context.Context, req BatchRequest) (string, error) {
	var p []*credential.ValidationError
	switch {
	case len(req.Rows) == 0:
		p = append(p, &credential.ValidationError{Field: "rows", Reason: "give at least one row"})
	case len(req.Rows) > MaxBatchRows:
		p = append(p, &credential.ValidationError{Field: "rows", Reason: fmt.Sprintf("%d rows; at most %d per request: split the batch", len(req.Rows), MaxBatchRows)})
	}
	shared := req.rowRequest(BatchRow{})
	if _, _, err := shared.validate(s.now()); err != nil {
		for _, ve := range validationErrors(err) {
			if ve.Field != "recipient" { // each row names its own
				p = append(p, ve)
			}
		}
	}
	for i, row := range req.Rows {
		if len(row.IdempotencyKey) > MaxIdempotencyKey {
			p = append(p, &credential.ValidationError{Field: fmt.Sprintf("rows[%d].idempotencyKey", i), Reason: fmt.Sprintf("has more than %d characters", MaxIdempotencyKey)})
		}
	}
	if err := invalid(p); err != nil {
		return "", err
	}
	ach, err := s.Achievement(ctx, req.AchievementID)
	if errors.Is(err, store.ErrNotFound) {
		return "", invalid([]*credential.ValidationError{{Field: "achievementId", Reason: fmt.Sprintf("no achievement %q", req.AchievementID)}})
	} else if err != nil {
		return "", fmt.Errorf("issue batch: %w", err)
	}
	if req.ProfileID != "" {
		if _, err := s.Profile(ctx, req.ProfileID); errors.Is(err, store.ErrNotFound) {
			return "", invalid([]*credential.ValidationError{{Field: "profileId", Reason: fmt.Sprintf("no issuer profile %q", req.ProfileID)}})
		} else if err != nil {
			return "", fmt.Errorf("issue batch: %w", err)
		}
		return req.ProfileID, nil
	}
	if ach.ProfileID != "" {
		return ach.ProfileID, nil
	}
	return DefaultProfileID, nil
}

// rowRequest merges the shared fields and a row into one IssueRequest. The
// slices are copies: Issue fills in default types in place, and rows are
// issued concurrently.
func (req *BatchRequest) rowRequest(row BatchRow) IssueRequest {
	r := IssueRequest{
		AchievementID: req.AchievementID, Recipient: row.Recipient, Format: req.Format,
		Evidence: slices.Clone(req.Evidence), Results: slices.Clone(row.Results),
		ValidFrom: req.ValidFrom, ValidUntil: req.ValidUntil, Name: req.Name, Description: req.Description,
		ProfileID: req.ProfileID, StatusPurpose: req.StatusPurpose,
	}
	if len(row.Evidence) > 0 {
		r.Evidence = slices.Clone(row.Evidence)
	}
	if row.Name != "" {
		r.Name = row.Name
	}
	if row.Description != "" {
		r.Description = row.Description
	}
	return r
}

// joinProblems is the field problems as one message.
func joinProblems(p []*credential.ValidationError) string {
	msgs := make([]string, len(p))
	for i, ve := range p {
		msgs[i] = ve.Error()
	}
	return strings.Join(msgs, "; ")
}

// validationErrors lists the field problems joined into an ErrInvalid
// error, or the error's message as one problem when it holds none.
func validationErrors(err error) []*credential.ValidationError {
	var out []*credential.ValidationError
	var walk func(error)
	walk = func(e error) {
		if ve, ok := e.(*credential.ValidationError); ok { //nolint:errorlint // walks the tree itself, one node at a time
			out = append(out, ve)
			return
		}
		switch u := e.(type) { //nolint:errorlint // unwraps one level by hand to reach every joined error
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	if len(out) == 0 {
		out = append(out, &credential.ValidationError{Field: "row", Reason: err.Error()})
	}
	return out
}
