// Package logctx carries request-scoped logging values (the request ID) in a
// context.Context and adds them to every log/slog record written through a
// ...Context logging call. It imports only the standard library.
package logctx
