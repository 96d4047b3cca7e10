package credential

import "fmt"

// typedMembers are the VCDM 2.0 members whose every value MUST have a type
// (§4.10 Status, §4.11 Data Schemas, §5.4 Refreshing, §5.5 Terms of Use,
// §5.6 Evidence).
var typedMembers = []string{"credentialStatus", "credentialSchema", "refreshService", "termsOfUse", "evidence"}

// CheckVCDM reports the structural problems of any credential under the
// VC Data Model 2.0 (or 1.1, read with issuanceDate and expirationDate), in
// a fixed order, without the Open Badges rules of Check:
//   - issuer is a non-empty URL or an object with a non-empty id (§4.7); a
//     null issuer is refused, not filled in;
//   - credentialSubject is an object, or a non-empty array of objects, each
//     holding at least one member (§4.8: the subject of one or more claims);
//   - validFrom and validUntil are dateTimeStamps and validUntil is not
//     before validFrom (§4.9);
//   - every value of credentialStatus, credentialSchema, refreshService,
//     termsOfUse and evidence is an object with a type, and a
//     credentialSchema also has an id (§4.10, §4.11, §5.4-§5.6);
//   - every relatedResource has an id and a well-formed digestSRI or
//     digestMultibase, and no id repeats (§5.3).
//
// It does not check @context or type, which need the caller's policy, nor
// anything a resource fetch or a signature would tell.
func CheckVCDM(doc map[string]any) []*ValidationError {
	c := &checker{doc: doc}
	c.vcdmIssuer()
	c.vcdmSubject()
	c.vcdmValidity()
	for _, name := range typedMembers {
		c.typed(name)
	}
	c.relatedResources()
	return c.errs
}

func (c *checker) vcdmIssuer() {
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
	default:
		c.add("issuer", "must be a URL or an object with an id, not %s", kindOf(v))
	}
}

func (c *checker) vcdmSubject() {
	v, ok := c.doc["credentialSubject"]
	if !ok {
		c.add("credentialSubject", "is required")
		return
	}
	claims := func(field string, v any) {
		m, ok := v.(map[string]any)
		switch {
		case !ok:
			c.add(field, "must be an object, not %s", kindOf(v))
		case len(m) == 0:
			c.add(field, "must not be empty: a credential subject is the subject of at least one claim")
		}
	}
	list, isArray := v.([]any)
	if !isArray {
		claims("credentialSubject", v)
		return
	}
	if len(list) == 0 {
		c.add("credentialSubject", "must not be an empty array")
	}
	for i, s := range list {
		claims(fmt.Sprintf("credentialSubject[%d]", i), s)
	}
}

func (c *checker) vcdmValidity() {
	from, until := "validFrom", "validUntil"
	if Version(c.doc) == 1 {
		from, until = "issuanceDate", "expirationDate"
	}
	start, okStart := c.time(from, false)
	end, okEnd := c.time(until, false)
	if okStart && okEnd && end.Before(start) {
		c.add(until, "must not be before %s", from)
	}
}

// typed checks that every value of the member name (an object or an array
// of them) has a type: a non-empty string or array of them.
func (c *checker) typed(name string) {
	v, ok := c.doc[name]
	if !ok {
		return
	}
	items, isArray := v.([]any)
	if !isArray {
		items = []any{v}
	} else if len(items) == 0 {
		c.add(name, "must not be an empty array")
		return
	}
	for i, item := range items {
		field := name
		if isArray {
			field = fmt.Sprintf("%s[%d]", name, i)
		}
		obj, ok := item.(map[string]any)
		if !ok {
			c.add(field, "must be an object, not %s", kindOf(item))
			continue
		}
		c.requireTypeValue(obj, field+".type")
		if name == "credentialSchema" {
			c.requireString(obj, "id", field+".id")
		}
	}
}

// requireTypeValue reports a type member that is missing or not a
// non-empty string or non-empty array of non-empty strings.
func (c *checker) requireTypeValue(obj map[string]any, field string) {
	v, ok := obj["type"]
	if !ok {
		c.add(field, "is required (VCDM 2.0)")
		return
	}
	switch t := v.(type) {
	case string:
		if t != "" {
			return
		}
	case []any:
		good := len(t) > 0
		for _, e := range t {
			if s, ok := e.(string); !ok || s == "" {
				good = false
			}
		}
		if good {
			return
		}
	}
	c.add(field, "must be a type name or an array of them, not %s", kindOf(v))
}

// MaxRelatedResources caps the relatedResource entries of one credential:
// a verifier fetches each.
const MaxRelatedResources = 16

func (c *checker) relatedResources() {
	items, ok := RelatedResources(c.doc)
	if !ok {
		return
	}
	if len(items) == 0 {
		c.add("relatedResource", "must not be an empty array")
		return
	}
	if len(items) > MaxRelatedResources {
		c.add("relatedResource", "lists %d resources, more than %d", len(items), MaxRelatedResources)
		return
	}
	seen := map[string]bool{}
	for i, item := range items {
		field := fmt.Sprintf("relatedResource[%d]", i)
		obj, ok := item.(map[string]any)
		if !ok {
			c.add(field, "must be an object, not %s", kindOf(item))
			continue
		}
		id, _ := obj["id"].(string)
		if id == "" {
			c.add(field+".id", "is required: the URL of the resource")
		} else if seen[id] {
			c.add(field+".id", "repeats %q", id)
		}
		seen[id] = true
		sri, hasSRI := obj["digestSRI"]
		mb, hasMB := obj["digestMultibase"]
		if !hasSRI && !hasMB {
			c.add(field, "needs a digestSRI or a digestMultibase")
		}
		if hasSRI {
			if s, ok := sri.(string); !ok {
				c.add(field+".digestSRI", "must be a string, not %s", kindOf(sri))
			} else if _, err := parseSRI(s); err != nil {
				c.add(field+".digestSRI", "%v", err)
			}
		}
		if hasMB {
			if s, ok := mb.(string); !ok {
				c.add(field+".digestMultibase", "must be a string, not %s", kindOf(mb))
			} else if _, err := parseDigestMultibase(s); err != nil {
				c.add(field+".digestMultibase", "%v", err)
			}
		}
	}
}

// RelatedResources returns the relatedResource entries of doc (one object
// counts as a list of one), and whether the member is there.
func RelatedResources(doc map[string]any) ([]any, bool) {
	v, ok := doc["relatedResource"]
	if !ok {
		return nil, false
	}
	if list, isArray := v.([]any); isArray {
		return list, true
	}
	return []any{v}, true
}

// vcdmTyped checks the typed members Check does not already cover, and
// relatedResource, for Open Badges credentials.
func (c *checker) vcdmTyped() {
	for _, name := range typedMembers {
		if name != "credentialStatus" {
			c.typed(name)
		}
	}
	c.relatedResources()
}
