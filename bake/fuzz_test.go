package bake_test

// Fuzz targets of the two parsers of untrusted images. Run one with:
//   go test -run '^$' -fuzz FuzzUnbakePNG -fuzztime 30s ./bake/

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/bake"
)

// checkUnbake asserts the parser's contract on any input: a known sentinel
// on failure; on success a kind and a payload, and for an OB 3.0 bake a
// payload that bakes into a fresh image and reads back unchanged.
func checkUnbake(t *testing.T, img []byte, fresh []byte, bakeFn func([]byte, []byte) ([]byte, error)) {
	payload, kind, err := bake.Unbake(img)
	if err != nil {
		for _, s := range []error{bake.ErrUnsupportedImage, bake.ErrMalformed, bake.ErrNoCredential, bake.ErrTooLarge, bake.ErrPayload} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error without a sentinel: %v", err)
	}
	if kind == "" || len(payload) == 0 {
		t.Fatalf("success without kind or payload: %q %q", kind, payload)
	}
	if kind != bake.KindPNG && kind != bake.KindSVG {
		return
	}
	out, err := bakeFn(fresh, payload)
	if err != nil {
		t.Fatalf("an unbaked payload does not bake again: %v", err)
	}
	again, _, err := bake.Unbake(out)
	if err != nil || !bytes.Equal(again, payload) {
		t.Fatalf("round trip: %q vs %q (%v)", again, payload, err)
	}
}

func FuzzUnbakePNG(f *testing.F) {
	base := testPNG(f)
	f.Add(base)
	for _, p := range []string{jsonCred, jwtCred} {
		b, _ := bake.BakePNG(base, []byte(p))
		f.Add(b)
	}
	f.Add(withChunk(base, textChunk("tEXt", "openbadges", "https://example.org/a", false)))
	f.Add(withChunk(base, textChunk("iTXt", "openbadgecredential", "x", true)))
	f.Fuzz(func(t *testing.T, img []byte) {
		checkUnbake(t, img, base, bake.BakePNG)
		// Baking any PNG either fails with a sentinel or yields one credential.
		if out, err := bake.BakePNG(img, []byte(jwtCred)); err == nil {
			if got, kind, err := bake.Unbake(out); err != nil || kind != bake.KindPNG || string(got) != jwtCred {
				t.Fatalf("baked PNG reads back %q %q %v", got, kind, err)
			}
		}
	})
}

func FuzzUnbakeSVG(f *testing.F) {
	f.Add([]byte(artwork))
	for _, p := range []string{jsonCred, jwtCred} {
		b, _ := bake.BakeSVG([]byte(artwork), []byte(p))
		f.Add(b)
	}
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="u"/></svg>`))
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
	f.Fuzz(func(t *testing.T, img []byte) {
		checkUnbake(t, img, []byte(artwork), bake.BakeSVG)
		if out, err := bake.BakeSVG(img, []byte(jsonCred)); err == nil {
			if got, kind, err := bake.Unbake(out); err != nil || kind != bake.KindSVG || string(got) != jsonCred {
				t.Fatalf("baked SVG reads back %q %q %v\n%s", got, kind, err, out)
			}
		}
	})
}
