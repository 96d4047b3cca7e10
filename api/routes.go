package api

import (
	"context"
	_ "embed"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var openapiYAML []byte

func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", wrap(s.healthz))
	e.GET("/readyz", wrap(s.readyz))
	if !s.cfg.MetricsSeparate {
		e.GET("/metrics", gin.WrapH(s.metrics))
	}
	e.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openapiYAML) })

	if p := did.WebDocumentPath(s.cfg.PublicURL); p != "" {
		e.GET(p, wrap(s.didDocument))
	}
	e.GET("/1.0/identifiers/*did", wrap(s.resolveDID))

	admin := e.Group("/api/v1", s.requireAdmin)
	admin.GET("/issuer", wrap(s.issuerSummary))
	admin.GET("/issuer/keys", wrap(s.listKeys))
	admin.POST("/issuer/keys/rotate", wrap(s.rotateKey))
	s.issuerRoutes(admin)
	s.contextRoutes(admin)
	s.batchRoutes(admin)
	s.verifierRoutes()
	s.oid4vciRoutes(admin)
	s.presentationRoutes()
	s.walletRoutes()
	s.walletExchangeRoutes()
	s.oid4vpRoutes(admin)
	s.badgeRoutes()
}

func (s *Server) healthz(c *gin.Context) error {
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		return &HTTPError{Status: http.StatusServiceUnavailable, Slug: "not-ready", Msg: "storage does not answer", Err: err}
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			return &HTTPError{Status: http.StatusServiceUnavailable, Slug: "not-ready", Msg: err.Error(), Err: err}
		}
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"status": "ready"})
}

// didDocument serves our did:web document (did:web method §3.2 read).
func (s *Server) didDocument(c *gin.Context) error {
	doc, err := s.cfg.Identity.WebDocument(c.Request.Context())
	if err != nil {
		return err
	}
	c.Header("Access-Control-Allow-Origin", "*")
	c.Header("Cache-Control", "public, max-age=300")
	return writeJSON(c, http.StatusOK, "application/did+ld+json", doc)
}

// resolutionResult is the DID Resolution result shape of the universal
// resolver's GET /1.0/identifiers/{did}.
type resolutionResult struct {
	Context               string         `json:"@context"`
	DIDDocument           *did.Document  `json:"didDocument"`
	DIDResolutionMetadata map[string]any `json:"didResolutionMetadata"`
	DIDDocumentMetadata   map[string]any `json:"didDocumentMetadata"`
}

// resolveDID is the universal resolver's GET /1.0/identifiers/{did} (DID
// Resolution HTTP(S) binding). Anyone may call it and a did:web makes the
// server fetch from a host the caller names, so it is limited per client
// IP (429), the resolver caches failures too, and every failure is a 4xx:
// 400 invalidDid, 404 notFound (also when the document host cannot be
// reached), 404 invalidDidDocument, 501 methodNotSupported.
func (s *Server) resolveDID(c *gin.Context) error {
	if ok, wait := s.resolveLimit.Allow(clientIP(c)); !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		res := resolutionResult{Context: "https://w3id.org/did-resolution/v1", DIDDocumentMetadata: map[string]any{},
			DIDResolutionMetadata: map[string]any{"error": "rateLimited", "errorMessage": "too many resolutions from this address: retry after the number of seconds in Retry-After"}}
		return writeJSON(c, http.StatusTooManyRequests, "application/json", res)
	}
	raw := strings.TrimPrefix(c.Param("did"), "/")
	// Clients may percent-encode the whole DID; did:web keeps its own %3A.
	if strings.HasPrefix(strings.ToLower(raw), "did%3a") {
		if u, err := url.PathUnescape(raw); err == nil {
			raw = u
		}
	}
	start := time.Now()
	doc, err := s.cfg.Resolver.Resolve(c.Request.Context(), raw)
	res := resolutionResult{
		Context:               "https://w3id.org/did-resolution/v1",
		DIDDocument:           doc,
		DIDResolutionMetadata: map[string]any{"duration": time.Since(start).Milliseconds()},
		DIDDocumentMetadata:   map[string]any{},
	}
	if err != nil {
		code := did.ErrorCode(err)
		status := http.StatusNotFound
		switch code {
		case did.CodeInvalidDID:
			status = http.StatusBadRequest
		case did.CodeMethodNotSupported:
			status = http.StatusNotImplemented
		case did.CodeInternalError:
			// The document host could not be reached (no such name,
			// refused, timed out): for the caller the DID does not
			// resolve; the cause stays in the log.
			code = did.CodeNotFound
		}
		res.DIDResolutionMetadata["error"] = code
		res.DIDResolutionMetadata["errorMessage"] = publicResolveMessage(err)
		_ = c.Error(err)
		return writeJSON(c, status, "application/json", res)
	}
	res.DIDResolutionMetadata["contentType"] = "application/did+ld+json"
	return writeJSON(c, http.StatusOK, `application/ld+json;profile="https://w3id.org/did-resolution"`, res)
}

// publicResolveMessage explains a resolution failure without internal detail
// beyond what the DID's own document host told us.
func publicResolveMessage(err error) string {
	switch {
	case errors.Is(err, did.ErrInvalidDID):
		return "the DID is malformed"
	case errors.Is(err, did.ErrMethodNotSupported):
		return "the DID method is not supported (did:key, did:jwk and did:web are)"
	case errors.Is(err, did.ErrNotFound):
		return "the DID document was not found"
	case errors.Is(err, did.ErrInvalidDocument):
		return "the DID document is invalid"
	}
	return "the DID document could not be fetched"
}

func (s *Server) issuerSummary(c *gin.Context) error {
	sum, err := s.cfg.Identity.Summary(c.Request.Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", sum)
}

func (s *Server) listKeys(c *gin.Context) error {
	ks, err := s.cfg.Identity.Keys(c.Request.Context())
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, "application/json", gin.H{"items": ks})
}

type rotateRequest struct {
	Alg string `json:"alg"`
}

func (s *Server) rotateKey(c *gin.Context) error {
	var req rotateRequest
	if err := bindJSON(c, &req, true); err != nil {
		return err
	}
	var alg keys.Alg
	if req.Alg != "" {
		a, err := keys.ParseAlg(req.Alg)
		if err != nil {
			return errBadRequest("alg must be EdDSA or ES256", err)
		}
		alg = a
	}
	info, err := s.cfg.Identity.Rotate(c.Request.Context(), alg)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, "application/json", info)
}
