package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/internal/httpguard"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/status"
	"github.com/accolade-badges/accolade/store"
	"github.com/accolade-badges/accolade/store/bolt"
	"github.com/accolade-badges/accolade/store/redis"
	"github.com/accolade-badges/accolade/verifier"
	"github.com/accolade-badges/accolade/wallet"
)

// loadConfig parses settings flags and environment for a command, printing
// usage for --help. opts are the command's own flags (a
// func(*flag.FlagSet)), its positional arguments (config.ArgsRule) and the
// settings it takes as flags (config.Settings; without one, every setting).
// ok is false when the command should exit with code.
func loadConfig(env *environment, name, synopsis string, args []string, opts ...any) (cfg config.Config, code int, ok bool) {
	var cmd config.Command
	for _, o := range opts {
		switch o := o.(type) {
		case func(*flag.FlagSet):
			cmd.Register = o
		case config.ArgsRule:
			cmd.Args = o
		case config.Settings:
			cmd.Settings = o
		}
	}
	if cmd.Args.Names == nil {
		cmd.Args.Names = argNames(name)
	}
	cfg, err := config.LoadFor(args, env.getenv, cmd)
	name = withFlags(name, cmd)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(env.stdout, name, synopsis, cmd)
		return cfg, 0, false
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade %s:\n", commandName(name))
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(env.stderr, "  - %s\n", line)
		}
		fmt.Fprintf(env.stderr, "Usage: accolade %s (see accolade %s --help)\n", name, commandName(name))
		return cfg, 2, false
	}
	return cfg, 0, true
}

// commandName is the command words of a usage line: "verify" of
// "verify [flags] FILE|-".
func commandName(usage string) string {
	var words []string
	for _, w := range strings.Fields(usage) {
		if strings.HasPrefix(w, "[") || strings.HasPrefix(w, "-") || strings.ToUpper(w) == w {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// withFlags adds "[flags]" after the command words of a usage line that
// does not show it, when the command has flags.
func withFlags(usage string, cmd config.Command) string {
	if strings.Contains(usage, "[flags]") || (cmd.Register == nil && cmd.Settings != nil && len(cmd.Settings) == 0) {
		return usage
	}
	words := commandName(usage)
	return strings.TrimSpace(words + " [flags] " + strings.TrimSpace(strings.TrimPrefix(usage, words)))
}

// argNames are the positional arguments of a usage line, in order: FILE|-
// of "verify [flags] FILE|-". Bracketed parts and the values of flags are
// not arguments.
func argNames(usage string) []string {
	var names []string
	depth := 0
	prevFlag := false
	for _, w := range strings.Fields(usage) {
		opening := strings.Count(w, "[")
		depth += opening - strings.Count(w, "]")
		isFlag := strings.HasPrefix(w, "-")
		if depth == 0 && opening == 0 && !strings.HasSuffix(w, "]") && !isFlag && !prevFlag && w == strings.ToUpper(w) {
			names = append(names, w)
		}
		prevFlag = isFlag && !strings.Contains(w, "=")
	}
	return names
}

// printUsage writes a command's help: its usage line, synopsis, own flags,
// then the settings it takes as flags.
func printUsage(w io.Writer, name, synopsis string, cmd config.Command) {
	fmt.Fprintf(w, "Usage: accolade %s\n\n%s\n", name, synopsis)
	if cmd.Register != nil {
		fs := config.FlagSet(name, io.Discard)
		cmd.Register(fs)
		fmt.Fprintln(w, "\nFlags:")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fs.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			if arg != "" {
				arg = " " + arg
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				usage += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, arg, usage)
		})
		_ = tw.Flush()
	}
	if cmd.Settings == nil || len(cmd.Settings) > 0 {
		fmt.Fprintln(w, "\nSettings (flag, environment variable, default):")
		config.UsageOf(w, cmd.Settings)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}
	var h slog.Handler
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(logctx.NewHandler(h))
}

// openStore picks the storage implementation by the URL's scheme.
func openStore(cfg config.Config) (store.Store, error) {
	switch {
	case strings.HasPrefix(cfg.Store.URL, "bolt://"):
		path, err := bolt.ParseURL(cfg.Store.URL)
		if err != nil {
			return nil, err
		}
		db, err := bolt.Open(path, bolt.Options{})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", cfg.Store.URL, err)
		}
		return db, nil
	case strings.HasPrefix(cfg.Store.URL, "redis"):
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := redis.Open(ctx, cfg.Store.URL, redis.Options{Prefix: cfg.Store.RedisPrefix})
		if err != nil {
			return nil, fmt.Errorf("open redis store: %w", err)
		}
		return db, nil
	}
	return nil, fmt.Errorf("store: unsupported scheme (want bolt:// or redis://)")
}

