package did

import "errors"

// Sentinel errors. Resolvers and lookups wrap them with the operation name,
// e.g. "resolve did:web: not found"; test with errors.Is.
var (
	// ErrInvalidDID reports a string that is not a valid DID or DID URL, or
	// a method-specific identifier its method rejects (a did:key with a bad
	// key, a did:web naming an IP address).
	ErrInvalidDID = errors.New("invalid did")
	// ErrMethodNotSupported reports a DID method with no resolver.
	ErrMethodNotSupported = errors.New("did method not supported")
	// ErrNotFound reports a DID whose document does not exist (did:web
	// HTTP 404 or 410).
	ErrNotFound = errors.New("did document not found")
	// ErrInvalidDocument reports a fetched document that is not a valid DID
	// document for the DID: not a JSON object, too large, or an id that does
	// not match.
	ErrInvalidDocument = errors.New("invalid did document")
	// ErrKeyNotFound reports a DID URL that names no verification method in
	// the document.
	ErrKeyNotFound = errors.New("verification method not found")
	// ErrNotAuthorized reports a verification method that exists but may
	// not be used as asked: not listed under the relationship, or controlled
	// by another DID.
	ErrNotAuthorized = errors.New("verification method not authorized")
)

// DID Resolution error codes (DID Core §7.1.2 and the DID Specification
// Registries), for universal-resolver-shaped responses.
const (
	CodeInvalidDID         = "invalidDid"
	CodeNotFound           = "notFound"
	CodeMethodNotSupported = "methodNotSupported"
	CodeInvalidDocument    = "invalidDidDocument"
	CodeInternalError      = "internalError"
)

// ErrorCode returns the DID Resolution error code for err: "invalidDid",
// "notFound" (also for ErrKeyNotFound, a DID URL that dereferences to
// nothing), "methodNotSupported", "invalidDidDocument", or "internalError"
// for anything else, including transport failures. It returns "" for nil.
func ErrorCode(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrInvalidDID):
		return CodeInvalidDID
	case errors.Is(err, ErrMethodNotSupported):
		return CodeMethodNotSupported
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrKeyNotFound):
		return CodeNotFound
	case errors.Is(err, ErrInvalidDocument):
		return CodeInvalidDocument
	default:
		return CodeInternalError
	}
}
