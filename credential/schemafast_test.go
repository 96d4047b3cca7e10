package credential_test

// The fast schema checker (schemafast.go) must reach the JSON Schema
// library's verdict on every instance: the spec examples and every other
// shared test file, the schema test cases, thousands of mutated
// credentials, inline schemas covering each supported keyword, and fuzzed
// input. TestMain also fails the run if a SchemaValidator ever found the
// checker rejecting what the library accepted.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if n := credential.FastDisagreements(); n != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the fast schema checker rejected %d instances the library accepted\n", n)
		code = 1
	}
	os.Exit(code)
}

// The two OB 3.0 schemas newSchemaLoader does not serve.
const (
	schemaOBResponse   = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_getopenbadgecredentialsresponse_schema.json"
	schemaIMSXStatus   = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_imsx_statusinfo_schema.json"
	schemaVCDMCred     = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
	schemaVCDMPresent  = "https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json"
	mutationsPerRun    = 4000
	mutationsShortMode = 500
)

// obSchemas are the OB 3.0 schemas; the fast checker compiles them all.
var obSchemas = []string{
	credential.SchemaAchievementCredential, credential.SchemaEndorsementCredential, credential.SchemaProfile,
	schemaOBResponse, schemaIMSXStatus,
}

// newOBSchemaLoader is newSchemaLoader plus the remaining OB schemas.
func newOBSchemaLoader(t testing.TB) *schemaLoader {
	t.Helper()
	l := newSchemaLoader(t)
	l.files[schemaOBResponse] = sharedtest.Testdata(t, "ob3", "schema", "ob_v3p0_getopenbadgecredentialsresponse_schema.json")
	l.files[schemaIMSXStatus] = sharedtest.Testdata(t, "ob3", "schema", "ob_v3p0_imsx_statusinfo_schema.json")
	return l
}

// agree checks that the fast checker and the library reach the same
// verdict on inst against url, and returns the library's.
func agree(t testing.TB, v *credential.SchemaValidator, url string, inst any, what string) bool {
	t.Helper()
	ctx := context.Background()
	want, err := v.ReferenceCheck(ctx, url, inst)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.FastCheck(ctx, url, inst)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s against %s: fast checker says valid=%t, library valid=%t", what, path.Base(url), got, want)
	}
	return want
}

// forms decodes JSON text as encoding/json does (float64 numbers) and as
// jsonschema.UnmarshalJSON does (json.Number), the two shapes Validate
// receives. A form that does not decode is left out: encoding/json refuses
// numbers beyond float64's range.
func forms(t testing.TB, b []byte) map[string]any {
	t.Helper()
	out := make(map[string]any, 2)
	var std any
	if json.Unmarshal(b, &std) == nil {
		out["float64"] = std
	}
	if num, err := jsonschema.UnmarshalJSON(bytes.NewReader(b)); err == nil {
		out["json.Number"] = num
	}
	return out
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The OB schemas get a fast checker; the W3C ones, draft 2020-12, do not.
func TestFastSchemaSupport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newOBSchemaLoader(t))
	for _, u := range obSchemas {
		if _, err := v.FastCheck(ctx, u, map[string]any{}); err != nil {
			t.Errorf("%s: %v", path.Base(u), err)
		}
	}
	for _, u := range []string{schemaVCDMCred, schemaVCDMPresent} {
		if _, err := v.FastCheck(ctx, u, map[string]any{}); !errors.Is(err, credential.ErrFastUnsupported) {
			t.Errorf("%s: got %v, want ErrFastUnsupported", path.Base(u), err)
		}
	}
}

