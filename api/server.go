package api

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/internal/ratelimit"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// Pinger reports whether storage answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Identity is the issuer identity the API exposes.
type Identity interface {
	WebDID() string
	WebDocument(ctx context.Context) (*did.Document, error)
	Summary(ctx context.Context) (issuer.Summary, error)
	Keys(ctx context.Context) ([]issuer.KeyInfo, error)
	Rotate(ctx context.Context, alg keys.Alg) (issuer.KeyInfo, error)
}

// Config holds the API's dependencies and settings.
type Config struct {
	Logger   *slog.Logger
	Store    Pinger
	Identity Identity
	Resolver did.Resolver
	// Issuer, Verifier and OID4VCI are optional; their routes exist only
	// when set.
	Issuer   Issuer
	Verifier Verifier
	OID4VCI  OID4VCI
	// OID4VP is the OpenID4VP 1.0 verifier (presentation requests); its
	// routes exist only when set.
	OID4VP OID4VPVerifier
	// Wallet is optional; with it come /wallet/v1 and /share.
	Wallet Wallet
	// Contexts is the pinned context loader; with it come the admin
	// routes /api/v1/contexts.
	Contexts Contexts
	// NoBadgePages turns off the public badge pages (/badges/{id}) and
	// issuer pages (/issuers/{slug}).
	NoBadgePages bool
	// Ready, when set, is asked by /readyz after the store: an error makes
	// the node not ready (503), with the error as the detail. serve uses it
	// to report a node that cannot issue (its contexts are unavailable).
	Ready func(ctx context.Context) error
	// FetchImage fetches achievement images for /badges/{id}/image; nil
	// draws every https image instead.
	FetchImage   ImageFetcher
	AdminToken   string
	PublicURL    string
	MaxBodyBytes int64
	// Registry receives the HTTP metrics; nil makes a private one.
	Registry *prometheus.Registry
	// ResolvePerMinute is how many DID resolutions (GET
	// /1.0/identifiers/{did}) one client IP may ask for per minute
	// (default DefaultResolvePerMinute; negative: no limit).
	ResolvePerMinute int
	// Now is the clock of the per-client limits (default time.Now).
	Now func() time.Time
	// MetricsToken, when set, is the bearer token GET /metrics requires.
	MetricsToken string
	// MetricsSeparate leaves /metrics off the API router: it is served by
	// MetricsHandler on a listener of its own.
	MetricsSeparate bool
}

// DefaultResolvePerMinute is the default of Config.ResolvePerMinute.
const DefaultResolvePerMinute = 60

// Server is the HTTP API.
type Server struct {
	status  StatusService
	cfg     Config
	log     *slog.Logger
	engine  *gin.Engine
	metrics *httpMetrics
	// resolveLimit limits DID resolutions per client IP.
	resolveLimit *ratelimit.Limiter
}

// Context keys set on gin.Context.
const (
	ctxErrorID = "accolade.error_id"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the router.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.ResolvePerMinute == 0 {
		cfg.ResolvePerMinute = DefaultResolvePerMinute
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With(logctx.KeyComponent, "http"), metrics: newHTTPMetrics(cfg.Registry),
		resolveLimit: ratelimit.New(cfg.ResolvePerMinute, time.Minute, cfg.Now)}
	s.metrics.token = cfg.MetricsToken
	e := gin.New()
	// DIDs carry percent-encoded colons (did:web ports); keep paths raw.
	e.UseRawPath = true
	e.UnescapePathValues = false
	e.RemoveExtraSlash = false
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.requestID, s.accessLog, s.recover, s.limitBody)
	e.NoRoute(func(c *gin.Context) {
		writeProblem(c, toProblem(&HTTPError{Status: http.StatusNotFound, Slug: "not-found", Msg: "no such endpoint"}), nil)
	})
	e.NoMethod(func(c *gin.Context) {
		writeProblem(c, toProblem(&HTTPError{Status: http.StatusMethodNotAllowed, Slug: "method-not-allowed", Msg: "method not allowed on this endpoint"}), nil)
	})
	s.engine = e
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the registered routes as "METHOD /path" with gin's :param
// syntax, for the OpenAPI check.
func (s *Server) Routes() []gin.RouteInfo { return s.engine.Routes() }

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._\-]{1,64}$`)

// requestID takes a sane incoming X-Request-ID or makes one, and puts it in
// the request context and the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = newErrorID()
	}
	c.Header("X-Request-ID", id)
	c.Request = c.Request.WithContext(logctx.WithRequestID(c.Request.Context(), id))
	c.Next()
}

// accessLog writes one line per request and records metrics.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	path := c.Request.URL.Path
	if strings.Contains(route, ":token") {
		// Share-link tokens are bearer secrets: log the route, not them.
		path = route
	}
	attrs := []any{
		"method", c.Request.Method, "route", route, "path", path,
		"status", status, "latency_ms", float64(elapsed.Microseconds()) / 1000, "bytes", c.Writer.Size(),
	}
	if id := c.GetString(ctxErrorID); id != "" {
		attrs = append(attrs, logctx.KeyErrorID, id)
	}
	level := slog.LevelInfo
	if len(c.Errors) > 0 {
		attrs = append(attrs, logctx.KeyErr, c.Errors.Last().Err.Error())
		if status >= 500 {
			level = slog.LevelError
		}
	}
	s.log.Log(c.Request.Context(), level, "request", attrs...)
}

// recover turns a panic into a 500 problem with an error ID.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler { //nolint:errorlint // a recovered panic value, never wrapped (as net/http compares it)
				panic(r)
			}
			p := toProblem(nil)
			s.log.ErrorContext(c.Request.Context(), "panic", "panic", r, logctx.KeyErrorID, p.ErrorID)
			writeProblem(c, p, nil)
		}
	}()
	c.Next()
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}

// requireAdmin checks the admin bearer token in constant time.
func (s *Server) requireAdmin(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.AdminToken)) != 1 {
		writeProblem(c, toProblem(&HTTPError{Status: http.StatusUnauthorized, Slug: "unauthorized", Msg: "a valid admin bearer token is required"}), nil)
		return
	}
	c.Next()
}

func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// writeJSON writes v with the given status and content type.
func writeJSON(c *gin.Context, status int, contentType string, v any) error {
	body, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	c.Data(status, contentType, body)
	return nil
}
