package credential_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

func schemaFor(doc map[string]any) string {
	if types, _ := doc["type"].([]any); len(types) > 1 && types[1] == credential.TypeEndorsementCredential {
		return credential.SchemaEndorsementCredential
	}
	return credential.SchemaAchievementCredential
}

// Every OB 3.0 spec example conforms to its 1EdTech schema and passes the
// structural checks.
func TestExamplesConform(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	entries, err := os.ReadDir(sharedtest.Testdata(t, "ob3", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 8 {
		t.Fatalf("only %d examples", len(entries))
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			doc := readJSON(t, "ob3", "examples", e.Name())
			if err := v.ValidateWith(ctx, doc, schemaFor(doc)); err != nil {
				t.Errorf("schema: %v", err)
			}
			for _, ve := range credential.Check(doc) {
				t.Errorf("Check: %v", ve)
			}
		})
	}
}

// Validate follows credentialSchema: the complete example names the
// achievement schema by its purl URL, registered although the file's $id
// is ...-jsonschema1.json.
func TestValidateUsesCredentialSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loader := newSchemaLoader(t)
	v := credential.NewSchemaValidator(loader)
	doc := readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")
	if err := v.Validate(ctx, doc); err != nil {
		t.Fatal(err)
	}
	// A broken copy fails against the schema it names.
	bad := clone(t, doc)
	bad["type"] = "OpenBadgeCredential"
	var se *credential.SchemaError
	if err := v.Validate(ctx, bad); !errors.As(err, &se) {
		t.Fatalf("got %v, want *SchemaError", err)
	}
	if se.Schema != credential.SchemaAchievementCredential {
		t.Errorf("Schema = %s", se.Schema)
	}
	// No credentialSchema: nothing to validate.
	delete(bad, "credentialSchema")
	if err := v.Validate(ctx, bad); err != nil {
		t.Errorf("without credentialSchema: %v", err)
	}
}

// The endorsement example also names a schema nobody can load: the
// loader's error is surfaced, wrapped in ErrSchemaUnavailable.
func TestValidateUnknownSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	doc := readJSON(t, "ob3", "examples", "endorsementcredential.json")
	err := v.Validate(ctx, doc)
	if !errors.Is(err, credential.ErrSchemaUnavailable) || !errors.Is(err, errUnknownSchema) {
		t.Fatalf("got %v, want ErrSchemaUnavailable wrapping the loader error", err)
	}
	if !strings.Contains(err.Error(), "https://state.gov/schema/endorsementcredential.json") {
		t.Errorf("error does not name the schema: %v", err)
	}
	var se *credential.SchemaError
	if errors.As(err, &se) {
		t.Errorf("the known endorsement schema should pass, got %v", se)
	}
}

// The OB implementation guide's signed test vector fails the plain-JSON
// schema only because its proof is one object, not an array.
func TestLDPVectorFailsOnlyOnProof(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	doc := readJSON(t, "ob3", "ldp-test-vector", "credential-signed.json")
	err := v.ValidateWith(ctx, doc, credential.SchemaAchievementCredential)
	var se *credential.SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *SchemaError", err)
	}
	for _, p := range se.Problems {
		if !strings.HasPrefix(p, "at '/proof'") {
			t.Errorf("unexpected problem %q", p)
		}
	}
	if len(credential.Check(doc)) != 0 {
		t.Errorf("Check: %v", credential.Check(doc))
	}
	doc["proof"] = []any{doc["proof"]}
	if err := v.ValidateWith(ctx, doc, credential.SchemaAchievementCredential); err != nil {
		t.Errorf("with proof array: %v", err)
	}
}

// baseCredential is the basic spec example with an identifier and a status
// entry, so that the cases below can break each part.
func baseCredential(t testing.TB) map[string]any {
	t.Helper()
	doc := readJSON(t, "ob3", "examples", "basic-openbadgecredential.json")
	subj := doc["credentialSubject"].(map[string]any)
	subj["identifier"] = []any{map[string]any{
		"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "salt": "Kosher",
		"identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
	}}
	doc["image"] = map[string]any{"id": "https://example.com/badge.png", "type": "Image"}
	doc["evidence"] = []any{map[string]any{"type": []any{"Evidence"}, "narrative": "Peer review"}}
	doc["credentialStatus"] = map[string]any{
		"id": "https://example.com/status/1#7", "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": "7", "statusListCredential": "https://example.com/status/1",
	}
	doc["credentialSchema"] = []any{map[string]any{"id": credential.SchemaAchievementCredential, "type": credential.SchemaType1EdTech}}
	return doc
}

func subject(doc map[string]any) map[string]any { return doc["credentialSubject"].(map[string]any) }

