package public

import (
	"errors"
	"fmt"
)

// Error is an error with a message a client may read. Build it with New,
// Errorf or WithMessage.
type Error struct {
	msg string // what a client reads
	err error  // the wrapped error, or nil; never shown to a client
	// internal says that Error() is err's text rather than msg (WithMessage).
	internal bool
}

// Error returns the text for logs: the public message, or for WithMessage
// the wrapped error's own text.
func (e *Error) Error() string {
	if e.internal {
		return e.err.Error()
	}
	return e.msg
}

// Unwrap returns the wrapped error, so errors.Is and errors.As see through.
func (e *Error) Unwrap() error { return e.err }

// Public returns the message a client may read.
func (e *Error) Public() string { return e.msg }

// New returns an error whose whole message, msg, is public.
func New(msg string) error { return &Error{msg: msg} }

// Errorf formats like fmt.Errorf, %w included, and makes the whole formatted
// message public. Use it only where every operand is fit for a client: a
// sentinel's own text, a field name, a value the client sent.
func Errorf(format string, args ...any) error {
	// The fmt error carries the %w operands for errors.Is and errors.As.
	err := fmt.Errorf(format, args...)
	return &Error{msg: err.Error(), err: err}
}

// WithMessage returns err with msg as its public message. err keeps its own
// text for logs and stays in the chain for errors.Is and errors.As.
func WithMessage(err error, msg string) error {
	if err == nil {
		return nil
	}
	return &Error{msg: msg, err: err, internal: true}
}

// Message returns the public message of the first *Error in err's tree, and
// whether there is one.
func Message(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.msg, true
	}
	return "", false
}
