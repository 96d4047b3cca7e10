package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxProblems bounds SchemaError.Problems; a badly broken credential can
// produce hundreds of failures across oneOf branches.
const maxProblems = 20

// ErrSchemaUnavailable is wrapped, together with the loader's own error,
// when a schema or a document it references could not be loaded.
var ErrSchemaUnavailable = errors.New("credential: schema unavailable")

// SchemaLoader supplies JSON Schema documents by URL. It must serve only
// documents the operator trusts (pinned by digest, as *ldcontext.Loader
// does); SchemaValidator never fetches on its own.
type SchemaLoader interface {
	Get(ctx context.Context, url string) ([]byte, error)
}

// SchemaError reports that a credential does not conform to a JSON Schema.
type SchemaError struct {
	// Schema is the URL the credential named.
	Schema string
	// Problems are readable failures, each naming the instance location
	// as a JSON Pointer ("at '/credentialSubject/achievement': missing
	// property 'criteria'"); at most 20, the last one saying how many more
	// were left out.
	Problems []string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("credential: does not conform to schema %s: %s", e.Schema, strings.Join(e.Problems, "; "))
}

// SchemaValidator validates credentials against the JSON Schemas they name.
// Compiled schemas are cached per URL for the validator's lifetime; it is
// safe for concurrent use.
//
// A conforming credential is recognised by a fast checker compiled from
// the same schema (schemafast.go); the JSON Schema library itself runs
// only when that checker rejects the credential, to explain why, or for a
// schema using keywords the checker does not implement.
type SchemaValidator struct {
	loader SchemaLoader

	mu       sync.Mutex
	compiled map[string]*compiledSchema
}

// compiledSchema is one cached schema: the library's, and the fast
// checker when the schema allows one (else fast is nil and fastErr says
// why).
type compiledSchema struct {
	sch     *jsonschema.Schema
	fast    *fastSchema
	fastErr error
}

// fastDisagreements counts credentials the fast checker rejected but the
// library accepted. The library's verdict stands; the count exists so that
// tests can assert the two never disagree.
var fastDisagreements atomic.Int64

// NewSchemaValidator returns a validator that obtains schemas, and the
// documents their $refs name, from loader.
func NewSchemaValidator(loader SchemaLoader) *SchemaValidator {
	return &SchemaValidator{loader: loader, compiled: make(map[string]*compiledSchema)}
}

// Validate validates doc against every credentialSchema entry whose type is
// 1EdTechJsonSchemaValidator2019 or JsonSchema, as OB 3.0 §9.1 step 1 (and
// VCDM 2.0 "Data Schemas") require. Entries of other types, including
// JsonSchemaCredential, are ignored, as VCDM 2.0 says unknown types must
// be. doc is a credential as map[string]any, []byte or json.RawMessage, or
// any value that marshals to one (such as an AchievementCredential).
//
// A non-conforming credential yields one *SchemaError per failing schema,
// joined with errors.Join. A schema the loader cannot supply yields an error
// wrapping ErrSchemaUnavailable and the loader's error. A credentialSchema
// member that is not an array of {id, type} objects is a *ValidationError.
func (v *SchemaValidator) Validate(ctx context.Context, doc any) error {
	inst, err := instance(doc)
	if err != nil {
		return err
	}
	obj, ok := inst.(map[string]any)
	if !ok {
		return &ValidationError{Field: "credential", Reason: "must be a JSON object"}
	}
	raw, present := obj["credentialSchema"]
	if !present {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return &ValidationError{Field: "credentialSchema", Reason: "must be an array"}
	}
	var urls []string
	for i, item := range list {
		entry, ok := item.(map[string]any)
		id, _ := entry["id"].(string)
		typ, _ := entry["type"].(string)
		if !ok || id == "" || typ == "" {
			return &ValidationError{Field: fmt.Sprintf("credentialSchema[%d]", i), Reason: "must be an object with string id and type"}
		}
		if typ == SchemaType1EdTech || typ == SchemaTypeJSONSchema {
			urls = append(urls, id)
		}
	}
	return v.validate(ctx, inst, urls, true)
}

