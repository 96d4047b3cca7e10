package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// This file holds a second evaluator for the schemas SchemaValidator
// compiles: a yes/no checker built from the *jsonschema.Schema tree that
// github.com/santhosh-tekuri/jsonschema/v6 (v6.0.3) produces. The library
// builds error objects for every failing branch of a oneOf or anyOf and
// copies every string it checks, which made schema validation about a
// sixth of the issuing path's CPU and nearly half its allocations. The
// checker answers the same question without allocating (only the format
// checks it borrows from the library do, a little), and the library still
// explains every failure (see SchemaValidator.validate), so the checker
// only has to be exact, never descriptive.
//
// Each rule below mirrors validator.go and util.go of v6.0.3 keyword by
// keyword, including the order that matters: for drafts before 2019-09 a
// $ref ends the evaluation after type, const, enum and format. A schema
// using a keyword not listed in compileFast's doc is not compiled, and the
// library alone validates against it. Uncertain cases (a Go value that is
// not a JSON value, a number big.Rat cannot parse) answer "invalid", which
// only costs a run of the library.

// errFastUnsupported is wrapped by compileFast when a schema uses a keyword
// or draft the fast checker does not implement.
var errFastUnsupported = errors.New("credential: keyword not supported by the fast schema checker")

// jsonTypes is a set of JSON Schema types.
type jsonTypes uint8

const (
	typeNull jsonTypes = 1 << iota
	typeBoolean
	typeNumber
	typeInteger // in a schema's type set only; values are typeNumber
	typeString
	typeArray
	typeObject
)

var typeNames = map[string]jsonTypes{
	"null": typeNull, "boolean": typeBoolean, "number": typeNumber, "integer": typeInteger,
	"string": typeString, "array": typeArray, "object": typeObject,
}

// additionalMode is how a schema treats the members (additionalProperties)
// or items (additionalItems) its other keywords do not cover.
type additionalMode uint8

const (
	additionalAllowed additionalMode = iota // absent or true
	additionalDenied                        // false
	additionalSchema                        // a subschema
)

// itemsMode is the shape of a draft 2019-09 (or older) "items" keyword.
type itemsMode uint8

const (
	itemsAbsent itemsMode = iota
	itemsOne              // one schema for every item
	itemsTuple            // one schema per position
)

// fastSchema is one compiled (sub)schema. It is immutable once compileFast
// returns, so concurrent validations share it.
type fastSchema struct {
	// A boolean schema: true accepts anything, false nothing.
	isBool, boolValue bool

	types     jsonTypes // 0: no type keyword
	constVal  *any
	hasEnum   bool
	enum      []any
	enumTypes jsonTypes
	format    func(any) error
	ref       *fastSchema
	refOnly   bool // before draft 2019-09, $ref ends the evaluation

	// object keywords
	minProps, maxProps int // -1: absent
	required           []string
	props              map[string]*fastSchema
	propList           []fastProp
	patterns           []fastPattern
	addlProps          additionalMode
	addlPropsSchema    *fastSchema

	// array keywords
	minItems, maxItems       int // -1: absent
	uniqueItems              bool
	items                    itemsMode
	itemsSchema              *fastSchema
	itemsTuple               []*fastSchema
	addlItems                additionalMode
	addlItemsSchema          *fastSchema
	contains                 *fastSchema
	minContains, maxContains int // -1: absent

	// string keywords
	minLength, maxLength int // -1: absent; counted in code points
	pattern              jsonschema.Regexp

	// number keywords
	minimum, maximum, exclusiveMinimum, exclusiveMaximum *big.Rat

	// applicators on the same value
	not               *fastSchema
	allOf             []*fastSchema
	anyOf             []*fastSchema
	oneOf             []*fastSchema
	ifS, thenS, elseS *fastSchema
}

type fastProp struct {
	name string
	sch  *fastSchema
}

type fastPattern struct {
	re  jsonschema.Regexp
	sch *fastSchema
}

