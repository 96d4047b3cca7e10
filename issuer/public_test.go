package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestPublicCredential(t *testing.T) {
	ctx := context.Background()
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	const email = "ada.secret@example.org"
	tests := []struct {
		name      string
		req       IssueRequest
		recipient PublicRecipient
	}{
		{"ok/ldp email", IssueRequest{Recipient: Recipient{Email: email}, Format: FormatLDP}, PublicRecipient{Hashed: true}},
		{"ok/jwt email", IssueRequest{Recipient: Recipient{Email: email}, Format: FormatJWT, ValidUntil: "2099-01-01T00:00:00Z"}, PublicRecipient{Hashed: true}},
		{"ok/jwt did", IssueRequest{Recipient: Recipient{DID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}, Format: FormatJWT},
			PublicRecipient{ID: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}},
		{"ok/ldp url", IssueRequest{Recipient: Recipient{URL: "https://example.org/people/ada"}, Format: FormatLDP, Name: "Speaker"},
			PublicRecipient{ID: "https://example.org/people/ada"}},
		{"ok/ldp email with the recipient's name", IssueRequest{Recipient: Recipient{Email: email, Name: "Ada Lovelace"}, Format: FormatLDP,
			Evidence: []credential.Evidence{{ID: "https://example.org/portfolio/42", Name: "Final project", Narrative: "Built a scheduler."}}},
			PublicRecipient{Hashed: true, Name: "Ada Lovelace"}},
		{"ok/jwt email with the recipient's name", IssueRequest{Recipient: Recipient{Email: email, Name: "Ada Lovelace"}, Format: FormatJWT},
			PublicRecipient{Hashed: true, Name: "Ada Lovelace"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.AchievementID = a.ID
			rec, err := s.Issue(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if doc, _ := credentialDocument(rec); tt.req.Recipient.Name != "" && strings.Contains(string(doc)+string(rec.Credential), tt.req.Recipient.Name) {
				t.Errorf("the recipient's name is in the credential: %s", doc)
			}
			if rec.Recipient.Name != tt.req.Recipient.Name {
				t.Errorf("record recipient name %q", rec.Recipient.Name)
			}
			uuid := strings.TrimPrefix(rec.ID, "urn:uuid:")
			for _, id := range []string{rec.ID, uuid, strings.ToUpper(uuid), "URN:UUID:" + uuid} {
				pc, err := s.PublicCredential(ctx, id)
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				name := tt.req.Name
				if name == "" {
					name = a.Name
				}
				var until time.Time
				if tt.req.ValidUntil != "" {
					until, _ = time.Parse(time.RFC3339, tt.req.ValidUntil)
				}
				want := PublicCredential{
					ID: rec.ID, UUID: uuid, Format: tt.req.Format, Credential: rec.Credential, Issued: rec.Issued, Name: name,
					Achievement: PublicAchievement{ID: a.URL, Name: a.Name, Description: a.Description, CriteriaNarrative: a.Criteria.Narrative,
						AchievementType: a.AchievementType, ImageURL: a.Image.ID, Alignments: a.Alignments},
					IssuerName: "Example Academy", IssuerURL: "https://badges.example.org", IssuerSlug: "example-academy",
					ValidFrom: rec.Issued.Truncate(time.Second), ValidUntil: until, Recipient: tt.recipient, Evidence: tt.req.Evidence,
				}
				if diff := cmp.Diff(want, pc, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", id, diff)
				}
			}
		})
	}
}

func TestPublicCredentialNotFound(t *testing.T) {
	ctx := context.Background()
	s := newService(t, "https://badges.example.org")
	// A credential signed through the VC-API is stored, but has no page.
	if _, err := s.SignCredential(ctx, map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "id": "urn:uuid:2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c",
		"type": []any{"VerifiableCredential"}, "validFrom": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:ada"},
	}, SignOptions{Format: FormatJWT}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credential(ctx, "urn:uuid:2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c"); err != nil {
		t.Fatalf("the VC-API credential was not stored: %v", err)
	}
	for _, id := range []string{
		"", "urn:uuid:", "not-a-uuid", "0190a3c4-0000-7000-8000-000000000000", "0190a3c400007000800000000000000",
		"{0190a3c4-0000-7000-8000-000000000000}", "../credentials/x", "2f7c1b0e-8f5d-4c7e-9a51-3d2e1f0a9b8c",
	} {
		if _, err := s.PublicCredential(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%q: %v, want store.ErrNotFound", id, err)
		}
	}
}

func TestPublicView(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    PublicCredential
		wantErr bool
	}{
		{
			name: "ok/issuer as a string, image as a URL, urn:uuid subject",
			doc:  `{"issuer":"did:example:i","credentialSubject":{"id":"urn:uuid:1","achievement":{"name":"A","image":"https://x/a.png"}}}`,
			want: PublicCredential{Achievement: PublicAchievement{Name: "A", ImageURL: "https://x/a.png"}},
		},
		{
			name: "ok/criteria url, image caption",
			doc: `{"name":"N","issuer":{"id":"did:example:i","name":"I","url":"https://i"},"credentialSubject":{"id":"did:example:s",
				"achievement":{"criteria":{"id":"https://c"},"image":{"id":"data:image/png;base64,AA==","caption":"cap"}}}}`,
			want: PublicCredential{Name: "N", IssuerName: "I", IssuerURL: "https://i", Recipient: PublicRecipient{ID: "did:example:s"},
				Achievement: PublicAchievement{CriteriaURL: "https://c", ImageURL: "data:image/png;base64,AA==", ImageCaption: "cap"}},
		},
		{name: "fail/bad validUntil", doc: `{"validUntil":"tomorrow","credentialSubject":{}}`, wantErr: true},
		{name: "fail/not an object", doc: `[1]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := publicView([]byte(tt.doc))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestIssueRefusesBadRecipientName(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	for _, name := range []string{" Ada", "Ada\nLovelace", strings.Repeat("a", MaxRecipientName+1)} {
		_, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a@example.org", Name: name}})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "recipient.name") {
			t.Errorf("name %q: %v, want invalid recipient.name", name, err)
		}
	}
}

func TestProfileSlugs(t *testing.T) {
	ctx := context.Background()
	s := newService(t, "https://badges.example.org")
	def, err := s.Profile(ctx, DefaultProfileID)
	if err != nil {
		t.Fatal(err)
	}
	if got := def.PublicSlug(); got != "example-academy" {
		t.Errorf("default profile slug %q, want it derived from the name", got)
	}
	same, err := s.CreateProfile(ctx, ProfileInput{Name: "Example  Academy!"})
	if err != nil {
		t.Fatal(err)
	}
	if same.Slug != "example-academy-2" {
		t.Errorf("a second profile of the same name got slug %q, want example-academy-2", same.Slug)
	}
	if _, err := s.CreateProfile(ctx, ProfileInput{Name: "Other", Slug: "example-academy"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a chosen slug already taken: %v, want ErrInvalid", err)
	}
	if _, err := s.CreateProfile(ctx, ProfileInput{Name: "Other", Slug: "Not A Slug"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a malformed slug: %v, want ErrInvalid", err)
	}
	renamed, err := s.UpdateProfile(ctx, same.ID, ProfileInput{Name: "Renamed Academy"})
	if err != nil || renamed.Slug != "example-academy-2" {
		t.Errorf("a rename changed the slug: %q %v", renamed.Slug, err)
	}
	for name, want := range map[string]string{"Accolade": "accolade", "  Éc0le -- Supérieure  ": "c0le-sup-rieure", "!!!": "issuer",
		strings.Repeat("ab ", 40): strings.TrimSuffix(strings.Repeat("ab-", 22)[:64], "-")} {
		if got := Slugify(name); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", name, got, want)
		}
	}

	a := newAchievement(t, s) // under the default profile
	other, err := s.CreateAchievement(ctx, AchievementInput{Name: "Elsewhere", Description: "d", Criteria: credential.Criteria{Narrative: "n"}, ProfileID: same.ID})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := s.PublicIssuer(ctx, "example-academy")
	if err != nil {
		t.Fatal(err)
	}
	if pi.Name != "Example Academy" || pi.URL != "https://badges.example.org" || len(pi.Achievements) != 1 || pi.Achievements[0].ID != a.URL {
		t.Errorf("public issuer %+v", pi)
	}
	if pi.DID != "did:web:badges.example.org" || len(pi.DIDs) < 2 || pi.DIDs[0] != pi.DID || !strings.HasPrefix(pi.DIDs[1], "did:key:") {
		t.Errorf("DIDs %q %q", pi.DID, pi.DIDs)
	}
	ob := pi.OBProfile()
	if ob.ID != pi.DID || ob.Name != pi.Name || len(ob.OtherIdentifier) != len(pi.DIDs)-1 {
		t.Errorf("OB profile %+v", ob)
	}
	if pi, err := s.PublicIssuer(ctx, "example-academy-2"); err != nil || len(pi.Achievements) != 1 || pi.Achievements[0].ID != other.URL {
		t.Errorf("second profile: %+v %v", pi, err)
	}
	for _, slug := range []string{"nope", "", "../x", "Example-Academy"} {
		if _, err := s.PublicIssuer(ctx, slug); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%q: %v, want store.ErrNotFound", slug, err)
		}
	}
}
