package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/issuer"
)

func runIssue(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "issue", args, []command{
		{"bulk", "issue one credential per row of a CSV of recipients, in batches, on a running server", runIssueBulk},
	})
}

// bulkOptions are the own flags of accolade issue bulk.
type bulkOptions struct {
	csv, achievement, format, out string
	chunk                         int
}

func runIssueBulk(ctx context.Context, env *environment, args []string) int {
	var o bulkOptions
	cfg, code, ok := loadConfig(env, "issue bulk --csv FILE --achievement ID", `Issues one credential per row of a CSV file on a running server: a CSV of
event attendees, say. The file has a header row with the columns email, did,
url (exactly one non-empty per row: the recipient), and optionally
credentialName and credentialDescription, which replace the credential's
name and description for the row, and idempotencyKey. Column names are matched
case-insensitively. Other columns (an attendee's name, company, ticket type)
are not read, only copied to the results: a plain "name" column never
becomes the badge's name.

The file may be of any size: it is sent in batches of --chunk rows to
POST /api/v1/credentials/batch, and progress is printed to standard error
after each batch. The results are written to --out as CSV: the input columns
plus credentialId and error. A row that failed (a malformed email address,
say) has an empty credentialId and says why in error; fix it and send it
again. If the server stops answering, the rows not issued say so too.

Running it again with the same file issues nothing twice: each row has an
idempotency key (its idempotencyKey column, or else the hash of the
achievement, format, recipient and the row's fields), and a row issued
before gets the id of the credential issued then in credentialId.

Exit status: 0 when every row was issued, 1 otherwise.

The server is --server (default: the public URL); the admin token is
--admin-token / ACCOLADE_ADMIN_TOKEN or DATA_DIR/admin-token.`, args, func(fs *flag.FlagSet) {
		fs.StringVar(&o.csv, "csv", "", "the CSV of recipients")
		fs.StringVar(&o.achievement, "achievement", "", "achievement to issue")
		fs.StringVar(&o.format, "format", issuer.FormatLDP, "credential `format`: ldp_vc or jwt_vc_json (jwt_vc is another name for jwt_vc_json)")
		fs.IntVar(&o.chunk, "chunk", 500, "rows per request (at most 1000)")
		fs.StringVar(&o.out, "out", "", "results CSV (default standard output)")
	}, settingsAdminClient)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(env.stderr, "accolade issue bulk: %v\n", err)
		return 1
	}
	switch {
	case o.csv == "":
		return fail(errors.New("--csv FILE is required"))
	case o.achievement == "":
		return fail(errors.New("--achievement ID is required"))
	case !validFormat(o.format):
		return fail(fmt.Errorf("--format must be ldp_vc or jwt_vc_json, not %q", o.format))
	case o.chunk < 1 || o.chunk > issuer.MaxBatchRows:
		return fail(fmt.Errorf("--chunk must be from 1 to %d", issuer.MaxBatchRows))
	}
	server, token, err := adminTarget(cfg)
	if err != nil {
		return fail(err)
	}
	total, err := countCSVRows(o.csv)
	if err != nil {
		return fail(err)
	}
	out := env.stdout
	var outFile *os.File
	if o.out != "" {
		if outFile, err = os.OpenFile(o.out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return fail(err)
		}
		defer outFile.Close()
		out = outFile
	}
	b := &bulkIssue{
		base: strings.TrimSuffix(server, "/"), token: token, opts: o, total: total,
		http: &http.Client{Timeout: 10 * time.Minute},
	}
	sum, err := b.run(ctx, out, env.stderr)
	if err != nil {
		return fail(err)
	}
	if outFile != nil {
		if err := outFile.Close(); err != nil {
			return fail(err)
		}
	}
	where := "the error column"
	if o.out != "" {
		where += " of " + o.out
	}
	switch {
	case sum.stopped != "":
		return fail(fmt.Errorf("stopped: %s\n%d of %d rows issued; the rows not issued say why in %s", sum.stopped, sum.issued, total, where))
	case sum.failed > 0:
		return fail(fmt.Errorf("%d of %d rows failed; see %s", sum.failed, total, where))
	}
	if sum.existing > 0 {
		fmt.Fprintf(env.stderr, "accolade issue bulk: all %d rows issued; %d of them had been issued before, and were not issued again\n", total, sum.existing)
		return 0
	}
	fmt.Fprintf(env.stderr, "accolade issue bulk: all %d rows issued\n", total)
	return 0
}

// openCSV opens a CSV file and reads its header (without a UTF-8 byte order
// mark).
func openCSV(path string) (*os.File, *csv.Reader, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	r := csv.NewReader(f)
	// Rows with the wrong number of fields go to the server, which reports
	// them row by row.
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, nil, nil, fmt.Errorf("%s is empty: it needs a header row (email, did or url, and optionally credentialName, credentialDescription)", path)
		}
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	return f, r, header, nil
}

// countCSVRows reads the whole file once, so that malformed CSV is found
// before anything is issued and progress can show the total.
func countCSVRows(path string) (int, error) {
	f, r, _, err := openCSV(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w (nothing was issued)", path, err)
		}
		n++
	}
}

type bulkIssue struct {
	base, token string
	opts        bulkOptions
	total       int
	http        *http.Client
}

// bulkSummary counts the rows of a run; stopped, when not empty, is why
// the run ended early.
type bulkSummary struct {
	// issued counts rows with a credential; existing, those of them
	// issued by an earlier run.
	issued, existing, failed int
	stopped                  string
}

