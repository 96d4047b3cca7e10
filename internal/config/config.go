package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration of the accolade service.
type Config struct {
	HTTP     HTTP
	Store    Store
	Security Security
	Issuer   Issuer
	DID      DID
	Contexts Contexts
	Status   Status
	Proof    Proof
	Verify   Verify
	OID4VCI  OID4VCI
	Wallet   Wallet
	Log      Log
	// Args are a command's positional arguments (not a setting).
	Args []string `json:"-"`
}

// Status configures Bitstring Status Lists.
type Status struct {
	// ListSize is the number of entries of each new list.
	ListSize int64
	// IndexBlock is how many status indexes a node reserves in the store
	// at once.
	IndexBlock int64
	// TTL is the ttl of list credentials, their HTTP cache lifetime and the
	// verifier's cache lifetime for lists it fetches.
	TTL time.Duration
	// Purpose is the default status purpose: revocation or suspension.
	Purpose string
	// VCAPI is the status purpose every credential signed through the
	// VC-API gets a BitstringStatusListEntry of, unless the request's
	// options.credentialStatus names one; "" adds entries only when asked.
	VCAPI string
}

// Proof configures Data Integrity proofs.
type Proof struct {
	// Canonicalizer is "fast" (Accolade's own RDFC-1.0) or "json-gold".
	Canonicalizer string
}

// Verify configures credential verification.
type Verify struct {
	// ClockSkew is the leeway on validity dates and token times.
	ClockSkew time.Duration
	// BearerCredentials is the presentation verifier's policy on bearer
	// credentials (no subject DID): ob-recipients, accept or reject.
	BearerCredentials string
}

// OID4VCI configures OpenID4VCI issuance.
type OID4VCI struct {
	// OfferTTL is how long a credential offer and its codes stay redeemable.
	OfferTTL time.Duration
	// AccessTokenTTL is the lifetime of access tokens (deferred offers'
	// tokens live until the offer expires).
	AccessTokenTTL time.Duration
	// NonceTTL is the freshness window of a c_nonce.
	NonceTTL time.Duration
	// BatchSize is the most key proofs, so credentials, per request.
	BatchSize int64
	// MailDir, when set, receives one-time code mails as files (a mail
	// drop for development); otherwise they are only logged as sent.
	MailDir string
}

// Wallet configures the holder wallet (the server side) and the accolade
// wallet command (the client side).
type Wallet struct {
	// SessionTTL is how long a holder's sign-in lasts.
	SessionTTL time.Duration
	// PresentationTTL is how long a presentation the wallet signs stays
	// valid (VP-JWT exp, Data Integrity proof expires).
	PresentationTTL time.Duration
	// SignInPerEmail and SignInPerIP are the sign-in attempts allowed per
	// SignInWindow for one email address and one client IP; 0 disables
	// that limit.
	SignInPerEmail int64
	SignInPerIP    int64
	SignInWindow   time.Duration
	// Server is the base URL the accolade wallet command talks to; empty
	// means the public URL.
	Server string
	// Token is the session token the accolade wallet command sends; empty
	// means the one in TokenFile.
	Token string `json:"-"`
	// TokenFile keeps the session token between accolade wallet commands.
	TokenFile string
	// VerifierAttesters is a JSON file mapping each trusted issuer of
	// OpenID4VP Verifier Attestation JWTs (its iss) to its public JWK;
	// empty: verifier_attestation: requests are refused.
	VerifierAttesters string
}

// HTTP configures the listener and the public face of the service.
type HTTP struct {
	// Addr is the listen address, host:port.
	Addr string
	// PublicURL is the absolute base URL clients reach the service at. It
	// names the did:web and every URL placed in credentials.
	PublicURL string
	// ShutdownTimeout bounds the graceful drain on SIGTERM.
	ShutdownTimeout time.Duration
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	// MetricsAddr, when set, is a listen address (host:port) of its own
	// for /metrics, which then leaves the main listener.
	MetricsAddr string
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string `json:"-"`
}

