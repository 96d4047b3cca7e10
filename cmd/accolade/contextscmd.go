package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
the contexts bundled into the binary at build time (from their publishers'
npm packages), ACCOLADE_CONTEXTS_DIR, or HTTPS from the canonical URL
(unless --offline). Files are matched by digest, never by name; anything
else is refused. The OB 3.0 JSON Schemas have no npm package and are not
bundled: without them the schema check is skipped.

Works on the data directory; while a server holds the embedded store, it goes
through that server's admin API (GET and POST /api/v1/contexts) at --server,
default the public URL.`

func runContextsImport(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "contexts import [flags] DIR", "Imports every file in DIR (recursively) whose digest matches a pinned URL\ninto the store, so the service never needs the network for it.\n\n"+contextsNote, args, allowArgs(1), settingsStore)
	if !ok {
		return code
	}
	dir := cfg.Args[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		fmt.Fprintf(env.stderr, "accolade contexts import: %s is not a readable directory\n", dir)
		return 2
	}
	urls, ok := onStore(ctx, env, "contexts import", cfg,
		func(c *walletClient) ([]string, error) { return importOverAPI(ctx, c, dir) },
		func(a *app) ([]string, error) { return a.contexts.Import(ctx, dir) })
	if !ok {
		return 1
	}
	for _, u := range urls {
		fmt.Fprintln(env.stdout, "imported", u)
	}
	fmt.Fprintf(env.stdout, "%d documents imported from %s\n", len(urls), dir)
	return 0
}

// importOverAPI sends each *.json and *.jsonld file of dir to POST
// /api/v1/contexts, as Import walks it; files pinned to no URL (422) or
// not JSON (400) are skipped, as Import skips them.
func importOverAPI(ctx context.Context, c *walletClient, dir string) ([]string, error) {
	var urls []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if d.IsDir() || (ext != ".json" && ext != ".jsonld") {
			return nil
		}
		b, err := os.ReadFile(path) //nolint:gosec // G122: the operator's own contexts directory, read once by the CLI
		if err != nil {
			return nil
		}
		var out struct {
			Imported []string `json:"imported"`
		}
		err = c.call(ctx, http.MethodPost, "/api/v1/contexts", "application/json", b, &out)
		var pe *problemError
		if errors.As(err, &pe) && (pe.Status == http.StatusUnprocessableEntity || pe.Status == http.StatusBadRequest || pe.Status == http.StatusRequestEntityTooLarge) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		urls = append(urls, out.Imported...)
		return nil
	})
	slices.Sort(urls)
	return slices.Compact(urls), err
}

func runContextsList(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "contexts list [flags]", "Lists the pinned contexts and schemas, their digests and where each is\navailable now (memory, cache = the store, bundled = compiled into the\nbinary, dir = ACCOLADE_CONTEXTS_DIR, none = fetched on first use unless\noffline), and the npm package of the bundled copy.\n\n"+contextsNote, args, settingsStore)
	if !ok {
		return code
	}
	type entry struct {
		URL       string `json:"url"`
		Kind      string `json:"kind"`
		SHA256    string `json:"sha256"`
		Available string `json:"available"`
		Bundled   string `json:"bundled,omitempty"`
	}
	entries, ok := onStore(ctx, env, "contexts list", cfg,
		func(c *walletClient) ([]entry, error) { return listOverAPI[entry](ctx, c, "/api/v1/contexts") },
		func(a *app) (entries []entry, _ error) {
			for _, e := range a.contexts.List(ctx) {
				entries = append(entries, entry{URL: e.URL, Kind: string(e.Kind), SHA256: e.SHA256, Available: string(e.Available), Bundled: e.Bundled})
			}
			return entries, nil
		})
	if !ok {
		return 1
	}
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tAVAILABLE\tSHA-256 (JCS)\tURL\tBUNDLED FROM")
	for _, e := range entries {
		pkg := e.Bundled
		if pkg == "" {
			pkg = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\n", e.Kind, e.Available, e.SHA256[:min(16, len(e.SHA256))], e.URL, pkg)
	}
	_ = tw.Flush()
	return 0
}
