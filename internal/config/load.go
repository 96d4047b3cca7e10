package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// setting declares one configuration setting, once.
type setting struct {
	flag    string
	env     string
	def     string // default as text; "" with derived != "" means derived
	derived string // how an empty default is derived, for --help
	usage   string
	secret  bool
	set     func(c *Config, v string) error
}

func str(f func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *f(c) = v; return nil }
}

func boolean(f func(c *Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", v)
		}
		*f(c) = b
		return nil
	}
}

func duration(f func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration (e.g. 30s, 5m)", v)
		}
		*f(c) = d
		return nil
	}
}

func integer(f func(c *Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
		*f(c) = n
		return nil
	}
}

// settings is the one table of every setting.
var settings = []setting{
	{flag: "addr", env: "ACCOLADE_ADDR", derived: "127.0.0.1:8080, or 127.0.0.1:PORT of a loopback --public-url", usage: "listen address (host:port)",
		set: str(func(c *Config) *string { return &c.HTTP.Addr })},
	{flag: "public-url", env: "ACCOLADE_PUBLIC_URL", derived: "http://localhost:PORT of --addr", usage: "public base URL; names the did:web and URLs in credentials (https unless loopback)",
		set: str(func(c *Config) *string { return &c.HTTP.PublicURL })},
	{flag: "data-dir", env: "ACCOLADE_DATA_DIR", def: "./data", usage: "data directory: embedded database, key-encryption key, admin token",
		set: str(func(c *Config) *string { return &c.Store.DataDir })},
	{flag: "store", env: "ACCOLADE_STORE", derived: "bolt://DATA_DIR/accolade.db", usage: "storage URL: bolt:///path/file.db or redis://host:6379/0",
		set: str(func(c *Config) *string { return &c.Store.URL })},
	{flag: "redis-prefix", env: "ACCOLADE_REDIS_PREFIX", def: "accolade", usage: "prefix of every key in a redis:// store",
		set: str(func(c *Config) *string { return &c.Store.RedisPrefix })},
	{flag: "admin-token", env: "ACCOLADE_ADMIN_TOKEN", derived: "generated into DATA_DIR/admin-token", secret: true, usage: "admin API bearer token (16+ characters)",
		set: str(func(c *Config) *string { return &c.Security.AdminToken })},
	{flag: "kek-file", env: "ACCOLADE_KEK_FILE", derived: "DATA_DIR/kek", usage: "key-encryption key file (created with mode 0600)",
		set: str(func(c *Config) *string { return &c.Security.KEKFile })},
	{flag: "allow-loopback", env: "ACCOLADE_ALLOW_LOOPBACK", def: "false", usage: "let outbound fetches (did:web, status lists, contexts) reach loopback; implied when the public URL is on loopback",
		set: boolean(func(c *Config) *bool { return &c.Security.AllowLoopback })},
	{flag: "badge-pages", env: "ACCOLADE_BADGE_PAGES", def: "true", usage: "serve a public page per issued credential at /badges/{id} (live verification, LinkedIn links, downloads); false turns them off",
		set: boolean(func(c *Config) *bool { return &c.Issuer.BadgePages })},
	{flag: "issuer-name", env: "ACCOLADE_ISSUER_NAME", def: "Accolade Issuer", usage: "name of the default issuer profile made on first start",
		set: str(func(c *Config) *string { return &c.Issuer.Name })},
	{flag: "key-alg", env: "ACCOLADE_KEY_ALG", def: "EdDSA", usage: "algorithm of generated issuer keys: EdDSA (Ed25519) or ES256 (P-256)",
		set: str(func(c *Config) *string { return &c.Issuer.KeyAlg })},
	{flag: "issuer-did-method", env: "ACCOLADE_ISSUER_DID_METHOD", def: "auto", usage: "issuer DID in credentials: web, key, or auto (web for an https public URL, else key)",
		set: str(func(c *Config) *string { return &c.Issuer.DIDMethod })},
	{flag: "did-cache-ttl", env: "ACCOLADE_DID_CACHE_TTL", def: "5m", usage: "how long resolved DID documents are cached",
		set: duration(func(c *Config) *time.Duration { return &c.DID.CacheTTL })},
	{flag: "did-resolve-per-minute", env: "ACCOLADE_DID_RESOLVE_PER_MINUTE", def: "60", usage: "DID resolutions (GET /1.0/identifiers) allowed per client IP and minute (0: no limit, e.g. behind a proxy)",
		set: integer(func(c *Config) *int64 { return &c.DID.ResolvePerMinute })},
	{flag: "contexts-dir", env: "ACCOLADE_CONTEXTS_DIR", def: "", usage: "offline directories of JSON-LD contexts and JSON Schemas, separated by ':' (files are matched by digest, not name)",
		set: str(func(c *Config) *string { return &c.Contexts.Dir })},
	{flag: "offline", env: "ACCOLADE_OFFLINE", def: "false", usage: "never fetch contexts, schemas or achievement images over the network (badge pages then draw the image)",
		set: boolean(func(c *Config) *bool { return &c.Contexts.Offline })},
	{flag: "status-list-size", env: "ACCOLADE_STATUS_LIST_SIZE", def: "131072", usage: "entries per status list (Bitstring Status List minimum 131072)",
		set: integer(func(c *Config) *int64 { return &c.Status.ListSize })},
	{flag: "status-index-block", env: "ACCOLADE_STATUS_INDEX_BLOCK", def: "16", usage: "status indexes a node reserves in the store at once (1-1024); those not used when the node stops stay unused, none is reused",
		set: integer(func(c *Config) *int64 { return &c.Status.IndexBlock })},
	{flag: "status-ttl", env: "ACCOLADE_STATUS_TTL", def: "5m", usage: "ttl of status list credentials: HTTP cache lifetime and verifier cache lifetime",
		set: duration(func(c *Config) *time.Duration { return &c.Status.TTL })},
	{flag: "status-purpose", env: "ACCOLADE_STATUS_PURPOSE", def: "revocation", usage: "default status purpose of new credentials: revocation or suspension",
		set: str(func(c *Config) *string { return &c.Status.Purpose })},
	{flag: "vcapi-status", env: "ACCOLADE_VCAPI_STATUS", def: "", usage: "status purpose (revocation or suspension) of the BitstringStatusListEntry every VC-API issue gets unless options.credentialStatus names one; empty adds entries only when asked",
		set: str(func(c *Config) *string { return &c.Status.VCAPI })},
	{flag: "canonicalizer", env: "ACCOLADE_CANONICALIZER", def: "fast", usage: "RDFC-1.0 implementation for eddsa-rdfc-2022: fast (Accolade's own) or json-gold (the reference)",
		set: str(func(c *Config) *string { return &c.Proof.Canonicalizer })},
	{flag: "clock-skew", env: "ACCOLADE_CLOCK_SKEW", def: "2m", usage: "leeway when checking validity dates and token times",
		set: duration(func(c *Config) *time.Duration { return &c.Verify.ClockSkew })},
	{flag: "bearer-credentials", env: "ACCOLADE_BEARER_CREDENTIALS", def: "ob-recipients", usage: "presented bearer credentials (subject names no DID, holder binding not applicable): ob-recipients accepts Open Badges awarded to an IdentityObject (email) with a warning, accept takes all with a warning, reject fails them",
		set: str(func(c *Config) *string { return &c.Verify.BearerCredentials })},
	{flag: "offer-ttl", env: "ACCOLADE_OFFER_TTL", def: "24h", usage: "how long an OpenID4VCI credential offer and its codes stay redeemable",
		set: duration(func(c *Config) *time.Duration { return &c.OID4VCI.OfferTTL })},
	{flag: "oid4vci-token-ttl", env: "ACCOLADE_OID4VCI_TOKEN_TTL", def: "10m", usage: "lifetime of OpenID4VCI access tokens",
		set: duration(func(c *Config) *time.Duration { return &c.OID4VCI.AccessTokenTTL })},
	{flag: "oid4vci-nonce-ttl", env: "ACCOLADE_OID4VCI_NONCE_TTL", def: "5m", usage: "freshness window of an OpenID4VCI c_nonce",
		set: duration(func(c *Config) *time.Duration { return &c.OID4VCI.NonceTTL })},
	{flag: "oid4vci-batch-size", env: "ACCOLADE_OID4VCI_BATCH_SIZE", def: "10", usage: "most key proofs (credentials) per OpenID4VCI credential request (batch_size, 2-100)",
		set: integer(func(c *Config) *int64 { return &c.OID4VCI.BatchSize })},
	{flag: "mail-dir", env: "ACCOLADE_MAIL_DIR", def: "", usage: "development mail drop: write one-time code mails (authorization code flow) and wallet sign-up links as files here (default DATA_DIR/mail)",
		set: str(func(c *Config) *string { return &c.OID4VCI.MailDir })},
	{flag: "shutdown-timeout", env: "ACCOLADE_SHUTDOWN_TIMEOUT", def: "15s", usage: "graceful shutdown drain time on SIGTERM",
		set: duration(func(c *Config) *time.Duration { return &c.HTTP.ShutdownTimeout })},
	{flag: "max-body-bytes", env: "ACCOLADE_MAX_BODY_BYTES", def: "1048576", usage: "largest accepted request body",
		set: integer(func(c *Config) *int64 { return &c.HTTP.MaxBodyBytes })},
	{flag: "metrics-addr", env: "ACCOLADE_METRICS_ADDR", def: "", usage: "serve /metrics on this listen address (host:port) of its own, e.g. 127.0.0.1:9090, and not on --addr; empty: on --addr",
		set: str(func(c *Config) *string { return &c.HTTP.MetricsAddr })},
	{flag: "metrics-token", env: "ACCOLADE_METRICS_TOKEN", def: "", secret: true, usage: "bearer token /metrics requires (16+ characters); empty: none",
		set: str(func(c *Config) *string { return &c.HTTP.MetricsToken })},
	{flag: "wallet-session-ttl", env: "ACCOLADE_WALLET_SESSION_TTL", def: "12h", usage: "how long a wallet holder's sign-in lasts",
		set: duration(func(c *Config) *time.Duration { return &c.Wallet.SessionTTL })},
	{flag: "wallet-presentation-ttl", env: "ACCOLADE_WALLET_PRESENTATION_TTL", def: "10m", usage: "how long a presentation the wallet signs stays valid (VP-JWT exp, proof expires)",
		set: duration(func(c *Config) *time.Duration { return &c.Wallet.PresentationTTL })},
	{flag: "wallet-signin-per-email", env: "ACCOLADE_WALLET_SIGNIN_PER_EMAIL", def: "5", usage: "wallet sign-in attempts allowed per email address and window (0: no limit)",
		set: integer(func(c *Config) *int64 { return &c.Wallet.SignInPerEmail })},
	{flag: "wallet-signin-per-ip", env: "ACCOLADE_WALLET_SIGNIN_PER_IP", def: "20", usage: "wallet sign-up and sign-in attempts allowed per client IP and window (0: no limit, e.g. behind a proxy)",
		set: integer(func(c *Config) *int64 { return &c.Wallet.SignInPerIP })},
	{flag: "wallet-signin-window", env: "ACCOLADE_WALLET_SIGNIN_WINDOW", def: "1m", usage: "window of the wallet sign-in limits",
		set: duration(func(c *Config) *time.Duration { return &c.Wallet.SignInWindow })},
	{flag: "wallet-verifier-attesters", env: "ACCOLADE_WALLET_VERIFIER_ATTESTERS", def: "", usage: "JSON file mapping trusted OpenID4VP Verifier Attestation issuers (iss) to their public JWK; empty: verifier_attestation: requests are refused",
		set: str(func(c *Config) *string { return &c.Wallet.VerifierAttesters })},
	{flag: "server", env: "ACCOLADE_WALLET_SERVER", derived: "the public URL", usage: "accolade wallet: base URL of the server to talk to",
		set: str(func(c *Config) *string { return &c.Wallet.Server })},
	{flag: "token", env: "ACCOLADE_WALLET_TOKEN", derived: "read from --token-file", secret: true, usage: "accolade wallet: session token (from accolade wallet signin)",
		set: str(func(c *Config) *string { return &c.Wallet.Token })},
	{flag: "token-file", env: "ACCOLADE_WALLET_TOKEN_FILE", derived: "USER_CONFIG_DIR/accolade/wallet-token", usage: "accolade wallet: file keeping the session token (mode 0600)",
		set: str(func(c *Config) *string { return &c.Wallet.TokenFile })},
	{flag: "log-level", env: "ACCOLADE_LOG_LEVEL", def: "info", usage: "debug, info, warn or error",
		set: str(func(c *Config) *string { return &c.Log.Level })},
	{flag: "log-format", env: "ACCOLADE_LOG_FORMAT", def: "text", usage: "text or json",
		set: str(func(c *Config) *string { return &c.Log.Format })},
}