// Every shared test file, in both decoded forms, against every OB schema;
// for the OB files also every object and array inside them.
func TestFastAgreesOnTestdata(t *testing.T) {
	t.Parallel()
	v := credential.NewSchemaValidator(newOBSchemaLoader(t))
	root := sharedtest.Testdata(t)
	var files, cases, valid int
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		// The OB credentials and examples, not the OpenAPI document.
		nested := (strings.HasPrefix(rel, "ob3/") && !strings.HasPrefix(rel, "ob3/openapi/")) ||
			strings.HasPrefix(rel, "acceptance-data/vectors/")
		for form, doc := range forms(t, b) {
			insts := map[string]any{rel: doc}
			if nested {
				collectNested(rel, doc, insts)
			}
			for where, inst := range insts {
				for _, u := range obSchemas {
					cases++
					if agree(t, v, u, inst, where+" ("+form+")") {
						valid++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d cases, %d valid", files, cases, valid)
	// The nine examples and test vectors conform in both forms, at least.
	if files < 100 || valid < 16 {
		t.Errorf("only %d files and %d valid cases", files, valid)
	}
}

// collectNested adds every object and array below v to out, keyed by its
// location.
func collectNested(where string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if _, ok := c.(map[string]any); ok {
				out[where+"/"+k] = c
			} else if _, ok := c.([]any); ok {
				out[where+"/"+k] = c
			}
			collectNested(where+"/"+k, c, out)
		}
	case []any:
		for i, c := range x {
			w := fmt.Sprintf("%s/%d", where, i)
			if _, ok := c.(map[string]any); ok {
				out[w] = c
			}
			collectNested(w, c, out)
		}
	}
}

// The credentials schema_test.go validates, valid and invalid, through the
// public API: the errors match the library's alone exactly.
func TestFastAgreesOnSchemaTestCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := credential.NewSchemaValidator(newOBSchemaLoader(t))
	docs := map[string]map[string]any{}
	for _, tc := range failureCases {
		doc := baseCredential(t)
		tc.mutate(doc)
		docs["failureCases/"+tc.name] = doc
	}
	built, err := credential.AsMap(builtCredential())
	if err != nil {
		t.Fatal(err)
	}
	docs["builtCredential"] = built
	ldp := readJSON(t, "ob3", "ldp-test-vector", "credential-signed.json")
	docs["ldp vector"] = clone(t, ldp)
	ldp["proof"] = []any{ldp["proof"]}
	docs["ldp vector, proof array"] = ldp
	capped := baseCredential(t)
	var many []any
	for range 40 {
		many = append(many, map[string]any{"type": "Evidence", "name": 7})
	}
	capped["evidence"] = many
	docs["40 bad evidence"] = capped

	var cases, valid int
	for name, doc := range docs {
		for form, inst := range forms(t, mustMarshal(t, doc)) {
			for _, u := range obSchemas {
				cases++
				if agree(t, v, u, inst, name+" ("+form+")") {
					valid++
				}
			}
		}
		for _, u := range obSchemas[:3] {
			got, want := v.ValidateWith(ctx, doc, u), v.ValidateReference(ctx, doc, u)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s against %s:\n got %v\nwant %v", name, path.Base(u), got, want)
			}
			var gotSE, wantSE *credential.SchemaError
			if errors.As(got, &gotSE) != errors.As(want, &wantSE) {
				t.Errorf("%s against %s: error types differ: %T, %T", name, path.Base(u), got, want)
			}
		}
	}
	t.Logf("%d documents, %d cases, %d valid", len(docs), cases, valid)
}

// mutator applies deterministic pseudo-random breakages to a credential.
type mutator struct {
	t       testing.TB
	r       *rand.Rand
	strings []string // every string in the base credentials
}

// slot is one member or item of a document, to read, replace or remove.
type slot struct {
	get func() any
	set func(any)
	del func()
}

// slots lists every member and item below v in a deterministic order;
// own is v's slot, through which an item is removed from an array.
func slots(v any, own slot, out []slot) []slot {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			s := slot{
				get: func() any { return x[k] },
				set: func(n any) { x[k] = n },
				del: func() { delete(x, k) },
			}
			out = append(out, s)
			out = slots(x[k], s, out)
		}
	case []any:
		for i := range x {
			s := slot{
				get: func() any { return x[i] },
				set: func(n any) { x[i] = n },
				del: func() { own.set(slices.Delete(slices.Clone(x), i, i+1)) },
			}
			out = append(out, s)
			out = slots(x[i], s, out)
		}
	}
	return out
}

