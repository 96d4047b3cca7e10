package bake_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/bake"
	"github.com/google/go-cmp/cmp"
)

const (
	jsonCred = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"A ]]> trap","proof":[{"type":"DataIntegrityProof"}]}`
	jwtCred  = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2lnbmF0dXJl"
)

// testPNG draws a small image with image/png.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chunkTypes lists a PNG's chunk types with their text keywords.
func chunkTypes(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	rest := b[8:]
	for len(rest) >= 12 {
		n := binary.BigEndian.Uint32(rest)
		typ := string(rest[4:8])
		data := rest[8 : 8+n]
		if typ == "iTXt" || typ == "tEXt" {
			typ += ":" + string(data[:bytes.IndexByte(data, 0)])
		}
		out = append(out, typ)
		rest = rest[12+n:]
	}
	return out
}

// textChunk builds a raw tEXt or iTXt chunk.
func textChunk(typ, keyword, text string, compressed bool) []byte {
	data := []byte(keyword + "\x00")
	if typ == "iTXt" {
		flag := byte(0)
		if compressed {
			flag = 1
		}
		data = append(data, flag, 0, 0, 0)
	}
	data = append(data, text...)
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// withChunk inserts raw chunks after IHDR.
func withChunk(p []byte, raw ...[]byte) []byte {
	ihdrEnd := 8 + 12 + int(binary.BigEndian.Uint32(p[8:]))
	out := append([]byte{}, p[:ihdrEnd]...)
	for _, r := range raw {
		out = append(out, r...)
	}
	return append(out, p[ihdrEnd:]...)
}

func TestPNGRoundTrip(t *testing.T) {
	orig := testPNG(t)
	for _, payload := range []string{jsonCred, jwtCred} {
		baked, err := bake.BakePNG(orig, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		got, kind, err := bake.Unbake(baked)
		if err != nil || kind != bake.KindPNG || string(got) != payload {
			t.Fatalf("unbake: %q %q %v", got, kind, err)
		}
		if diff := cmp.Diff([]string{"IHDR", "iTXt:openbadgecredential", "IDAT", "IEND"}, chunkTypes(t, baked)); diff != "" {
			t.Errorf("chunks (-want +got):\n%s", diff)
		}
		// The image still decodes, pixel for pixel.
		a, _ := png.Decode(bytes.NewReader(orig))
		b, err := png.Decode(bytes.NewReader(baked))
		if err != nil || a.At(3, 3) != b.At(3, 3) {
			t.Errorf("baked image does not decode the same: %v", err)
		}
		// The iTXt chunk is uncompressed with empty language and translated keyword.
		if !bytes.Contains(baked, []byte("iTXtopenbadgecredential\x00\x00\x00\x00\x00"+payload)) {
			t.Error("iTXt layout")
		}
	}
}

func TestPNGRebakeReplaces(t *testing.T) {
	orig := withChunk(testPNG(t), textChunk("tEXt", "openbadges", "https://example.org/assertion/1", false),
		textChunk("tEXt", "Software", "test", false))
	once, err := bake.BakePNG(orig, []byte(jwtCred))
	if err != nil {
		t.Fatal(err)
	}
	twice, err := bake.BakePNG(once, []byte(jsonCred))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"IHDR", "iTXt:openbadgecredential", "tEXt:Software", "IDAT", "IEND"}
	if diff := cmp.Diff(want, chunkTypes(t, twice)); diff != "" {
		t.Errorf("chunks after re-bake (-want +got):\n%s", diff)
	}
	got, _, _ := bake.Unbake(twice)
	if string(got) != jsonCred {
		t.Errorf("re-baked payload %q", got)
	}
}

func TestUnbakePNG(t *testing.T) {
	base := testPNG(t)
	first := textChunk("iTXt", "openbadgecredential", jwtCred, false)
	second := textChunk("iTXt", "openbadgecredential", jsonCred, false)
	broken := textChunk("iTXt", "openbadgecredential", jwtCred, false)
	broken[len(broken)-1] ^= 0xff
	tests := []struct {
		name    string
		img     []byte
		want    string
		kind    string
		wantErr error
	}{
		{"ok/first of two wins", withChunk(base, first, second), jwtCred, bake.KindPNG, nil},
		{"ok/ob3 preferred to an earlier ob2", withChunk(base, textChunk("iTXt", "openbadges", `{"id":"x"}`, false), second), jsonCred, bake.KindPNG, nil},
		{"ok/legacy iTXt", withChunk(base, textChunk("iTXt", "openbadges", "https://example.org/a/1", false)), "https://example.org/a/1", bake.KindPNGLegacy, nil},
		{"ok/legacy tEXt", withChunk(base, textChunk("tEXt", "openbadges", jwtCred, false)), jwtCred, bake.KindPNGLegacy, nil},
		{"fail/no credential", base, "", "", bake.ErrNoCredential},
		{"fail/compressed", withChunk(base, textChunk("iTXt", "openbadgecredential", "x", true)), "", "", bake.ErrMalformed},
		{"fail/tEXt form", withChunk(base, textChunk("tEXt", "openbadgecredential", jwtCred, false)), "", "", bake.ErrMalformed},
		{"fail/bad crc", withChunk(base, broken), "", "", bake.ErrMalformed},
		{"fail/truncated", base[:len(base)-5], "", "", bake.ErrMalformed},
		{"fail/url payload", withChunk(base, textChunk("iTXt", "openbadgecredential", "https://example.org/a/1", false)), "", "", bake.ErrPayload},
		{"fail/not an image", []byte("GIF89a..."), "", "", bake.ErrUnsupportedImage},
		{"fail/huge length", append(append([]byte{}, base[:8]...), 0x7f, 0xff, 0xff, 0xff, 'I', 'H', 'D', 'R'), "", "", bake.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kind, err := bake.Unbake(tt.img)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want || kind != tt.kind {
				t.Errorf("got %q %q, want %q %q", got, kind, tt.want, tt.kind)
			}
		})
	}
}

func TestBakeRefuses(t *testing.T) {
	p := testPNG(t)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	tests := []struct {
		name    string
		bake    func([]byte, []byte) ([]byte, error)
		img     []byte
		payload string
		wantErr error
	}{
		{"fail/png url", bake.BakePNG, p, "https://example.org/assertions/1", bake.ErrPayload},
		{"fail/png empty", bake.BakePNG, p, "  ", bake.ErrPayload},
		{"fail/png bad json", bake.BakePNG, p, `{"a":`, bake.ErrPayload},
		{"fail/png huge", bake.BakePNG, p, `{"a":"` + strings.Repeat("x", bake.MaxPayloadBytes) + `"}`, bake.ErrTooLarge},
		{"fail/png not png", bake.BakePNG, svg, jwtCred, bake.ErrUnsupportedImage},
		{"fail/svg not svg", bake.BakeSVG, []byte(`<html></html>`), jwtCred, bake.ErrUnsupportedImage},
		{"fail/svg broken", bake.BakeSVG, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), jwtCred, bake.ErrMalformed},
		{"fail/svg control char", bake.BakeSVG, svg, "{\"a\":\"\x01\"}", bake.ErrPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.bake(tt.img, []byte(tt.payload)); !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
		})
	}
}

const artwork = `<?xml version="1.0" encoding="UTF-8"?>
<!-- badge art -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" xmlns:xlink="http://www.w3.org/1999/xlink">
  <circle cx="5" cy="5" r="4" fill="gold"/>
</svg>
`

func TestSVGRoundTrip(t *testing.T) {
	for _, payload := range []string{jsonCred, jwtCred} {
		baked, err := bake.BakeSVG([]byte(artwork), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		got, kind, err := bake.Unbake(baked)
		if err != nil || kind != bake.KindSVG || string(got) != payload {
			t.Fatalf("unbake: %q %q %v\n%s", got, kind, err, baked)
		}
		s := string(baked)
		if !strings.Contains(s, `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">`+"\n<openbadges:credential") {
			t.Errorf("the element is not right after the root start tag:\n%s", s)
		}
		if payload == jwtCred && !strings.Contains(s, `<openbadges:credential verify="`+jwtCred+`"></openbadges:credential>`) {
			t.Errorf("JWS not in verify:\n%s", s)
		}
		if payload == jsonCred && !strings.Contains(s, "<![CDATA[") {
			t.Errorf("JSON not in CDATA:\n%s", s)
		}
		if !strings.Contains(s, `<circle cx="5" cy="5" r="4" fill="gold"/>`) || !strings.HasPrefix(s, `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Errorf("artwork changed:\n%s", s)
		}
		// Re-baking replaces, and the declaration is not repeated.
		again, err := bake.BakeSVG(baked, []byte(jwtCred))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(again), "credential verify="); n != 1 || strings.Count(string(again), "xmlns:openbadges=") != 1 || strings.Contains(string(again), "CDATA") {
			t.Errorf("re-baked:\n%s", again)
		}
	}
}

func TestSVGForms(t *testing.T) {
	tests := []struct {
		name    string
		svg     string
		want    string
		kind    string
		wantErr error
	}{
		{"ok/other prefix", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential verify="` + jwtCred + `"/></svg>`, jwtCred, bake.KindSVG, nil},
		{"ok/default namespace on element", `<svg xmlns="http://www.w3.org/2000/svg"><g><credential xmlns="https://purl.imsglobal.org/ob/v3p0">  ` + jwtCred + ` </credential></g></svg>`, jwtCred, bake.KindSVG, nil},
		{"ok/cdata", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{"a":"]]]]><![CDATA[>"}]]></openbadges:credential></svg>`, `{"a":"]]>"}`, bake.KindSVG, nil},
		{"ok/legacy", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://example.org/a/1"/></svg>`, "https://example.org/a/1", bake.KindSVGLegacy, nil},
		{"fail/prefix without namespace", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/other"><openbadges:credential verify="` + jwtCred + `"/></svg>`, "", "", bake.ErrNoCredential},
		{"fail/nothing", artwork, "", "", bake.ErrNoCredential},
		{"fail/nested element", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential><g/></o:credential></svg>`, "", "", bake.ErrMalformed},
		{"fail/undefined entity", `<svg xmlns="http://www.w3.org/2000/svg">&bomb;</svg>`, "", "", bake.ErrMalformed},
		{"fail/not svg", `<html/>`, "", "", bake.ErrUnsupportedImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kind, err := bake.Unbake([]byte(tt.svg))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want || kind != tt.kind {
				t.Errorf("got %q %q", got, kind)
			}
		})
	}
}

func TestSVGEdgeCases(t *testing.T) {
	// A self-closing root, a prefix already bound to the OB 3.0 namespace,
	// and "openbadges" taken by another namespace.
	tests := []struct{ name, svg, contains string }{
		{"self-closing root", `<svg xmlns="http://www.w3.org/2000/svg"/>`, "\n</svg>"},
		{"existing prefix", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"></svg>`, "<ob:credential verify="},
		{"prefix taken", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="x"/></svg>`, `xmlns:openbadges1="https://purl.imsglobal.org/ob/v3p0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := bake.BakeSVG([]byte(tt.svg), []byte(jwtCred))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tt.contains) || strings.Contains(string(out), "assertion") {
				t.Errorf("baked:\n%s", out)
			}
			if got, kind, err := bake.Unbake(out); err != nil || kind != bake.KindSVG || string(got) != jwtCred {
				t.Errorf("unbake: %q %q %v", got, kind, err)
			}
		})
	}
}

func TestIsImage(t *testing.T) {
	for in, want := range map[string]bool{string(testPNG(t)): true, "\ufeff\n <svg/>": true, `{"a":1}`: false, jwtCred: false, `"eyJ"`: false} {
		if got := bake.IsImage([]byte(in)); got != want {
			t.Errorf("IsImage(%.20q) = %v", in, got)
		}
	}
	if _, _, err := bake.Unbake(make([]byte, bake.MaxImageBytes+1)); !errors.Is(err, bake.ErrTooLarge) {
		t.Errorf("oversized image: %v", err)
	}
}