// compileFast builds the fast checker for sch and every subschema it
// reaches. It supports drafts 4, 6, 7 and 2019-09 with these keywords:
// boolean schemas, $ref (with its siblings from 2019-09 on), type, enum,
// const, format (through the compiled Format, asserted as compiled), not,
// allOf, anyOf, oneOf, if/then/else, required, properties,
// patternProperties, additionalProperties, minProperties, maxProperties,
// items (one schema or a tuple), additionalItems, minItems, maxItems,
// uniqueItems, contains, minContains, maxContains, minLength, maxLength,
// pattern, minimum, maximum, exclusiveMinimum and exclusiveMaximum.
// Annotations are ignored. Anything else ($recursiveRef, $dynamicRef,
// dependencies, dependentRequired, dependentSchemas, unevaluated*,
// prefixItems and draft 2020-12 items, content*, multipleOf,
// propertyNames, vocabulary extensions, draft 2020-12 itself) is an error
// wrapping errFastUnsupported, as is a cycle of subschemas that applies to
// one value without descending into it (the library reports those as an
// error at validation time).
func compileFast(sch *jsonschema.Schema) (*fastSchema, error) {
	c := &fastCompiler{
		nodes: make(map[*jsonschema.Schema]*fastSchema),
		locs:  make(map[*fastSchema]string),
	}
	f := c.sub(sch)
	if c.err != nil {
		return nil, c.err
	}
	if err := c.checkCycles(f); err != nil {
		return nil, err
	}
	return f, nil
}

type fastCompiler struct {
	nodes map[*jsonschema.Schema]*fastSchema
	locs  map[*fastSchema]string // for the cycle error
	err   error                  // the first failure; compilation stops there
}

func unsupported(s *jsonschema.Schema, what string) error {
	return fmt.Errorf("%w: %s at %s", errFastUnsupported, what, s.Location)
}

// sub compiles s once (nil stays nil) and records the first failure in
// c.err.
func (c *fastCompiler) sub(s *jsonschema.Schema) *fastSchema {
	if s == nil || c.err != nil {
		return nil
	}
	if f, ok := c.nodes[s]; ok {
		return f
	}
	f := &fastSchema{
		minProps: -1, maxProps: -1, minItems: -1, maxItems: -1,
		minContains: -1, maxContains: -1, minLength: -1, maxLength: -1,
	}
	// Memoized before the subschemas, so recursive $refs end here.
	c.nodes[s] = f
	c.locs[f] = s.Location
	if s.Bool != nil {
		f.isBool, f.boolValue = true, *s.Bool
		return f
	}
	if err := checkSupported(s); err != nil {
		c.err = err
		return nil
	}
	if err := c.fill(f, s); err != nil && c.err == nil {
		c.err = err
	}
	return f
}

func (c *fastCompiler) subs(ss []*jsonschema.Schema) []*fastSchema {
	if ss == nil {
		return nil
	}
	out := make([]*fastSchema, len(ss))
	for i, s := range ss {
		out[i] = c.sub(s)
	}
	return out
}

// checkSupported rejects a draft or keyword the fast checker does not
// implement. An empty map or list has no effect in the library, so it is
// allowed.
func checkSupported(s *jsonschema.Schema) error {
	switch s.DraftVersion {
	case 4, 6, 7, 2019:
	default:
		return unsupported(s, fmt.Sprintf("draft %d", s.DraftVersion))
	}
	checks := []struct {
		used bool
		name string
	}{
		{s.RecursiveRef != nil, "$recursiveRef"},
		{s.DynamicRef != nil, "$dynamicRef"},
		{len(s.Dependencies) > 0, "dependencies"},
		{len(s.DependentRequired) > 0, "dependentRequired"},
		{len(s.DependentSchemas) > 0, "dependentSchemas"},
		{s.UnevaluatedProperties != nil, "unevaluatedProperties"},
		{s.UnevaluatedItems != nil, "unevaluatedItems"},
		{s.PrefixItems != nil, "prefixItems"},
		{s.Items2020 != nil, "items (2020-12)"},
		{s.ContentEncoding != nil, "contentEncoding"},
		{s.ContentMediaType != nil, "contentMediaType"},
		{s.ContentSchema != nil, "contentSchema"},
		{s.MultipleOf != nil, "multipleOf"},
		{s.PropertyNames != nil, "propertyNames"},
		{len(s.Extensions) > 0, "vocabulary extension"},
		{s.Format != nil && s.Format.Validate == nil, "format without a validator"},
	}
	for _, k := range checks {
		if k.used {
			return unsupported(s, k.name)
		}
	}
	return nil
}