// Store selects the storage backend.
type Store struct {
	// DataDir holds the embedded database, the key-encryption key and the
	// generated admin token.
	DataDir string
	// URL is bolt:///path/file.db or redis://host:port/db.
	URL string
	// RedisPrefix prefixes every Redis key, so installations can share a server.
	RedisPrefix string
}

// Security holds credentials and network policy.
type Security struct {
	// AdminToken is the bearer token of the admin API. Empty means "generate
	// one at first start and keep it in DataDir/admin-token".
	AdminToken string `json:"-"`
	// KEKFile is the key-encryption key file (mode 0600).
	KEKFile string
	// AllowLoopback lets outbound fetches reach loopback addresses.
	AllowLoopback bool
}

// Issuer configures the issuer identity made on first start.
type Issuer struct {
	// Name of the default issuer profile.
	Name string
	// KeyAlg is the algorithm of generated issuer keys: EdDSA or ES256.
	KeyAlg string
	// DIDMethod picks the issuer DID placed in credentials: auto, web or key.
	DIDMethod string
	// BadgePages serves a public page per issued credential (/badges/{id}).
	BadgePages bool
}

// DID configures DID resolution.
type DID struct {
	// CacheTTL is how long resolved DID documents are kept.
	CacheTTL time.Duration
	// ResolvePerMinute is how many resolutions one client IP may ask of
	// GET /1.0/identifiers/{did} per minute; 0 means no limit.
	ResolvePerMinute int64
}

// Contexts configures the JSON-LD context and schema loader.
type Contexts struct {
	// Dir is an offline directory of context files with index.json.
	Dir string
	// Offline forbids fetching contexts over the network.
	Offline bool
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string
	// Format is text or json.
	Format string
}

// AdminTokenFile is where a generated admin token is kept.
func (c Config) AdminTokenFile() string { return filepath.Join(c.Store.DataDir, "admin-token") }

// LoopbackAllowed reports whether outbound fetches may reach loopback
// addresses: when configured, or when the public URL itself is on loopback
// (development and tests).
func (c Config) LoopbackAllowed() bool {
	return c.Security.AllowLoopback || IsLoopbackURL(c.HTTP.PublicURL)
}