// app is the wired service graph shared by serve and the CLI commands that
// work on a data directory.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	store    store.Store
	kek      *keys.KEK
	identity *issuer.Identity
	resolver did.Resolver
	contexts *ldcontext.Loader
	issuer   *issuer.Service
	oid4vci  *issuer.OID4VCI
	verifier *verifier.Verifier
	wallet   *wallet.Service
	// oid4vp is the OpenID4VP 1.0 verifier (presentation requests).
	oid4vp *verifier.OID4VPService
}

// storeCache keeps fetched and imported contexts and schemas in the store,
// so a later outage of their hosts changes nothing.
type storeCache struct{ docs store.Docs }

const collContexts = "ldcontext"

func (c storeCache) Get(ctx context.Context, url string) ([]byte, error) {
	b, err := c.docs.Get(ctx, collContexts, url)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ldcontext.ErrNotCached
	}
	return b, err
}

func (c storeCache) Put(ctx context.Context, url string, doc []byte) error {
	return c.docs.Put(ctx, collContexts, url, doc)
}

// newContexts builds the pinned context and schema loader, the one every
// command uses (serve, verify, contexts, ...): memory, the cache (when not
// nil: the store's, or a running server's for a command that cannot open the
// store), the contexts bundled into the binary at build time, the offline
// directories of ACCOLADE_CONTEXTS_DIR, then HTTPS from each document's
// canonical URL through the guarded client unless offline.
func newContexts(cfg config.Config, cache ldcontext.Cache) (*ldcontext.Loader, error) {
	lc := ldcontext.Config{Bundled: true, Dir: cfg.Contexts.Dir, Offline: cfg.Contexts.Offline, Cache: cache}
	if !cfg.Contexts.Offline {
		lc.Client = newGuardedClient(cfg)
	}
	l, err := ldcontext.New(lc)
	if err != nil {
		return nil, fmt.Errorf("contexts: %w", err)
	}
	return l, nil
}

// newVerifier builds the credential verifier on a context loader, with a
// status checker that fetches status lists through the guarded client and
// verifies them with the same verifier.
func newVerifier(cfg config.Config, contexts *ldcontext.Loader, resolver did.Resolver) (*verifier.Verifier, error) {
	v, _, err := newVerifierWithChecker(cfg, contexts, resolver, nil)
	return v, err
}

// newVerifierWithChecker is newVerifier that also returns its status
// checker, whose cache the issuer clears when it changes a list. local, when
// not nil, serves the lists this node publishes from the store: the
// checker then never answers from a copy older than the store, so a
// revocation made through another node is seen at once.
func newVerifierWithChecker(cfg config.Config, contexts *ldcontext.Loader, resolver did.Resolver, local status.LocalLists) (*verifier.Verifier, *status.Checker, error) {
	client := newGuardedClient(cfg)
	var v *verifier.Verifier
	checker := status.NewChecker(status.CheckerConfig{
		TTL:       cfg.Status.TTL,
		ClockSkew: cfg.Verify.ClockSkew,
		Local:     local,
		Fetch: func(ctx context.Context, url, accept string) ([]byte, string, error) {
			b, resp, err := httpguard.Get(ctx, client, url, accept, 4<<20)
			ct := ""
			if resp != nil {
				ct = resp.Header.Get("Content-Type")
			}
			return b, ct, err
		},
		VerifyList: func(ctx context.Context, raw []byte) (map[string]any, string, error) {
			rep := v.Verify(ctx, raw, verifier.Options{Checks: []string{verifier.CheckProof, verifier.CheckIssuer}})
			if !rep.Verified {
				var msgs []string
				for _, c := range rep.Failed() {
					msgs = append(msgs, c.Name+": "+c.Message)
				}
				return nil, "", fmt.Errorf("status list credential does not verify: %s", strings.Join(msgs, "; "))
			}
			return rep.Credential, rep.Issuer, nil
		},
	})
	var err error
	v, err = verifier.New(verifier.Config{
		Resolver:      resolver,
		Canonicalizer: newCanonicalizer(cfg, contexts),
		Schema:        credential.NewSchemaValidator(contexts),
		Status:        checker,
		ClockSkew:     cfg.Verify.ClockSkew,
		// Validated by config: one of the verifier's policies.
		BearerCredentials: verifier.BearerPolicy(cfg.Verify.BearerCredentials),
		FetchKeyDocument: func(ctx context.Context, url string) ([]byte, error) {
			b, _, err := httpguard.Get(ctx, client, url, "application/json, application/ld+json", 256<<10)
			return b, err
		},
		// relatedResource digests (VCDM 2.0 §5.3) are over the bytes
		// served, whatever their type.
		FetchRelatedResource: func(ctx context.Context, url string) ([]byte, error) {
			b, _, err := httpguard.Get(ctx, client, url, "", 4<<20)
			return b, err
		},
	})
	return v, checker, err
}

