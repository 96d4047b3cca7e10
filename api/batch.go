package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/gin-gonic/gin"
)

// BatchIssuer issues one credential per row of a batch. An Issuer that
// also implements it gets POST /api/v1/credentials/batch.
type BatchIssuer interface {
	// IssueBatch refuses an invalid batch as a whole with issuer.ErrInvalid,
	// reports rows that are invalid on their own in the result, and returns
	// any other error together with the rows done so far.
	IssueBatch(ctx context.Context, req issuer.BatchRequest, progress func(done, failed int)) (issuer.BatchResult, error)
}

var _ BatchIssuer = (*issuer.Service)(nil)

func (s *Server) batchRoutes(admin *gin.RouterGroup) {
	b, ok := s.cfg.Issuer.(BatchIssuer)
	if !ok {
		return
	}
	admin.POST("/credentials/batch", wrap(func(c *gin.Context) error { return s.issueBatch(c, b) }))
}

// issueBatch takes the batch as JSON (issuer.BatchRequest) or as CSV with
// the shared fields in the query, and answers 200 with the row-by-row
// result, also when rows failed. A batch that stopped part way (storage
// unavailable) is the error's problem with the result in its batch member,
// so the client learns which rows were issued.
func (s *Server) issueBatch(c *gin.Context, b BatchIssuer) error {
	mt := "application/json"
	if ct := c.GetHeader("Content-Type"); ct != "" {
		var params map[string]string
		var err error
		if mt, params, err = mime.ParseMediaType(ct); err != nil {
			mt = ""
		}
		if cs := strings.ToLower(params["charset"]); mt == "text/csv" && cs != "" && cs != "utf-8" && cs != "us-ascii" {
			mt = ""
		}
	}
	var req issuer.BatchRequest
	var lines []int
	var rowErrs []*issuer.RowError
	var ignored []string
	switch {
	case mt == "text/csv":
		var err error
		if req, err = batchQuery(c); err != nil {
			return err
		}
		body, err := readAllBody(c)
		if err != nil {
			return err
		}
		parsed, err := parseBatchCSV(body)
		if err != nil {
			return err
		}
		req.Rows, lines, rowErrs, ignored = parsed.rows, parsed.lines, parsed.errs, parsed.ignored
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if err := bindJSON(c, &req, false); err != nil {
			return err
		}
	default:
		return &HTTPError{Status: http.StatusUnsupportedMediaType, Slug: "unsupported-media-type", Msg: "send the batch as application/json or text/csv (UTF-8)"}
	}
	res, err := b.IssueBatch(c.Request.Context(), req, nil)
	res.IgnoredColumns = ignored
	if lines != nil {
		for i := range res.Items {
			it := &res.Items[i]
			it.Line = lines[it.Row]
			if rowErrs[it.Row] != nil && it.Error != nil && it.Error.Code == issuer.RowInvalid {
				// The row was sent without a recipient: say why.
				it.Error = rowErrs[it.Row]
			}
			if it.Error != nil {
				it.Error.Reason = fmt.Sprintf("line %d: %s", it.Line, it.Error.Reason)
			}
		}
	}
	if err != nil {
		if len(res.Items) == 0 {
			return err
		}
		p := toProblem(err)
		p.Batch = &res
		writeProblem(c, p, err)
		return nil
	}
	return writeJSON(c, http.StatusOK, "application/json", res)
}

// batchQueryParams are the query parameters of a CSV batch: the shared
// fields of issuer.BatchRequest.
var batchQueryParams = []string{"achievementId", "format", "profileId", "statusPurpose", "validFrom", "validUntil", "includeCredentials"}

// batchQuery reads the shared fields of a CSV batch from the query.
// Unknown parameters are refused, as unknown JSON members are.
func batchQuery(c *gin.Context) (issuer.BatchRequest, error) {
	q := c.Request.URL.Query()
	var unknown []string
	for k := range q {
		if !slices.Contains(batchQueryParams, k) {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return issuer.BatchRequest{}, errBadRequest(fmt.Sprintf("unknown query parameter %s: the parameters are %s",
			strings.Join(unknown, ", "), strings.Join(batchQueryParams, ", ")), nil)
	}
	req := issuer.BatchRequest{
		AchievementID: q.Get("achievementId"), Format: q.Get("format"), ProfileID: q.Get("profileId"),
		StatusPurpose: q.Get("statusPurpose"), ValidFrom: q.Get("validFrom"), ValidUntil: q.Get("validUntil"),
	}
	if v := q.Get("includeCredentials"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return issuer.BatchRequest{}, errBadRequest("includeCredentials must be true or false", err)
		}
		req.IncludeCredentials = b
	}
	return req, nil
}

