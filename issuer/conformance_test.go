package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// problemFields lists the fields of the *credential.ValidationError values
// joined in err.
func problemFields(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		var ve *credential.ValidationError
		if errors.As(e, &ve) && e == error(ve) { //nolint:errorlint // only a ValidationError at this level of the tree, not one wrapped below it
			out = append(out, ve.Field)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	return out
}

// TestSignCredentialRefusesVCDMViolations: the VC-API issue refuses, by
// field, what VCDM 2.0 forbids, on the specification's example credential
// (testdata/eddsa/unsigned.json, its issuer left for the service to fill)
// and on the Open Badges specification's complete example.
func TestSignCredentialRefusesVCDMViolations(t *testing.T) {
	ctx := context.Background()
	s := newService(t, "https://badges.example.org")
	example := func(file ...string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(sharedtest.ReadTestdata(t, file...), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "issuer")
		return m
	}
	vcdm := func() map[string]any { return example("eddsa", "unsigned.json") }
	ob := func() map[string]any { return example("ob3", "examples", "complete-openbadgecredential.json") }
	if _, err := s.SignCredential(ctx, vcdm(), SignOptions{Format: FormatJWT}); err != nil {
		t.Fatalf("the VCDM example: %v", err)
	}
	tests := []struct {
		name  string
		doc   func() map[string]any
		patch func(m map[string]any)
		field string
	}{
		{"vcdm/issuer null", vcdm, func(m map[string]any) { m["issuer"] = nil }, "issuer"},
		{"vcdm/credentialSubject empty", vcdm, func(m map[string]any) { m["credentialSubject"] = map[string]any{} }, "credentialSubject"},
		{"vcdm/credentialSubject empty array", vcdm, func(m map[string]any) { m["credentialSubject"] = []any{} }, "credentialSubject"},
		{"vcdm/validUntil before validFrom", vcdm, func(m map[string]any) { m["validUntil"] = "2022-12-31T23:59:59Z" }, "validUntil"},
		{"vcdm/credentialStatus without type", vcdm, func(m map[string]any) { m["credentialStatus"] = map[string]any{"id": "https://vc.example/s#1"} }, "credentialStatus.type"},
		{"vcdm/termsOfUse without type", vcdm, func(m map[string]any) { m["termsOfUse"] = []any{map[string]any{"id": "https://vc.example/tou"}} }, "termsOfUse[0].type"},
		{"vcdm/evidence without type", vcdm, func(m map[string]any) { m["evidence"] = map[string]any{"id": "https://vc.example/ev"} }, "evidence.type"},
		{"vcdm/refreshService without type", vcdm, func(m map[string]any) { m["refreshService"] = map[string]any{"id": "https://vc.example/r"} }, "refreshService.type"},
		{"vcdm/credentialSchema without type", vcdm, func(m map[string]any) { m["credentialSchema"] = map[string]any{"id": "https://vc.example/s.json"} }, "credentialSchema.type"},
		{"vcdm/relatedResource without digest", vcdm, func(m map[string]any) { m["relatedResource"] = []any{map[string]any{"id": "https://vc.example/x"}} }, "relatedResource[0]"},
		{"ob/issuer null", ob, func(m map[string]any) { m["issuer"] = nil }, "issuer"},
		{"ob/validUntil before validFrom", ob, func(m map[string]any) { m["validUntil"] = "2009-12-31T23:59:59Z" }, "validUntil"},
		{"ob/evidence without type", ob, func(m map[string]any) { delete(m["evidence"].([]any)[0].(map[string]any), "type") }, "evidence[0].type"},
		{"ob/refreshService without type", ob, func(m map[string]any) { delete(m["refreshService"].(map[string]any), "type") }, "refreshService.type"},
		{"ob/credentialSchema without type", ob, func(m map[string]any) { delete(m["credentialSchema"].([]any)[0].(map[string]any), "type") }, "credentialSchema[0].type"},
		{"ob/termsOfUse without type", ob, func(m map[string]any) { m["termsOfUse"] = map[string]any{"id": "https://1edtech.edu/tou"} }, "termsOfUse.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.doc()
			tt.patch(m)
			for _, format := range []string{FormatLDP, FormatJWT} {
				_, err := s.SignCredential(ctx, m, SignOptions{Format: format})
				if !errors.Is(err, ErrInvalid) || !slices.Contains(problemFields(err), tt.field) {
					t.Errorf("%s: error %v (fields %v), want ErrInvalid naming %s", format, err, problemFields(err), tt.field)
				}
			}
		})
	}
}

// TestIssueRefusesEmptyEvidenceType: our own issue path names a bad
// evidence type instead of failing late.
func TestIssueRefusesEmptyEvidenceType(t *testing.T) {
	f := newVCI(t)
	_, err := f.svc.Issue(context.Background(), IssueRequest{AchievementID: f.ach.ID, Recipient: Recipient{Email: "ada@example.org"},
		Format: FormatLDP, Evidence: []credential.Evidence{{Type: []string{""}, Narrative: "did it"}}})
	if !errors.Is(err, ErrInvalid) || !slices.Contains(problemFields(err), "evidence[0].type") {
		t.Errorf("error %v (fields %v), want ErrInvalid naming evidence[0].type", err, problemFields(err))
	}
}
