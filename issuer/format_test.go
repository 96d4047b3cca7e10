package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFormatNames: every entry point that takes a credential format (issue,
// batch, offers, VC-API signing) takes the same words: ldp_vc, jwt_vc_json
// (the OpenID4VCI name) and its older alias jwt_vc.
func TestFormatNames(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	s := f.svc
	entry := map[string]func(format string) (string, error){
		"issue": func(format string) (string, error) {
			rec, err := s.Issue(ctx, IssueRequest{AchievementID: f.ach.ID, Recipient: Recipient{Email: "ada@example.org"}, Format: format})
			return rec.Format, err
		},
		"batch": func(format string) (string, error) {
			res, err := s.IssueBatch(ctx, BatchRequest{AchievementID: f.ach.ID, Format: format, IncludeCredentials: true,
				Rows: []BatchRow{{Recipient: Recipient{Email: "bob@example.org"}}}}, nil)
			if err != nil {
				return "", err
			}
			if res.Issued != 1 {
				return "", errors.New(res.Items[0].Error.Reason)
			}
			if res.Items[0].Credential[0] == '"' {
				return FormatJWT, nil
			}
			return FormatLDP, nil
		},
		"offers": func(format string) (string, error) {
			res, err := f.vci.CreateOffers(ctx, OfferRequest{AchievementID: f.ach.ID, Recipients: []Recipient{{Email: "cy@example.org"}}, Format: format})
			if err != nil {
				return "", err
			}
			return res[0].CredentialOffer.CredentialConfigurationIDs[0], nil
		},
		"vc-api": func(format string) (string, error) {
			out, err := s.SignCredential(ctx, map[string]any{
				"@context": []any{"https://www.w3.org/ns/credentials/v2"},
				"type":     []any{"VerifiableCredential"}, "validFrom": "2025-01-01T00:00:00Z",
				"credentialSubject": map[string]any{"id": "did:example:ada"},
			}, SignOptions{Format: format})
			if _, isJWT := out.(string); isJWT {
				return "jwt", err
			}
			// A VCDM 2.0 credential's VC-JWT comes enveloped (VC-JOSE-COSE).
			if m, _ := out.(map[string]any); m["type"] == "EnvelopedVerifiableCredential" {
				return "jwt", err
			}
			return "ldp", err
		},
	}
	tests := []struct {
		format string
		want   map[string]string // entry -> what the result shows
	}{
		{"ldp_vc", map[string]string{"issue": FormatLDP, "batch": FormatLDP, "offers": f.ach.ID + "_ldp_vc", "vc-api": "ldp"}},
		{"jwt_vc_json", map[string]string{"issue": FormatJWT, "batch": FormatJWT, "offers": f.ach.ID + "_jwt_vc_json", "vc-api": "jwt"}},
		{"jwt_vc", map[string]string{"issue": FormatJWT, "batch": FormatJWT, "offers": f.ach.ID + "_jwt_vc_json", "vc-api": "jwt"}},
	}
	for _, tc := range tests {
		for name, call := range entry {
			t.Run("ok/"+name+"/"+tc.format, func(t *testing.T) {
				got, err := call(tc.format)
				if err != nil {
					t.Fatalf("format %q refused: %v", tc.format, err)
				}
				if got != tc.want[name] {
					t.Errorf("got %q, want %q", got, tc.want[name])
				}
			})
		}
	}
	for name, call := range entry {
		t.Run("fail/"+name+"/pdf", func(t *testing.T) {
			_, err := call("pdf")
			if err == nil {
				t.Fatal("format pdf accepted")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("err %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), `"ldp_vc" or "jwt_vc_json"`) {
				t.Errorf("error %q does not name the formats", err)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"": FormatLDP, "ldp_vc": FormatLDP, "jwt_vc_json": FormatJWT, "jwt_vc": FormatJWT} {
		if got, ok := ParseFormat(in); !ok || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"pdf", "JWT_VC", "jwt", "ldp_vp"} {
		if _, ok := ParseFormat(in); ok {
			t.Errorf("ParseFormat(%q) accepted", in)
		}
	}
}