var _ verifier.StatusChecker = (*status.Checker)(nil)

func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	return openAppClock(ctx, cfg, log, time.Now)
}

// openAppClock is openApp with the clock of OpenID4VP request expiry.
func openAppClock(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*app, error) {
	if err := os.MkdirAll(cfg.Store.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	kek, created, err := keys.LoadOrCreateKEK(cfg.Security.KEKFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.InfoContext(ctx, "key-encryption key created", logctx.KeyPath, cfg.Security.KEKFile)
	}
	st, err := openStore(cfg) //nolint:contextcheck // the store lives as long as the app, not as the start-up context
	if err != nil {
		return nil, err
	}
	alg, err := keys.ParseAlg(cfg.Issuer.KeyAlg)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	id, err := issuer.NewIdentity(issuer.IdentityConfig{
		Store: st, KEK: kek, PublicURL: cfg.HTTP.PublicURL, DIDMethod: cfg.Issuer.DIDMethod,
		KeyAlg: alg, ProfileName: cfg.Issuer.Name, Logger: log,
	})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if _, err := id.Bootstrap(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, kek: kek, identity: id, resolver: newResolver(cfg)}
	if a.contexts, err = newContexts(cfg, storeCache{st}); err != nil {
		_ = st.Close()
		return nil, err
	}
	canon := newCanonicalizer(cfg, a.contexts)
	ist, ok := st.(issuer.Store)
	if !ok {
		_ = st.Close()
		return nil, fmt.Errorf("store %T lacks status list support", st)
	}
	// The issuer tells the server's own status checker when it changes a
	// list, so this node's verifier (badge pages, /credentials/verify)
	// sees a revocation at once.
	var checker *status.Checker
	a.issuer, err = issuer.New(issuer.Config{
		Store: ist, Identity: id, PublicURL: cfg.HTTP.PublicURL, Logger: log,
		OnStatusChange: func(listURL string) {
			if checker != nil {
				checker.Forget(listURL)
			}
		},
		DI:             &di.Signer{Canonicalizer: canon},
		Schema:         credential.NewSchemaValidator(a.contexts),
		StatusListSize: int(cfg.Status.ListSize), StatusIndexBlock: int(cfg.Status.IndexBlock), StatusTTL: cfg.Status.TTL, DefaultStatusPurpose: cfg.Status.Purpose,
		VCAPIStatusPurpose: cfg.Status.VCAPI,
	})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if a.verifier, checker, err = newVerifierWithChecker(cfg, a.contexts, a.resolver, a.issuer); err != nil {
		_ = st.Close()
		return nil, err
	}
	if a.oid4vci, err = newOID4VCI(cfg, log, a.issuer, st, kek, a.resolver); err != nil {
		_ = st.Close()
		return nil, err
	}
	if a.wallet, err = newWallet(cfg, log, st, kek, canon, a.verifier, a.resolver); err != nil {
		_ = st.Close()
		return nil, err
	}
	if a.oid4vp, err = verifier.NewOID4VP(verifier.OID4VPConfig{Verifier: a.verifier, Store: st, PublicURL: cfg.HTTP.PublicURL,
		TTL: cfg.Wallet.PresentationTTL, Logger: log, Now: now, Signer: requestSigner(id)}); err != nil {
		_ = st.Close()
		return nil, err
	}
	return a, nil
}

// newWallet builds the holder wallet: its keys sealed with the issuer's
// key-encryption key, its imports checked by the credential verifier.
func newWallet(cfg config.Config, log *slog.Logger, st store.Store, kek *keys.KEK, canon di.Canonicalizer, v *verifier.Verifier, resolver did.Resolver) (*wallet.Service, error) {
	attesters, err := loadVerifierAttesters(cfg.Wallet.VerifierAttesters)
	if err != nil {
		return nil, err
	}
	var mailer issuer.Mailer = issuer.LogMailer{Logger: log}
	if dir := cfg.OID4VCI.MailDir; dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("mail dir: %w", err)
		}
		mailer = issuer.DirMailer{Dir: dir}
	}
	return wallet.New(wallet.Config{
		// Sign-up confirmation links go where the OpenID4VCI code mails go.
		Mailer: walletMailer{mailer},
		Store:  st, KEK: kek, Verifier: walletVerifier(v), DI: &di.Signer{Canonicalizer: canon},
		PublicURL: cfg.HTTP.PublicURL, Logger: log,
		SessionTTL: cfg.Wallet.SessionTTL, PresentationTTL: cfg.Wallet.PresentationTTL,
		SignIn: wallet.Limits{PerEmail: int(cfg.Wallet.SignInPerEmail), PerIP: int(cfg.Wallet.SignInPerIP), Window: cfg.Wallet.SignInWindow},
		// Issuers and verifiers are reached through the guarded client:
		// no private or loopback addresses unless the settings allow them.
		HTTPClient: httpguard.New(httpguard.Options{Timeout: 15 * time.Second, MaxBytes: 2 << 20, AllowLoopback: cfg.LoopbackAllowed()}),
		// OpenID4VP verifiers that sign with their DID are resolved as
		// credential issuers are; attesters come from the settings.
		Resolver: resolver, VerifierAttesters: attesters,
	})
}