// fill copies s's keywords into f, compiling its subschemas.
func (c *fastCompiler) fill(f *fastSchema, s *jsonschema.Schema) error {
	if s.Types != nil && !s.Types.IsEmpty() {
		for _, name := range s.Types.ToStrings() {
			t, ok := typeNames[name]
			if !ok {
				return unsupported(s, "type "+name)
			}
			f.types |= t
		}
	}
	f.constVal = s.Const
	if s.Enum != nil {
		f.hasEnum = true
		f.enum = s.Enum.Values
		for _, v := range s.Enum.Values {
			f.enumTypes |= typeOf(v)
		}
	}
	if s.Format != nil {
		f.format = s.Format.Validate
	}
	f.ref = c.sub(s.Ref)
	f.refOnly = s.DraftVersion < 2019

	if s.MinProperties != nil {
		f.minProps = *s.MinProperties
	}
	if s.MaxProperties != nil {
		f.maxProps = *s.MaxProperties
	}
	f.required = s.Required
	if len(s.Properties) > 0 {
		f.props = make(map[string]*fastSchema, len(s.Properties))
		for name, ps := range s.Properties {
			p := c.sub(ps)
			f.props[name] = p
			f.propList = append(f.propList, fastProp{name, p})
		}
	}
	for re, ps := range s.PatternProperties {
		f.patterns = append(f.patterns, fastPattern{re, c.sub(ps)})
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		if !a {
			f.addlProps = additionalDenied
		}
	case *jsonschema.Schema:
		f.addlProps, f.addlPropsSchema = additionalSchema, c.sub(a)
	default:
		return unsupported(s, fmt.Sprintf("additionalProperties of type %T", a))
	}

	if s.MinItems != nil {
		f.minItems = *s.MinItems
	}
	if s.MaxItems != nil {
		f.maxItems = *s.MaxItems
	}
	f.uniqueItems = s.UniqueItems
	switch it := s.Items.(type) {
	case nil:
	case *jsonschema.Schema:
		f.items, f.itemsSchema = itemsOne, c.sub(it)
	case []*jsonschema.Schema:
		f.items, f.itemsTuple = itemsTuple, c.subs(it)
	default:
		return unsupported(s, fmt.Sprintf("items of type %T", it))
	}
	switch a := s.AdditionalItems.(type) {
	case nil:
	case bool:
		if !a {
			f.addlItems = additionalDenied
		}
	case *jsonschema.Schema:
		f.addlItems, f.addlItemsSchema = additionalSchema, c.sub(a)
	default:
		return unsupported(s, fmt.Sprintf("additionalItems of type %T", a))
	}
	f.contains = c.sub(s.Contains)
	if s.MinContains != nil {
		f.minContains = *s.MinContains
	}
	if s.MaxContains != nil {
		f.maxContains = *s.MaxContains
	}

	if s.MinLength != nil {
		f.minLength = *s.MinLength
	}
	if s.MaxLength != nil {
		f.maxLength = *s.MaxLength
	}
	f.pattern = s.Pattern

	f.minimum, f.maximum = s.Minimum, s.Maximum
	f.exclusiveMinimum, f.exclusiveMaximum = s.ExclusiveMinimum, s.ExclusiveMaximum

	f.not = c.sub(s.Not)
	f.allOf, f.anyOf, f.oneOf = c.subs(s.AllOf), c.subs(s.AnyOf), c.subs(s.OneOf)
	f.ifS, f.thenS, f.elseS = c.sub(s.If), c.sub(s.Then), c.sub(s.Else)
	return nil
}

