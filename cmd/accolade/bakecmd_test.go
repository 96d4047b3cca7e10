package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
)

// localCredentials signs an OB 3.0 credential with a fresh did:key, as a
// JSON-LD credential and as a VC-JWT, without a server.
func localCredentials(t *testing.T) (ldp []byte, jwt string) {
	t.Helper()
	k, err := keys.Generate(keys.EdDSA, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := did.KeyDID(k.Public())
	vm := d + "#" + strings.TrimPrefix(d, "did:key:")
	doc, _ := credential.AsMap(credential.AchievementCredential{
		Context:   []any{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
		ID:        "urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
		Type:      []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential},
		Name:      "Baked",
		Issuer:    credential.Profile{ID: d, Type: []string{credential.TypeProfile}, Name: "Bakery"},
		ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		CredentialSubject: credential.AchievementSubject{ID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Type: []string{credential.TypeAchievementSubject},
			Achievement: credential.Achievement{ID: "https://example.org/a/bread", Type: []string{credential.TypeAchievement}, Name: "Bread", Description: "Bakes bread", Criteria: credential.Criteria{Narrative: "Bake."}}},
		CredentialSchema: []credential.CredentialSchema{{ID: credential.SchemaAchievementCredential, Type: credential.SchemaType1EdTech}},
	})
	jwt, err = jose.SignCredential(doc, k, vm, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := (&di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}).Sign(context.Background(), doc, k, di.Options{VerificationMethod: vm})
	if err != nil {
		t.Fatal(err)
	}
	ldp, _ = json.Marshal(signed)
	return ldp, jwt
}

func TestBakeUnbakeVerifyCommands(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true", "ACCOLADE_DATA_DIR": dir}
	run := func(stdin string, args ...string) (int, string, string) {
		env, out, errb := testEnv(vars)
		env.stdin = strings.NewReader(stdin)
		code := run(context.Background(), env, args)
		return code, out.String(), errb.String()
	}
	ldp, jwt := localCredentials(t)
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 6, 6)))
	files := map[string][]byte{
		"badge.png": img.Bytes(), "badge.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="6" height="6"/></svg>`),
		"cred.json": ldp, "cred.jwt": []byte(jwt + "\n"), "quoted.json": []byte(`"` + jwt + `"`),
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	for name, b := range files {
		if err := os.WriteFile(path(name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, image, cred, want string
	}{
		{"ok/png with JSON-LD", "badge.png", "cred.json", string(ldp)},
		{"ok/png with JWT", "badge.png", "cred.jwt", jwt},
		{"ok/svg with JWT as JSON string", "badge.svg", "quoted.json", jwt},
		{"ok/svg with JSON-LD", "badge.svg", "cred.json", string(ldp)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := path(strings.ReplaceAll(tt.name, "/", "_") + filepath.Ext(tt.image))
			if code, _, errs := run("", "bake", "--in", path(tt.image), "--credential", path(tt.cred), "--out", out); code != 0 {
				t.Fatalf("bake: %d %s", code, errs)
			}
			code, got, errs := run("", "unbake", out)
			if code != 0 || strings.TrimSpace(got) != tt.want {
				t.Fatalf("unbake: %d %q %s", code, got, errs)
			}
			// verify takes the baked image as it is.
			code, report, _ := run("", "verify", out)
			if code != 0 || !strings.HasPrefix(report, "VERIFIED") {
				t.Errorf("verify baked image: %d\n%s", code, report)
			}
			if i == 0 {
				// From standard input too.
				b, _ := os.ReadFile(out)
				if code, report, _ := run(string(b), "verify", "-"); code != 0 || !strings.HasPrefix(report, "VERIFIED") {
					t.Errorf("verify baked image from stdin: %d %s", code, report)
				}
			}
		})
	}
	// Re-baking replaces: still one credential, the new one.
	once := path("once.png")
	run("", "bake", "--in", path("badge.png"), "--credential", path("cred.json"), "--out", once)
	twice := path("twice.png")
	if code, _, errs := run("", "bake", "--in", once, "--credential", path("cred.jwt"), "--out", twice); code != 0 {
		t.Fatalf("re-bake: %s", errs)
	}
	b, _ := os.ReadFile(twice)
	if n := bytes.Count(b, []byte("openbadgecredential")); n != 1 {
		t.Errorf("%d credential chunks after re-baking", n)
	}
	failures := []struct {
		name  string
		stdin string
		args  []string
		code  int
		msg   string
	}{
		{"fail/unbake a plain image", "", []string{"unbake", path("badge.png")}, 1, "no baked credential"},
		{"fail/unbake not an image", "", []string{"unbake", path("cred.json")}, 1, "not a PNG or SVG"},
		{"fail/bake a URL", "https://example.org/assertions/1", []string{"bake", "--in", path("badge.png"), "--credential", "-", "--out", path("x.png")}, 1, "neither a JSON credential nor a compact JWS"},
		{"fail/bake without flags", "", []string{"bake", "--in", path("badge.png")}, 2, "required"},
		{"fail/verify an OB 2.0 bake", "", []string{"verify", path("ob2.svg")}, 1, "Open Badges 2.0"},
	}
	_ = os.WriteFile(path("ob2.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion verify="https://example.org/a/1"/></svg>`), 0o600)
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.msg)
			}
		})
	}
	for _, cmd := range []string{"bake", "unbake"} {
		if code, out, _ := run("", cmd, "--help"); code != 0 || !strings.Contains(out, "Usage: accolade "+cmd) {
			t.Errorf("%s --help: %d %s", cmd, code, out)
		}
	}
}
