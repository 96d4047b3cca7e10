package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) int
}

// environment is what a command may touch: its streams and the process
// environment, injected so tests can run commands in-process.
type environment struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
	// now is the clock of time-limited protocol state (OpenID4VP
	// request expiry); nil means time.Now. Tests move it forward instead
	// of sleeping.
	now func() time.Time
}

// clock returns env.now, or time.Now.
func (env *environment) clock() func() time.Time {
	if env.now == nil {
		return time.Now
	}
	return env.now
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP service (issuer, wallet, verifier)", runServe},
		{"did", "resolve DIDs and show the issuer's DIDs", runDID},
		{"keys", "list and rotate issuer signing keys", runKeys},
		{"verify", "verify a credential (JSON-LD, JWT or baked image) and print a report of checks", runVerify},
		{"bake", "bake a credential into a PNG or SVG badge image", runBake},
		{"unbake", "print the credential baked into a PNG or SVG badge", runUnbake},
		{"wallet", "use a holder wallet on a server: sign up, sign in, import, list, present, share", runWallet},
		{"contexts", "import and list pinned JSON-LD contexts and JSON Schemas", runContexts},
		{"status", "show Bitstring Status Lists", runStatus},
		{"migrate", "copy every store entry between bolt and Redis, then verify the copy", runMigrate},
		{"issue", "issue credentials on a running server: bulk from a CSV of recipients", runIssue},
		{"bench", "measure a running server: issue credentials over HTTP under load", runBench},
		{"version", "print the version", runVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &environment{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, env, []string{args[1], "--help"})
		}
		usage(env.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.stderr, "accolade: unknown command %q\n\n", args[0])
	usage(env.stderr)
	return 2
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Accolade: an Open Badges 3.0 issuer, wallet and verifier.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: accolade <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'accolade <command> --help' for a command's flags.")
}

func runVersion(_ context.Context, env *environment, args []string) int {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(env.stdout, "Usage: accolade version\n\nPrints the version of this build.")
		return 0
	}
	fmt.Fprintln(env.stdout, "accolade", version)
	return 0
}

// subcommand dispatches "accolade <group> <sub> ..." commands.
func subcommand(ctx context.Context, env *environment, group string, args []string, subs []command) int {
	if len(args) == 0 || isHelp(args[0]) {
		w := env.stdout
		if len(args) == 0 {
			w = env.stderr
			fmt.Fprintf(w, "accolade %s: missing command: %s\n\n", group, names(subs))
		}
		fmt.Fprintf(w, "Usage: accolade %s <command> [flags]\n\nCommands:\n", group)
		for _, c := range subs {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(w, "\nRun 'accolade %s <command> --help' for its flags.\n", group)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range subs {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.stderr, "accolade %s: unknown command %q (want %s)\n", group, args[0], names(subs))
	return 2
}

func names(cs []command) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}