// checkCycles rejects a cycle of subschemas that apply to the same value
// ($ref, not, allOf, anyOf, oneOf, if/then/else): the library fails such a
// value with a "ref cycle" error where a naive checker would not stop.
func (c *fastCompiler) checkCycles(root *fastSchema) error {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make(map[*fastSchema]uint8, len(c.locs))
	var visit func(f *fastSchema) error
	visit = func(f *fastSchema) error {
		switch state[f] {
		case onPath:
			return fmt.Errorf("%w: subschema cycle through %s", errFastUnsupported, c.locs[f])
		case done:
			return nil
		}
		state[f] = onPath
		same := []*fastSchema{f.ref, f.not, f.ifS, f.thenS, f.elseS}
		same = append(same, f.allOf...)
		same = append(same, f.anyOf...)
		same = append(same, f.oneOf...)
		for _, g := range same {
			if g != nil {
				if err := visit(g); err != nil {
					return err
				}
			}
		}
		state[f] = done
		return nil
	}
	// Every compiled node, not only those reachable without descending:
	// a cycle can start below the root.
	if err := visit(root); err != nil {
		return err
	}
	for f := range c.locs {
		if err := visit(f); err != nil {
			return err
		}
	}
	return nil
}

// valid reports whether v conforms, as (*jsonschema.Schema).Validate would.
// It follows the library's evaluation of one value (validator.validate).
func (f *fastSchema) valid(v any) bool {
	if f.isBool {
		return f.boolValue
	}
	t := typeOf(v)
	if t == 0 {
		return false // the library's InvalidJsonValue
	}
	if f.types != 0 && f.types&t == 0 {
		if f.types&typeInteger == 0 || t != typeNumber || !isInteger(v) {
			return false
		}
	}
	if f.constVal != nil {
		if eq, _ := jsonEqual(v, *f.constVal); !eq {
			return false
		}
	}
	if f.hasEnum && !f.inEnum(v, t) {
		return false
	}
	if f.format != nil && f.format(v) != nil {
		return false
	}
	if f.ref != nil {
		ok := f.ref.valid(v)
		if f.refOnly || !ok {
			return ok
		}
	}
	switch x := v.(type) {
	case map[string]any:
		if !f.validObject(x) {
			return false
		}
	case []any:
		if !f.validArray(x) {
			return false
		}
	case string:
		if !f.validString(x) {
			return false
		}
	case bool, nil:
	default:
		if !f.validNumber(v) {
			return false
		}
	}
	return f.validApplicators(v)
}

func (f *fastSchema) inEnum(v any, t jsonTypes) bool {
	if f.enumTypes&t == 0 {
		return false
	}
	for _, item := range f.enum {
		if eq, _ := jsonEqual(v, item); eq {
			return true
		}
	}
	return false
}

