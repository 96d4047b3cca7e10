package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/accolade-badges/accolade/bake"
)

const bakeSynopsis = `Bakes a credential into a badge image (Open Badges 3.0 §5.3): a PNG gets
one uncompressed iTXt chunk "openbadgecredential", an SVG one
<openbadges:credential> element after its root tag (a JWT in its verify
attribute, a JSON credential as CDATA). A credential the image already
carries, OB 3.0 or OB 2.0, is replaced. Nothing else in the image changes.`

func runBake(ctx context.Context, env *environment, args []string) int {
	var in, credFile, out string
	_, code, ok := loadConfig(env, "bake --in IMAGE --credential FILE --out FILE", bakeSynopsis, args, func(fs *flag.FlagSet) {
		fs.StringVar(&in, "in", "", "the badge image to bake into (PNG or SVG)")
		fs.StringVar(&credFile, "credential", "", `the credential file (JSON or JWT; "-" for standard input)`)
		fs.StringVar(&out, "out", "", `where to write the baked image ("-" for standard output)`)
	}, settingsNone)
	if !ok {
		return code
	}
	if in == "" || credFile == "" || out == "" {
		fmt.Fprintln(env.stderr, "accolade bake: --in, --credential and --out are required (see --help)")
		return 2
	}
	img, err := readInput(env, in, bake.MaxImageBytes)
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade bake: %v\n", err)
		return 2
	}
	cred, err := readInput(env, credFile, bake.MaxPayloadBytes)
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade bake: %v\n", err)
		return 2
	}
	cred = bytes.TrimSpace(cred)
	if len(cred) > 0 && cred[0] == '"' {
		// A JWT as a JSON string, as the admin API returns it.
		var tok string
		if err := json.Unmarshal(cred, &tok); err == nil {
			cred = []byte(tok)
		}
	}
	var baked []byte
	if bake.IsImage(img) && !bytes.HasPrefix(img, []byte("\x89PNG")) {
		baked, err = bake.BakeSVG(img, cred)
	} else {
		baked, err = bake.BakePNG(img, cred)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade bake: %v\n", err)
		return 1
	}
	if out == "-" {
		_, err = env.stdout.Write(baked)
	} else {
		err = os.WriteFile(filepath.Clean(out), baked, 0o644) //nolint:gosec // a baked badge is a public image, readable like any output file
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade bake: %v\n", err)
		return 1
	}
	return 0
}

const unbakeSynopsis = `Prints the credential baked into a PNG or SVG badge (Open Badges 3.0 §5.3):
a JSON-LD credential or a compact VC-JWT. An Open Badges 2.0 bake is printed
too, with a note on standard error. Exits 0 when a credential was found, 1
when the image carries none or is malformed. "-" reads standard input.
Verify the result with 'accolade verify' (which also takes the image).`

func runUnbake(ctx context.Context, env *environment, args []string) int {
	cfg, code, ok := loadConfig(env, "unbake [flags] FILE", unbakeSynopsis, args, allowArgs(1), settingsNone)
	if !ok {
		return code
	}
	img, err := readInput(env, cfg.Args[0], bake.MaxImageBytes)
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade unbake: %v\n", err)
		return 2
	}
	payload, kind, err := bake.Unbake(img)
	if err != nil {
		fmt.Fprintf(env.stderr, "accolade unbake: %v\n", err)
		return 1
	}
	if kind == bake.KindPNGLegacy || kind == bake.KindSVGLegacy {
		fmt.Fprintln(env.stderr, "accolade unbake: note: an Open Badges 2.0 bake (an assertion, not an OB 3.0 credential)")
	}
	fmt.Fprintf(env.stdout, "%s\n", payload)
	return 0
}

// readInput reads a file, or standard input for "-", refusing more than
// max bytes.
func readInput(env *environment, path string, max int) ([]byte, error) {
	r := io.Reader(env.stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return b, nil
}
