package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
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
	{flag: "addr", env: "ACCOLADE_ADDR", def: "127.0.0.1:8080", usage: "listen address (host:port)",
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
	{flag: "issuer-name", env: "ACCOLADE_ISSUER_NAME", def: "Accolade Issuer", usage: "name of the default issuer profile made on first start",
		set: str(func(c *Config) *string { return &c.Issuer.Name })},
	{flag: "key-alg", env: "ACCOLADE_KEY_ALG", def: "EdDSA", usage: "algorithm of generated issuer keys: EdDSA (Ed25519) or ES256 (P-256)",
		set: str(func(c *Config) *string { return &c.Issuer.KeyAlg })},
	{flag: "issuer-did-method", env: "ACCOLADE_ISSUER_DID_METHOD", def: "auto", usage: "issuer DID in credentials: web, key, or auto (web for an https public URL, else key)",
		set: str(func(c *Config) *string { return &c.Issuer.DIDMethod })},
	{flag: "did-cache-ttl", env: "ACCOLADE_DID_CACHE_TTL", def: "5m", usage: "how long resolved DID documents are cached",
		set: duration(func(c *Config) *time.Duration { return &c.DID.CacheTTL })},
	{flag: "contexts-dir", env: "ACCOLADE_CONTEXTS_DIR", def: "", usage: "offline directories of JSON-LD contexts and JSON Schemas, separated by ':' (files are matched by digest, not name)",
		set: str(func(c *Config) *string { return &c.Contexts.Dir })},
	{flag: "offline", env: "ACCOLADE_OFFLINE", def: "false", usage: "never fetch contexts or schemas over the network",
		set: boolean(func(c *Config) *bool { return &c.Contexts.Offline })},
	{flag: "status-list-size", env: "ACCOLADE_STATUS_LIST_SIZE", def: "131072", usage: "entries per status list (Bitstring Status List minimum 131072)",
		set: integer(func(c *Config) *int64 { return &c.Status.ListSize })},
	{flag: "status-ttl", env: "ACCOLADE_STATUS_TTL", def: "5m", usage: "ttl of status list credentials: HTTP cache lifetime and verifier cache lifetime",
		set: duration(func(c *Config) *time.Duration { return &c.Status.TTL })},
	{flag: "status-purpose", env: "ACCOLADE_STATUS_PURPOSE", def: "revocation", usage: "default status purpose of new credentials: revocation or suspension",
		set: str(func(c *Config) *string { return &c.Status.Purpose })},
	{flag: "clock-skew", env: "ACCOLADE_CLOCK_SKEW", def: "2m", usage: "leeway when checking validity dates and token times",
		set: duration(func(c *Config) *time.Duration { return &c.Verify.ClockSkew })},
	{flag: "shutdown-timeout", env: "ACCOLADE_SHUTDOWN_TIMEOUT", def: "15s", usage: "graceful shutdown drain time on SIGTERM",
		set: duration(func(c *Config) *time.Duration { return &c.HTTP.ShutdownTimeout })},
	{flag: "max-body-bytes", env: "ACCOLADE_MAX_BODY_BYTES", def: "1048576", usage: "largest accepted request body",
		set: integer(func(c *Config) *int64 { return &c.HTTP.MaxBodyBytes })},
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
// flags; they land in Config.Args.
type ArgsRule struct{ Min, Max int }

// LoadCommand is LoadWithFlags for a command that also takes positional
// arguments. Flags may come before or after them.
func LoadCommand(args []string, getenv func(string) string, register func(fs *flag.FlagSet), rule ArgsRule) (Config, error) {
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
		fs.Func(s.flag, s.usage, func(v string) error {
			if err := s.set(&c, v); err != nil {
				flagErrs[s.flag] = err
			}
			return nil
		})
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
			errs = append(errs, fmt.Errorf("want %d argument(s), got %d", rule.Min, len(positional)))
		}
	}
	c.Args = positional
	for _, s := range settings {
		if err, ok := flagErrs[s.flag]; ok {
			errs = append(errs, fmt.Errorf("--%s: %w", s.flag, err))
		}
	}
	c.derive()
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
}

// FlagSet returns an empty flag set for a subcommand, writing errors to out.
func FlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {}
	return fs
}

// Usage writes the table of every setting: flag, environment name, default
// and meaning.
func Usage(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAG\tENVIRONMENT\tDEFAULT\tMEANING")
	for _, s := range settings {
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