// IsLoopbackURL reports whether u's host is localhost or a loopback IP.
func IsLoopbackURL(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	return IsLoopbackHost(pu.Hostname())
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LogValue renders the effective configuration without secrets.
func (c Config) LogValue() slog.Value {
	token := "generated"
	if c.Security.AdminToken != "" {
		token = "set"
	}
	return slog.GroupValue(
		slog.String("addr", c.HTTP.Addr),
		slog.String("public_url", c.HTTP.PublicURL),
		slog.String("data_dir", c.Store.DataDir),
		slog.String("store", redactURL(c.Store.URL)),
		slog.String("admin_token", token),
		slog.String("metrics_addr", c.HTTP.MetricsAddr),
		slog.Bool("metrics_token", c.HTTP.MetricsToken != ""),
		slog.String("kek_file", c.Security.KEKFile),
		slog.Bool("allow_loopback", c.LoopbackAllowed()),
		slog.String("issuer_key_alg", c.Issuer.KeyAlg),
		slog.String("issuer_did_method", c.Issuer.DIDMethod),
		slog.String("contexts_dir", c.Contexts.Dir),
		slog.Bool("offline", c.Contexts.Offline),
	)
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("redacted")
	return u.String()
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting, fmt.Sprintf(format, args...)))
	}
	if _, port, err := net.SplitHostPort(c.HTTP.Addr); err != nil || port == "" {
		bad("ACCOLADE_ADDR", "%q is not host:port", c.HTTP.Addr)
	}
	if pu, err := url.Parse(c.HTTP.PublicURL); err != nil || !pu.IsAbs() || pu.Host == "" {
		bad("ACCOLADE_PUBLIC_URL", "%q is not an absolute URL", c.HTTP.PublicURL)
	} else {
		switch {
		case pu.Scheme != "http" && pu.Scheme != "https":
			bad("ACCOLADE_PUBLIC_URL", "scheme %q: want https (or http on loopback)", pu.Scheme)
		case pu.Scheme == "http" && !IsLoopbackHost(pu.Hostname()):
			bad("ACCOLADE_PUBLIC_URL", "%q: http is only allowed on loopback; did:web and wallets need https", c.HTTP.PublicURL)
		case pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil:
			bad("ACCOLADE_PUBLIC_URL", "%q: no query, fragment or user info allowed", c.HTTP.PublicURL)
		}
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		bad("ACCOLADE_SHUTDOWN_TIMEOUT", "must be positive")
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		bad("ACCOLADE_MAX_BODY_BYTES", "must be at least 1024")
	}
	if c.HTTP.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.HTTP.MetricsAddr); err != nil || port == "" {
			bad("ACCOLADE_METRICS_ADDR", "%q is not host:port", c.HTTP.MetricsAddr)
		} else if c.HTTP.MetricsAddr == c.HTTP.Addr {
			bad("ACCOLADE_METRICS_ADDR", "must differ from ACCOLADE_ADDR (leave it empty to serve /metrics there)")
		}
	}
	if t := c.HTTP.MetricsToken; t != "" && len(t) < 16 {
		bad("ACCOLADE_METRICS_TOKEN", "must have at least 16 characters")
	}
	if c.Store.DataDir == "" {
		bad("ACCOLADE_DATA_DIR", "must not be empty")
	}
	if su, err := url.Parse(c.Store.URL); err != nil {
		bad("ACCOLADE_STORE", "%q is not a URL", redactURL(c.Store.URL))
	} else {
		switch su.Scheme {
		case "bolt":
			if strings.TrimPrefix(c.Store.URL, "bolt://") == "" {
				bad("ACCOLADE_STORE", "bolt URL needs a file path")
			}
		case "redis", "rediss", "redis+sentinel", "redis+cluster":
		default:
			bad("ACCOLADE_STORE", "scheme %q: want bolt:// or redis://", su.Scheme)
		}
	}
	if p := c.Store.RedisPrefix; p == "" || strings.ContainsAny(p, ":{} ") {
		bad("ACCOLADE_REDIS_PREFIX", "%q: want letters, digits, '-', '_' or '.'", p)
	}
	if t := c.Security.AdminToken; t != "" && len(t) < 16 {
		bad("ACCOLADE_ADMIN_TOKEN", "must be at least 16 characters")
	}
	if c.Security.KEKFile == "" {
		bad("ACCOLADE_KEK_FILE", "must not be empty")
	}
	switch c.Issuer.KeyAlg {
	case "EdDSA", "ES256":
	default:
		bad("ACCOLADE_KEY_ALG", "%q: want EdDSA or ES256", c.Issuer.KeyAlg)
	}
	switch c.Issuer.DIDMethod {
	case "auto", "web", "key":
	default:
		bad("ACCOLADE_ISSUER_DID_METHOD", "%q: want auto, web or key", c.Issuer.DIDMethod)
	}
	if strings.TrimSpace(c.Issuer.Name) == "" {
		bad("ACCOLADE_ISSUER_NAME", "must not be empty")
	}
	if c.DID.CacheTTL <= 0 {
		bad("ACCOLADE_DID_CACHE_TTL", "must be positive")
	}
	if c.DID.ResolvePerMinute < 0 {
		bad("ACCOLADE_DID_RESOLVE_PER_MINUTE", "must not be negative (0: no limit)")
	}
	if n := c.Status.ListSize; n < 131072 || n%8 != 0 || n > 1<<27 {
		bad("ACCOLADE_STATUS_LIST_SIZE", "%d: want a multiple of 8 from 131072 (the Bitstring Status List minimum) to %d", n, 1<<27)
	}
	if n := c.Status.IndexBlock; n < 1 || n > 1024 {
		bad("ACCOLADE_STATUS_INDEX_BLOCK", "%d: want 1 to 1024", n)
	}
	if c.Status.TTL < time.Second || c.Status.TTL > 24*time.Hour {
		bad("ACCOLADE_STATUS_TTL", "must be between 1s and 24h")
	}
	switch c.Status.Purpose {
	case "revocation", "suspension":
	default:
		bad("ACCOLADE_STATUS_PURPOSE", "%q: want revocation or suspension", c.Status.Purpose)
	}
	switch c.Status.VCAPI {
	case "", "revocation", "suspension":
	default:
		bad("ACCOLADE_VCAPI_STATUS", "%q: want revocation, suspension or empty", c.Status.VCAPI)
	}
	switch c.Proof.Canonicalizer {
	case "fast", "json-gold":
	default:
		bad("ACCOLADE_CANONICALIZER", "%q: want fast or json-gold", c.Proof.Canonicalizer)
	}
	if c.Verify.ClockSkew < 0 || c.Verify.ClockSkew > time.Hour {
		bad("ACCOLADE_CLOCK_SKEW", "must be between 0 and 1h")
	}
	switch c.Verify.BearerCredentials {
	case "ob-recipients", "accept", "reject":
	default:
		bad("ACCOLADE_BEARER_CREDENTIALS", "%q: want ob-recipients, accept or reject", c.Verify.BearerCredentials)
	}
	if d := c.OID4VCI.OfferTTL; d < time.Minute || d > 30*24*time.Hour {
		bad("ACCOLADE_OFFER_TTL", "must be between 1m and 720h")
	}
	if d := c.OID4VCI.AccessTokenTTL; d < 30*time.Second || d > 24*time.Hour {
		bad("ACCOLADE_OID4VCI_TOKEN_TTL", "must be between 30s and 24h")
	}
	if d := c.OID4VCI.NonceTTL; d < 10*time.Second || d > time.Hour {
		bad("ACCOLADE_OID4VCI_NONCE_TTL", "must be between 10s and 1h")
	}
	if n := c.OID4VCI.BatchSize; n < 2 || n > 100 {
		bad("ACCOLADE_OID4VCI_BATCH_SIZE", "%d: want 2 to 100", n)
	}
	for _, d := range filepath.SplitList(c.Contexts.Dir) {
		if st, err := os.Stat(d); d != "" && (err != nil || !st.IsDir()) {
			bad("ACCOLADE_CONTEXTS_DIR", "%q is not a readable directory", d)
		}
	}
	if d := c.Wallet.SessionTTL; d < time.Minute || d > 30*24*time.Hour {
		bad("ACCOLADE_WALLET_SESSION_TTL", "must be between 1m and 720h")
	}
	if d := c.Wallet.PresentationTTL; d < 10*time.Second || d > 24*time.Hour {
		bad("ACCOLADE_WALLET_PRESENTATION_TTL", "must be between 10s and 24h")
	}
	if n := c.Wallet.SignInPerEmail; n < 0 || n > 10000 {
		bad("ACCOLADE_WALLET_SIGNIN_PER_EMAIL", "%d: want 0 (no limit) to 10000", n)
	}
	if n := c.Wallet.SignInPerIP; n < 0 || n > 100000 {
		bad("ACCOLADE_WALLET_SIGNIN_PER_IP", "%d: want 0 (no limit) to 100000", n)
	}
	if d := c.Wallet.SignInWindow; d < time.Second || d > 24*time.Hour {
		bad("ACCOLADE_WALLET_SIGNIN_WINDOW", "must be between 1s and 24h")
	}
	if u := c.Wallet.Server; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			bad("ACCOLADE_WALLET_SERVER", "%q is not an http(s) URL", u)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("ACCOLADE_LOG_LEVEL", "%q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("ACCOLADE_LOG_FORMAT", "%q: want text or json", c.Log.Format)
	}
	return errors.Join(errs...)
}

// SlogLevel returns the configured log level.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