func (f *fastSchema) validObject(obj map[string]any) bool {
	if f.minProps >= 0 && len(obj) < f.minProps {
		return false
	}
	if f.maxProps >= 0 && len(obj) > f.maxProps {
		return false
	}
	for _, name := range f.required {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	if len(f.patterns) == 0 && f.addlProps == additionalAllowed {
		// Only the named properties constrain anything: look each up.
		if len(f.propList) <= len(obj) {
			for _, p := range f.propList {
				if pv, ok := obj[p.name]; ok && !p.sch.valid(pv) {
					return false
				}
			}
			return true
		}
		for name, pv := range obj {
			if ps, ok := f.props[name]; ok && !ps.valid(pv) {
				return false
			}
		}
		return true
	}
	for name, pv := range obj {
		evaluated := false
		if ps, ok := f.props[name]; ok {
			evaluated = true
			if !ps.valid(pv) {
				return false
			}
		}
		for _, p := range f.patterns {
			if p.re.MatchString(name) {
				evaluated = true
				if !p.sch.valid(pv) {
					return false
				}
			}
		}
		if evaluated {
			continue
		}
		switch f.addlProps {
		case additionalDenied:
			return false
		case additionalSchema:
			if !f.addlPropsSchema.valid(pv) {
				return false
			}
		}
	}
	return true
}

func (f *fastSchema) validArray(arr []any) bool {
	if f.minItems >= 0 && len(arr) < f.minItems {
		return false
	}
	if f.maxItems >= 0 && len(arr) > f.maxItems {
		return false
	}
	if f.uniqueItems && len(arr) > 1 && !allUnique(arr) {
		return false
	}
	evaluated := 0
	switch f.items {
	case itemsOne:
		for _, item := range arr {
			if !f.itemsSchema.valid(item) {
				return false
			}
		}
		evaluated = len(arr)
	case itemsTuple:
		evaluated = min(len(arr), len(f.itemsTuple))
		for i, item := range arr[:evaluated] {
			if !f.itemsTuple[i].valid(item) {
				return false
			}
		}
	}
	switch f.addlItems {
	case additionalDenied:
		if evaluated != len(arr) {
			return false
		}
	case additionalSchema:
		for _, item := range arr[evaluated:] {
			if !f.addlItemsSchema.valid(item) {
				return false
			}
		}
	}
	if f.contains != nil {
		need := 1 // minContains defaults to 1
		if f.minContains >= 0 {
			need = f.minContains
		}
		matched := 0
		for _, item := range arr {
			if f.contains.valid(item) {
				matched++
				if matched >= need && f.maxContains < 0 {
					break // nothing more to learn
				}
			}
		}
		if matched < need || (f.maxContains >= 0 && matched > f.maxContains) {
			return false
		}
	}
	return true
}

func (f *fastSchema) validString(s string) bool {
	if f.minLength >= 0 || f.maxLength >= 0 {
		n := utf8.RuneCountInString(s)
		if f.minLength >= 0 && n < f.minLength {
			return false
		}
		if f.maxLength >= 0 && n > f.maxLength {
			return false
		}
	}
	return f.pattern == nil || f.pattern.MatchString(s)
}

func (f *fastSchema) validNumber(v any) bool {
	if f.minimum == nil && f.maximum == nil && f.exclusiveMinimum == nil && f.exclusiveMaximum == nil {
		return true
	}
	// The library compares the number as fmt prints it, parsed as a
	// big.Rat (which for a float64 is its shortest decimal form, not its
	// exact binary value); a number it cannot parse makes it panic, so
	// leave that to it.
	n, ok := ratOf(v)
	if !ok {
		return false
	}
	switch {
	case f.minimum != nil && n.Cmp(f.minimum) < 0,
		f.maximum != nil && n.Cmp(f.maximum) > 0,
		f.exclusiveMinimum != nil && n.Cmp(f.exclusiveMinimum) <= 0,
		f.exclusiveMaximum != nil && n.Cmp(f.exclusiveMaximum) >= 0:
		return false
	}
	return true
}

func (f *fastSchema) validApplicators(v any) bool {
	if f.not != nil && f.not.valid(v) {
		return false
	}
	for _, s := range f.allOf {
		if !s.valid(v) {
			return false
		}
	}
	if len(f.anyOf) > 0 {
		matched := false
		for _, s := range f.anyOf {
			if s.valid(v) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if len(f.oneOf) > 0 {
		matched := 0
		for _, s := range f.oneOf {
			if s.valid(v) {
				if matched++; matched > 1 {
					return false
				}
			}
		}
		if matched != 1 {
			return false
		}
	}
	if f.ifS != nil {
		if f.ifS.valid(v) {
			if f.thenS != nil && !f.thenS.valid(v) {
				return false
			}
		} else if f.elseS != nil && !f.elseS.valid(v) {
			return false
		}
	}
	return true
}

// typeOf is the library's typeOf: the JSON type of a value as
// encoding/json or jsonschema.UnmarshalJSON produce it, or of a Go number;
// 0 for anything else, including NaN and the infinities.
func typeOf(v any) jsonTypes {
	switch x := v.(type) {
	case nil:
		return typeNull
	case bool:
		return typeBoolean
	case string:
		return typeString
	case map[string]any:
		return typeObject
	case []any:
		return typeArray
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return typeNumber
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0
		}
		return typeNumber
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return typeNumber
	}
	return 0
}

// isInteger is the library's isInteger for a number (typeOf is
// typeNumber): its fmt form parses as a big.Rat that is an integer.
func isInteger(v any) bool {
	switch x := v.(type) {
	case float64:
		// A finite float64 is integral exactly when its shortest decimal
		// form is: below 2^53 the nearest integer is itself a float64,
		// so outside the non-integral value's rounding interval, and
		// from 2^53 on every float64 is an integer.
		return x == math.Trunc(x)
	case json.Number:
		if isDigits(string(x)) {
			return true
		}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	r, ok := ratOf(v)
	return ok && r.IsInt()
}

// isDigits reports whether s is an optional minus sign and decimal digits,
// which big.Rat reads as a base-10 integer.
func isDigits(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ratOf parses a number the library's way.
func ratOf(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(fmt.Sprint(v))
}

// jsonEqual is the library's equals: JSON equality with numbers compared
// by value. uncertain is set when the comparison met something the library
// would report as an error or could not parse (a Go value that is not
// JSON, an unparseable number); eq is then false.
func jsonEqual(a, b any) (eq, uncertain bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false, false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return false, false
			}
			if eq, unc := jsonEqual(xv, yv); !eq || unc {
				return eq, unc
			}
		}
		return true, false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false, false
		}
		for i := range x {
			if eq, unc := jsonEqual(x[i], y[i]); !eq || unc {
				return eq, unc
			}
		}
		return true, false
	case nil:
		return b == nil, false
	case bool:
		y, ok := b.(bool)
		return ok && x == y, false
	case string:
		y, ok := b.(string)
		return ok && x == y, false
	case float64:
		if y, ok := b.(float64); ok {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				return false, true
			}
			// Distinct finite float64s have distinct shortest decimal
			// forms, and -0 and 0 both read as 0.
			return x == y, false
		}
		return numEqual(a, b)
	case json.Number, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return numEqual(a, b)
	}
	return false, true
}