// mutate applies one random change to doc and names it. Most changes
// are hostile (a type, an enum value, a date's timezone); one in three is
// of the kind an issuer makes (edited text, another date, an extra
// member), which often keeps the credential valid.
func (m *mutator) mutate(doc map[string]any) string {
	all := slots(doc, slot{}, nil)
	s := all[m.r.IntN(len(all))]
	cur := s.get()
	op := m.r.IntN(36)
	if op >= 24 {
		return m.gentle(all, op)
	}
	switch op {
	case 0, 1:
		s.del()
	case 2:
		s.set("x")
	case 3:
		s.set(42.0)
	case 4:
		s.set(1.5)
	case 5:
		s.set(true)
	case 6:
		s.set(nil)
	case 7:
		s.set(map[string]any{})
	case 8:
		s.set([]any{})
	case 9:
		s.set([]any{cur})
	case 10: // unwrap an array, or an object to one member
		switch x := cur.(type) {
		case []any:
			if len(x) > 0 {
				s.set(x[0])
			}
		case map[string]any:
			if keys := slices.Sorted(maps.Keys(x)); len(keys) > 0 {
				s.set(x[keys[0]])
			}
		}
	case 11:
		s.set("NotAnEnumValue")
	case 12:
		s.set("2024-01-01T00:00:00") // no timezone
	case 13:
		s.set("2024-01-01T00:00:00Z")
	case 14:
		s.set([]string{"2024-13-01T00:00:00Z", "2024-02-30T10:00:00+01:00", "2024-01-01", "2024-01-01T23:59:60Z", "2024-01-01t00:00:00.5z"}[m.r.IntN(5)])
	case 15:
		s.set([]string{"not a uri", "http://[::1", "/relative", "urn:uuid:1", "https://example.com/ü"}[m.r.IntN(5)])
	case 16: // an extra member on the object here or around here
		if x, ok := cur.(map[string]any); ok {
			x["extraProp"] = "x"
		} else {
			s.set(map[string]any{"extraProp": cur})
		}
	case 17:
		s.set([]string{"ext:Trophy", "ext:", "ext:a b", "Badge", "en", "en-US", "EN", ""}[m.r.IntN(8)])
	case 18:
		s.set(7.0)
	case 19: // a string from elsewhere: types, enum values, contexts, URLs
		s.set(m.strings[m.r.IntN(len(m.strings))])
	case 20: // a copy of another member's value
		var c any
		if err := json.Unmarshal(mustMarshal(m.t, all[m.r.IntN(len(all))].get()), &c); err != nil {
			m.t.Fatal(err)
		}
		s.set(c)
	case 21: // duplicate an array's item, or array-wrap twice
		if x, ok := cur.([]any); ok && len(x) > 0 {
			s.set(append(slices.Clone(x), x[0]))
		} else {
			s.set([]any{cur, cur})
		}
	case 22:
		s.set(math.Copysign(0, -1))
	default:
		s.set(1e21)
	}
	return fmt.Sprintf("hostile %d", op)
}

func (m *mutator) gentle(all []slot, op int) string {
	var strs, objs []slot
	for _, s := range all {
		switch s.get().(type) {
		case string:
			strs = append(strs, s)
		case map[string]any:
			objs = append(objs, s)
		}
	}
	if len(strs) == 0 || len(objs) == 0 {
		return "none"
	}
	str, obj := strs[m.r.IntN(len(strs))], objs[m.r.IntN(len(objs))].get().(map[string]any)
	switch op {
	case 24:
		str.set(str.get().(string) + " edited")
	case 25:
		str.set([]string{"2031-07-15T08:30:00.123+05:30", "1999-12-31T23:59:59Z", "2024-02-29T00:00:00-00:00"}[m.r.IntN(3)])
	case 26:
		obj["extraProp"] = []any{"x", 1.0}
	case 27:
		str.set("Zürich – ✓")
	case 28, 29, 30:
		str.set("https://example.org/badges/" + fmt.Sprint(m.r.IntN(1000)))
	case 31, 32:
		obj["description"] = "Edited description"
	default:
		if keys := slices.Sorted(maps.Keys(obj)); len(keys) > 0 {
			delete(obj, keys[m.r.IntN(len(keys))])
		}
	}
	return fmt.Sprintf("gentle %d", op)
}

// collectStrings adds every string below v to set.
func collectStrings(v any, set map[string]bool) {
	switch x := v.(type) {
	case string:
		set[x] = true
	case map[string]any:
		for _, c := range x {
			collectStrings(c, set)
		}
	case []any:
		for _, c := range x {
			collectStrings(c, set)
		}
	}
}