// failureCases exercise the JSON Schema behaviour listed in the ob3 digest
// §7: each mutates baseCredential so that it fails the schema, the
// structural checks, or both, and each failure names the member. The last
// cases pass the schema, so only Check catches them.
var failureCases = []struct {
	name   string
	mutate func(doc map[string]any)
	schema string   // substring of a schema problem; "" = schema passes
	check  []string // fields Check reports
}{
	{"ok/base", func(map[string]any) {}, "", nil},
	{"fail/type as string", func(d map[string]any) { d["type"] = "OpenBadgeCredential" }, "at '/type'", []string{"type"}},
	{"fail/type without OpenBadgeCredential", func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} }, "at '/type/0'", []string{"type"}},
	{"fail/issuer.type as string", func(d map[string]any) { d["issuer"].(map[string]any)["type"] = "Profile" }, "at '/issuer'", []string{"issuer.type"}},
	{"fail/image as string", func(d map[string]any) { d["image"] = "https://example.com/badge.png" }, "at '/image'", nil},
	{"fail/Image.type as array", func(d map[string]any) { d["image"].(map[string]any)["type"] = []any{"Image"} }, "at '/image/type'", nil},
	{"fail/credentialStatus as array", func(d map[string]any) { d["credentialStatus"] = []any{d["credentialStatus"]} }, "at '/credentialStatus'", []string{"credentialStatus"}},
	{"fail/credentialStatus without id", func(d map[string]any) { delete(d["credentialStatus"].(map[string]any), "id") }, "missing property 'id'", []string{"credentialStatus.id"}},
	{"fail/credentialSchema as object", func(d map[string]any) { d["credentialSchema"] = d["credentialSchema"].([]any)[0] }, "at '/credentialSchema'", nil},
	{"fail/evidence as object", func(d map[string]any) { d["evidence"] = d["evidence"].([]any)[0] }, "at '/evidence'", nil},
	{"fail/validFrom without timezone", func(d map[string]any) { d["validFrom"] = "2010-01-01T00:00:00" }, "at '/validFrom'", []string{"validFrom"}},
	{"fail/missing id", func(d map[string]any) { delete(d, "id") }, "missing property 'id'", []string{"id"}},
	{"fail/contexts out of order", func(d map[string]any) {
		c := d["@context"].([]any)
		c[0], c[1] = c[1], c[0]
	}, "at '/@context/0'", []string{"@context[0]", "@context[1]"}},
	{"fail/identityType email", func(d map[string]any) {
		subject(d)["identifier"].([]any)[0].(map[string]any)["identityType"] = "email"
	}, "at '/credentialSubject/identifier/0/identityType'", nil},
	{"fail/achievementType outside enum", func(d map[string]any) {
		subject(d)["achievement"].(map[string]any)["achievementType"] = "Trophy"
	}, "at '/credentialSubject/achievement/achievementType'", nil},
	{"ok/achievementType ext", func(d map[string]any) {
		subject(d)["achievement"].(map[string]any)["achievementType"] = "ext:Trophy"
	}, "", nil},
	{"fail/proof as object", func(d map[string]any) {
		d["proof"] = map[string]any{"type": "DataIntegrityProof"}
	}, "at '/proof'", nil},
	{"fail/credentialSubject as array", func(d map[string]any) { d["credentialSubject"] = []any{d["credentialSubject"]} }, "at '/credentialSubject'", []string{"credentialSubject"}},
	{"fail/achievement without criteria", func(d map[string]any) { delete(subject(d)["achievement"].(map[string]any), "criteria") }, "missing property 'criteria'", []string{"credentialSubject.achievement.criteria"}},
	// The schema accepts these; the structural checks do not.
	{"fail/no subject id nor identifier", func(d map[string]any) {
		delete(subject(d), "id")
		delete(subject(d), "identifier")
	}, "", []string{"credentialSubject"}},
	{"fail/validUntil before validFrom", func(d map[string]any) { d["validUntil"] = "2009-12-31T23:00:00+02:00" }, "", []string{"validUntil"}},
	{"ok/validUntil the same instant as validFrom", func(d map[string]any) { d["validUntil"] = "2009-12-31T23:00:00-01:00" }, "", nil},
	{"fail/bad identityHash", func(d map[string]any) {
		subject(d)["identifier"].([]any)[0].(map[string]any)["identityHash"] = "b5809d8a"
	}, "", []string{"credentialSubject.identifier[0].identityHash"}},
}

