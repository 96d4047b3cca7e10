package credential

import "context"

// Hooks for the external tests of the fast schema checker (schemafast.go).

// ErrFastUnsupported is wrapped by FastCheck for a schema the fast checker
// does not implement.
var ErrFastUnsupported = errFastUnsupported

// FastDisagreements returns how many times, in this process, the fast
// checker rejected a credential that the library then accepted.
func FastDisagreements() int64 { return fastDisagreements.Load() }

// FastCheck returns the fast checker's verdict on inst, taken as it is,
// against the schema at url; an error wrapping ErrFastUnsupported if that
// schema has no fast checker.
func (v *SchemaValidator) FastCheck(ctx context.Context, url string, inst any) (bool, error) {
	cs, err := v.schema(ctx, url)
	if err != nil {
		return false, err
	}
	if cs.fast == nil {
		return false, cs.fastErr
	}
	return cs.fast.valid(inst), nil
}

// ReferenceCheck returns the library's verdict on inst, taken as it is,
// against the schema at url.
func (v *SchemaValidator) ReferenceCheck(ctx context.Context, url string, inst any) (bool, error) {
	cs, err := v.schema(ctx, url)
	if err != nil {
		return false, err
	}
	return cs.sch.Validate(inst) == nil, nil
}

// ValidateReference is ValidateWith without the fast checker: the library
// validates every credential, as before the checker existed.
func (v *SchemaValidator) ValidateReference(ctx context.Context, doc any, schemaURLs ...string) error {
	inst, err := instance(doc)
	if err != nil {
		return err
	}
	return v.validate(ctx, inst, schemaURLs, false)
}
