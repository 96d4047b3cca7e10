package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/config"
)

func runDID(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "did", args, []command{
		{"resolve", "resolve a DID (did:key, did:jwk, did:web) and print its document", runDIDResolve},
	})
}

func runDIDResolve(ctx context.Context, env *environment, args []string) int {
	fs := config.FlagSet("did resolve", env.stderr)
	allowLoopback := fs.Bool("allow-loopback", env.getenv("ACCOLADE_ALLOW_LOOPBACK") == "true", "let did:web reach loopback hosts (plain http on loopback); env ACCOLADE_ALLOW_LOOPBACK")
	result := fs.Bool("result", false, "print the whole DID resolution result, not only the document")
	if err := fs.Parse(reorderFlags(args)); err != nil || fs.NArg() != 1 {
		w := env.stderr
		code := 2
		switch {
		case err != nil && isHelpErr(err):
			w, code = env.stdout, 0
		case err != nil:
			fmt.Fprintf(w, "accolade did resolve: %v\n", err)
		case fs.NArg() == 0:
			fmt.Fprintln(w, "accolade did resolve: missing argument DID")
		default:
			fmt.Fprintf(w, "accolade did resolve: unexpected arguments: %s\n", strings.Join(fs.Args()[1:], " "))
		}
		fmt.Fprintln(w, "Usage: accolade did resolve [flags] DID\n\nResolves DID and prints its DID document as JSON. did:web is fetched over\nHTTPS through the guarded client (1 MiB cap, timeouts, no private addresses).\n\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		return code
	}
	cfg := config.Default()
	cfg.Security.AllowLoopback = *allowLoopback
	cfg.HTTP.PublicURL = "https://resolver.invalid" // loopback only when asked for
	r := newResolver(cfg)
	doc, err := r.Resolve(ctx, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade did resolve: %v (%s)\n", err, did.ErrorCode(err))
		return 1
	}
	var out any = doc
	if *result {
		out = map[string]any{"didDocument": doc, "didResolutionMetadata": map[string]any{"contentType": "application/did+ld+json"}, "didDocumentMetadata": map[string]any{}}
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return 1
	}
	return 0
}

// reorderFlags moves flags ahead of positional arguments so that the
// standard flag package sees them ("did resolve DID --result"). Only boolean
// flags may follow a positional argument.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i, a := range args {
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			pos = append(pos, a)
		}
	}
	return append(append(flags, "--"), pos...)
}