// Each failure case fails the schema, Check, or both, naming the member.
func TestFailureCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	for _, tt := range failureCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := baseCredential(t)
			tt.mutate(doc)

			// ValidateWith, because Validate refuses a credentialSchema
			// that is not an array before any schema runs.
			err := v.ValidateWith(ctx, doc, credential.SchemaAchievementCredential)
			var se *credential.SchemaError
			switch {
			case tt.schema == "" && err != nil:
				t.Errorf("schema: unexpected %v", err)
			case tt.schema != "" && !errors.As(err, &se):
				t.Errorf("schema: got %v, want a *SchemaError naming %q", err, tt.schema)
			case tt.schema != "":
				found := false
				for _, p := range se.Problems {
					found = found || strings.Contains(p, tt.schema)
				}
				if !found {
					t.Errorf("no schema problem contains %q: %q", tt.schema, se.Problems)
				}
			}

			var fields []string
			for _, ve := range credential.Check(doc) {
				fields = append(fields, ve.Field)
			}
			if diff := cmp.Diff(tt.check, fields); diff != "" {
				t.Errorf("Check fields (-want +got):\n%s\n%v", diff, credential.Check(doc))
			}
		})
	}
}

// builtCredential is an AchievementCredential built from the Go types, as
// the issuer builds one.
func builtCredential() credential.AchievementCredential {
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	return credential.AchievementCredential{
		Context: []any{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
		ID:      "urn:uuid:6f1c7d38-2d3a-4a7e-9c55-0b1f2f8f3a10",
		Type:    []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential},
		Name:    "Go Concurrency Badge",
		Issuer: credential.Profile{
			ID: "did:web:badges.example.org", Type: []string{credential.TypeProfile}, Name: "Example Academy",
			URL:   "https://badges.example.org",
			Image: &credential.Image{ID: "https://badges.example.org/logo.png", Type: credential.TypeImage},
		},
		ValidFrom:  from,
		ValidUntil: from.AddDate(5, 0, 0),
		CredentialSubject: credential.AchievementSubject{
			Type:       []string{credential.TypeAchievementSubject},
			Identifier: []credential.IdentityObject{credential.NewIdentityObject(" A@Example.com ", "Kosher")},
			Achievement: credential.Achievement{
				ID:              "https://badges.example.org/achievements/go-concurrency",
				Type:            []string{credential.TypeAchievement},
				AchievementType: "Badge",
				Name:            "Go Concurrency",
				Description:     "Demonstrated safe use of goroutines and channels.",
				Criteria:        credential.Criteria{Narrative: "Pass the graded concurrency lab."},
				Image:           &credential.Image{ID: "https://badges.example.org/go.png", Type: credential.TypeImage},
				Alignment: []credential.Alignment{{
					Type: []string{credential.TypeAlignment}, TargetName: "Concurrency", TargetURL: "https://example.org/c",
				}},
				ResultDescription: []credential.ResultDescription{{
					ID: "urn:uuid:rd1", Type: []string{credential.TypeResultDescription}, Name: "Score", ResultType: "Percent",
				}},
				CreditsAvailable: 1.5,
			},
			Result:        []credential.Result{{Type: []string{credential.TypeResult}, ResultDescription: "urn:uuid:rd1", Value: "92"}},
			CreditsEarned: 1.5,
		},
		Evidence: []credential.Evidence{{Type: []string{credential.TypeEvidence}, Narrative: "Lab report"}},
		CredentialSchema: []credential.CredentialSchema{
			{ID: credential.SchemaAchievementCredential, Type: credential.SchemaType1EdTech},
		},
		CredentialStatus: &credential.CredentialStatus{
			ID: "https://badges.example.org/status/1#48213", Type: credential.TypeBitstringStatusListEntry,
			StatusPurpose: credential.StatusPurposeRevocation, StatusListIndex: "48213",
			StatusListCredential: "https://badges.example.org/status/1",
		},
	}
}

// A credential built from the Go types marshals to the shape the OB
// schema demands.
func TestBuildFromGoTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vc := builtCredential()
	doc, err := credential.AsMap(vc)
	if err != nil {
		t.Fatal(err)
	}
	if errs := credential.Check(doc); len(errs) != 0 {
		t.Fatalf("Check: %v", errs)
	}
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	if err := v.Validate(ctx, doc); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	// The typed value validates directly too.
	if err := v.ValidateWith(ctx, vc, credential.SchemaAchievementCredential); err != nil {
		t.Fatalf("ValidateWith(struct): %v", err)
	}
	// Spot-check the shape.
	want := map[string]any{
		"validFrom":         "2025-06-01T00:00:00Z",
		"validUntil":        "2030-06-01T00:00:00Z",
		"issuer.image.type": "Image",
		"credentialSubject.identifier.0.identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
		"credentialStatus.statusListIndex":            "48213",
	}
	for path, w := range want {
		if got := lookup(doc, path); got != w {
			t.Errorf("%s = %v, want %v", path, got, w)
		}
	}
	for _, absent := range []string{"awardedDate", "image", "credentialSubject.id", "credentialSubject.activityStartDate", "proof"} {
		if got := lookup(doc, absent); got != nil {
			t.Errorf("%s present: %v", absent, got)
		}
	}
}

