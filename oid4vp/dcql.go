package oid4vp

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DCQLQuery is a Digital Credentials Query Language query (§6).
type DCQLQuery struct {
	Credentials    []CredentialQuery `json:"credentials"`
	CredentialSets []CredentialSet   `json:"credential_sets,omitempty"`
}

// CredentialQuery asks for one credential (§6.1).
type CredentialQuery struct {
	ID       string      `json:"id"`
	Format   string      `json:"format"`
	Meta     Meta        `json:"meta"`
	Multiple bool        `json:"multiple,omitempty"`
	Claims   []ClaimsQry `json:"claims,omitempty"`
	// ClaimSets lists alternative sets of claim ids; the first one the
	// credential satisfies wins.
	ClaimSets [][]string `json:"claim_sets,omitempty"`
	// RequireCryptographicHolderBinding defaults to true; Accolade always
	// asks for holder binding.
	RequireCryptographicHolderBinding *bool `json:"require_cryptographic_holder_binding,omitempty"`
}

// Meta holds the W3C format's type_values (§B.1.1): alternatives, each a
// set of fully expanded type IRIs that must all be present.
type Meta struct {
	TypeValues [][]string `json:"type_values,omitempty"`
}

// ClaimsQry is a Claims Query (§6.3): a claims path pointer and the values
// one of which the claim must equal.
type ClaimsQry struct {
	ID     string `json:"id,omitempty"`
	Path   []any  `json:"path"`
	Values []any  `json:"values,omitempty"`
}

// CredentialSet is an entry of credential_sets (§6.2).
type CredentialSet struct {
	Options  [][]string `json:"options"`
	Required *bool      `json:"required,omitempty"`
}

var queryID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// MaxQueries caps the credential queries of one DCQL query.
const MaxQueries = 16

// Validate checks the query's syntax: non-empty credentials with unique
// ids, a format and (for W3C formats) type_values each, claims with valid
// paths, claim_sets naming claim ids, credential_sets naming query ids.
func (q *DCQLQuery) Validate() error {
	if len(q.Credentials) == 0 || len(q.Credentials) > MaxQueries {
		return invalidf("dcql_query.credentials must hold 1 to %d credential queries", MaxQueries)
	}
	ids := map[string]bool{}
	for i, c := range q.Credentials {
		if !queryID.MatchString(c.ID) || ids[c.ID] {
			return invalidf("dcql_query.credentials[%d].id must be unique and of [A-Za-z0-9_-]", i)
		}
		ids[c.ID] = true
		if c.Format == "" {
			return invalidf("dcql_query.credentials[%d].format is required", i)
		}
		if (c.Format == FormatLDPVC || c.Format == FormatJWTVCJSON) && len(c.Meta.TypeValues) == 0 {
			return invalidf("dcql_query.credentials[%d].meta.type_values is required for %s", i, c.Format)
		}
		claimIDs := map[string]bool{}
		for j, cl := range c.Claims {
			if len(cl.Path) == 0 {
				return invalidf("dcql_query.credentials[%d].claims[%d].path is empty", i, j)
			}
			for _, p := range cl.Path {
				switch v := p.(type) {
				case string, nil:
				case float64:
					if v < 0 || v != float64(int(v)) {
						return invalidf("dcql_query.credentials[%d].claims[%d].path holds a bad index", i, j)
					}
				default:
					return invalidf("dcql_query.credentials[%d].claims[%d].path holds a %T", i, j, p)
				}
			}
			if cl.ID != "" {
				claimIDs[cl.ID] = true
			} else if len(c.ClaimSets) > 0 {
				return invalidf("dcql_query.credentials[%d].claims[%d].id is required with claim_sets", i, j)
			}
		}
		for _, set := range c.ClaimSets {
			for _, id := range set {
				if !claimIDs[id] {
					return invalidf("dcql_query.credentials[%d].claim_sets names an unknown claim %q", i, safe(id))
				}
			}
		}
	}
	for _, s := range q.CredentialSets {
		if len(s.Options) == 0 {
			return invalidf("dcql_query.credential_sets entries need options")
		}
		for _, o := range s.Options {
			for _, id := range o {
				if !ids[id] {
					return invalidf("dcql_query.credential_sets names an unknown query %q", safe(id))
				}
			}
		}
	}
	return nil
}

// Query returns the credential query with id.
func (q *DCQLQuery) Query(id string) (CredentialQuery, bool) {
	for _, c := range q.Credentials {
		if c.ID == id {
			return c, true
		}
	}
	return CredentialQuery{}, false
}