// csvColumns are the columns a CSV batch reads (matched
// case-insensitively). credentialName and credentialDescription override
// the credential's name and description for the row; idempotencyKey names
// the row across requests (issuer.BatchRow.IdempotencyKey). Other columns (an
// attendee export's name, company, ticket type) are ignored and reported:
// a plain "name" column is usually the attendee's, which must not become
// the badge's name. recipientName is the recipient's name, shown on the
// badge page (never in the credential).
var csvColumns = []string{"email", "did", "url", "recipientname", "credentialname", "credentialdescription", "idempotencykey"}

// csvBatch is a parsed CSV batch: one row per data record, in order.
type csvBatch struct {
	rows []issuer.BatchRow
	// lines holds each row's 1-based line (the header is line 1).
	lines []int
	// errs holds, for a row that cannot be issued as sent (wrong number of
	// fields, not exactly one recipient), why; its row has no recipient.
	// Every other row has exactly one of email, did and url.
	errs []*issuer.RowError
	// ignored names the header's columns that are not read.
	ignored []string
}

// parseBatchCSV parses a CSV batch (RFC 4180, UTF-8, a header row first).
// A header it does not understand, malformed CSV syntax and more than
// issuer.MaxBatchRows rows refuse the whole body; a record with the wrong
// number of fields or without exactly one recipient is one failed row.
// Row errors do not name the line: the handler prefixes every row error of
// a CSV batch with it.
func parseBatchCSV(body []byte) (csvBatch, error) {
	if !utf8.Valid(body) {
		return csvBatch{}, errBadRequest("the CSV is not valid UTF-8", nil)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return csvBatch{}, errBadRequest("the CSV is empty: send a header row (email, did or url, and optionally credentialName, credentialDescription) and one row per recipient", nil)
	}
	if err != nil {
		return csvBatch{}, errBadRequest("the CSV is malformed: "+err.Error(), err)
	}
	cols, ignored, err := csvHeader(header)
	if err != nil {
		return csvBatch{}, err
	}
	out := csvBatch{ignored: ignored}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var pe *csv.ParseError
		if err != nil && !(errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount)) {
			return csvBatch{}, errBadRequest("the CSV is malformed: "+err.Error(), err)
		}
		if len(out.rows) == issuer.MaxBatchRows {
			return csvBatch{}, fmt.Errorf("%w: %w", issuer.ErrInvalid, &credential.ValidationError{Field: "rows",
				Reason: fmt.Sprintf("more than %d rows; at most %d per request: split the batch", issuer.MaxBatchRows, issuer.MaxBatchRows)})
		}
		var line int
		if pe != nil {
			line = pe.StartLine
		} else {
			line, _ = r.FieldPos(0)
		}
		row, rowErr := csvRow(rec, cols, len(header))
		out.rows = append(out.rows, row)
		out.lines = append(out.lines, line)
		out.errs = append(out.errs, rowErr)
	}
}

// csvHeader maps each known column to its index and lists the others.
func csvHeader(header []string) (map[string]int, []string, error) {
	cols := map[string]int{}
	var ignored []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			return nil, nil, errBadRequest(fmt.Sprintf("column %d of the CSV header has no name", i+1), nil)
		case !slices.Contains(csvColumns, name):
			ignored = append(ignored, strings.TrimSpace(h))
		default:
			if _, dup := cols[name]; dup {
				return nil, nil, errBadRequest(fmt.Sprintf("the CSV header has column %q twice", name), nil)
			}
			cols[name] = i
		}
	}
	_, e := cols["email"]
	_, d := cols["did"]
	_, u := cols["url"]
	if !e && !d && !u {
		msg := "the CSV header needs an email, did or url column"
		if len(ignored) > 0 {
			msg += fmt.Sprintf(" (it has %s; the columns read are email, did, url, credentialName, credentialDescription, idempotencyKey, in any case)", strings.Join(ignored, ", "))
		}
		return nil, nil, errBadRequest(msg, nil)
	}
	return cols, ignored, nil
}

// csvRow reads one record; the error is the row's when it cannot be
// issued as sent.
func csvRow(rec []string, cols map[string]int, width int) (issuer.BatchRow, *issuer.RowError) {
	bad := func(field, reason string) (issuer.BatchRow, *issuer.RowError) {
		ve := &credential.ValidationError{Field: field, Reason: reason}
		return issuer.BatchRow{}, &issuer.RowError{Code: issuer.RowInvalid, Reason: ve.Error(), Fields: []*credential.ValidationError{ve}}
	}
	if len(rec) != width {
		return bad("row", fmt.Sprintf("has %d fields, the header has %d", len(rec), width))
	}
	get := func(name string) string {
		if i, ok := cols[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := issuer.BatchRow{
		Recipient: issuer.Recipient{Email: get("email"), DID: get("did"), URL: get("url"), Name: get("recipientname")},
		Name:      get("credentialname"), Description: get("credentialdescription"),
		IdempotencyKey: get("idempotencykey"),
	}
	n := 0
	for _, v := range []string{row.Recipient.Email, row.Recipient.DID, row.Recipient.URL} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return bad("recipient", "give exactly one of email, did or url")
	}
	return row, nil
}
