package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/store/bolt"
)

// storeTarget is where a store command (keys, status, contexts) works:
// the data directory opened here, or, when a running server holds the
// embedded database, that server's admin API.
type storeTarget struct {
	app   *app          // the store opened here; nil when api is set
	api   *walletClient // the running server's admin API
	where string        // for messages: the store URL or the server
}

func (t *storeTarget) Close() error {
	if t.app != nil {
		return t.app.Close()
	}
	return nil
}

// openStoreTarget opens the data directory for a store command. bbolt lets
// one process at a time open the file: when another holds it (bolt's lock
// wait is short, DefaultLockTimeout), the command goes through the admin API
// of the server at --server (default: the public URL, so ACCOLADE_ADDR or
// ACCOLADE_PUBLIC_URL finds it) with the admin token of --admin-token or
// DATA_DIR/admin-token. When no server answers there, the error says what
// to do.
func openStoreTarget(ctx context.Context, cfg config.Config) (*storeTarget, error) {
	a, err := openApp(ctx, cfg, newLogger(cfg, discardWriter{}))
	if err == nil {
		return &storeTarget{app: a, where: cfg.Store.URL}, nil
	}
	if !errors.Is(err, bolt.ErrLocked) {
		return nil, err
	}
	server, token, terr := adminTarget(cfg)
	if terr != nil {
		return nil, fmt.Errorf("%s is in use by another process (a running accolade serve?), and its admin API cannot be used: %w", cfg.Store.URL, terr)
	}
	c := &walletClient{base: strings.TrimSuffix(server, "/"), token: token, http: &http.Client{Timeout: 60 * time.Second}}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if perr := c.call(pctx, http.MethodGet, "/readyz", "", nil, nil); perr != nil {
		return nil, fmt.Errorf("%s is in use by another process, and no accolade server answers at %s (%v): "+
			"point --server (ACCOLADE_WALLET_SERVER) or ACCOLADE_ADDR / ACCOLADE_PUBLIC_URL at the server that uses this data directory, or stop the process that holds it",
			cfg.Store.URL, server, perr)
	}
	// The server must be the one on this data directory: its admin token
	// says so (a 401 here means another server).
	if perr := c.call(pctx, http.MethodGet, "/api/v1/issuer", "", nil, nil); perr != nil {
		return nil, fmt.Errorf("%s is in use by another process; the server at %s refuses its admin API (%v): pass its token with --admin-token", cfg.Store.URL, server, perr)
	}
	return &storeTarget{api: c, where: server}, nil
}

// onStore runs the operation of store command name (as in "keys list"):
// through the admin API of the server that holds the data directory, or on
// the store opened here. It prints a failure as "accolade NAME: ERROR" and
// reports success.
func onStore[T any](ctx context.Context, env *environment, name string, cfg config.Config,
	overAPI func(c *walletClient) (T, error), here func(a *app) (T, error)) (T, bool) {
	var out T
	t, err := openStoreTarget(ctx, cfg)
	if err == nil {
		defer t.Close()
		if t.api != nil {
			out, err = overAPI(t.api)
		} else {
			out, err = here(t.app)
		}
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade %s: %v\n", name, err)
		return out, false
	}
	return out, true
}

// listOverAPI reads the items of an admin API list endpoint.
func listOverAPI[T any](ctx context.Context, c *walletClient, path string) ([]T, error) {
	var out struct {
		Items []T `json:"items"`
	}
	err := c.call(ctx, http.MethodGet, path, "", nil, &out)
	return out.Items, err
}

// commandContextsCache is the context cache a command that keeps no store
// open (verify) shares with the server, so it loads the same documents: the
// store's when the data directory can be opened, else, when a server holds
// it, that server's (GET /api/v1/contexts/document, digests checked here
// again), else none. It never creates a store. done releases it.
func commandContextsCache(ctx context.Context, cfg config.Config) (cache ldcontext.Cache, done func()) {
	none := func() {}
	if strings.HasPrefix(cfg.Store.URL, "bolt://") {
		path, err := bolt.ParseURL(cfg.Store.URL)
		if err != nil {
			return nil, none
		}
		if _, err := os.Stat(path); err != nil {
			return nil, none
		}
	}
	st, err := openStore(cfg) //nolint:contextcheck // the store lives as long as the command, not as one context
	if err == nil {
		return storeCache{st}, func() { _ = st.Close() }
	}
	if !errors.Is(err, bolt.ErrLocked) {
		return nil, none
	}
	server, token, err := adminTarget(cfg)
	if err != nil {
		return nil, none
	}
	c := &walletClient{base: strings.TrimSuffix(server, "/"), token: token, http: &http.Client{Timeout: 15 * time.Second}}
	return serverCache{c}, none
}

// serverCache reads pinned documents from a running server's admin API.
type serverCache struct{ c *walletClient }

func (s serverCache) Get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.c.base+"/api/v1/contexts/document?url="+url.QueryEscape(u), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.c.token)
	resp, err := s.c.http.Do(req)
	if err != nil {
		return nil, ldcontext.ErrNotCached
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, ldcontext.ErrNotCached
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

// Put keeps nothing: the server's store is not written from here.
func (serverCache) Put(context.Context, string, []byte) error { return nil }
