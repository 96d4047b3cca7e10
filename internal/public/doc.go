// Package public marks the errors whose message a client may read. Services
// (issuer, wallet, verifier) build them where they know what went wrong in
// the client's terms; api's one error mapping shows that message and nothing
// else of the error. The error a public error wraps stays internal: errors.Is
// and errors.As see it and the log prints it, clients never do (STYLE.md §3,
// after tailscale's util/vizerror).
//
// It imports only the standard library, so every service can use it.
package public
