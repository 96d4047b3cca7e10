package config

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		HTTP:     HTTP{Addr: "127.0.0.1:8080", PublicURL: "http://localhost:8080", ShutdownTimeout: 15 * time.Second, MaxBodyBytes: 1 << 20},
		Store:    Store{DataDir: "./data", URL: "bolt://data/accolade.db", RedisPrefix: "accolade"},
		Security: Security{KEKFile: "data/kek"},
		Issuer:   Issuer{Name: "Accolade Issuer", KeyAlg: "EdDSA", DIDMethod: "auto", BadgePages: true},
		DID:      DID{CacheTTL: 5 * time.Minute, ResolvePerMinute: 60},
		Verify:   Verify{ClockSkew: 2 * time.Minute, BearerCredentials: "ob-recipients"},
		Proof:    Proof{Canonicalizer: "fast"},
		Status:   Status{ListSize: 131072, IndexBlock: 16, TTL: 5 * time.Minute, Purpose: "revocation"},
		OID4VCI:  OID4VCI{OfferTTL: 24 * time.Hour, AccessTokenTTL: 10 * time.Minute, NonceTTL: 5 * time.Minute, BatchSize: 10, MailDir: "data/mail"},
		Wallet:   Wallet{SessionTTL: 12 * time.Hour, PresentationTTL: 10 * time.Minute, SignInPerEmail: 5, SignInPerIP: 20, SignInWindow: time.Minute},
		Log:      Log{Level: "info", Format: "text"},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if !c.LoopbackAllowed() {
		t.Error("loopback public URL should allow loopback fetches")
	}
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want func(c Config) (got, want any)
	}{
		{"ok/env overrides default", nil, env("ACCOLADE_ADDR", "127.0.0.1:9090"),
			func(c Config) (any, any) { return c.HTTP.Addr, "127.0.0.1:9090" }},
		{"ok/offer ttl from env", nil, env("ACCOLADE_OFFER_TTL", "48h"),
			func(c Config) (any, any) { return c.OID4VCI.OfferTTL, 48 * time.Hour }},
		{"ok/wallet token file under XDG_CONFIG_HOME", nil, env("XDG_CONFIG_HOME", "/cfg", "HOME", "/home/u"),
			func(c Config) (any, any) { return c.Wallet.TokenFile, "/cfg/accolade/wallet-token" }},
		{"ok/wallet token file under HOME", nil, env("HOME", "/home/u"),
			func(c Config) (any, any) { return c.Wallet.TokenFile, "/home/u/.config/accolade/wallet-token" }},
		{"ok/wallet token file set", []string{"--token-file", "/tmp/t"}, env("HOME", "/home/u"),
			func(c Config) (any, any) { return c.Wallet.TokenFile, "/tmp/t" }},
		{"ok/wallet token from env", nil, env("ACCOLADE_WALLET_TOKEN", "tok"),
			func(c Config) (any, any) { return c.Wallet.Token, "tok" }},
		{"ok/wallet server flag", []string{"--server", "https://badges.example.org"}, env(),
			func(c Config) (any, any) { return c.Wallet.Server, "https://badges.example.org" }},
		{"ok/sign-in limit off", nil, env("ACCOLADE_WALLET_SIGNIN_PER_IP", "0"),
			func(c Config) (any, any) { return c.Wallet.SignInPerIP, int64(0) }},
		{"ok/flag overrides env", []string{"--addr", "127.0.0.1:7070"}, env("ACCOLADE_ADDR", "127.0.0.1:9090"),
			func(c Config) (any, any) { return c.HTTP.Addr, "127.0.0.1:7070" }},
		{"ok/public url follows addr port", nil, env("ACCOLADE_ADDR", "127.0.0.1:9090"),
			func(c Config) (any, any) { return c.HTTP.PublicURL, "http://localhost:9090" }},
		{"ok/store follows data dir", []string{"--data-dir=/var/lib/acc"}, env(),
			func(c Config) (any, any) { return c.Store.URL, "bolt:///var/lib/acc/accolade.db" }},
		{"ok/kek follows data dir", []string{"--data-dir=/var/lib/acc"}, env(),
			func(c Config) (any, any) { return c.Security.KEKFile, "/var/lib/acc/kek" }},
		{"ok/explicit store kept", nil, env("ACCOLADE_STORE", "redis://127.0.0.1:6379/0"),
			func(c Config) (any, any) { return c.Store.URL, "redis://127.0.0.1:6379/0" }},
		{"ok/bool switch without a value", []string{"--offline"}, env(),
			func(c Config) (any, any) { return c.Contexts.Offline, true }},
		{"ok/bool switch set false", []string{"--offline=false"}, env("ACCOLADE_OFFLINE", "true"),
			func(c Config) (any, any) { return c.Contexts.Offline, false }},
		{"ok/duration", []string{"-did-cache-ttl=90s"}, env(),
			func(c Config) (any, any) { return c.DID.CacheTTL, 90 * time.Second }},
		{"ok/bool env", nil, env("ACCOLADE_ALLOW_LOOPBACK", "true", "ACCOLADE_PUBLIC_URL", "https://badges.example.org"),
			func(c Config) (any, any) { return c.LoopbackAllowed(), true }},
		{"ok/https public url does not allow loopback", nil, env("ACCOLADE_PUBLIC_URL", "https://badges.example.org/"),
			func(c Config) (any, any) {
				return [2]any{c.LoopbackAllowed(), c.HTTP.PublicURL}, [2]any{false, "https://badges.example.org"}
			}},
		{"ok/VC-API status purpose from env", nil, env("ACCOLADE_VCAPI_STATUS", "suspension"),
			func(c Config) (any, any) { return c.Status.VCAPI, "suspension" }},
		{"ok/bearer credential policy from env", nil, env("ACCOLADE_BEARER_CREDENTIALS", "reject"),
			func(c Config) (any, any) { return c.Verify.BearerCredentials, "reject" }},
		{"ok/metrics on its own address", nil, env("ACCOLADE_METRICS_ADDR", "127.0.0.1:9191"),
			func(c Config) (any, any) { return c.HTTP.MetricsAddr, "127.0.0.1:9191" }},
		{"ok/metrics token flag", []string{"--metrics-token", "metrics-token-0123456789"}, env(),
			func(c Config) (any, any) { return c.HTTP.MetricsToken, "metrics-token-0123456789" }},
		{"ok/resolve limit default", nil, env(),
			func(c Config) (any, any) { return c.DID.ResolvePerMinute, int64(60) }},
		{"ok/resolve limit off", []string{"--did-resolve-per-minute=0"}, env(),
			func(c Config) (any, any) { return c.DID.ResolvePerMinute, int64(0) }},
		{"ok/metrics defaults", nil, env(),
			func(c Config) (any, any) {
				return [2]string{c.HTTP.MetricsAddr, c.HTTP.MetricsToken}, [2]string{"", ""}
			}},
		{"ok/admin token from env", nil, env("ACCOLADE_ADMIN_TOKEN", "0123456789abcdef0123"),
			func(c Config) (any, any) { return c.Security.AdminToken, "0123456789abcdef0123" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, want := tt.want(c)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want []string // every fragment must appear in the error
	}{
		{"fail/bad addr", []string{"--addr", "nope"}, env(), []string{"ACCOLADE_ADDR"}},
		{"fail/http public url off loopback", nil, env("ACCOLADE_PUBLIC_URL", "http://badges.example.org"), []string{"ACCOLADE_PUBLIC_URL", "https"}},
		{"fail/relative public url", nil, env("ACCOLADE_PUBLIC_URL", "/x"), []string{"ACCOLADE_PUBLIC_URL"}},
		{"fail/unknown store scheme", nil, env("ACCOLADE_STORE", "postgres://x"), []string{"ACCOLADE_STORE", "postgres"}},
		{"fail/short admin token", nil, env("ACCOLADE_ADMIN_TOKEN", "short"), []string{"ACCOLADE_ADMIN_TOKEN"}},
		{"fail/bad key alg", nil, env("ACCOLADE_KEY_ALG", "RS256"), []string{"ACCOLADE_KEY_ALG"}},
		{"fail/bad duration env", nil, env("ACCOLADE_DID_CACHE_TTL", "five"), []string{"ACCOLADE_DID_CACHE_TTL", "duration"}},
		{"fail/bad bool flag", []string{"--offline=maybe"}, env(), []string{"--offline", "boolean"}},
		{"fail/missing contexts dir", nil, env("ACCOLADE_CONTEXTS_DIR", "/does/not/exist"), []string{"ACCOLADE_CONTEXTS_DIR"}},
		{"fail/offer ttl too short", nil, env("ACCOLADE_OFFER_TTL", "5s"), []string{"ACCOLADE_OFFER_TTL"}},
		{"fail/batch size below 2", []string{"--oid4vci-batch-size=1"}, env(), []string{"ACCOLADE_OID4VCI_BATCH_SIZE"}},
		{"fail/status index block zero", []string{"--status-index-block=0"}, env(), []string{"ACCOLADE_STATUS_INDEX_BLOCK"}},
		{"fail/status index block too big", nil, env("ACCOLADE_STATUS_INDEX_BLOCK", "5000"), []string{"ACCOLADE_STATUS_INDEX_BLOCK"}},
		{"fail/nonce ttl too long", nil, env("ACCOLADE_OID4VCI_NONCE_TTL", "2h"), []string{"ACCOLADE_OID4VCI_NONCE_TTL"}},
		{"fail/wallet session ttl too short", nil, env("ACCOLADE_WALLET_SESSION_TTL", "10s"), []string{"ACCOLADE_WALLET_SESSION_TTL"}},
		{"fail/wallet presentation ttl too long", []string{"--wallet-presentation-ttl=48h"}, env(), []string{"ACCOLADE_WALLET_PRESENTATION_TTL"}},
		{"fail/negative sign-in limit", nil, env("ACCOLADE_WALLET_SIGNIN_PER_EMAIL", "-1"), []string{"ACCOLADE_WALLET_SIGNIN_PER_EMAIL"}},
		{"fail/zero sign-in window", nil, env("ACCOLADE_WALLET_SIGNIN_WINDOW", "0s"), []string{"ACCOLADE_WALLET_SIGNIN_WINDOW"}},
		{"fail/wallet server not a URL", []string{"--server", "ftp://x"}, env(), []string{"ACCOLADE_WALLET_SERVER"}},
		{"fail/unknown VC-API status purpose", []string{"--vcapi-status=message"}, env(), []string{"ACCOLADE_VCAPI_STATUS"}},
		{"fail/unknown bearer credential policy", nil, env("ACCOLADE_BEARER_CREDENTIALS", "sometimes"), []string{"ACCOLADE_BEARER_CREDENTIALS", "ob-recipients"}},
		{"fail/metrics addr not host:port", nil, env("ACCOLADE_METRICS_ADDR", "9090"), []string{"ACCOLADE_METRICS_ADDR"}},
		{"fail/metrics addr is the main addr", nil, env("ACCOLADE_METRICS_ADDR", "127.0.0.1:8080"), []string{"ACCOLADE_METRICS_ADDR", "differ"}},
		{"fail/short metrics token", nil, env("ACCOLADE_METRICS_TOKEN", "short"), []string{"ACCOLADE_METRICS_TOKEN"}},
		{"fail/negative resolve limit", nil, env("ACCOLADE_DID_RESOLVE_PER_MINUTE", "-1"), []string{"ACCOLADE_DID_RESOLVE_PER_MINUTE"}},
		{"fail/unknown flag", []string{"--nope"}, env(), []string{"nope"}},
		{"fail/positional args", []string{"extra"}, env(), []string{"unexpected arguments"}},
		{"fail/every problem listed at once", []string{"--log-level=loud"},
			env("ACCOLADE_ADDR", "bad", "ACCOLADE_KEY_ALG", "x", "ACCOLADE_LOG_FORMAT", "xml", "ACCOLADE_SHUTDOWN_TIMEOUT", "-1s"),
			[]string{"ACCOLADE_ADDR", "ACCOLADE_KEY_ALG", "ACCOLADE_LOG_FORMAT", "ACCOLADE_LOG_LEVEL", "ACCOLADE_SHUTDOWN_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, tt.env)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			for _, frag := range tt.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not mention %q", err, frag)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	_, err := Load([]string{"--help"}, env())
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Load(--help) = %v, want flag.ErrHelp", err)
	}
	var buf bytes.Buffer
	Usage(&buf)
	for _, s := range settings {
		if !strings.Contains(buf.String(), "--"+s.flag) || !strings.Contains(buf.String(), s.env) {
			t.Errorf("usage misses %s / %s", s.flag, s.env)
		}
	}
	for _, env := range []string{"ACCOLADE_ADDR", "ACCOLADE_PUBLIC_URL", "ACCOLADE_DATA_DIR", "ACCOLADE_STORE", "ACCOLADE_ADMIN_TOKEN", "ACCOLADE_CONTEXTS_DIR", "ACCOLADE_ALLOW_LOOPBACK"} {
		if !strings.Contains(buf.String(), env) {
			t.Errorf("usage misses required setting %s", env)
		}
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	c, err := Load(nil, env("ACCOLADE_ADMIN_TOKEN", "supersecret-token-123", "ACCOLADE_STORE", "redis://user:hunter2@127.0.0.1:6379/0",
		"ACCOLADE_WALLET_TOKEN", "wallet-session-secret", "ACCOLADE_METRICS_TOKEN", "metrics-secret-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.LogValue().String()
	for _, secret := range []string{"supersecret-token-123", "hunter2", "wallet-session-secret", "metrics-secret-0123456789"} {
		if strings.Contains(s, secret) {
			t.Errorf("LogValue leaks %q: %s", secret, s)
		}
	}
}

func TestLoadForCommandSettings(t *testing.T) {
	env := func(k string) string { return map[string]string{"ACCOLADE_OFFLINE": "true"}[k] }
	cmd := Command{Settings: Settings{"contexts-dir"}, Args: ArgsRule{Min: 1, Max: 1, Names: []string{"FILE"}}}
	t.Run("ok/own setting as a flag, others from the environment", func(t *testing.T) {
		dir := t.TempDir()
		c, err := LoadFor([]string{"--contexts-dir", dir, "cred.json"}, env, cmd)
		if err != nil {
			t.Fatal(err)
		}
		if c.Contexts.Dir != dir || !c.Contexts.Offline || len(c.Args) != 1 {
			t.Errorf("got dir %q offline %v args %q", c.Contexts.Dir, c.Contexts.Offline, c.Args)
		}
	})
	t.Run("fail/a setting the command does not take", func(t *testing.T) {
		_, err := LoadFor([]string{"--addr", "127.0.0.1:9", "cred.json"}, env, cmd)
		if err == nil || !strings.Contains(err.Error(), "flag provided but not defined: -addr") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("fail/missing argument named", func(t *testing.T) {
		_, err := LoadFor(nil, env, cmd)
		if err == nil || !strings.Contains(err.Error(), "missing argument FILE") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("ok/usage lists only the command's settings", func(t *testing.T) {
		var b strings.Builder
		UsageOf(&b, cmd.Settings)
		if !strings.Contains(b.String(), "--contexts-dir") || strings.Contains(b.String(), "--addr") {
			t.Errorf("usage:\n%s", b.String())
		}
	})
}

// One setting picks the port: a loopback public URL with a port sets the
// listen address, and a listen address sets the public URL.
func TestPortFromOneSetting(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		addr, public string
	}{
		{"defaults", nil, "127.0.0.1:8080", "http://localhost:8080"},
		{"public URL on loopback", map[string]string{"ACCOLADE_PUBLIC_URL": "http://localhost:9191"}, "127.0.0.1:9191", "http://localhost:9191"},
		{"listen address", map[string]string{"ACCOLADE_ADDR": "127.0.0.1:9292"}, "127.0.0.1:9292", "http://localhost:9292"},
		{"both", map[string]string{"ACCOLADE_ADDR": "0.0.0.0:80", "ACCOLADE_PUBLIC_URL": "http://localhost:9393"}, "0.0.0.0:80", "http://localhost:9393"},
		{"public URL not on loopback", map[string]string{"ACCOLADE_PUBLIC_URL": "https://badges.example.org:8443"}, "127.0.0.1:8080", "https://badges.example.org:8443"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(nil, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP.Addr != tc.addr || c.HTTP.PublicURL != tc.public {
				t.Errorf("addr %q public %q; want %q %q", c.HTTP.Addr, c.HTTP.PublicURL, tc.addr, tc.public)
			}
		})
	}
}
