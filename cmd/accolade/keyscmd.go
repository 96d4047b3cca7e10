package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/accolade-badges/accolade/issuer"
	"github.com/accolade-badges/accolade/keys"
)

func isHelpErr(err error) bool { return errors.Is(err, flag.ErrHelp) }

func runKeys(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "keys", args, []command{
		{"list", "list the issuer's signing keys, active and retired", runKeysList},
		{"rotate", "make a new active signing key; old keys keep verifying", runKeysRotate},
	})
}

const keysNote = `Works on the data directory; while a server holds the embedded store, it goes
through that server's admin API (GET /api/v1/issuer/keys, POST
/api/v1/issuer/keys/rotate) at --server, default the public URL.`

func runKeysList(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "keys list", "Lists the issuer's signing keys.\n"+keysNote, args, settingsStore)
	if !ok {
		return code
	}
	ks, ok := onStore(ctx, env, "keys list", cfg,
		func(c *walletClient) ([]issuer.KeyInfo, error) {
			return listOverAPI[issuer.KeyInfo](ctx, c, "/api/v1/issuer/keys")
		},
		func(a *app) ([]issuer.KeyInfo, error) { return a.identity.Keys(ctx) })
	if !ok {
		return 1
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tALG\tSTATUS\tCREATED\tDID:WEB METHOD\tDID:KEY")
	for _, k := range ks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Alg, k.Status, k.Created.Format("2006-01-02T15:04:05Z"), k.WebMethod, k.DIDKey)
	}
	_ = tw.Flush()
	return 0
}

func runKeysRotate(ctx context.Context, env *environment, args []string) int {
	alg := ""
	cfg, code, ok := loadConfig(env, "keys rotate", "Makes a new active issuer signing key (--alg; default: the configured key\nalgorithm). Earlier keys stay in the did:web document.\n"+keysNote, args, func(fs *flag.FlagSet) {
		fs.StringVar(&alg, "alg", "", "algorithm of the new key: EdDSA or ES256")
	}, settingsStore)
	if !ok {
		return code
	}
	var a keys.Alg
	if alg != "" {
		parsed, err := keys.ParseAlg(alg)
		if err != nil {
			fmt.Fprintf(env.stderr, "accolade keys rotate: %v\n", err)
			return 2
		}
		a = parsed
	}
	info, ok := onStore(ctx, env, "keys rotate", cfg,
		func(c *walletClient) (info issuer.KeyInfo, err error) {
			err = c.postJSON(ctx, "/api/v1/issuer/keys/rotate", map[string]string{"alg": string(a)}, &info)
			return info, err
		},
		func(app *app) (issuer.KeyInfo, error) { return app.identity.Rotate(ctx, a) })
	if !ok {
		return 1
	}
	fmt.Fprintf(env.stdout, "new active key %s (%s)\n  did:web method: %s\n  did:key: %s\n", info.ID, info.Alg, info.WebMethod, info.DIDKey)
	return 0
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
