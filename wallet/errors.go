package wallet

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors; callers branch with errors.Is. Missing things, and
// another holder's things, are store.ErrNotFound.
var (
	// ErrInvalid wraps every validation failure of holder input; the
	// joined *FieldError values say what is wrong.
	ErrInvalid = errors.New("invalid input")
	// ErrUnauthorized reports a missing, unknown or expired session token.
	ErrUnauthorized = errors.New("not signed in")
	// ErrBadCredentials reports a sign-in with an unknown email address or
	// a wrong password; which of the two is not said.
	ErrBadCredentials = errors.New("wrong email address or password")
	// ErrEmailTaken reports the confirmation of a sign-up whose address got
	// a wallet meanwhile (only the mailbox owner, who holds the link, can
	// learn it; SignUp itself never tells).
	ErrEmailTaken = errors.New("a wallet already exists for this email address")
	// ErrVerificationInvalid reports a sign-up confirmation whose token is
	// unknown, used or expired.
	ErrVerificationInvalid = errors.New("the confirmation link is unknown, used or expired: sign up again")
	// ErrRateLimited reports too many attempts; the error is a
	// *RateLimitError saying when to retry.
	ErrRateLimited = errors.New("too many attempts")
	// ErrRejected reports a credential refused at import because its
	// format, proof or issuer binding failed; the error is a
	// *RejectedError carrying the verification report.
	ErrRejected = errors.New("credential refused: it does not verify")
	// ErrDuplicate reports a credential the wallet already holds; the
	// error is a *DuplicateError naming it.
	ErrDuplicate = errors.New("the wallet already holds this credential")
	// ErrShareExpired reports a share link past its expiry.
	ErrShareExpired = errors.New("the share link has expired")
	// ErrUnsupported reports a request the wallet cannot serve with the
	// chosen key or input, such as a Data Integrity presentation signed by
	// a P-256 key, or an Open Badges 2.0 badge.
	ErrUnsupported = errors.New("not supported")
)

// FieldError is one problem with one field of holder input. Its message
// names the field, never the value.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// invalid joins field problems under ErrInvalid, or returns nil.
func invalid(problems ...*FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	errs := []error{ErrInvalid}
	for _, p := range problems {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// RateLimitError is ErrRateLimited with the time to wait.
type RateLimitError struct {
	// RetryAfter is how long until the next attempt is allowed.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s: retry in %s", ErrRateLimited, e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// RejectedError is ErrRejected with the report that refused the credential.
type RejectedError struct {
	Report *Report
}

func (e *RejectedError) Error() string {
	var failed []string
	for _, c := range e.Report.Checks {
		if c.Status == StatusFailed {
			failed = append(failed, c.Name)
		}
	}
	return ErrRejected.Error() + " (failed: " + strings.Join(failed, ", ") + ")"
}

// Unwrap makes errors.Is(err, ErrRejected) hold.
func (e *RejectedError) Unwrap() error { return ErrRejected }

// DuplicateError is ErrDuplicate naming the wallet credential already
// holding the same credential.
type DuplicateError struct {
	// ExistingID is the wallet ID of the credential already held.
	ExistingID string
}

func (e *DuplicateError) Error() string { return ErrDuplicate.Error() + " as " + e.ExistingID }

// Unwrap makes errors.Is(err, ErrDuplicate) hold.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }
