package issuer

// Issuer service tests, benchmarks and the interop test against Digital
// Bazaar's JavaScript stack (interop/js). Benchmarks:
//   go test -run '^$' -bench . -benchmem ./issuer/

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/store/mem"
)

func newService(t testing.TB, publicURL string) *Service {
	t.Helper()
	return newServiceAt(t, mem.New(mem.Options{}), publicURL)
}

// testStore is what the service, its identity and OpenID4VCI need.
type testStore interface {
	Store
	IdentityStore
	OID4VCIStore
}

// newServiceAt is newService on a given store. Several services on one
// store share its identity: the first one bootstraps it.
func newServiceAt(t testing.TB, st testStore, publicURL string) *Service {
	t.Helper()
	k, err := keys.NewKEK(bytes.Repeat([]byte{3}, keys.KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(IdentityConfig{Store: st, KEK: k, PublicURL: publicURL, ProfileName: "Example Academy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newServiceWith(t, st, id, publicURL, ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
}

func newServiceWith(t testing.TB, st testStore, id *Identity, publicURL string, lc ldcontext.Config) *Service {
	t.Helper()
	contexts, err := ldcontext.New(lc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Identity: id, PublicURL: publicURL,
		DI: &di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}, Schema: credential.NewSchemaValidator(contexts)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newAchievement(t testing.TB, s *Service) Achievement {
	t.Helper()
	a, err := s.CreateAchievement(context.Background(), AchievementInput{
		Name: "Go Concurrency", Description: "Safe use of goroutines and channels.",
		Criteria: credential.Criteria{Narrative: "Pass the graded lab with at least 80%."}, AchievementType: "Badge",
		Image:      &credential.Image{ID: "https://badges.example.org/go.png"},
		Alignments: []credential.Alignment{{TargetName: "Concurrency", TargetURL: "https://example.org/skills/concurrency"}},
		Tags:       []string{"go"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestIssueWithoutSchemas: a node with only the bundled contexts (no OB
// JSON Schemas, no network) still issues both formats; the OB model checks
// run and the JSON Schema check is skipped.
func TestIssueWithoutSchemas(t *testing.T) {
	sharedtest.Bundled(t)
	st := mem.New(mem.Options{})
	k, err := keys.NewKEK(bytes.Repeat([]byte{3}, keys.KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(IdentityConfig{Store: st, KEK: k, PublicURL: "https://badges.example.org", ProfileName: "Example Academy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := newServiceWith(t, st, id, "https://badges.example.org", ldcontext.Config{Bundled: true, Offline: true})
	a := newAchievement(t, s)
	for _, f := range []string{FormatLDP, FormatJWT} {
		if _, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, Format: f}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestIssueRefusesLDPWithP256Key(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	if _, err := s.cfg.Identity.Rotate(context.Background(), keys.ES256); err != nil {
		t.Fatal(err)
	}
	_, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, Format: FormatLDP})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Ed25519") {
		t.Errorf("ldp_vc with a P-256 key: %v", err)
	}
	rec, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org"}, Format: FormatJWT})
	if err != nil {
		t.Fatalf("jwt_vc with a P-256 key: %v", err)
	}
	var tok string
	_ = json.Unmarshal(rec.Credential, &tok)
	hdr, _ := decodeSegment(strings.Split(tok, ".")[0])
	if !strings.Contains(string(hdr), `"alg":"ES256"`) || !strings.Contains(string(hdr), "did:web:badges.example.org#key-2") {
		t.Errorf("header %s", hdr)
	}
}

func TestDefaultProfileCannotBeDeleted(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	if err := s.DeleteProfile(context.Background(), DefaultProfileID); !errors.Is(err, ErrInvalid) {
		t.Errorf("delete default profile: %v", err)
	}
	p, err := s.CreateProfile(context.Background(), ProfileInput{Name: "Dept. of Go", URL: "https://go.example.org", Email: "go@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	a := newAchievement(t, s)
	rec, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}, ProfileID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var vc map[string]any
	_ = json.Unmarshal(rec.Credential, &vc)
	iss := vc["issuer"].(map[string]any)
	if iss["name"] != "Dept. of Go" || iss["id"] != "did:web:badges.example.org" || iss["email"] != "go@example.org" {
		t.Errorf("issuer object %v", iss)
	}
}

// repoRoot finds the module root from the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
}

// dbvc runs one request through interop/js/dbvc.mjs (Digital Bazaar's vc,
// data-integrity and eddsa-rdfc-2022 libraries, and jose).
func dbvc(t *testing.T, req map[string]any) map[string]any {
	t.Helper()
	root := repoRoot(t)
	node := sharedtest.Node(t, "interop/js")
	body, _ := json.Marshal(req)
	cmd := exec.Command(node, filepath.Join(root, "interop", "js", "dbvc.mjs"))
	cmd.Stdin = bytes.NewReader(body)
	cmd.Env = append(os.Environ(), "ACCOLADE_CONTEXTS_DIR="+sharedtest.ContextsIndexDir(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dbvc.mjs: %v\n%s\n%s", err, out, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("dbvc.mjs output %q: %v", out, err)
	}
	return res
}

// TestInteropDigitalBazaarVerifiesOurCredentials checks that Data Integrity
// credentials Accolade issues verify in Digital Bazaar's verifier, the
// reference most badge wallets use, and that a tampered one does not; and
// that our VC-JWTs verify with the jose library.
func TestInteropDigitalBazaarVerifiesOurCredentials(t *testing.T) {
	s := newService(t, "http://localhost:8080")
	a := newAchievement(t, s)
	ctx := context.Background()
	for _, r := range []Recipient{{Email: "ada@example.org"}, {DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}} {
		rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: r, Format: FormatLDP,
			Evidence: []credential.Evidence{{ID: "https://example.org/lab/1", Name: "Lab"}}, ValidUntil: "2099-01-01T00:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		var vc map[string]any
		_ = json.Unmarshal(rec.Credential, &vc)
		// Status is checked in TestInteropDigitalBazaarReadsOurStatusList.
		if res := dbvc(t, map[string]any{"op": "verify", "credential": vc, "skipStatusCheck": true}); res["verified"] != true {
			t.Errorf("Digital Bazaar does not verify our credential: %v", res)
		}
		vc["name"] = "Tampered"
		if res := dbvc(t, map[string]any{"op": "verify", "credential": vc, "skipStatusCheck": true}); res["verified"] != false {
			t.Errorf("Digital Bazaar verified a tampered credential: %v", res)
		}
	}
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		if _, err := s.cfg.Identity.Rotate(ctx, alg); err != nil {
			t.Fatal(err)
		}
		rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "ada@example.org"}, Format: FormatJWT})
		if err != nil {
			t.Fatal(err)
		}
		var tok string
		_ = json.Unmarshal(rec.Credential, &tok)
		signer, _ := s.cfg.Identity.ActiveSigner(ctx)
		res := dbvc(t, map[string]any{"op": "verify-jwt", "jwt": tok, "jwk": signer.Key.PublicJWK()})
		if res["verified"] != true {
			t.Errorf("jose does not verify our %s VC-JWT: %v", alg, res)
		}
	}
}

func BenchmarkIssueDI(b *testing.B) {
	s := newService(b, "https://badges.example.org")
	a := newAchievement(b, s)
	ctx := context.Background()
	req := IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "ada@example.org"}, Format: FormatLDP}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Issue(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssueJWT(b *testing.B) {
	s := newService(b, "https://badges.example.org")
	a := newAchievement(b, s)
	ctx := context.Background()
	req := IssueRequest{AchievementID: a.ID, Recipient: Recipient{DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}, Format: FormatJWT}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Issue(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// TestInteropDigitalBazaarReadsOurStatusList checks that Digital Bazaar's
// vc-bitstring-status-list reads our signed list: valid before, revoked
// after we revoke.
func TestInteropDigitalBazaarReadsOurStatusList(t *testing.T) {
	s := newService(t, "http://localhost:8080")
	a := newAchievement(t, s)
	ctx := context.Background()
	rec, err := s.Issue(ctx, IssueRequest{AchievementID: a.ID, Recipient: Recipient{DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}, Format: FormatLDP})
	if err != nil {
		t.Fatal(err)
	}
	var vc map[string]any
	_ = json.Unmarshal(rec.Credential, &vc)
	listURL := vc["credentialStatus"].(map[string]any)["statusListCredential"].(string)
	check := func() map[string]any {
		t.Helper()
		doc, err := s.StatusListCredential(ctx, rec.Status.ListID, ListFormatDI)
		if err != nil {
			t.Fatal(err)
		}
		var list map[string]any
		_ = json.Unmarshal(doc.Body, &list)
		return dbvc(t, map[string]any{"op": "verify", "checkStatus": true, "credential": vc, "documents": map[string]any{listURL: list}})
	}
	if res := check(); res["verified"] != true {
		t.Fatalf("Digital Bazaar: our credential with an unset bit: %v", res)
	}
	if _, err := s.ChangeStatus(ctx, rec.ID, ActionRevoke, StatusChange{Reason: "interop"}); err != nil {
		t.Fatal(err)
	}
	res := check()
	if res["verified"] != false || !strings.Contains(fmt.Sprint(res["error"]), "revoked") {
		t.Errorf("Digital Bazaar after revocation: %v", res)
	}
}
