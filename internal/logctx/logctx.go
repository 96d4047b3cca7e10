package logctx

import (
	"context"
	"log/slog"
)

type requestIDKey struct{}

// Attribute keys shared by every package, snake_case, defined once.
const (
	KeyRequestID    = "request_id"
	KeyErr          = "err"
	KeyErrorID      = "error_id"
	KeyComponent    = "component"
	KeyIssuerDID    = "issuer_did"
	KeyKeyID        = "key_id"
	KeyCredentialID = "credential_id"
	KeyStatusList   = "status_list"
	KeyStatusIndex  = "status_index"
	KeyOfferID      = "offer_id"
	KeyPath         = "path"
)

// WithRequestID returns ctx carrying the request ID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Handler wraps a slog.Handler so that records logged with a context that
// carries a request ID get a request_id attribute.
type Handler struct{ slog.Handler }

// NewHandler wraps h.
func NewHandler(h slog.Handler) *Handler { return &Handler{Handler: h} }

// Handle adds request_id when ctx has one.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String(KeyRequestID, id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{Handler: h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{Handler: h.Handler.WithGroup(name)}
}