// Default returns the configuration with every default applied.
func Default() Config {
	c, _ := Load(nil, func(string) string { return "" })
	return c
}

// Load builds the configuration from command-line args (flags only, no
// positional arguments) and getenv, then validates it. It returns
// flag.ErrHelp for -h/--help. Every problem is reported at once.
func Load(args []string, getenv func(string) string) (Config, error) {
	return LoadWithFlags(args, getenv, nil)
}

// LoadWithFlags is Load for a command that has flags of its own besides the
// settings: register adds them to the flag set before parsing.
func LoadWithFlags(args []string, getenv func(string) string, register func(fs *flag.FlagSet)) (Config, error) {
	return LoadCommand(args, getenv, register, ArgsRule{})
}

// ArgsRule says how many positional arguments a command takes after its
// flags; they land in Config.Args. Names, when given, name each argument
// (FILE, LIST) so that a missing one is reported by name.
type ArgsRule struct {
	Min, Max int
	Names    []string
}

// Settings names, by flag, the settings a command takes as flags and lists
// in its help. Every setting still applies through its environment variable.
type Settings []string

// Command describes a command's flags and arguments for LoadFor.
type Command struct {
	// Settings are the settings taken as flags; nil means all of them.
	Settings Settings
	// Register adds the command's own flags.
	Register func(fs *flag.FlagSet)
	// Args are the positional arguments.
	Args ArgsRule
}