// ValidateWith validates doc against the schemas at schemaURLs, whatever
// its credentialSchema says; a verifier uses it to apply the OB schema to a
// credential that names none. doc is as for Validate.
func (v *SchemaValidator) ValidateWith(ctx context.Context, doc any, schemaURLs ...string) error {
	inst, err := instance(doc)
	if err != nil {
		return err
	}
	return v.validate(ctx, inst, schemaURLs, true)
}

// validate checks inst against each schema; useFast false skips the fast
// checker, for comparison in tests and benchmarks.
func (v *SchemaValidator) validate(ctx context.Context, inst any, urls []string, useFast bool) error {
	var errs []error
	for _, u := range urls {
		cs, err := v.schema(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fast := useFast && cs.fast != nil
		if fast && cs.fast.valid(inst) {
			continue
		}
		err = cs.sch.Validate(inst)
		if err == nil && fast {
			fastDisagreements.Add(1)
		}
		if err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				errs = append(errs, fmt.Errorf("credential: validate against %s: %w", u, err))
				continue
			}
			errs = append(errs, &SchemaError{Schema: u, Problems: problems(ve)})
		}
	}
	return errors.Join(errs...)
}

// schema returns the compiled schema for url, compiling it on first use.
// Two concurrent first uses may both compile; the first stored wins. A
// failure is not cached, so a loader that recovers is used again.
func (v *SchemaValidator) schema(ctx context.Context, url string) (*compiledSchema, error) {
	v.mu.Lock()
	cs := v.compiled[url]
	v.mu.Unlock()
	if cs != nil {
		return cs, nil
	}
	sch, err := v.compile(ctx, url)
	if err != nil {
		return nil, err
	}
	cs = &compiledSchema{sch: sch}
	// A schema the fast checker cannot handle is validated by the library
	// alone.
	cs.fast, cs.fastErr = compileFast(sch)
	v.mu.Lock()
	defer v.mu.Unlock()
	if prev := v.compiled[url]; prev != nil {
		return prev, nil
	}
	v.compiled[url] = cs
	return cs, nil
}

func (v *SchemaValidator) compile(ctx context.Context, url string) (*jsonschema.Schema, error) {
	b, err := v.loader.Get(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("credential: schema %s: %w: %w", url, ErrSchemaUnavailable, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("credential: schema %s: not JSON: %w", url, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2019) // the OB schemas' draft
	// The OB schemas rely on format "date-time" to reject validFrom without
	// a timezone; draft 2019-09 makes format an annotation unless asserted.
	c.AssertFormat()
	ld := &refLoader{ctx: ctx, loader: v.loader}
	c.UseLoader(ld)
	// Registered under the URL the credential used, which need not be the
	// schema's $id: the OB schemas say ...-jsonschema1.json.
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("credential: schema %s: %w", url, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		if ld.err != nil {
			return nil, fmt.Errorf("credential: schema %s: %w: %w", url, ErrSchemaUnavailable, ld.err)
		}
		return nil, fmt.Errorf("credential: compile schema %s: %w", url, err)
	}
	return sch, nil
}

// refLoader resolves $refs to other documents through the SchemaLoader.
// It lives for one Compile call, which is synchronous, so holding ctx is
// safe; it records the first failure so that it can be wrapped.
type refLoader struct {
	ctx    context.Context
	loader SchemaLoader
	err    error
}

func (l *refLoader) Load(url string) (any, error) {
	b, err := l.loader.Get(l.ctx, url)
	if err != nil {
		if l.err == nil {
			l.err = err
		}
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// instance converts doc to the JSON value the validator walks.
func instance(doc any) (any, error) {
	var b []byte
	switch d := doc.(type) {
	case map[string]any:
		return d, nil
	case []byte:
		b = d
	case json.RawMessage:
		b = d
	default:
		var err error
		if b, err = json.Marshal(doc); err != nil {
			return nil, fmt.Errorf("credential: marshal: %w", err)
		}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("credential: parse: %w", err)
	}
	return v, nil
}

// problems flattens a validation error tree into its leaves, the concrete
// failures, each rendered with its instance location.
func problems(ve *jsonschema.ValidationError) []string {
	var out []string
	seen := make(map[string]bool)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if s := e.Error(); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(out)
	if len(out) > maxProblems {
		n := len(out) - (maxProblems - 1)
		out = append(out[:maxProblems-1], fmt.Sprintf("and %d more", n))
	}
	return out
}
