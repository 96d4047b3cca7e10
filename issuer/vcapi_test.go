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
