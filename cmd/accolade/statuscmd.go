package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/accolade-badges/accolade/issuer"
)

func runStatus(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "status", args, []command{
		{"show", "show one status list: size, allocated and set entries, URL", runStatusShow},
		{"list", "list every status list", runStatusList},
	})
}

const statusNote = `Works on the data directory; while a server holds the embedded store, it goes
through that server's admin API (GET /api/v1/status-lists) at --server,
default the public URL.`

func runStatusShow(ctx context.Context, env *environment, args []string) int {
	asJSON := false
	cfg, code, ok := loadConfig(env, "status show [flags] LIST", "Shows a Bitstring Status List: its purpose, size, allocated and set\nentries, version and public URL.\n"+statusNote, args,
		func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, allowArgs(1), settingsStore)
	if !ok {
		return code
	}
	info, ok := onStore(ctx, env, "status show", cfg,
		func(c *walletClient) (info issuer.StatusListInfo, err error) {
			err = c.call(ctx, http.MethodGet, "/api/v1/status-lists/"+url.PathEscape(cfg.Args[0]), "", nil, &info)
			return info, err
		},
		func(a *app) (issuer.StatusListInfo, error) { return a.issuer.StatusListInfo(ctx, cfg.Args[0]) })
	if !ok {
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(info)
		return 0
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"list", info.ID}, {"url", info.URL}, {"purpose", info.Purpose},
		{"size", fmt.Sprint(info.Size)}, {"allocated", fmt.Sprint(info.Allocated)}, {"set", fmt.Sprint(info.Set)},
		{"version", fmt.Sprint(info.Version)}, {"issuer", info.IssuerDID}, {"created", info.Created.Format("2006-01-02T15:04:05Z")},
	} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	_ = tw.Flush()
	return 0
}

func runStatusList(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "status list [flags]", "Lists every Bitstring Status List.\n"+statusNote, args, settingsStore)
	if !ok {
		return code
	}
	lists, ok := onStore(ctx, env, "status list", cfg,
		func(c *walletClient) ([]issuer.StatusListInfo, error) {
			return listOverAPI[issuer.StatusListInfo](ctx, c, "/api/v1/status-lists")
		},
		func(a *app) ([]issuer.StatusListInfo, error) { return a.issuer.StatusLists(ctx) })
	if !ok {
		return 1
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tPURPOSE\tSIZE\tALLOCATED\tSET\tURL")
	for _, l := range lists {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", l.ID, l.Purpose, l.Size, l.Allocated, l.Set, l.URL)
	}
	_ = tw.Flush()
	return 0
}