// LoadCommand is LoadWithFlags for a command that also takes positional
// arguments. Flags may come before or after them.
func LoadCommand(args []string, getenv func(string) string, register func(fs *flag.FlagSet), rule ArgsRule) (Config, error) {
	return LoadFor(args, getenv, Command{Register: register, Args: rule})
}

// LoadFor builds the configuration of a command: every setting from the
// environment and defaults, the command's settings and own flags from args.
func LoadFor(args []string, getenv func(string) string, cmd Command) (Config, error) {
	register, rule := cmd.Register, cmd.Args
	var c Config
	for _, s := range settings {
		if s.def != "" {
			_ = s.set(&c, s.def)
		}
	}
	var errs []error
	for _, s := range settings {
		if v, ok := lookup(getenv, s.env); ok {
			if err := s.set(&c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
			}
		}
	}
	fs := FlagSet("serve", io.Discard)
	flagErrs := map[string]error{}
	for _, s := range settings {
		if !cmd.Settings.has(s.flag) {
			continue
		}
		set := func(v string) error {
			if err := s.set(&c, v); err != nil {
				flagErrs[s.flag] = err
			}
			return nil
		}
		if s.def == "true" || s.def == "false" {
			// Boolean settings work as plain switches: --offline, --offline=false.
			fs.BoolFunc(s.flag, s.usage, set)
		} else {
			fs.Func(s.flag, s.usage, set)
		}
	}
	if register != nil {
		register(fs)
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		errs = append(errs, err)
	} else if len(positional) < rule.Min || len(positional) > rule.Max {
		if len(positional) > rule.Max {
			errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(positional, " ")))
		} else {
			errs = append(errs, missingArgs(rule, len(positional)))
		}
	}
	c.Args = positional
	for _, s := range settings {
		if err, ok := flagErrs[s.flag]; ok {
			errs = append(errs, fmt.Errorf("--%s: %w", s.flag, err))
		}
	}
	c.derive()
	if c.Wallet.TokenFile == "" {
		if dir := userConfigDir(getenv); dir != "" {
			c.Wallet.TokenFile = filepath.Join(dir, "accolade", "wallet-token")
		}
	}
	if len(errs) > 0 {
		return c, errors.Join(append(errs, c.Validate())...)
	}
	return c, c.Validate()
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// derive fills the settings whose defaults depend on others.
func (c *Config) derive() {
	if c.HTTP.Addr == "" {
		// One setting picks the port: a public URL on loopback with a port
		// names where to listen too.
		c.HTTP.Addr = "127.0.0.1:8080"
		if u, err := url.Parse(c.HTTP.PublicURL); err == nil && u.Port() != "" && IsLoopbackHost(u.Hostname()) {
			c.HTTP.Addr = net.JoinHostPort("127.0.0.1", u.Port())
		}
	}
	if c.HTTP.PublicURL == "" {
		port := "8080"
		if _, p, err := net.SplitHostPort(c.HTTP.Addr); err == nil && p != "" {
			port = p
		}
		c.HTTP.PublicURL = "http://localhost:" + port
	}
	c.HTTP.PublicURL = strings.TrimSuffix(c.HTTP.PublicURL, "/")
	if c.Store.URL == "" && c.Store.DataDir != "" {
		c.Store.URL = "bolt://" + filepath.ToSlash(filepath.Join(c.Store.DataDir, "accolade.db"))
	}
	if c.Security.KEKFile == "" && c.Store.DataDir != "" {
		c.Security.KEKFile = filepath.Join(c.Store.DataDir, "kek")
	}
	// Until a mail transport is configured, mail goes to the mail drop in
	// the data directory, so a new user can read sign-up links and codes.
	if c.OID4VCI.MailDir == "" && c.Store.DataDir != "" {
		c.OID4VCI.MailDir = filepath.Join(c.Store.DataDir, "mail")
	}
}

