package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ValidationError is one structural problem in a credential: the member
// (a dotted path such as "credentialSubject.achievement.criteria", with
// [i] for array items) and what is wrong with it. Its JSON is
// {"field", "reason"}.
type ValidationError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *ValidationError) Error() string {
	return e.Field + ": " + e.Reason
}

// obContext is the pattern the OB 3.0 JSON Schema applies to @context[1]
// (ob3 digest §1): context.json and every context-3.x.y.json.
var obContext = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// Version returns the VC Data Model version of a credential from its first
// @context item: 2 for ContextVCv2, 1 for ContextVCv1 (a VCDM 1.1-shaped
// credential, with issuanceDate and expirationDate), 0 for anything else.
func Version(doc map[string]any) int {
	var first any
	switch c := doc["@context"].(type) {
	case []any:
		if len(c) > 0 {
			first = c[0]
		}
	case string:
		first = c
	}
	switch first {
	case ContextVCv2:
		return 2
	case ContextVCv1:
		return 1
	}
	return 0
}

// Validate runs Check and returns its problems joined with errors.Join, or
// nil. errors.As finds the first *ValidationError; the joined error's
// Unwrap() []error holds them all.
func Validate(doc map[string]any) error {
	errs := Check(doc)
	if len(errs) == 0 {
		return nil
	}
	joined := make([]error, len(errs))
	for i, e := range errs {
		joined[i] = e
	}
	return errors.Join(joined...)
}

// Check reports every structural problem of an OB 3.0 credential
// (OpenBadgeCredential/AchievementCredential, or an EndorsementCredential) in
// its JSON object form, in a fixed order. It covers the structural MUSTs of
// OB 3.0 and VCDM 2.0 that a verifier must apply whether or not the
// credential names a JSON Schema, including the two the OB schema cannot express: the
// subject must have an id or an identifier, and validUntil must not be
// before validFrom; and the VCDM 2.0 rules CheckVCDM applies to
// credentialSchema, refreshService, termsOfUse, evidence and
// relatedResource. VCDM 1.1-shaped credentials (ContextVCv1 first) are
// checked with issuanceDate and expirationDate instead of validFrom and
// validUntil. Check does not verify proofs, status or trust in the issuer.
func Check(doc map[string]any) []*ValidationError {
	c := &checker{doc: doc}
	c.context()
	c.types()
	c.id()
	c.issuer()
	c.validity()
	c.subject()
	c.status()
	c.vcdmTyped()
	return c.errs
}

type checker struct {
	doc         map[string]any
	errs        []*ValidationError
	endorsement bool // EndorsementCredential rules apply
}

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) context() {
	v, ok := c.doc["@context"]
	if !ok {
		c.add("@context", "is required")
		return
	}
	list, ok := v.([]any)
	if !ok {
		c.add("@context", "must be an array (an ordered list of contexts), not %s", kindOf(v))
		return
	}
	if len(list) == 0 {
		c.add("@context", "must not be empty")
		return
	}
	for i, item := range list {
		switch item.(type) {
		case string, map[string]any:
		default:
			c.add(fmt.Sprintf("@context[%d]", i), "must be a URL or a context object, not %s", kindOf(item))
		}
	}
	if first, _ := list[0].(string); first != ContextVCv2 && first != ContextVCv1 {
		c.add("@context[0]", "must be %q (VCDM 2.0) or %q (VCDM 1.1)", ContextVCv2, ContextVCv1)
	}
	if len(list) < 2 {
		c.add("@context", "must list the Open Badges context %q second", ContextOB)
		return
	}
	if second, _ := list[1].(string); !obContext.MatchString(second) {
		c.add("@context[1]", "must be the Open Badges context %q", ContextOB)
	}
}

func (c *checker) types() {
	v, ok := c.doc["type"]
	if !ok {
		c.add("type", "is required")
		return
	}
	list, ok := stringArray(v)
	if !ok {
		c.add("type", "must be an array of strings, not %s", kindOf(v))
		return
	}
	if !contains(list, TypeVerifiableCredential) {
		c.add("type", "must include %q", TypeVerifiableCredential)
	}
	switch {
	case contains(list, TypeOpenBadgeCredential) || contains(list, TypeAchievementCredential):
	case contains(list, TypeEndorsementCredential):
		c.endorsement = true
	default:
		c.add("type", "must include %q or %q", TypeOpenBadgeCredential, TypeAchievementCredential)
	}
	if c.endorsement {
		// EndorsementCredential requires a name (OB 3.0 data model).
		c.requireString(c.doc, "name", "name")
	}
}

func (c *checker) id() {
	// OB's schema requires id although VCDM 2.0 makes it optional.
	c.requireString(c.doc, "id", "id")
}

func (c *checker) issuer() {
	v, ok := c.doc["issuer"]
	if !ok {
		c.add("issuer", "is required")
		return
	}
	switch is := v.(type) {
	case string:
		if is == "" {
			c.add("issuer", "must not be empty")
		}
	case map[string]any:
		c.requireString(is, "id", "issuer.id")
		if t, ok := is["type"]; ok {
			if list, ok := stringArray(t); !ok {
				c.add("issuer.type", "must be an array of strings, not %s", kindOf(t))
			} else if !contains(list, TypeProfile) {
				c.add("issuer.type", "must include %q", TypeProfile)
			}
		}
	default:
		c.add("issuer", "must be a URL or a Profile object, not %s", kindOf(v))
	}
}