func numEqual(a, b any) (eq, uncertain bool) {
	if typeOf(b) != typeNumber {
		return false, false
	}
	x, ok1 := ratOf(a)
	y, ok2 := ratOf(b)
	if !ok1 || !ok2 {
		return false, true
	}
	return x.Cmp(y) == 0, false
}

// hashSeed is for allUnique's buckets only, never persisted.
var hashSeed = maphash.MakeSeed()

// allUnique reports whether no two items of arr are JSON-equal, and false
// as well when that cannot be decided the library's way.
func allUnique(arr []any) bool {
	if len(arr) <= 20 {
		for i := 1; i < len(arr); i++ {
			for j := range i {
				if eq, unc := jsonEqual(arr[i], arr[j]); eq || unc {
					return false
				}
			}
		}
		return true
	}
	buckets := make(map[uint64][]int, len(arr))
	for i, item := range arr {
		h, ok := hashJSON(item)
		if !ok {
			return false
		}
		for _, j := range buckets[h] {
			if eq, unc := jsonEqual(item, arr[j]); eq || unc {
				return false
			}
		}
		buckets[h] = append(buckets[h], i)
	}
	return true
}

// hashJSON hashes v so that jsonEqual values hash alike: members combine
// independently of order and every number hashes as the float64 nearest
// its value. ok is false for a value that is not JSON.
func hashJSON(v any) (h uint64, ok bool) {
	mix := func(tag, x uint64) uint64 { return (x ^ tag) * 0x9e3779b97f4a7c15 }
	switch x := v.(type) {
	case nil:
		return 1, true
	case bool:
		if x {
			return 2, true
		}
		return 3, true
	case string:
		return mix(4, maphash.String(hashSeed, x)), true
	case []any:
		h = 5
		for _, item := range x {
			ih, ok := hashJSON(item)
			if !ok {
				return 0, false
			}
			h = mix(h, ih) + 1
		}
		return h, true
	case map[string]any:
		h = 6
		for k, item := range x {
			ih, ok := hashJSON(item)
			if !ok {
				return 0, false
			}
			h += mix(maphash.String(hashSeed, k), ih) // order-independent
		}
		return h, true
	}
	if typeOf(v) != typeNumber {
		return 0, false
	}
	// The float64 nearest the library's big.Rat: a float64's shortest
	// decimal form reads back as itself, and equal values round alike.
	f, isFloat := v.(float64)
	if !isFloat {
		r, ok := ratOf(v)
		if !ok {
			return 7, true // jsonEqual finds it uncertain
		}
		f, _ = r.Float64()
	}
	if f == 0 {
		f = 0 // -0
	}
	return mix(8, math.Float64bits(f)), true
}
