package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/gin-gonic/gin"
)

// Contexts is the pinned JSON-LD context and JSON Schema loader, for the
// admin routes behind accolade contexts list and import.
type Contexts interface {
	List(ctx context.Context) []ldcontext.Entry
	ImportDocument(ctx context.Context, doc []byte) ([]string, error)
	Get(ctx context.Context, url string) ([]byte, error)
}

// contextEntry is one pinned URL as GET /api/v1/contexts shows it.
type contextEntry struct {
	URL        string `json:"url"`
	Kind       string `json:"kind"`
	SHA256     string `json:"sha256"`
	Provenance string `json:"provenance,omitempty"`
	Available  string `json:"available"`
	Bundled    string `json:"bundled,omitempty"`
}

func (s *Server) contextRoutes(admin *gin.RouterGroup) {
	if s.cfg.Contexts == nil {
		return
	}
	admin.GET("/contexts", wrap(s.listContexts))
	admin.POST("/contexts", wrap(s.importContext))
	admin.GET("/contexts/document", wrap(s.contextDocument))
}

// contextDocument serves the document pinned for ?url=, from wherever the
// server's loader finds it, so that CLI commands (accolade verify) use the
// same documents as the server. The caller checks its digest again.
func (s *Server) contextDocument(c *gin.Context) error {
	u := c.Query("url")
	if u == "" {
		return errBadRequest("give the pinned URL as ?url=", nil)
	}
	doc, err := s.cfg.Contexts.Get(c.Request.Context(), u)
	if errors.Is(err, ldcontext.ErrNotPinned) {
		return &HTTPError{Status: http.StatusNotFound, Slug: "context-not-pinned", Msg: "no JSON-LD context or JSON Schema is pinned at this URL", Err: err}
	}
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/json", doc)
	return nil
}

func (s *Server) listContexts(c *gin.Context) error {
	entries := s.cfg.Contexts.List(c.Request.Context())
	items := make([]contextEntry, 0, len(entries))
	for _, e := range entries {
		items = append(items, contextEntry{URL: e.URL, Kind: string(e.Kind), SHA256: e.SHA256, Provenance: e.Provenance, Available: string(e.Available), Bundled: e.Bundled})
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": items})
}

// importContext stores one document (the body, as is) under every URL
// pinned to its digest.
func (s *Server) importContext(c *gin.Context) error {
	body, err := readAllBody(c)
	if err != nil {
		return err
	}
	urls, err := s.cfg.Contexts.ImportDocument(c.Request.Context(), body)
	switch {
	case errors.Is(err, ldcontext.ErrNotPinned):
		return &HTTPError{Status: http.StatusUnprocessableEntity, Slug: "context-not-pinned", Msg: "the document's digest (SHA-256 of its RFC 8785 form) matches no pinned JSON-LD context or JSON Schema URL", Err: err}
	case errors.Is(err, ldcontext.ErrBadDocument):
		return errBadRequest("the body is not a JSON document within the size limit", err)
	case err != nil:
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"imported": urls})
}