// Thousands of deterministic pseudo-random breakages of issued-looking
// credentials: the verdicts agree every time, in both decoded forms, and
// the public API returns the library's error whenever one fails.
func TestFastAgreesOnMutations(t *testing.T) {
	t.Parallel()
	v := credential.NewSchemaValidator(newOBSchemaLoader(t))
	built, err := credential.AsMap(builtCredential())
	if err != nil {
		t.Fatal(err)
	}
	bases := []map[string]any{baseCredential(t), built, readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")}
	set := map[string]bool{}
	for _, b := range bases {
		collectStrings(b, set)
	}
	pool := slices.Sorted(maps.Keys(set))
	n := mutationsPerRun
	if testing.Short() {
		n = mutationsShortMode
	}
	// Shards, to use every core; each has its own fixed seed.
	const shards = 4
	for shard := range shards {
		t.Run(fmt.Sprint("shard", shard), func(t *testing.T) {
			t.Parallel()
			m := &mutator{t: t, r: rand.New(rand.NewPCG(2024, uint64(shard))), strings: pool}
			mutationShard(t, v, m, bases, n/shards)
		})
	}
}

func mutationShard(t *testing.T, v *credential.SchemaValidator, m *mutator, bases []map[string]any, n int) {
	ctx := context.Background()
	var invalid int
	for i := range n {
		doc := clone(t, bases[i%len(bases)])
		var did []string
		for range 1 + m.r.IntN(4)/3 { // one change, sometimes two
			did = append(did, m.mutate(doc))
		}
		b := mustMarshal(t, doc)
		var verdicts []bool
		for form, inst := range forms(t, b) {
			verdicts = append(verdicts, agree(t, v, credential.SchemaAchievementCredential, inst,
				fmt.Sprintf("mutation %d %v (%s): %s", i, did, form, b)))
		}
		if slices.Contains(verdicts, false) {
			invalid++
		}
		// The public API: the same error as the library alone.
		got := v.ValidateWith(ctx, doc, credential.SchemaAchievementCredential)
		want := v.ValidateReference(ctx, doc, credential.SchemaAchievementCredential)
		var gotSE, wantSE *credential.SchemaError
		switch {
		case (got == nil) != (want == nil):
			t.Errorf("mutation %d: ValidateWith %v, library %v", i, got, want)
		case errors.As(got, &gotSE) != errors.As(want, &wantSE):
			t.Errorf("mutation %d: error types differ: %T, %T", i, got, want)
		case gotSE != nil && (gotSE.Schema != wantSE.Schema || len(gotSE.Problems) != len(wantSE.Problems)):
			// Problem texts can list members in map order, so compare
			// their number rather than their text.
			t.Errorf("mutation %d:\n got %v\nwant %v", i, got, want)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d mutated credentials: %d invalid, %d valid", n, invalid, n-invalid)
	if invalid*5 < n || (n-invalid)*5 < n {
		t.Errorf("unbalanced mutations: %d of %d invalid; want at least 20%% of each verdict", invalid, n)
	}
}

// inlineLoader serves schemas held in memory.
type inlineLoader map[string]string

func (l inlineLoader) Get(_ context.Context, url string) ([]byte, error) {
	s, ok := l[url]
	if !ok {
		return nil, fmt.Errorf("%w: %s", errUnknownSchema, url)
	}
	return []byte(s), nil
}

// keywordSchemas exercise each keyword the fast checker implements, in the
// drafts it supports; the OB schemas use only some of them.
var keywordSchemas = []string{
	`true`,
	`false`,
	`{"type": "integer"}`,
	`{"type": ["string", "null"]}`,
	`{"type": ["number", "boolean"]}`,
	`{"type": "number", "minimum": 1, "exclusiveMaximum": 10}`,
	`{"maximum": 0.1, "exclusiveMinimum": -1}`,
	`{"minimum": 1e21}`,
	`{"enum": [1, "a", null, true, {"a": [1, 2]}, [1, "x"]]}`,
	`{"enum": []}`,
	`{"const": {"a": 1.0, "b": [true, null]}}`,
	`{"const": 2}`,
	`{"const": null}`,
	`{"format": "date-time"}`,
	`{"format": "date"}`,
	`{"format": "uri"}`,
	`{"format": "email"}`,
	`{"format": "no-such-format"}`,
	`{"minLength": 2, "maxLength": 3}`,
	`{"pattern": "^a+$"}`,
	`{"pattern": "(ext:)[a-z|A-Z|0-9|.|-|_]+"}`,
	`{"required": ["a"], "properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": {"type": "number"}},
	  "additionalProperties": false, "minProperties": 1, "maxProperties": 3}`,
	`{"properties": {"a": {"type": "string"}, "b": true, "c": false}}`,
	`{"additionalProperties": {"type": "boolean"}, "properties": {"a": {}}}`,
	`{"patternProperties": {"a": {"minLength": 1}, "b": {"maxLength": 1}}}`,
	`{"items": {"type": "number"}, "minItems": 1, "maxItems": 3}`,
	`{"items": [{"type": "string"}, {"type": "number"}], "additionalItems": false}`,
	`{"items": [{"type": "string"}], "additionalItems": {"type": "boolean"}}`,
	`{"items": [true], "additionalItems": false}`,
	`{"additionalItems": false}`,
	`{"uniqueItems": true}`,
	`{"contains": {"const": 1}}`,
	`{"contains": {"const": 1}, "minContains": 2, "maxContains": 3}`,
	`{"contains": {"type": "string"}, "minContains": 0}`,
	`{"contains": {"type": "number"}, "maxContains": 1}`,
	`{"not": {"type": "string"}}`,
	`{"allOf": [{"type": "number"}, {"minimum": 0}]}`,
	`{"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}`,
	`{"oneOf": [{"type": "number"}, {"type": "integer"}]}`,
	`{"oneOf": [{"type": "string"}, {"$ref": "#/$defs/obj"}], "$defs": {"obj": {"type": "object", "required": ["id"]}}}`,
	`{"if": {"type": "string"}, "then": {"minLength": 3}, "else": {"type": "number"}}`,
	`{"if": {"type": "string"}, "then": {"minLength": 3}}`,
	`{"if": true, "else": false}`,
	`{"$defs": {"pos": {"type": "number", "minimum": 0}}, "$ref": "#/$defs/pos", "maximum": 5}`,
	`{"$defs": {"node": {"type": "object", "required": ["v"],
	  "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"}`,
	`{"type": "array", "items": {"$ref": "#"}}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"pos": {"type": "number", "minimum": 0}},
	  "$ref": "#/definitions/pos", "maximum": 5}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "if": {"const": 1}, "then": false, "contains": {"const": 2}}`,
	// Before 2019-09 a $ref ends the evaluation, but the library still
	// checks the draft 6 and 7 keywords it compiled before reaching it.
	`{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"any": {}}, "$ref": "#/definitions/any",
	  "const": [1], "contains": {"const": 2}, "if": true, "then": false}`,
	`{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"str": {"type": "string"}}, "$ref": "#/definitions/str",
	  "if": true, "then": false}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "contains": {"type": "null"}, "const": [null]}`,
	`{"$schema": "http://json-schema.org/draft-06/schema#", "exclusiveMinimum": 0, "type": "integer"}`,
	`{"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 5, "exclusiveMaximum": true, "type": "integer"}`,
	`{"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"a": {"enum": [1.5, "1.5"]}},
	  "required": ["a"], "additionalProperties": false}`,
}

// keywordInstances are the JSON values tried against each keyword schema.
var keywordInstances = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `1.0`, `1.5`, `2`, `2.00`, `5`, `10`, `0.1`, `1e2`, `1e21`, `1e400`, `-1`, `-1.5`,
	`""`, `"a"`, `"aa"`, `"aaa"`, `"ü€"`, `"ü€x"`, `"abcd"`, `"ext:Foo"`, `"ext:"`,
	`"2024-01-01T00:00:00Z"`, `"2024-01-01T00:00:00"`, `"2024-01-01"`, `"2024-02-30"`, `"http://x"`, `"not a uri"`, `"a@example.com"`,
	`[]`, `[1]`, `[1, 1]`, `[1, "1"]`, `[1, 1.0]`, `["a", 1]`, `["a", 1, true]`, `["a", true, false]`, `["a", 1, 2]`,
	`[null]`, `[1, 2, 3, 4]`, `[1, 1, 1]`, `[1, 1, 1, 1]`, `[1, "x"]`, `[{"a": 1, "b": 2}, {"b": 2, "a": 1}]`, `[[1], [1.0]]`, `[[], [[]]]`,
	`{}`, `{"a": "x"}`, `{"a": 1}`, `{"a": 1.5}`, `{"a": "1.5"}`, `{"x-1": 2}`, `{"x-1": "s"}`, `{"b": true}`, `{"c": 1}`, `{"ab": ""}`, `{"ab": "xy"}`,
	`{"a": "x", "x-y": 1, "z": true}`, `{"a": "x", "x-1": 1, "x-2": 2, "x-3": 3}`, `{"id": 1}`,
	`{"v": 1, "children": [{"v": 2}, {"v": 3, "children": []}]}`, `{"v": 1, "children": [{"children": []}]}`,
	`{"a": 1.0, "b": [true, null]}`, `{"a": 1, "b": [true, null]}`, `{"b": [true, null], "a": 1}`, `{"a": [1, 2]}`,
}

// bigArrays are past the library's 20 items, where uniqueItems hashes.
func bigArrays() []string {
	var distinct, numbers, objects []string
	for i := range 25 {
		distinct = append(distinct, fmt.Sprint(i))
		numbers = append(numbers, fmt.Sprintf("%d.0", i))
		objects = append(objects, fmt.Sprintf(`{"k": %d, "s": "%d"}`, i, i))
	}
	list := func(items ...string) string { return "[" + strings.Join(items, ", ") + "]" }
	return []string{
		list(distinct...),
		list(append(slices.Clone(distinct), "7.0")...),
		list(append(slices.Clone(numbers), "1e1")...),
		list(objects...),
		list(append(slices.Clone(objects), `{"s": "3", "k": 3.0}`)...),
		list(append(slices.Clone(distinct), `"3"`, `[3]`, `{"3": 3}`)...),
	}
}

// Every keyword schema against every instance, in both decoded forms.
func TestFastKeywordsAgree(t *testing.T) {
	t.Parallel()
	loader := inlineLoader{}
	for i, s := range keywordSchemas {
		loader[fmt.Sprintf("https://example.com/keywords/%d.json", i)] = s
	}
	v := credential.NewSchemaValidator(loader)
	ctx := context.Background()
	instances := append(slices.Clone(keywordInstances), bigArrays()...)
	var cases, valid int
	for i, s := range keywordSchemas {
		u := fmt.Sprintf("https://example.com/keywords/%d.json", i)
		if _, err := v.FastCheck(ctx, u, nil); err != nil {
			t.Errorf("schema %s: %v", s, err)
			continue
		}
		for _, text := range instances {
			fs := forms(t, []byte(text))
			if len(fs) == 0 {
				t.Fatalf("instance %s does not parse", text)
			}
			for form, inst := range fs {
				cases++
				if agree(t, v, u, inst, fmt.Sprintf("%s (%s) against %s", text, form, s)) {
					valid++
				}
			}
		}
	}
	t.Logf("%d schemas, %d cases, %d valid", len(keywordSchemas), cases, valid)
}

// Go values that are not JSON reach Validate inside a map[string]any; the
// checker must never accept what the library rejects for them.
func TestFastNonJSONValues(t *testing.T) {
	t.Parallel()
	loader := inlineLoader{
		"https://example.com/any.json":    `{"properties": {"a": {}}}`,
		"https://example.com/int.json":    `{"properties": {"a": {"type": "integer"}}}`,
		"https://example.com/unique.json": `{"properties": {"a": {"uniqueItems": true}}}`,
		"https://example.com/enum.json":   `{"properties": {"a": {"enum": [1, [1], {"x": 1}]}}}`,
		"https://example.com/true.json":   `{"properties": {"a": true}}`,
	}
	v := credential.NewSchemaValidator(loader)
	values := []any{int64(3), uint8(7), float32(1.5), float32(2), 3, []string{"x"}, map[string]string{"x": "y"},
		struct{}{}, []any{1, []int{1}}, []any{map[string]any{"x": 1}, map[string]any{"x": int8(1)}},
		[]any{json.Number("1"), 1.0}, []any{map[string]any{"x": []int{1}}, map[string]any{"x": 1}}, json.Number("12")}
	for u := range loader {
		for _, val := range values {
			agree(t, v, u, map[string]any{"a": val}, fmt.Sprintf("%T %v", val, val))
		}
	}
}

// A schema using a keyword the fast checker lacks is validated by the
// library alone, with the same results as before.
func TestFastUnsupportedFallsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name, schema string
		valid        []string
		invalid      []string
	}{
		{"unevaluatedProperties", `{"properties": {"a": {"type": "string"}}, "unevaluatedProperties": false}`,
			[]string{`{"a": "x"}`, `{}`}, []string{`{"a": "x", "b": 1}`, `{"a": 1}`}},
		{"unevaluatedProperties below a $ref", `{"$defs": {"closed": {"properties": {"a": {}}, "unevaluatedProperties": false}},
			"properties": {"x": {"$ref": "#/$defs/closed"}}}`,
			[]string{`{"x": {"a": 1}}`, `{"y": {"b": 1}}`}, []string{`{"x": {"b": 1}}`}},
		{"multipleOf", `{"multipleOf": 0.5}`, []string{`1.5`, `"x"`}, []string{`1.25`}},
		{"dependentRequired", `{"dependentRequired": {"a": ["b"]}}`, []string{`{"a": 1, "b": 2}`, `{}`}, []string{`{"a": 1}`}},
		{"propertyNames", `{"propertyNames": {"maxLength": 2}}`, []string{`{"ab": 1}`}, []string{`{"abc": 1}`}},
		{"draft 2020-12", `{"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": [{"type": "string"}], "items": false}`,
			[]string{`["a"]`, `[]`}, []string{`["a", 1]`, `[1]`}},
		{"subschema cycle", `{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}`,
			nil, []string{`{}`, `1`}},
		// The library fails a value on reaching the cycle, so "a" fails
		// here, while under a "not" it would pass.
		{"subschema cycle below a property", `{"properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"anyOf": [{"$ref": "#/$defs/x"}]}}}`,
			[]string{`{}`, `{"b": 1}`}, []string{`{"a": 1}`}},
		{"subschema cycle under not", `{"properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"not": {"$ref": "#/$defs/x"}}}}`,
			[]string{`{}`, `{"a": 1}`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const u = "https://example.com/unsupported.json"
			v := credential.NewSchemaValidator(inlineLoader{u: tt.schema})
			if _, err := v.FastCheck(ctx, u, nil); !errors.Is(err, credential.ErrFastUnsupported) {
				t.Fatalf("FastCheck: got %v, want ErrFastUnsupported", err)
			}
			for _, text := range tt.valid {
				if err := v.ValidateWith(ctx, []byte(text), u); err != nil {
					t.Errorf("%s: %v", text, err)
				}
			}
			for _, text := range tt.invalid {
				err := v.ValidateWith(ctx, []byte(text), u)
				var se *credential.SchemaError
				if !errors.As(err, &se) {
					t.Errorf("%s: got %v, want *SchemaError", text, err)
				}
				if want := v.ValidateReference(ctx, []byte(text), u); fmt.Sprint(err) != fmt.Sprint(want) {
					t.Errorf("%s: got %v, library alone %v", text, err, want)
				}
			}
		})
	}
}

func FuzzFastSchemaAgrees(f *testing.F) {
	entries, err := os.ReadDir(sharedtest.Testdata(f, "ob3", "examples"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(sharedtest.ReadTestdata(f, "ob3", "examples", e.Name()))
	}
	f.Add(mustMarshal(f, baseCredential(f)))
	f.Add(mustMarshal(f, builtCredential()))
	for _, s := range []string{`{}`, `[]`, `null`, `1.5`, `"x"`,
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"validFrom":"2024-01-01T00:00:00"}`,
		`{"type":"Profile","id":"did:example:1","image":{"id":"x","type":"Image"}}`,
		`{"imsx_codeMajor":"success","imsx_severity":"status"}`} {
		f.Add([]byte(s))
	}
	v := credential.NewSchemaValidator(newOBSchemaLoader(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		for form, inst := range forms(t, data) {
			for _, u := range obSchemas {
				agree(t, v, u, inst, form)
			}
		}
	})
}
