package issuer

import (
	"bytes"
	"context"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/ldcontext"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/store/mem"
)

// TestSignCredentialStatusDefault: with VCAPIStatusPurpose set, every
// VC-API credential gets a status entry of that purpose unless the request
// names one.
func TestSignCredentialStatusDefault(t *testing.T) {
	ctx := context.Background()
	st := mem.New(mem.Options{})
	k, err := keys.NewKEK(bytes.Repeat([]byte{3}, keys.KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(IdentityConfig{Store: st, KEK: k, PublicURL: "https://badges.example.org", ProfileName: "Example Academy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	contexts, err := ldcontext.New(ldcontext.Config{Bundled: true, Dir: sharedtest.LoaderDirs(t), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, Identity: id, PublicURL: "https://badges.example.org",
		DI: &di.Signer{Canonicalizer: di.NewFast(contexts, di.Limits{})}, Schema: credential.NewSchemaValidator(contexts),
		VCAPIStatusPurpose: PurposeSuspension}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cred := func() map[string]any {
		return map[string]any{
			"@context": []any{credential.ContextVCv2}, "type": []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:ada"},
		}
	}
	for _, tt := range []struct {
		name string
		opts SignOptions
		want string
	}{
		{"ok/service default", SignOptions{}, PurposeSuspension},
		{"ok/request overrides", SignOptions{CredentialStatus: &StatusOption{Type: "BitstringStatusListEntry", StatusPurpose: PurposeRevocation}}, PurposeRevocation},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.SignCredential(ctx, cred(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			entry, _ := out.(map[string]any)["credentialStatus"].(map[string]any)
			if entry["type"] != "BitstringStatusListEntry" || entry["statusPurpose"] != tt.want {
				t.Errorf("credentialStatus %v, want purpose %s", entry, tt.want)
			}
		})
	}
	cfg.VCAPIStatusPurpose = "message"
	if _, err := New(cfg); err == nil {
		t.Error("New accepted VC-API status purpose message")
	}
}

// TestSignCredentialInteropDigitalBazaar: what the VC-API signs verifies in
// Digital Bazaar's stack: a VCDM 1.1 credential (Data Integrity v2 context
// added) under the did:key while the default DID is the did:web, and a
// VC-JOSE-COSE token out of its EnvelopedVerifiableCredential with jose.
func TestSignCredentialInteropDigitalBazaar(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	ctx := context.Background()
	info, err := s.cfg.Identity.Active(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// dbvc verifies eddsa-rdfc-2022 only.
	v11, err := s.SignCredential(ctx, map[string]any{
		"@context":          []any{credential.ContextVCv1},
		"type":              []any{"VerifiableCredential"},
		"issuer":            info.DIDKey,
		"issuanceDate":      "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:ada"},
	}, SignOptions{Cryptosuite: di.EdDSARDFC2022})
	if err != nil {
		t.Fatal(err)
	}
	if res := dbvc(t, map[string]any{"op": "verify", "credential": v11}); res["verified"] != true {
		t.Errorf("Digital Bazaar does not verify our VCDM 1.1 credential: %v", res)
	}
	out, err := s.SignCredential(ctx, map[string]any{
		"@context":          []any{credential.ContextVCv2},
		"type":              []any{"VerifiableCredential"},
		"credentialSubject": map[string]any{"id": "did:example:ada"},
	}, SignOptions{Format: "jwt_vc_json"})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := out.(map[string]any)
	tok, err := jose.Unenvelope(env)
	if err != nil {
		t.Fatalf("%v: %v", out, err)
	}
	signer, _ := s.cfg.Identity.ActiveSigner(ctx)
	res := dbvc(t, map[string]any{"op": "verify-jwt", "jwt": tok, "jwk": signer.Key.PublicJWK()})
	if h, _ := res["header"].(map[string]any); res["verified"] != true || h["typ"] != "vc+jwt" {
		t.Errorf("jose does not verify our VC-JOSE-COSE token: %v", res)
	}
}
