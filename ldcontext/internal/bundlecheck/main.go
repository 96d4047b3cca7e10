package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/accolade-badges/accolade/ldcontext"
)

func main() { os.Exit(run(os.Stdout, os.Stderr)) }

func run(stdout, stderr io.Writer) int {
	docs, err := ldcontext.Bundled()
	if err != nil {
		fmt.Fprintf(stderr, "bundlecheck: the bundled contexts do not match the pinned table:\n%v\n", err)
		return 1
	}
	if len(docs) == 0 {
		fmt.Fprintln(stderr, "bundlecheck: no bundled contexts in ldcontext/bundled (run ldcontext/bundle/extract.cjs, or make contexts)")
		return 1
	}
	l, err := ldcontext.New(ldcontext.Config{Bundled: true})
	if err != nil {
		fmt.Fprintf(stderr, "bundlecheck: %v\n", err)
		return 1
	}
	var missing []ldcontext.Entry
	for _, e := range l.List(context.Background()) {
		if e.Bundled == "" {
			missing = append(missing, e)
		}
	}
	fmt.Fprintf(stdout, "bundlecheck: %d bundled contexts match their pinned JCS SHA-256\n", len(docs))
	fmt.Fprintf(stdout, "bundlecheck: %d pinned documents have no npm package and are not bundled (store, ACCOLADE_CONTEXTS_DIR or HTTPS fetch):\n", len(missing))
	for _, e := range missing {
		fmt.Fprintf(stdout, "  %-7s %s\n", e.Kind, e.URL)
	}
	return 0
}