// loadVerifierAttesters reads the trusted Verifier Attestation issuers:
// a JSON object from iss to public JWK. An empty path means none.
func loadVerifierAttesters(path string) (map[string]crypto.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("verifier attesters: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("verifier attesters %s: not a JSON object from issuer to JWK: %w", path, err)
	}
	out := make(map[string]crypto.PublicKey, len(m))
	for iss, j := range m {
		pub, _, err := keys.ParsePublicJWK(j)
		if err != nil {
			return nil, fmt.Errorf("verifier attesters %s: %s: %w", path, iss, err)
		}
		out[iss] = pub
	}
	return out, nil
}

// walletMailer adapts the issuer's Mailer (the mail drop, or the log) to
// the wallet, which may not import the issuer.
type walletMailer struct{ m issuer.Mailer }

func (w walletMailer) SendMail(ctx context.Context, to, subject, body string) error {
	return w.m.Send(ctx, issuer.Mail{To: to, Subject: subject, Body: body})
}

// walletVerifier adapts the credential verifier to the wallet, which may
// not import it.
func walletVerifier(v *verifier.Verifier) wallet.Verifier {
	return wallet.VerifierFunc(func(ctx context.Context, in any) *wallet.Report {
		r := v.Verify(ctx, in, verifier.Options{})
		out := &wallet.Report{Verified: r.Verified, Format: r.Format, Shape: r.Shape, Issuer: r.Issuer, ProofMethod: r.ProofMethod, Credential: r.Credential}
		for _, c := range r.Checks {
			out.Checks = append(out.Checks, wallet.Check{Name: c.Name, Status: c.Status, Message: c.Message})
		}
		return out
	})
}

// oid4vciSecretsPurpose labels the key of the OpenID4VCI keyed hashes.
const oid4vciSecretsPurpose = "accolade/issuer oid4vci secrets v1"

// newOID4VCI builds the OpenID4VCI issuer service. One-time codes of the
// authorization code flow go through the default LogMailer, which only logs
// that a code was sent (there is no mail transport yet), or into the
// ACCOLADE_MAIL_DIR mail drop.
func newOID4VCI(cfg config.Config, log *slog.Logger, iss *issuer.Service, st store.Store, kek *keys.KEK, resolver did.Resolver) (*issuer.OID4VCI, error) {
	vst, ok := st.(issuer.OID4VCIStore)
	if !ok {
		return nil, fmt.Errorf("store %T lacks counters, which OpenID4VCI needs", st)
	}
	// Every node sharing the store has the same KEK, so the same key.
	secrets, err := kek.SecretHasher(oid4vciSecretsPurpose)
	if err != nil {
		return nil, err
	}
	var mailer issuer.Mailer
	if dir := cfg.OID4VCI.MailDir; dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("mail dir: %w", err)
		}
		mailer = issuer.DirMailer{Dir: dir}
	}
	return issuer.NewOID4VCI(issuer.OID4VCIConfig{
		Issuer: iss, Store: vst, Resolver: resolver, PublicURL: cfg.HTTP.PublicURL, Logger: log, Mailer: mailer, Secrets: secrets,
		OfferTTL: cfg.OID4VCI.OfferTTL, AccessTokenTTL: cfg.OID4VCI.AccessTokenTTL, NonceTTL: cfg.OID4VCI.NonceTTL,
		BatchSize: int(cfg.OID4VCI.BatchSize), ProofSkew: cfg.Verify.ClockSkew,
	})
}