// FlagSet returns an empty flag set for a subcommand, writing errors to out.
func FlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {}
	return fs
}

// missingArgs says which positional arguments are missing, by name when
// the rule names them.
func missingArgs(rule ArgsRule, got int) error {
	if got < len(rule.Names) {
		missing := rule.Names[got:min(rule.Min, len(rule.Names))]
		return fmt.Errorf("missing argument %s", strings.Join(missing, " "))
	}
	return fmt.Errorf("want %d argument(s), got %d", rule.Min, got)
}

// has reports whether the settings include the one of flag name; nil holds
// every setting.
func (ss Settings) has(name string) bool {
	if ss == nil {
		return true
	}
	for _, s := range ss {
		if s == name {
			return true
		}
	}
	return false
}

// Usage writes the table of every setting: flag, environment name, default
// and meaning.
func Usage(w io.Writer) { UsageOf(w, nil) }

// UsageOf writes the table of the given settings (nil: all), in the order
// of the one table of settings.
func UsageOf(w io.Writer, only Settings) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	for _, s := range settings {
		if !only.has(s.flag) {
			continue
		}
		def := s.def
		if def == "" {
			def = s.derived
		}
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(tw, "  --%s\t%s\t%s\t%s\n", s.flag, s.env, def, s.usage)
	}
	_ = tw.Flush()
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("verify FILE --json"); "--" ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// userConfigDir is os.UserConfigDir reading the environment through getenv:
// $XDG_CONFIG_HOME or $HOME/.config on Unix, $HOME/Library/Application
// Support on macOS, %AppData% on Windows; "" when unknown.
func userConfigDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("AppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support")
		}
		return ""
	}
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config")
	}
	return ""
}

// Names returns the flag names of every setting, in table order.
func Names() []string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.flag
	}
	return names
}
