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
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("accolade stopped", logctx.KeyErr, err.Error())
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.InfoContext(ctx, "starting accolade", "version", version, "config", cfg)
	a, err := openApp(ctx, cfg, log)
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
	})
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
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
	client := httpguard.New(httpguard.Options{Timeout: 5 * time.Second, MaxBytes: 1 << 20, AllowLoopback: cfg.LoopbackAllowed()})
	return func(ctx context.Context, url string) ([]byte, string, error) {
		b, resp, err := httpguard.Get(ctx, client, url, "image/png, image/jpeg, image/gif, image/webp, image/svg+xml", 1<<20)
		if err != nil {
			return nil, "", err
		}
		return b, resp.Header.Get("Content-Type"), nil
	}
}