func (a *app) Close() error { return a.store.Close() }

// newResolver builds the DID resolver: did:key, did:jwk, and did:web through
// the guarded client behind a TTL cache.
func newResolver(cfg config.Config) did.Resolver {
	client := newGuardedClient(cfg)
	// Only did:web is cached: did:key and did:jwk resolve locally, and anyone
	// can mint them, so caching them would let a caller evict did:web entries.
	return did.Multi{
		"key": did.KeyResolver{},
		"jwk": did.JWKResolver{},
		"web": did.NewCache(did.WebResolver{Client: client, AllowInsecureLoopback: cfg.LoopbackAllowed()}, cfg.DID.CacheTTL, 10000, time.Now),
	}
}

func newGuardedClient(cfg config.Config) *http.Client {
	return httpguard.New(httpguard.Options{Timeout: 10 * time.Second, MaxBytes: 1 << 20, AllowLoopback: cfg.LoopbackAllowed()})
}

// ensureAdminToken returns the configured admin token, or the one kept in
// DATA_DIR/admin-token, generating it on first start (mode 0600).
// adminTarget is where the admin API client commands (bench, issue bulk)
// talk to: the server at --server, else the public URL, with the token of
// --admin-token / ACCOLADE_ADMIN_TOKEN, else of the data directory's token
// file.
func adminTarget(cfg config.Config) (server, token string, err error) {
	server = cfg.Wallet.Server
	if server == "" {
		server = cfg.HTTP.PublicURL
	}
	if token = cfg.Security.AdminToken; token != "" {
		return server, token, nil
	}
	b, err := os.ReadFile(cfg.AdminTokenFile())
	if err != nil {
		return "", "", fmt.Errorf("admin token: %w (pass --admin-token or --data-dir)", err)
	}
	return server, strings.TrimSpace(string(b)), nil
}

func ensureAdminToken(ctx context.Context, cfg config.Config, log *slog.Logger) (string, error) {
	if cfg.Security.AdminToken != "" {
		return cfg.Security.AdminToken, nil
	}
	path := cfg.AdminTokenFile()
	if b, err := os.ReadFile(path); err == nil {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("admin token file %s is readable by others (mode %v): run chmod 600 %s", path, st.Mode().Perm(), path)
		}
		tok := strings.TrimSpace(string(b))
		if len(tok) < 16 {
			return "", fmt.Errorf("admin token file %s holds fewer than 16 characters", path)
		}
		log.InfoContext(ctx, "admin token loaded", logctx.KeyPath, path)
		return tok, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("admin token: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	_, werr := f.WriteString(tok + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	log.InfoContext(ctx, "admin token generated; read it from the file", logctx.KeyPath, path)
	return tok, nil
}

// newCanonicalizer returns the RDFC-1.0 canonicalizer for eddsa-rdfc-2022:
// Accolade's own (internal/jsonld + internal/rdfc) by default, or json-gold
// when ACCOLADE_CANONICALIZER=json-gold.
func newCanonicalizer(cfg config.Config, contexts *ldcontext.Loader) di.Canonicalizer {
	if cfg.Proof.Canonicalizer == "json-gold" {
		return di.NewJSONGold(contexts, di.Limits{})
	}
	return di.NewFast(contexts, di.Limits{})
}

// requestSigner signs OpenID4VP request objects with the issuer's active
// key, as decentralized_identifier:<issuer DID> (did:web or did:key, per
// the identity's DID method), kid its verification method.
func requestSigner(id *issuer.Identity) verifier.RequestSigner {
	return verifier.RequestSignerFunc(func(ctx context.Context) (verifier.RequestKey, error) {
		sg, err := id.ActiveSigner(ctx)
		if err != nil {
			return verifier.RequestKey{}, err
		}
		return verifier.RequestKey{Key: sg.Key, DID: sg.DID, KeyID: sg.VerificationMethod}, nil
	})
}
