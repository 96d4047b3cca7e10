package status

import (
	"errors"
	"fmt"
)

// ProblemTypeBase prefixes the ProblemDetails type of the errors that the
// Recommendation defines (Bitstring Status List v1.0 §3.3).
const ProblemTypeBase = "https://www.w3.org/ns/credentials/status-list#"

// Error codes. The first five are the Recommendation's (§3.3); the last two
// are Accolade's names for a set revocation or suspension value, which the
// Recommendation reports as a result rather than an error.
const (
	CodeRetrieval    = "STATUS_RETRIEVAL_ERROR"
	CodeVerification = "STATUS_VERIFICATION_ERROR"
	CodeListLength   = "STATUS_LIST_LENGTH_ERROR"
	CodeRange        = "RANGE_ERROR"
	CodeMalformed    = "MALFORMED_VALUE_ERROR"
	CodeRevoked      = "REVOKED"
	CodeSuspended    = "SUSPENDED"
)

// Sentinel errors, one per code; test with errors.Is. Codec functions wrap
// ErrMalformed and ErrRange directly; the Checker returns *Error, which
// matches the sentinel of its Code.
var (
	// ErrRevoked reports a credential whose revocation status is set.
	ErrRevoked = errors.New("revoked")
	// ErrSuspended reports a credential whose suspension status is set.
	ErrSuspended = errors.New("suspended")
	// ErrRetrieval reports a status list that could not be fetched
	// (STATUS_RETRIEVAL_ERROR).
	ErrRetrieval = errors.New("status list retrieval error")
	// ErrVerification reports a status list whose proof, type, issuer,
	// validity period or purpose does not hold (STATUS_VERIFICATION_ERROR).
	ErrVerification = errors.New("status list verification error")
	// ErrListLength reports a list shorter than MinEntries entries
	// (STATUS_LIST_LENGTH_ERROR), which would weaken herd privacy.
	ErrListLength = errors.New("status list length error")
	// ErrRange reports an index outside the list (RANGE_ERROR).
	ErrRange = errors.New("status list index out of range")
	// ErrMalformed reports a malformed entry, list credential or encoded
	// list (MALFORMED_VALUE_ERROR), including a list whose decompressed size
	// exceeds MaxDecodedBytes.
	ErrMalformed = errors.New("malformed status value")
	// ErrUnsupported reports a credentialStatus entry type that Checker
	// does not know. CheckStatus turns it into handled=false.
	ErrUnsupported = errors.New("unsupported status entry type")
)

var sentinels = map[string]error{
	CodeRetrieval:    ErrRetrieval,
	CodeVerification: ErrVerification,
	CodeListLength:   ErrListLength,
	CodeRange:        ErrRange,
	CodeMalformed:    ErrMalformed,
	CodeRevoked:      ErrRevoked,
	CodeSuspended:    ErrSuspended,
}

// Error is a failed status check: one of the Recommendation's errors, or a
// revoked or suspended credential. It matches the sentinel of its Code with
// errors.Is and unwraps to its cause.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Purpose is the entry's statusPurpose, when known.
	Purpose string
	// Index is the entry's statusListIndex, or -1 when there is none (an
	// unparsable entry, a 1EdTechRevocationList).
	Index int
	// URL is the status list's URL, when known.
	URL string
	// Err is the cause, written to be read in a verification report.
	Err error
}

// Error returns the code's name followed by the cause, e.g.
// "revoked: bit 94567 of https://example.com/status/3 is set".
func (e *Error) Error() string {
	name := e.Code
	if s, ok := sentinels[e.Code]; ok {
		name = s.Error()
	}
	if e.Err == nil {
		if e.URL != "" {
			return fmt.Sprintf("%s: %s", name, e.URL)
		}
		return name
	}
	return name + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Code.
func (e *Error) Is(target error) bool {
	s, ok := sentinels[e.Code]
	return ok && target == s
}

// ProblemType returns the ProblemDetails type URL for the Recommendation's
// codes (ProblemTypeBase + Code), and "" for REVOKED and SUSPENDED, which
// are outcomes rather than errors there.
func (e *Error) ProblemType() string {
	switch e.Code {
	case CodeRetrieval, CodeVerification, CodeListLength, CodeRange, CodeMalformed:
		return ProblemTypeBase + e.Code
	}
	return ""
}

// fail builds an *Error with a formatted cause.
func fail(code, url string, format string, args ...any) *Error {
	return &Error{Code: code, URL: url, Index: -1, Err: fmt.Errorf(format, args...)}
}
