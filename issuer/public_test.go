package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.AchievementID = a.ID
			rec, err := s.Issue(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
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
						AchievementType: a.AchievementType, ImageURL: a.Image.ID},
					IssuerName: "Example Academy", IssuerURL: "https://badges.example.org",
					ValidFrom: rec.Issued.Truncate(time.Second), ValidUntil: until, Recipient: tt.recipient,
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
