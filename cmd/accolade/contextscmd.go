package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func runContexts(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "contexts", args, []command{
		{"import", "import pinned JSON-LD contexts and JSON Schemas from a directory into the store", runContextsImport},
		{"list", "list the pinned contexts and schemas and where each is available", runContextsList},
	})
}

const contextsNote = `Accolade loads JSON-LD contexts and JSON Schemas only from a table of URLs
pinned by SHA-256 (of the document's RFC 8785 form): from memory, the store,
ACCOLADE_CONTEXTS_DIR, or HTTPS (unless --offline). Files are matched by
digest, never by name; anything else is refused.`

func runContextsImport(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "contexts import [flags] DIR", "Imports every file in DIR (recursively) whose digest matches a pinned URL\ninto the store, so the service never needs the network for it.\n\n"+contextsNote, args, allowArgs(1), settingsStore)
	if !ok {
		return code
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, discardWriter{}))
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade contexts import: %v\n", err)
		return 1
	}
	defer a.Close()
	urls, err := a.contexts.Import(ctx, cfg.Args[0])
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade contexts import: %v\n", err)
		return 1
	}
	for _, u := range urls {
		fmt.Fprintln(env.stdout, "imported", u)
	}
	fmt.Fprintf(env.stdout, "%d documents imported from %s\n", len(urls), cfg.Args[0])
	return 0
}

func runContextsList(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "contexts list [flags]", "Lists the pinned contexts and schemas, their digests and where each is\navailable now (memory, cache = the store, dir = ACCOLADE_CONTEXTS_DIR, none).\n\n"+contextsNote, args, settingsStore)
	if !ok {
		return code
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, discardWriter{}))
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade contexts list: %v\n", err)
		return 1
	}
	defer a.Close()
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tAVAILABLE\tSHA-256 (JCS)\tURL")
	for _, e := range a.contexts.List(ctx) {
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\n", e.Kind, e.Available, e.SHA256[:16], e.URL)
	}
	_ = tw.Flush()
	return 0
}