func (b *bulkIssue) run(ctx context.Context, out, progress io.Writer) (bulkSummary, error) {
	f, r, header, err := openCSV(b.opts.csv)
	if err != nil {
		return bulkSummary{}, err
	}
	defer f.Close()
	var ignored []string
	for _, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email", "did", "url", "credentialname", "credentialdescription", "idempotencykey":
		default:
			ignored = append(ignored, strings.TrimSpace(h))
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(progress, "ignoring columns %s (the columns read are email, did, url, credentialName, credentialDescription, idempotencyKey); they are copied to the results\n", strings.Join(ignored, ", "))
	}
	w := csv.NewWriter(out)
	if err := w.Write(append(slices.Clone(header), "credentialId", "error")); err != nil {
		return bulkSummary{}, err
	}
	var sum bulkSummary
	done := 0
	start := time.Now()
	chunk := make([][]string, 0, b.opts.chunk)
	eof := false
	for !eof {
		chunk = chunk[:0]
		for len(chunk) < b.opts.chunk {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				eof = true
				break
			}
			if err != nil {
				return sum, fmt.Errorf("%s: %w", b.opts.csv, err)
			}
			chunk = append(chunk, rec)
		}
		if len(chunk) == 0 {
			break
		}
		var ids, errs []string
		if sum.stopped != "" {
			ids, errs = make([]string, len(chunk)), notSent(len(chunk), "not sent: the run stopped before this row")
		} else {
			var existing int
			ids, errs, existing, err = b.send(ctx, header, chunk)
			sum.existing += existing
			if err != nil {
				sum.stopped = err.Error()
			}
		}
		for i, rec := range chunk {
			row := make([]string, len(header), len(header)+2)
			copy(row, rec)
			if err := w.Write(append(row, ids[i], errs[i])); err != nil {
				return sum, err
			}
			if ids[i] != "" {
				sum.issued++
			} else {
				sum.failed++
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return sum, err
		}
		done += len(chunk)
		if sum.stopped == "" {
			rate := float64(done) / time.Since(start).Seconds()
			again := ""
			if sum.existing > 0 {
				again = fmt.Sprintf(" (%d of them before)", sum.existing)
			}
			fmt.Fprintf(progress, "%d/%d rows, %d issued%s, %d failed, %s/s\n", done, b.total, sum.issued, again, sum.failed, thousands(int(rate+0.5)))
		}
	}
	if sum.stopped != "" {
		sum.failed = 0 // the rows not issued are counted by stopped
	}
	return sum, nil
}

// send posts one batch as CSV and returns, per row, the credential id or
// the error. A request the server refused or did not complete is an error,
// with the rows' outcomes as far as they are known.
func (b *bulkIssue) send(ctx context.Context, header []string, rows [][]string) (ids, errs []string, existing int, err error) {
	ids, errs, res, err := b.post(ctx, header, rows)
	return ids, errs, res.Existing, err
}

// post is send, returning the server's result.
func (b *bulkIssue) post(ctx context.Context, header []string, rows [][]string) (ids, errs []string, res issuer.BatchResult, err error) {
	var body bytes.Buffer
	cw := csv.NewWriter(&body)
	_ = cw.Write(header)
	_ = cw.WriteAll(rows) // a bytes.Buffer does not fail
	q := url.Values{"achievementId": {b.opts.achievement}, "format": {b.opts.format}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/api/v1/credentials/batch?"+q.Encode(), &body)
	if err != nil {
		return nil, nil, res, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		const msg = "outcome unknown: the batch request failed; check GET /api/v1/credentials?recipient=<recipient>"
		return make([]string, len(rows)), notSent(len(rows), msg), res, fmt.Errorf("batch request: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		const msg = "outcome unknown: the answer was cut off; check GET /api/v1/credentials?recipient=<recipient>"
		return make([]string, len(rows)), notSent(len(rows), msg), res, fmt.Errorf("batch answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		pe := &problemError{Status: resp.StatusCode}
		var extra struct {
			Errors []string            `json:"errors"`
			Batch  *issuer.BatchResult `json:"batch"`
		}
		_ = json.Unmarshal(raw, pe)
		_ = json.Unmarshal(raw, &extra)
		pe.Errors = extra.Errors
		err = pe
		if extra.Batch == nil {
			return make([]string, len(rows)), notSent(len(rows), "not issued: "+oneLine(pe.Error())), res, err
		}
		res = *extra.Batch
	} else if err := json.Unmarshal(raw, &res); err != nil {
		return make([]string, len(rows)), notSent(len(rows), "outcome unknown: unexpected answer"), res, fmt.Errorf("batch answer: %w", err)
	}
	ids, errs = make([]string, len(rows)), notSent(len(rows), "outcome unknown: missing from the answer")
	for _, it := range res.Items {
		if it.Row < 0 || it.Row >= len(rows) {
			continue
		}
		ids[it.Row], errs[it.Row] = it.ID, ""
		if it.Error != nil {
			errs[it.Row] = rowErrorText(it.Error)
		}
	}
	return ids, errs, res, err
}

// rowErrorText is a row's error for the results CSV: its field problems,
// or its reason (without the server's line number, which counts lines of
// the batch, not of the file).
func rowErrorText(e *issuer.RowError) string {
	if e.Code == issuer.RowNotAttempted {
		return "not issued: the server stopped the batch before this row"
	}
	if len(e.Fields) == 0 {
		return e.Reason
	}
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

func notSent(n int, msg string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = msg
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// thousands formats n with comma separators: 3100 is "3,100".
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// validFormat reports whether a --format flag names a credential format the
// server takes: ldp_vc, jwt_vc_json or its alias jwt_vc.
func validFormat(f string) bool {
	_, ok := issuer.ParseFormat(f)
	return ok && f != ""
}
