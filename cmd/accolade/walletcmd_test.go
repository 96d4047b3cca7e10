package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
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
	"github.com/accolade-badges/accolade/wallet"
)

// walletCLI runs accolade wallet commands against a server, each holder
// with its own token file.
type walletCLI struct {
	t    *testing.T
	vars map[string]string
}

func newWalletCLI(t *testing.T, s *server, tokenFile string) *walletCLI {
	return &walletCLI{t: t, vars: map[string]string{
		"ACCOLADE_WALLET_SERVER": s.base, "ACCOLADE_WALLET_TOKEN_FILE": tokenFile, "ACCOLADE_DATA_DIR": filepath.Dir(tokenFile),
	}}
}

func (w *walletCLI) run(stdin string, args ...string) (int, string, string) {
	w.t.Helper()
	env, out, errb := testEnv(w.vars)
	env.stdin = strings.NewReader(stdin)
	code := run(context.Background(), env, append([]string{"wallet"}, args...))
	return code, out.String(), errb.String()
}

func (w *walletCLI) mustRun(stdin string, args ...string) string {
	w.t.Helper()
	code, out, errs := w.run(stdin, args...)
	if code != 0 {
		w.t.Fatalf("accolade wallet %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// verifyVP posts a presentation to the server's VC-API verifier.
func verifyVP(t *testing.T, s *server, vp any, challenge, domain string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"verifiablePresentation": vp, "options": map[string]any{"challenge": challenge, "domain": domain}})
	resp, err := http.Post(s.base+"/presentations/verify", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// parseVP reads what accolade wallet present printed: JSON or a VP-JWT.
func parseVP(t *testing.T, printed string) any {
	t.Helper()
	printed = strings.TrimSpace(printed)
	if strings.HasPrefix(printed, "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(printed), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	return printed
}

func errorNamesOf(res map[string]any) []string {
	var out []string
	errs, _ := res["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["name"].(string))
	}
	return out
}

// TestWalletOverServe runs the wallet end to end over a real accolade
// serve: the issuer issues through the admin API, the holders use the
// accolade wallet commands, a verifier posts to /presentations/verify.
func TestWalletOverServe(t *testing.T) {
	const token = "wallet-cli-admin-token-00"
	vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_STATUS_TTL": "1s"}
	s := startServe(t, t.TempDir(), vars)
	home := t.TempDir()
	alice := newWalletCLI(t, s, filepath.Join(home, "alice", "wallet-token"))
	bob := newWalletCLI(t, s, filepath.Join(home, "bob", "wallet-token"))

	if out := alice.mustRun("correct horse battery\n", "signup", "--email", "alice@example.org"); !strings.Contains(out, "confirmation link was mailed") {
		t.Fatalf("signup: %s", out)
	}
	if code, _, _ := alice.run("correct horse battery\n", "signin", "--email", "alice@example.org"); code == 0 {
		t.Fatal("signed in before confirming the address")
	}
	if out := alice.mustRun("", "confirm", s.confirmLink(t, "alice@example.org")); !strings.Contains(out, "holder DID did:key:z6Mk") {
		t.Fatalf("confirm: %s", out)
	}
	alice.mustRun("correct horse battery\n", "signin", "--email", "alice@example.org")
	if st, err := os.Stat(alice.vars["ACCOLADE_WALLET_TOKEN_FILE"]); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	bob.mustRun("another long password\n", "signup", "--email", "bob@example.org")
	bob.mustRun("", "confirm", s.confirmLink(t, "bob@example.org"))
	bob.mustRun("another long password\n", "signin", "--email", "bob@example.org")
	var dids []wallet.DID
	_ = json.Unmarshal([]byte(alice.mustRun("", "dids", "--json")), &dids)
	if len(dids) != 1 || !dids[0].Default {
		t.Fatalf("dids: %+v", dids)
	}
	aliceDID := dids[0].DID

	// The issuer issues two badges to Alice's DID over the admin API.
	ach := postJSON(t, s.base+"/api/v1/achievements", token, `{"name":"Wallet Badge","description":"d","criteria":{"narrative":"n"}}`)
	issueTo := func(subject, format string) (string, json.RawMessage) {
		rec := postJSON(t, s.base+"/api/v1/credentials", token, `{"achievementId":"`+ach["id"].(string)+`","recipient":{"did":"`+subject+`"},"format":"`+format+`"}`)
		raw, _ := json.Marshal(rec["credential"])
		return rec["id"].(string), raw
	}
	ldpID, ldp := issueTo(aliceDID, "ldp_vc")
	_, jwtRaw := issueTo(aliceDID, "jwt_vc")
	var jwt string
	_ = json.Unmarshal(jwtRaw, &jwt)

	// Alice imports the JSON-LD credential from a file and the JWT baked into a PNG.
	files := t.TempDir()
	ldpFile, jwtFile, pngFile, bakedFile := filepath.Join(files, "ldp.json"), filepath.Join(files, "cred.jwt"), filepath.Join(files, "badge.png"), filepath.Join(files, "baked.png")
	_ = os.WriteFile(ldpFile, ldp, 0o600)
	_ = os.WriteFile(jwtFile, []byte(jwt), 0o600)
	f, _ := os.Create(pngFile)
	_ = png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8)))
	f.Close()
	env, _, errb := testEnv(nil)
	if code := run(context.Background(), env, []string{"bake", "--in", pngFile, "--credential", jwtFile, "--out", bakedFile}); code != 0 {
		t.Fatalf("bake: %s", errb.String())
	}
	if out := alice.mustRun("", "import", ldpFile); !strings.Contains(out, "Wallet Badge") || !strings.Contains(out, "valid") {
		t.Errorf("import: %s", out)
	}
	alice.mustRun("", "import", bakedFile)
	if code, _, errs := alice.run("", "import", ldpFile); code != 1 || !strings.Contains(errs, "already holds") {
		t.Errorf("duplicate import: %d %s", code, errs)
	}
	var held []wallet.Credential
	_ = json.Unmarshal([]byte(alice.mustRun("", "list", "--json")), &held)
	if len(held) != 2 || held[0].Source != "json" || held[1].Source != "png" {
		t.Fatalf("list: %+v", held)
	}
	if out := alice.mustRun("", "list", "--achievement", "wallet", "--status", "valid"); strings.Count(out, "Wallet Badge") != 2 {
		t.Errorf("list table:\n%s", out)
	}

	// Alice presents both, in both formats, to a verifier; it accepts.
	for _, format := range []string{"ldp_vp", "jwt_vp"} {
		t.Run(format, func(t *testing.T) {
			printed := alice.mustRun("", "present", "--format", format, "--challenge", "c-"+format, "--domain", "https://employer.example", held[0].ID, held[1].ID)
			vp := parseVP(t, printed)
			code, res := verifyVP(t, s, vp, "c-"+format, "https://employer.example")
			if code != 200 || res["verified"] != true || res["holder"] != aliceDID {
				t.Fatalf("verify: %d %v", code, res)
			}
			// Replayed to an exchange with another challenge: refused by name.
			code, res = verifyVP(t, s, vp, "another-challenge", "https://employer.example")
			if code != 400 || strings.Join(errorNamesOf(res), ",") != "presentation.proof" {
				t.Errorf("replay: %d %v", code, errorNamesOf(res))
			}
		})
	}

	// Bob holds a copy of Alice's badge; presenting it, he is not its subject.
	bobCopy := filepath.Join(files, "bob.json")
	_, ldp2 := issueTo(aliceDID, "ldp_vc")
	_ = os.WriteFile(bobCopy, ldp2, 0o600)
	bob.mustRun("", "import", bobCopy)
	var bobs []wallet.Credential
	_ = json.Unmarshal([]byte(bob.mustRun("", "list", "--json")), &bobs)
	vp := parseVP(t, bob.mustRun("", "present", "--challenge", "c1", bobs[0].ID))
	if code, res := verifyVP(t, s, vp, "c1", ""); code != 400 || strings.Join(errorNamesOf(res), ",") != "verifiableCredential[0].holder-binding" {
		t.Errorf("someone else's credential: %d %v", code, errorNamesOf(res))
	}
	// Bob cannot touch Alice's credential by its ID.
	if code, _, errs := bob.run("", "show", held[0].ID); code != 1 || !strings.Contains(errs, "404") {
		t.Errorf("bob shows alice's credential: %d %s", code, errs)
	}

	// A holder who tampers with their own credential and signs a valid
	// presentation over it, and an expired VP-JWT.
	hk, _ := keys.Generate(keys.EdDSA, rand.Reader)
	hdid, _ := did.KeyDID(hk.Public())
	hvm := hdid + "#" + strings.TrimPrefix(hdid, "did:key:")
	_, own := issueTo(hdid, "ldp_vc")
	var ownDoc map[string]any
	_ = json.Unmarshal(own, &ownDoc)
	ownDoc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Forged"
	contexts, _ := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	tampered, err := (&di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}).Sign(context.Background(), map[string]any{
		"@context": []any{credential.ContextVCv2}, "type": []any{"VerifiablePresentation"}, "holder": hdid, "verifiableCredential": []any{ownDoc},
	}, hk, di.Options{VerificationMethod: hvm, ProofPurpose: di.PurposeAuthentication, Challenge: "c1", ProofObject: true})
	if err != nil {
		t.Fatal(err)
	}
	if code, res := verifyVP(t, s, tampered, "c1", ""); code != 400 || !strings.HasPrefix(strings.Join(errorNamesOf(res), ","), "verifiableCredential[0].proof") {
		t.Errorf("tampered credential: %d %v", code, res["errors"])
	}
	_, ownJWT := issueTo(hdid, "jwt_vc")
	var ownTok string
	_ = json.Unmarshal(ownJWT, &ownTok)
	expired, err := jose.SignPresentation(map[string]any{"@context": []any{credential.ContextVCv1}, "type": []any{"VerifiablePresentation"}, "verifiableCredential": []any{ownTok}},
		hk, hvm, "https://employer.example", "c1", time.Now().Add(-time.Hour), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, res := verifyVP(t, s, expired, "c1", "https://employer.example"); code != 400 || strings.Join(errorNamesOf(res), ",") != "presentation.proof" {
		t.Errorf("expired VP-JWT: %d %v", code, res["errors"])
	}

	// The issuer revokes the JSON-LD badge: Alice's re-verification shows it.
	postStatus(t, s.base+"/api/v1/credentials/"+ldpID+"/revoke", token)
	// The status list is cached for its ttl (1s): ask until the revocation shows.
	var (
		code int
		out  string
	)
	if !eventually(15*time.Second, func() bool {
		code, out, _ = alice.run("", "verify", held[0].ID)
		return code == 1 && strings.Contains(out, "REVOKED") && strings.Contains(out, "[FAIL] status")
	}) {
		t.Errorf("verify 15s after revocation: %d\n%s", code, out)
	}
	if out := alice.mustRun("", "list", "--status", "revoked", "--json"); !strings.Contains(out, held[0].ID) {
		t.Errorf("revoked filter: %s", out)
	}

	// A share link serves the credential to anyone.
	link := strings.TrimSpace(alice.mustRun("", "share", "--expires", "1h", held[1].ID))
	resp, err := http.Get(strings.Replace(link, strings.TrimPrefix(publicURLOf(s), "http://"), strings.TrimPrefix(s.base, "http://"), 1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != string(jwtRaw) {
		t.Errorf("share link %s: %d %s", link, resp.StatusCode, body)
	}
	var bundle wallet.Bundle
	_ = json.Unmarshal([]byte(alice.mustRun("", "export")), &bundle)
	if len(bundle.Credentials) != 2 || bundle.Holder.Email != "alice@example.org" {
		t.Errorf("export: %+v", bundle)
	}

	// Sign out: the token is gone, and so is access.
	alice.mustRun("", "signout")
	if code, _, errs := alice.run("", "list"); code != 1 || !strings.Contains(errs, "not signed in") {
		t.Errorf("after signout: %d %s", code, errs)
	}
	// With a wrong password, and every subcommand's --help.
	if code, _, errs := alice.run("wrong password!\n", "signin", "--email", "alice@example.org"); code != 1 || !strings.Contains(errs, "wrong email address or password") {
		t.Errorf("wrong password: %d %s", code, errs)
	}
	for _, sub := range []string{"signup", "confirm", "signin", "signout", "dids", "import", "list", "show", "verify", "present", "share", "export"} {
		if code, out, _ := alice.run("", sub, "--help"); code != 0 || !strings.Contains(out, "Usage: accolade wallet "+sub) {
			t.Errorf("wallet %s --help: %d %s", sub, code, out)
		}
	}
}

// publicURLOf is the public URL accolade serve derives from its address.
func publicURLOf(s *server) string {
	return strings.Replace(s.base, "127.0.0.1", "localhost", 1)
}
