package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/wallet"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// ErrorID ties a 500 response to its log line.
	ErrorID string `json:"errorId,omitempty"`
	// Errors lists individual problems, e.g. one per invalid field.
	Errors []string `json:"errors,omitempty"`
	// Report is the verification report of a credential the wallet
	// refused (an RFC 9457 extension member).
	Report *wallet.Report `json:"report,omitempty"`
	// Batch is what a batch issue that stopped part way did, row by row
	// (an RFC 9457 extension member).
	Batch *issuer.BatchResult `json:"batch,omitempty"`
	// retryAfter, when positive, becomes a Retry-After header (RFC 9110
	// §10.2.3) of a 429.
	retryAfter time.Duration
}

// problemTypeBase prefixes our stable problem type URIs.
const problemTypeBase = "urn:accolade:problem:"

// HTTPError is an error with a status and a public message. The cause, if any,
// is logged but never sent to the client.
type HTTPError struct {
	Status int
	Slug   string // problem type suffix, e.g. "not-found"
	Msg    string // public detail
	Errs   []string
	Err    error // internal cause
}

func (e *HTTPError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *HTTPError) Unwrap() error { return e.Err }

// errBadRequest returns a 400 with a public message.
func errBadRequest(msg string, cause error) *HTTPError {
	return &HTTPError{Status: http.StatusBadRequest, Slug: "bad-request", Msg: msg, Err: cause}
}

// mapping is the ordered table from error to response.
var mapping = []struct {
	is     error
	status int
	slug   string
	msg    string
}{
	{store.ErrNotFound, http.StatusNotFound, "not-found", "the resource does not exist"},
	{store.ErrConflict, http.StatusConflict, "conflict", "the resource already exists"},
	{store.ErrUnavailable, http.StatusServiceUnavailable, "storage-unavailable", "storage is unavailable; retry later"},
	{errors.ErrUnsupported, http.StatusNotImplemented, "unsupported-by-storage", "the configured storage cannot do this (status changes need a standalone or Sentinel Redis, not Redis Cluster)"},
	{issuer.ErrStatusConflict, http.StatusConflict, "status-conflict", ""},
	{issuer.ErrNoStatus, http.StatusConflict, "no-status", "the credential was issued without a status entry"},
	{did.ErrInvalidDID, http.StatusBadRequest, "invalid-did", "the DID is malformed"},
	{ldcontext.ErrUnavailable, http.StatusServiceUnavailable, "context-unavailable", "a pinned JSON-LD context or JSON Schema is not available here; import it with 'accolade contexts import DIR' or set ACCOLADE_CONTEXTS_DIR"},
	{did.ErrMethodNotSupported, http.StatusNotImplemented, "did-method-not-supported", "the DID method is not supported"},
	{wallet.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "a valid wallet session token is required: sign in at /wallet/v1/signin"},
	{wallet.ErrBadCredentials, http.StatusUnauthorized, "invalid-credentials", "wrong email address or password"},
	{wallet.ErrEmailTaken, http.StatusConflict, "email-taken", "a wallet already exists for this email address"},
	{wallet.ErrRateLimited, http.StatusTooManyRequests, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After"},
	{issuer.ErrRateLimited, http.StatusTooManyRequests, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After"},
	{wallet.ErrDuplicate, http.StatusConflict, "duplicate-credential", ""},
	{wallet.ErrRejected, http.StatusUnprocessableEntity, "credential-rejected", "the credential does not verify (its format, proof or issuer binding failed), so the wallet does not keep it; see report"},
	{wallet.ErrShareExpired, http.StatusGone, "share-expired", "the share link has expired"},
	{wallet.ErrUnsupported, http.StatusUnprocessableEntity, "unsupported", ""},
}

// toProblem maps err to a problem body, once, for the whole API.
func toProblem(err error) Problem {
	var he *HTTPError
	if errors.As(err, &he) {
		return Problem{Type: problemTypeBase + he.Slug, Title: http.StatusText(he.Status), Status: he.Status, Detail: he.Msg, Errors: he.Errs}
	}
	if errors.Is(err, issuer.ErrInvalid) || errors.Is(err, wallet.ErrInvalid) {
		return Problem{Type: problemTypeBase + "invalid-request", Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest,
			Detail: "the request is invalid; see errors", Errors: validationMessages(err)}
	}
	for _, m := range mapping {
		if errors.Is(err, m.is) {
			msg := m.msg
			if msg == "" {
				// The sentinel's own wrapping carries a public explanation.
				msg = publicTail(err, m.is)
			}
			p := Problem{Type: problemTypeBase + m.slug, Title: http.StatusText(m.status), Status: m.status, Detail: msg}
			var rejected *wallet.RejectedError
			var limited *wallet.RateLimitError
			var signIn *issuer.RateLimitError
			switch {
			case errors.As(err, &rejected):
				p.Report = rejected.Report
			case errors.As(err, &limited):
				p.retryAfter = limited.RetryAfter
			case errors.As(err, &signIn):
				p.retryAfter = signIn.RetryAfter
			}
			return p
		}
	}
	return Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Detail: "an internal error occurred; quote the error ID when reporting it", ErrorID: newErrorID()}
}

// publicTail returns the message of err from the sentinel onwards
// ("status change not allowed: a revoked credential cannot be unsuspended").
func publicTail(err, sentinel error) string {
	msg := err.Error()
	if i := strings.Index(msg, sentinel.Error()); i >= 0 {
		return msg[i:]
	}
	return sentinel.Error()
}

// validationMessages lists the field problems inside err, or its message
// when it holds none (such as an undefined JSON-LD term found while signing).
func validationMessages(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		var ve *credential.ValidationError
		if errors.As(e, &ve) && ve == e { //nolint:errorlint // walks the tree itself: only e itself, not what it wraps
			out = append(out, ve.Error())
			return
		}
		var fe *wallet.FieldError
		if errors.As(e, &fe) && fe == e { //nolint:errorlint // walks the tree itself: only e itself, not what it wraps
			out = append(out, fe.Error())
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	if len(out) == 0 {
		msg := err.Error()
		if i := strings.Index(msg, "invalid input: "); i >= 0 {
			msg = msg[i+len("invalid input: "):]
		}
		out = append(out, msg)
	}
	return out
}

func newErrorID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeProblem sends p as application/problem+json and records it for the
// access log.
func writeProblem(c *gin.Context, p Problem, cause error) {
	p.Instance = c.Request.URL.Path
	if cause != nil {
		_ = c.Error(cause)
	}
	if p.ErrorID != "" {
		c.Set(ctxErrorID, p.ErrorID)
	}
	if p.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="accolade"`)
	}
	if p.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(p.retryAfter.Seconds()))))
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.Status(p.Status)
	body, _ := jsonMarshal(p)
	_, _ = c.Writer.Write(body)
	c.Abort()
}

// handler is how every route is written: it returns an error instead of
// writing its own error response.
type handler func(c *gin.Context) error

// wrap adapts a handler to gin, mapping its error once.
func wrap(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			writeProblem(c, toProblem(err), err)
		}
	}
}
