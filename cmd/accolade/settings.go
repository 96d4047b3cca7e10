package main

import "github.com/accolade-badges/accolade/internal/config"

// The settings each kind of command takes as flags (and lists in --help).
// Every setting also applies through its ACCOLADE_ environment variable.
var (
	// settingsNone: a command that reads no settings (bake, unbake).
	settingsNone = config.Settings{}
	// settingsStore: commands that open the data directory, or reach the
	// running server's admin API when it holds the store.
	settingsStore = config.Settings{"addr", "public-url", "data-dir", "store", "redis-prefix", "admin-token", "kek-file",
		"allow-loopback", "issuer-name", "key-alg", "issuer-did-method", "contexts-dir", "offline", "server", "log-level", "log-format"}
	// settingsVerify: the verifier's own settings.
	settingsVerify = config.Settings{"addr", "public-url", "data-dir", "store", "redis-prefix", "admin-token", "server", "allow-loopback", "did-cache-ttl", "contexts-dir", "offline",
		"status-ttl", "canonicalizer", "clock-skew"}
	// settingsAdminClient: commands that call a running server's admin API.
	settingsAdminClient = config.Settings{"addr", "public-url", "data-dir", "admin-token", "server"}
	// settingsWallet: the wallet client.
	settingsWallet = config.Settings{"addr", "public-url", "server", "token", "token-file"}
	// settingsMigrate: migrate names both stores with its own flags.
	settingsMigrate = config.Settings{"redis-prefix", "log-level", "log-format"}
)

// settingsServe is every setting but the client-side ones.
func settingsServe() config.Settings {
	var ss config.Settings
	for _, name := range config.Names() {
		switch name {
		case "server", "token", "token-file":
			continue
		}
		ss = append(ss, name)
	}
	return ss
}