// lookup follows a dotted path through objects and arrays.
func lookup(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i := 0
			for _, c := range part {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// A plain VCDM 2.0 JsonSchema entry is honoured too; the W3C helper schema
// is draft 2020-12 and declares it.
func TestValidateJSONSchemaType(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	doc := readJSON(t, "eddsa", "unsigned.json")
	doc["credentialSchema"] = []any{
		map[string]any{"id": "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json", "type": credential.SchemaTypeJSONSchema},
		map[string]any{"id": "https://example.com/wrapped-schema-credential", "type": credential.SchemaTypeJSONSchemaCredential}, // skipped
	}
	if err := v.Validate(ctx, doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "credentialSubject")
	var se *credential.SchemaError
	if err := v.Validate(ctx, doc); !errors.As(err, &se) {
		t.Fatalf("got %v, want *SchemaError", err)
	}
}

func TestValidateBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	var ve *credential.ValidationError
	for name, doc := range map[string]any{
		"credentialSchema object": map[string]any{"credentialSchema": map[string]any{"id": "x", "type": "JsonSchema"}},
		"credentialSchema no id":  map[string]any{"credentialSchema": []any{map[string]any{"type": "JsonSchema"}}},
		"credentialSchema string": map[string]any{"credentialSchema": []any{"https://example.com/s.json"}},
		"array document":          []byte(`[1,2]`),
	} {
		if err := v.Validate(ctx, doc); !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want *ValidationError", name, err)
		}
	}
	if err := v.Validate(ctx, []byte(`{`)); err == nil {
		t.Error("invalid JSON accepted")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err := credential.NewSchemaValidator(newSchemaLoader(t)).ValidateWith(cancelled, map[string]any{}, credential.SchemaProfile)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, credential.ErrSchemaUnavailable) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSchemaProblemsCapped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(t))
	doc := baseCredential(t)
	var many []any
	for range 40 {
		many = append(many, map[string]any{"type": "Evidence", "name": 7})
	}
	doc["evidence"] = many
	var se *credential.SchemaError
	if err := v.Validate(ctx, doc); !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	if len(se.Problems) != 20 || !strings.HasPrefix(se.Problems[19], "and ") {
		t.Errorf("%d problems, last %q", len(se.Problems), se.Problems[len(se.Problems)-1])
	}
}

// Compiled schemas are cached and shared by concurrent callers.
func TestSchemaCacheConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loader := newSchemaLoader(t)
	v := credential.NewSchemaValidator(loader)
	doc := baseCredential(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if err := v.Validate(ctx, doc); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	after := loader.gets.Load()
	if after > 8 {
		t.Errorf("%d loads for one schema", after)
	}
	if err := v.Validate(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if loader.gets.Load() != after {
		t.Error("cached schema loaded again")
	}
}

// BenchmarkSchemaValidate validates a conforming credential, which the
// fast checker accepts on its own.
func BenchmarkSchemaValidate(b *testing.B) {
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(b))
	doc := readJSON(b, "ob3", "examples", "complete-openbadgecredential.json")
	if err := v.Validate(ctx, doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Validate(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaValidateReference is BenchmarkSchemaValidate with the JSON
// Schema library alone, as before the fast checker: compare the two.
func BenchmarkSchemaValidateReference(b *testing.B) {
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(b))
	doc := readJSON(b, "ob3", "examples", "complete-openbadgecredential.json")
	if err := v.ValidateReference(ctx, doc, credential.SchemaAchievementCredential); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateReference(ctx, doc, credential.SchemaAchievementCredential); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaValidateInvalid validates a credential that fails the
// schema: the fast checker's rejection, then the library's explanation.
func BenchmarkSchemaValidateInvalid(b *testing.B) {
	ctx := context.Background()
	v := credential.NewSchemaValidator(newSchemaLoader(b))
	doc := readJSON(b, "ob3", "examples", "complete-openbadgecredential.json")
	doc["validFrom"] = "2010-01-01T00:00:00" // no timezone
	b.ReportAllocs()
	for b.Loop() {
		var se *credential.SchemaError
		if err := v.Validate(ctx, doc); !errors.As(err, &se) {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	doc := readJSON(b, "ob3", "examples", "complete-openbadgecredential.json")
	b.ReportAllocs()
	for b.Loop() {
		if errs := credential.Check(doc); len(errs) != 0 {
			b.Fatal(errs)
		}
	}
}
