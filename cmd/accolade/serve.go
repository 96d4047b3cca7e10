package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/accolade-badges/accolade/api"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/internal/httpguard"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/prometheus/client_golang/prometheus"
)

const serveSynopsis = `Runs the Accolade HTTP service. On first start it creates, in the data
directory, a key-encryption key, an issuer signing key sealed with it, the
issuer's DIDs (did:key, and did:web served at /.well-known/did.json or
/<path>/did.json) and a default issuer profile. Later starts reuse them.`

func runServe(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "serve", serveSynopsis, args, settingsServe())
	if !ok {
		return code
	}
	log := newLogger(cfg, env.stderr)
	slog.SetDefault(log)
	if err := serve(ctx, cfg, log, env.clock()); err != nil {
		log.Error("accolade stopped", logctx.KeyErr, err.Error())
		return 1
	}
	return 0
}

// resolveLimit maps ACCOLADE_DID_RESOLVE_PER_MINUTE (0: no limit) to
// api.Config.ResolvePerMinute (negative: no limit).
func resolveLimit(n int64) int {
	if n == 0 {
		return -1
	}
	return int(n)
}

// serveMetrics serves /metrics on ACCOLADE_METRICS_ADDR, when set, so it
// can stay off the public listener. The returned func stops it.
func serveMetrics(ctx context.Context, cfg config.Config, log *slog.Logger, handler *api.Server) (func(), error) {
	if cfg.HTTP.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.HTTP.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen metrics: %w", err)
	}
	srv := &http.Server{
		Handler:           handler.MetricsHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() { _ = srv.Serve(ln) }()
	log.InfoContext(ctx, "metrics listening", "addr", ln.Addr().String())
	return func() { //nolint:contextcheck // called after ctx is cancelled: draining needs a fresh deadline
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) error {
	log.InfoContext(ctx, "starting accolade", "version", version, "config", cfg)
	a, err := openAppClock(ctx, cfg, log, now)
	if err != nil {
		return err
	}
	defer a.Close()
	logContexts(ctx, log, cfg, a.contexts)
	token, err := ensureAdminToken(ctx, cfg, log)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	handler := api.New(api.Config{ //nolint:contextcheck // false positive: gin handlers take their context from the request
		Logger: log, Store: a.store, Identity: a.identity, Resolver: a.resolver, Issuer: a.issuer, Verifier: a.verifier, OID4VCI: a.oid4vci, Wallet: a.wallet, OID4VP: a.oid4vp,
		AdminToken: token, PublicURL: cfg.HTTP.PublicURL, MaxBodyBytes: cfg.HTTP.MaxBodyBytes, Registry: reg,
		NoBadgePages: !cfg.Issuer.BadgePages, Ready: contextsReady(a.contexts), Contexts: a.contexts, FetchImage: newImageFetcher(cfg),
		MetricsToken: cfg.HTTP.MetricsToken, MetricsSeparate: cfg.HTTP.MetricsAddr != "",
		ResolvePerMinute: resolveLimit(cfg.DID.ResolvePerMinute),
	})
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	stopMetrics, err := serveMetrics(ctx, cfg, log, handler)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopMetrics()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.InfoContext(ctx, "accolade listening", "addr", ln.Addr().String(), "public_url", cfg.HTTP.PublicURL,
		"did_web", a.identity.WebDID())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "drain_timeout", cfg.HTTP.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil { //nolint:contextcheck // ctx is already cancelled: draining needs a fresh deadline
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("accolade stopped cleanly")
	return nil
}

// newImageFetcher fetches achievement images for the badge pages through
// the guarded client: public addresses only (loopback when allowed), at
// most 1 MiB in 5 seconds.
func newImageFetcher(cfg config.Config) api.ImageFetcher {
	if cfg.Contexts.Offline {
		// An offline node fetches nothing: badge pages draw the image.
		return nil
	}
	client := httpguard.New(httpguard.Options{Timeout: 5 * time.Second, MaxBytes: 1 << 20, AllowLoopback: cfg.LoopbackAllowed()})
	return func(ctx context.Context, url string) ([]byte, string, error) {
		b, resp, err := httpguard.Get(ctx, client, url, "image/png, image/jpeg, image/gif, image/webp, image/svg+xml", 1<<20)
		if err != nil {
			return nil, "", err
		}
		return b, resp.Header.Get("Content-Type"), nil
	}
}
