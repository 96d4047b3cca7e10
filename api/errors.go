package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/verifier"
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

// mapping is the one table from error to response, for every body format:
// problem+json, OAuth (RFC 6749 §5.2), OpenID4VP and HTML pages take the
// status and message from here and only choose how to write them. The first
// row whose sentinel errors.Is matches wins.
//
// What a client reads comes by type, never from err.Error(): the message of
// the *public.Error in the chain (the service that knows the reason in the
// client's terms builds it), else the row's msg, else the sentinel's own
// text. Rows with fields keep their msg as the detail and list the field
// problems (*credential.ValidationError, *wallet.FieldError) under errors.
var mapping = []struct {
	is     error
	status int
	slug   string
	msg    string
	fields bool
}{
	{issuer.ErrInvalid, http.StatusBadRequest, "invalid-request", "the request is invalid; see errors", true},
	{wallet.ErrInvalid, http.StatusBadRequest, "invalid-request", "the request is invalid; see errors", true},
	{store.ErrNotFound, http.StatusNotFound, "not-found", "the resource does not exist", false},
	{store.ErrConflict, http.StatusConflict, "conflict", "the resource already exists", false},
	{store.ErrUnavailable, http.StatusServiceUnavailable, "storage-unavailable", "storage is unavailable; retry later", false},
	{errors.ErrUnsupported, http.StatusNotImplemented, "unsupported-by-storage", "the configured storage cannot do this (status changes need a standalone or Sentinel Redis, not Redis Cluster)", false},
	{issuer.ErrStatusConflict, http.StatusConflict, "status-conflict", "", false},
	{issuer.ErrNoStatus, http.StatusConflict, "no-status", "the credential was issued without a status entry", false},
	{did.ErrInvalidDID, http.StatusBadRequest, "invalid-did", "the DID is malformed", false},
	{ldcontext.ErrUnavailable, http.StatusServiceUnavailable, "context-unavailable", "a pinned JSON-LD context or JSON Schema is not available here; import it with 'accolade contexts import DIR' or set ACCOLADE_CONTEXTS_DIR", false},
	{did.ErrMethodNotSupported, http.StatusNotImplemented, "did-method-not-supported", "the DID method is not supported", false},
	{wallet.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "a valid wallet session token is required: sign in at /wallet/v1/signin", false},
	{wallet.ErrBadCredentials, http.StatusUnauthorized, "invalid-credentials", "wrong email address or password", false},
	{wallet.ErrEmailTaken, http.StatusConflict, "email-taken", "a wallet already exists for this email address", false},
	{wallet.ErrVerificationInvalid, http.StatusGone, "confirmation-invalid", "the confirmation link is unknown, used or expired: sign up again", false},
	{wallet.ErrRateLimited, http.StatusTooManyRequests, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After", false},
	{issuer.ErrRateLimited, http.StatusTooManyRequests, "rate-limited", "too many attempts: retry after the number of seconds in Retry-After", false},
	{wallet.ErrDuplicate, http.StatusConflict, "duplicate-credential", "", false},
	{wallet.ErrRejected, http.StatusUnprocessableEntity, "credential-rejected", "the credential does not verify (its format, proof or issuer binding failed), so the wallet does not keep it; see report", false},
	{wallet.ErrShareExpired, http.StatusGone, "share-expired", "the share link has expired", false},
	{wallet.ErrUnsupported, http.StatusUnprocessableEntity, "unsupported", "", false},
	{verifier.ErrRequestInvalid, http.StatusBadRequest, "bad-request", "", false},
	// OpenID4VP defines no code for these; the description names one.
	{verifier.ErrRequestExpired, http.StatusGone, "request-expired", "request_expired: " + verifier.ErrRequestExpired.Error(), false},
	{verifier.ErrRequestAnswered, http.StatusGone, "request-used", "request_used: " + verifier.ErrRequestAnswered.Error(), false},
	{verifier.ErrRequestKeyChanged, http.StatusGone, "request-expired", "request_expired: " + verifier.ErrRequestKeyChanged.Error(), false},
}

// msgInternal is the detail of every 500.
const msgInternal = "an internal error occurred; quote the error ID when reporting it"

// toProblem maps err to a problem body, once, for the whole API.
func toProblem(err error) Problem {
	var he *HTTPError
	if errors.As(err, &he) {
		return Problem{Type: problemTypeBase + he.Slug, Title: http.StatusText(he.Status), Status: he.Status, Detail: he.Msg, Errors: he.Errs}
	}
	for _, m := range mapping {
		if !errors.Is(err, m.is) {
			continue
		}
		p := Problem{Type: problemTypeBase + m.slug, Title: http.StatusText(m.status), Status: m.status, Detail: m.msg}
		if m.fields {
			p.Errors = fieldMessages(err, m.is)
		} else {
			p.Detail = publicMessage(err, m.msg, m.is)
		}
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
	return Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Detail: msgInternal, ErrorID: newErrorID()}
}

// toOAuth maps err to an RFC 6749 §5.2 body and its status, for the
// OpenID4VCI and OpenID4VP endpoints: the protocol's own errors
// (*oid4vci.Error, *oid4vp.Error) keep their code and description; any other
// error takes its status and message from toProblem, under fallback for a
// 4xx and server_error for a 5xx.
func toOAuth(err error, fallback string) (oauthError, int) {
	var ve *oid4vci.Error
	var pe *oid4vp.Error
	switch {
	case errors.As(err, &ve):
		return oauthError{Error: ve.Code, Description: ve.Description,
			CNonce: ve.CNonce, CNonceExpiresIn: ve.CNonceExpiresIn, Interval: ve.Interval}, oauthStatus(ve.Code)
	case errors.As(err, &pe):
		return oauthError{Error: pe.Code, Description: pe.Description}, http.StatusBadRequest
	}
	p := toProblem(err)
	body := oauthError{Error: fallback, Description: p.Detail, ErrorID: p.ErrorID}
	if p.Status >= http.StatusInternalServerError {
		body.Error = oid4vci.CodeServerError
	}
	return body, p.Status
}

// publicMessage is the message a client reads for err, which matched a row
// with msg and sentinel: the public message err carries, else msg, else the
// sentinel's own text.
func publicMessage(err error, msg string, sentinel error) string {
	if m, ok := public.Message(err); ok {
		return m
	}
	if msg != "" {
		return msg
	}
	return sentinel.Error()
}

// fieldMessages lists the field problems inside err, or when it holds none
// its public message (such as an undefined JSON-LD term found while
// signing), or else the sentinel's text.
func fieldMessages(err, sentinel error) []string {
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
		out = append(out, publicMessage(err, "", sentinel))
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