func (c *checker) validity() {
	from, until := "validFrom", "validUntil"
	if Version(c.doc) == 1 {
		from, until = "issuanceDate", "expirationDate"
	}
	start, okStart := c.time(from, true)
	end, okEnd := c.time(until, false)
	if okStart && okEnd && end.Before(start) {
		c.add(until, "must not be before %s", from)
	}
	c.time("awardedDate", false)
}

// time parses the member name as a dateTimeStamp; ok is false when it is
// missing or bad (and then reported, unless optional and missing).
func (c *checker) time(name string, required bool) (t time.Time, ok bool) {
	v, present := c.doc[name]
	if !present {
		if required {
			c.add(name, "is required")
		}
		return time.Time{}, false
	}
	s, isString := v.(string)
	if !isString {
		c.add(name, "must be a dateTimeStamp string, not %s", kindOf(v))
		return time.Time{}, false
	}
	t, err := ParseTime(s)
	if err != nil {
		c.add(name, "%v", err)
		return time.Time{}, false
	}
	return t, true
}

func (c *checker) subject() {
	v, ok := c.doc["credentialSubject"]
	if !ok {
		c.add("credentialSubject", "is required")
		return
	}
	if _, isArray := v.([]any); isArray {
		c.add("credentialSubject", "must be one object, not an array")
		return
	}
	subj, ok := v.(map[string]any)
	if !ok {
		c.add("credentialSubject", "must be an object, not %s", kindOf(v))
		return
	}
	if c.endorsement {
		c.requireString(subj, "id", "credentialSubject.id")
		c.requireType(subj, "credentialSubject.type", TypeEndorsementSubject)
		return
	}
	id, hasID := subj["id"]
	if hasID {
		if s, ok := id.(string); !ok || s == "" {
			c.add("credentialSubject.id", "must be a non-empty URI string")
		}
	}
	ids, hasIdentifier := subj["identifier"]
	if hasIdentifier {
		c.identifiers(ids)
	}
	if !hasID && !hasIdentifier {
		c.add("credentialSubject", "must have an id or at least one identifier (OB 3.0 §9.1)")
	}
	c.achievement(subj)
}

func (c *checker) identifiers(v any) {
	list, ok := v.([]any)
	if !ok {
		c.add("credentialSubject.identifier", "must be an array of IdentityObject, not %s", kindOf(v))
		return
	}
	if len(list) == 0 {
		c.add("credentialSubject.identifier", "must not be empty")
		return
	}
	for i, item := range list {
		field := fmt.Sprintf("credentialSubject.identifier[%d]", i)
		obj, ok := item.(map[string]any)
		if !ok {
			c.add(field, "must be an IdentityObject, not %s", kindOf(item))
			continue
		}
		c.requireString(obj, "identityHash", field+".identityHash")
		c.requireString(obj, "identityType", field+".identityType")
		hashed, ok := obj["hashed"].(bool)
		if !ok {
			c.add(field+".hashed", "must be a boolean")
			continue
		}
		if h, _ := obj["identityHash"].(string); hashed && h != "" && !validHash(h) {
			c.add(field+".identityHash", "must be sha256$ or md5$ followed by the hex digest")
		}
	}
}

// validHash reports whether h has the IdentityHash form "alg$hex".
func validHash(h string) bool {
	alg, digest, ok := strings.Cut(h, "$")
	want := map[string]int{"sha256": 64, "md5": 32}[alg]
	if !ok || want == 0 || len(digest) != want {
		return false
	}
	for _, r := range digest {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func (c *checker) achievement(subj map[string]any) {
	v, ok := subj["achievement"]
	if !ok {
		c.add("credentialSubject.achievement", "is required")
		return
	}
	a, ok := v.(map[string]any)
	if !ok {
		c.add("credentialSubject.achievement", "must be an Achievement object, not %s", kindOf(v))
		return
	}
	const f = "credentialSubject.achievement"
	c.requireString(a, "id", f+".id")
	c.requireType(a, f+".type", TypeAchievement)
	c.requireString(a, "name", f+".name")
	c.requireString(a, "description", f+".description")
	switch cr, ok := a["criteria"]; {
	case !ok:
		c.add(f+".criteria", "is required")
	default:
		if _, isObj := cr.(map[string]any); !isObj {
			c.add(f+".criteria", "must be a Criteria object, not %s", kindOf(cr))
		}
	}
}

func (c *checker) status() {
	v, ok := c.doc["credentialStatus"]
	if !ok {
		return
	}
	if _, isArray := v.([]any); isArray {
		c.add("credentialStatus", "must be one object, not an array (OB 3.0)")
		return
	}
	st, ok := v.(map[string]any)
	if !ok {
		c.add("credentialStatus", "must be an object, not %s", kindOf(v))
		return
	}
	c.requireString(st, "id", "credentialStatus.id")
	c.requireString(st, "type", "credentialStatus.type")
}

// requireString reports obj[name] missing, not a string, or empty.
func (c *checker) requireString(obj map[string]any, name, field string) {
	v, ok := obj[name]
	if !ok {
		c.add(field, "is required")
		return
	}
	s, ok := v.(string)
	if !ok {
		c.add(field, "must be a string, not %s", kindOf(v))
		return
	}
	if s == "" {
		c.add(field, "must not be empty")
	}
}

// requireType reports a type member that is missing, not an array of
// strings, or lacks want.
func (c *checker) requireType(obj map[string]any, field, want string) {
	v, ok := obj["type"]
	if !ok {
		c.add(field, "is required")
		return
	}
	list, ok := stringArray(v)
	if !ok {
		c.add(field, "must be an array of strings, not %s", kindOf(v))
		return
	}
	if !contains(list, want) {
		c.add(field, "must include %q", want)
	}
}

func stringArray(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// kindOf names the JSON kind of a value decoded by encoding/json.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