// Satisfied reports whether answering the query ids in got satisfies the
// query: every query when there are no credential_sets, else one option of
// each required set (§6.4.2).
func (q *DCQLQuery) Satisfied(got map[string]bool) bool {
	if len(q.CredentialSets) == 0 {
		for _, c := range q.Credentials {
			if !got[c.ID] {
				return false
			}
		}
		return true
	}
	for _, s := range q.CredentialSets {
		if s.Required != nil && !*s.Required {
			continue
		}
		ok := false
		for _, o := range s.Options {
			all := true
			for _, id := range o {
				all = all && got[id]
			}
			if all {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// knownTypes expands the type terms of the VCDM and OB 3.0 contexts.
var knownTypes = map[string]string{
	"VerifiableCredential":  TypeVerifiableCredential,
	"OpenBadgeCredential":   TypeOpenBadgeCredential,
	"AchievementCredential": TypeAchievementCred,
	"EndorsementCredential": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential",
}

// ExpandTypes returns a credential's type values as expanded IRIs: the
// terms of the VCDM and OB 3.0 contexts expanded, absolute IRIs as they
// are, other terms unchanged (§B.1.1 allows plain JSON processing for
// them).
func ExpandTypes(cred map[string]any) []string {
	var raw []string
	switch v := cred["type"].(type) {
	case string:
		raw = []string{v}
	case []any:
		for _, t := range v {
			if s, ok := t.(string); ok {
				raw = append(raw, s)
			}
		}
	}
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		if iri, ok := knownTypes[t]; ok {
			t = iri
		}
		out = append(out, t)
	}
	return out
}

// Matches reports whether a credential of the given format (ldp_vc or
// jwt_vc_json) whose VC object (for a JWT, its vc claim, or its payload
// for VCDM 2.0) is cred satisfies the query: the format, one alternative
// of type_values, and the claims (all of them, or one claim set).
func (c *CredentialQuery) Matches(format string, cred map[string]any) bool {
	if c.Format != format {
		return false
	}
	types := ExpandTypes(cred)
	okType := len(c.Meta.TypeValues) == 0
	for _, alt := range c.Meta.TypeValues {
		all := len(alt) > 0
		for _, t := range alt {
			all = all && slices.Contains(types, t)
		}
		if all {
			okType = true
			break
		}
	}
	if !okType {
		return false
	}
	byID := map[string]bool{}
	for _, cl := range c.Claims {
		ok := claimMatches(cred, cl)
		if len(c.ClaimSets) == 0 && !ok {
			return false
		}
		byID[cl.ID] = ok
	}
	if len(c.ClaimSets) == 0 {
		return true
	}
	for _, set := range c.ClaimSets {
		all := true
		for _, id := range set {
			all = all && byID[id]
		}
		if all {
			return true
		}
	}
	return false
}

func claimMatches(cred map[string]any, cl ClaimsQry) bool {
	vals := selectPath([]any{cred}, cl.Path)
	if len(vals) == 0 {
		return false
	}
	if len(cl.Values) == 0 {
		return true
	}
	for _, v := range vals {
		for _, want := range cl.Values {
			if sameScalar(v, want) {
				return true
			}
		}
	}
	return false
}

func sameScalar(a, b any) bool {
	switch x := a.(type) {
	case string, bool, float64:
		return x == b
	}
	return false
}

// selectPath evaluates a claims path pointer (§7): a string selects an
// object member, an integer an array element, null every element.
func selectPath(cur []any, path []any) []any {
	for _, p := range path {
		var next []any
		for _, v := range cur {
			switch k := p.(type) {
			case string:
				if m, ok := v.(map[string]any); ok {
					if e, ok := m[k]; ok {
						next = append(next, e)
					}
				}
			case float64:
				if a, ok := v.([]any); ok && int(k) < len(a) {
					next = append(next, a[int(k)])
				}
			case nil:
				if a, ok := v.([]any); ok {
					next = append(next, a...)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// OBQuery builds the credential query Accolade's verifier sends for an
// Open Badges 3.0 credential in format, optionally narrowed to an
// achievement id and an issuer id.
func OBQuery(id, format, achievementID, issuerID string) CredentialQuery {
	q := CredentialQuery{ID: id, Format: format, Meta: Meta{TypeValues: [][]string{
		{TypeOpenBadgeCredential}, {TypeAchievementCred},
	}}}
	if achievementID != "" {
		q.Claims = append(q.Claims, ClaimsQry{ID: "achievement", Path: []any{"credentialSubject", "achievement", "id"}, Values: []any{achievementID}})
	}
	if issuerID != "" {
		// The issuer is an object with an id in OB 3.0; a plain string is
		// allowed by the VCDM, so both paths are offered as claim sets.
		q.Claims = append(q.Claims, ClaimsQry{ID: "issuer", Path: []any{"issuer", "id"}, Values: []any{issuerID}},
			ClaimsQry{ID: "issuer_string", Path: []any{"issuer"}, Values: []any{issuerID}})
		if achievementID != "" {
			q.ClaimSets = [][]string{{"achievement", "issuer"}, {"achievement", "issuer_string"}}
		} else {
			q.ClaimSets = [][]string{{"issuer"}, {"issuer_string"}}
		}
	}
	return q
}

// String names the query for logs.
func (c CredentialQuery) String() string {
	return fmt.Sprintf("%s(%s %s)", c.ID, c.Format, strings.Join(flatten(c.Meta.TypeValues), "|"))
}

func flatten(v [][]string) []string {
	var out []string
	for _, a := range v {
		out = append(out, strings.Join(a, "+"))
	}
	return out
}
