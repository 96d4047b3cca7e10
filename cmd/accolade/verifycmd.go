package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/verifier"
)

const verifySynopsis = `Verifies a credential and prints a report of named checks (format, proof,
issuer, validity, schema, status). FILE is a JSON-LD credential, a compact
JWT (VC-JWT), an EnvelopedVerifiableCredential, or a baked PNG or SVG badge;
"-" reads standard input.
Exits 0 when verified, 1 when a check failed, 2 on usage errors.

JSON-LD contexts and schemas come from where the server finds them: the
store's cache when the data directory can be opened, else the running
server's (through its admin API), then --contexts-dir, then HTTPS unless
--offline. It works while a server runs on the same data directory.`

func runVerify(ctx context.Context, env *environment, args []string) int {
	asJSON := false
	checks := ""
	cfg, code, ok := loadConfig(env, "verify [flags] FILE|-", verifySynopsis, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
		fs.StringVar(&checks, "checks", "", "comma-separated `checks` to run, e.g. proof,validity (default: all)")
	}, allowArgs(1), settingsVerify)
	if !ok {
		return code
	}
	path := cfg.Args[0]
	r := io.Reader(env.stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(env.stderr, "accolade verify: %v\n", err)
			return 2
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, bake.MaxImageBytes))
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade verify: %v\n", err)
		return 2
	}
	if bake.IsImage(raw) {
		payload, kind, err := bake.Unbake(raw)
		if err == nil && (kind == bake.KindPNGLegacy || kind == bake.KindSVGLegacy) {
			err = fmt.Errorf("the image holds an Open Badges 2.0 bake, not an OB 3.0 credential")
		}
		if err != nil {
			fmt.Fprintf(env.stderr, "accolade verify: %v\n", err)
			return 1
		}
		raw = payload
	}
	cache, done := commandContextsCache(ctx, cfg)
	defer done()
	contexts, err := newContexts(cfg, cache)
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade verify: %v\n", err)
		return 2
	}
	v, err := newVerifier(cfg, contexts, newResolver(cfg))
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade verify: %v\n", err)
		return 2
	}
	var opts verifier.Options
	if checks != "" {
		opts.Checks = strings.Split(checks, ",")
	}
	rep := v.Verify(ctx, raw, opts)
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printReport(env.stdout, rep)
	}
	if !rep.Verified {
		return 1
	}
	return 0
}

func printReport(w io.Writer, rep *verifier.Report) {
	verdict := "VERIFIED"
	if !rep.Verified {
		verdict = "NOT VERIFIED"
	}
	fmt.Fprintf(w, "%s  %s", verdict, rep.Format)
	if rep.Shape != "" {
		fmt.Fprintf(w, " (%s)", rep.Shape)
	}
	if rep.Issuer != "" {
		fmt.Fprintf(w, "  issuer %s", rep.Issuer)
	}
	fmt.Fprintln(w)
	marks := map[string]string{verifier.Passed: "ok  ", verifier.Failed: "FAIL", verifier.Warning: "warn", verifier.Skipped: "skip"}
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  [%s] %-9s %s\n", marks[c.Status], c.Name, c.Message)
	}
}

// allowArgs lets a command take n positional arguments after its flags;
// their names come from the command's usage line.
func allowArgs(n int) config.ArgsRule { return config.ArgsRule{Min: n, Max: n} }
