package credential_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
)

func fields(errs []*credential.ValidationError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

// TestCheck applies a patch to a valid credential (top-level members; null
// deletes) and compares the fields Check reports.
func TestCheck(t *testing.T) {
	t.Parallel()
	const ach = `"achievement":{"id":"a","type":["Achievement"],"name":"n","description":"d","criteria":{}}`
	tests := []struct {
		name   string
		patch  string
		fields []string
	}{
		{"ok/base", `{}`, nil},
		{"fail/everything missing", `{"@context":null,"type":null,"id":null,"issuer":null,"validFrom":null,"credentialSubject":null}`,
			[]string{"@context", "type", "id", "issuer", "validFrom", "credentialSubject"}},
		{"fail/context string", `{"@context":"https://www.w3.org/ns/credentials/v2"}`, []string{"@context"}},
		{"fail/context empty", `{"@context":[]}`, []string{"@context"}},
		{"fail/context without OB", `{"@context":["https://www.w3.org/ns/credentials/v2"]}`, []string{"@context"}},
		{"fail/context number", `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",7]}`, []string{"@context[2]"}},
		{"ok/context object", `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",{"x":"https://example.com/x"}]}`, nil},
		{"ok/older OB context", `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"]}`, nil},
		{"fail/OB context look-alike", `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json.evil"]}`, []string{"@context[1]"}},
		{"fail/unknown base context", `{"@context":["https://example.com/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}`, []string{"@context[0]"}},
		{"fail/id number", `{"id":7}`, []string{"id"}},
		{"fail/id empty", `{"id":""}`, []string{"id"}},
		{"ok/issuer string", `{"issuer":"did:web:example.com"}`, nil},
		{"fail/issuer number", `{"issuer":7}`, []string{"issuer"}},
		{"fail/issuer empty", `{"issuer":""}`, []string{"issuer"}},
		{"fail/issuer object without id", `{"issuer":{"type":["Profile"]}}`, []string{"issuer.id"}},
		{"fail/issuer type without Profile", `{"issuer":{"id":"did:example:1","type":["Organization"]}}`, []string{"issuer.type"}},
		{"fail/validFrom number", `{"validFrom":1}`, []string{"validFrom"}},
		{"fail/validFrom date only", `{"validFrom":"2024-01-01"}`, []string{"validFrom"}},
		{"fail/validUntil no timezone", `{"validUntil":"2025-01-01T00:00:00"}`, []string{"validUntil"}},
		{"fail/awardedDate bad", `{"awardedDate":"yesterday"}`, []string{"awardedDate"}},
		{"ok/awardedDate", `{"awardedDate":"2009-06-01T12:00:00-07:00"}`, nil},
		{"fail/subject string", `{"credentialSubject":"did:example:1"}`, []string{"credentialSubject"}},
		{"fail/subject without achievement", `{"credentialSubject":{"id":"did:example:1"}}`, []string{"credentialSubject.achievement"}},
		{"fail/subject id empty", `{"credentialSubject":{"id":"",` + ach + `}}`, []string{"credentialSubject.id"}},
		{"fail/identifier empty", `{"credentialSubject":{"identifier":[],` + ach + `}}`, []string{"credentialSubject.identifier"}},
		{"fail/identifier object", `{"credentialSubject":{"identifier":{},` + ach + `}}`, []string{"credentialSubject.identifier"}},
		{"fail/identifier incomplete", `{"credentialSubject":{"identifier":[{"type":"IdentityObject"}],` + ach + `}}`,
			[]string{"credentialSubject.identifier[0].identityHash", "credentialSubject.identifier[0].identityType", "credentialSubject.identifier[0].hashed"}},
		{"ok/identifier plain", `{"credentialSubject":{"identifier":[{"type":"IdentityObject","hashed":false,"identityHash":"a@example.com","identityType":"emailAddress"}],` + ach + `}}`, nil},
		{"fail/achievement empty", `{"credentialSubject":{"id":"x","achievement":{}}}`, []string{"credentialSubject.achievement.id", "credentialSubject.achievement.type",
			"credentialSubject.achievement.name", "credentialSubject.achievement.description", "credentialSubject.achievement.criteria"}},
		{"fail/achievement type string", `{"credentialSubject":{"id":"x","achievement":{"id":"a","type":"Achievement","name":"n","description":"d","criteria":"c"}}}`,
			[]string{"credentialSubject.achievement.type", "credentialSubject.achievement.criteria"}},
		{"fail/status without type", `{"credentialStatus":{"id":"https://example.com/s#1"}}`, []string{"credentialStatus.type"}},
		{"fail/status string", `{"credentialStatus":"https://example.com/s#1"}`, []string{"credentialStatus"}},
		{"ok/no status", `{"credentialStatus":null}`, nil},
		{"fail/type without VerifiableCredential", `{"type":["OpenBadgeCredential"]}`, []string{"type"}},
		{"fail/type other credential", `{"type":["VerifiableCredential","AlumniCredential"]}`, []string{"type"}},
		{"fail/type mixed", `{"type":["VerifiableCredential",3]}`, []string{"type"}},
		{"ok/AchievementCredential type", `{"type":["VerifiableCredential","AchievementCredential"]}`, nil},
		{"fail/endorsement subject", `{"type":["VerifiableCredential","EndorsementCredential"],"name":null,"credentialSubject":{"type":["EndorsementSubject"]}}`,
			[]string{"name", "credentialSubject.id"}},
		{"ok/endorsement", `{"type":["VerifiableCredential","EndorsementCredential"],"name":"E","credentialSubject":{"id":"https://example.com/a","type":["EndorsementSubject"]}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := baseCredential(t)
			var patch map[string]any
			if err := json.Unmarshal([]byte(tt.patch), &patch); err != nil {
				t.Fatal(err)
			}
			for k, v := range patch {
				if v == nil {
					delete(doc, k)
				} else {
					doc[k] = v
				}
			}
			errs := credential.Check(doc)
			if diff := cmp.Diff(tt.fields, fields(errs)); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nall: %v", diff, errs)
			}
			for _, e := range errs {
				if e.Reason == "" || e.Error() != e.Field+": "+e.Reason {
					t.Errorf("bad error %#v", e)
				}
			}
		})
	}
}

func TestValidateJoinsValidationErrors(t *testing.T) {
	t.Parallel()
	doc := baseCredential(t)
	if err := credential.Validate(doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "id")
	doc["validFrom"] = "2010-01-01"
	err := credential.Validate(doc)
	var ve *credential.ValidationError
	if !errors.As(err, &ve) || ve.Field != "id" {
		t.Fatalf("got %v", err)
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("want 2 joined errors, got %v", err)
	}
}

// VCDM 1.1-shaped OB credentials are accepted with issuanceDate.
func TestCheckVCDM11(t *testing.T) {
	t.Parallel()
	doc := baseCredential(t)
	doc["@context"].([]any)[0] = credential.ContextVCv1
	doc["issuanceDate"] = doc["validFrom"]
	delete(doc, "validFrom")
	if got := credential.Version(doc); got != 1 {
		t.Errorf("Version = %d, want 1", got)
	}
	if errs := credential.Check(doc); len(errs) != 0 {
		t.Errorf("Check: %v", errs)
	}
	doc["expirationDate"] = "2000-01-01T00:00:00Z"
	if diff := cmp.Diff([]string{"expirationDate"}, fields(credential.Check(doc))); diff != "" {
		t.Errorf("expired before issued (-want +got):\n%s", diff)
	}
	delete(doc, "issuanceDate")
	if diff := cmp.Diff([]string{"issuanceDate"}, fields(credential.Check(doc))); diff != "" {
		t.Errorf("no issuanceDate (-want +got):\n%s", diff)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ctx  any
		want int
	}{
		{[]any{credential.ContextVCv2, credential.ContextOB}, 2},
		{[]any{credential.ContextVCv1}, 1},
		{credential.ContextVCv2, 2},
		{[]any{credential.ContextOB, credential.ContextVCv2}, 0},
		{[]any{}, 0},
		{nil, 0},
		{42.0, 0},
	}
	for _, tt := range tests {
		if got := credential.Version(map[string]any{"@context": tt.ctx}); got != tt.want {
			t.Errorf("Version(%v) = %d, want %d", tt.ctx, got, tt.want)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, name := range []string{"basic-openbadgecredential.json", "complete-openbadgecredential.json", "endorsementcredential.json"} {
		b, err := json.Marshal(readJSON(f, "ob3", "examples", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `{"@context":"x","credentialSubject":[],"validFrom":"2024-02-30T00:00:00Z"}`,
		`{"type":["VerifiableCredential","EndorsementCredential"],"credentialSubject":{"type":5}}`,
		`{"@context":["https://www.w3.org/2018/credentials/v1",{}],"issuanceDate":"2024-01-01T24:00:00+14:00","expirationDate":null}`,
		`{"credentialSubject":{"identifier":[{"hashed":true,"identityHash":"md5$"}],"achievement":{"type":[null]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		errs := credential.Check(doc)
		for _, e := range errs {
			if e.Field == "" || e.Reason == "" {
				t.Fatalf("incomplete error %#v", e)
			}
		}
		if (credential.Validate(doc) == nil) != (len(errs) == 0) {
			t.Fatal("Validate and Check disagree")
		}
		if v := credential.Version(doc); v < 0 || v > 2 {
			t.Fatalf("Version = %d", v)
		}
	})
}
