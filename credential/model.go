package credential

import (
	"encoding/json"
	"fmt"
	"time"
)

// The types below build credentials. Their JSON tags copy OB 3.0 (Appendix
// B) and follow its plain-JSON serialization rules: every property with
// cardinality 0..* or 1..* is a JSON array even with one element, complex
// types are objects, and optional properties are omitted when empty.
// Image.Type, IdentityObject.Type, IdentifierEntry.Type and
// GeoCoordinates.Type are plain strings; every other "type" is an array.
// Times are time.Time and marshal as RFC 3339 with a zone offset, which is an
// XML Schema dateTimeStamp; a zero optional time is omitted. Zero optional
// numbers (creditsAvailable, creditsEarned) are omitted too.

// AchievementCredential is an OB 3.0 AchievementCredential (alias
// OpenBadgeCredential) before it is secured. Proofs are added to its JSON
// form, never to this struct.
type AchievementCredential struct {
	// Context is the ordered @context list: ContextVCv2, ContextOB, then
	// optionally ContextOBExtensions and others (URLs or objects).
	Context           []any              `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Name              string             `json:"name,omitempty"`
	Description       string             `json:"description,omitempty"`
	Image             *Image             `json:"image,omitempty"`
	AwardedDate       time.Time          `json:"awardedDate,omitzero"`
	Issuer            Profile            `json:"issuer"`
	ValidFrom         time.Time          `json:"validFrom"`
	ValidUntil        time.Time          `json:"validUntil,omitzero"`
	CredentialSubject AchievementSubject `json:"credentialSubject"`
	Endorsement       []map[string]any   `json:"endorsement,omitempty"` // signed EndorsementCredentials, as JSON objects
	EndorsementJWT    []string           `json:"endorsementJwt,omitempty"`
	Evidence          []Evidence         `json:"evidence,omitempty"`
	CredentialSchema  []CredentialSchema `json:"credentialSchema,omitempty"`
	CredentialStatus  *CredentialStatus  `json:"credentialStatus,omitempty"`
	RefreshService    *RefreshService    `json:"refreshService,omitempty"`
	TermsOfUse        []TermsOfUse       `json:"termsOfUse,omitempty"`
}

// Profile describes an individual or organization: the issuer, an
// achievement's creator, an endorser or a result's source.
type Profile struct {
	ID               string            `json:"id"`
	Type             []string          `json:"type"`
	Name             string            `json:"name,omitempty"`
	URL              string            `json:"url,omitempty"`
	Phone            string            `json:"phone,omitempty"`
	Description      string            `json:"description,omitempty"`
	Endorsement      []map[string]any  `json:"endorsement,omitempty"`
	EndorsementJWT   []string          `json:"endorsementJwt,omitempty"`
	Image            *Image            `json:"image,omitempty"`
	Email            string            `json:"email,omitempty"`
	Address          *Address          `json:"address,omitempty"`
	OtherIdentifier  []IdentifierEntry `json:"otherIdentifier,omitempty"`
	Official         string            `json:"official,omitempty"`
	ParentOrg        *Profile          `json:"parentOrg,omitempty"`
	FamilyName       string            `json:"familyName,omitempty"`
	GivenName        string            `json:"givenName,omitempty"`
	AdditionalName   string            `json:"additionalName,omitempty"`
	PatronymicName   string            `json:"patronymicName,omitempty"`
	HonorificPrefix  string            `json:"honorificPrefix,omitempty"`
	HonorificSuffix  string            `json:"honorificSuffix,omitempty"`
	FamilyNamePrefix string            `json:"familyNamePrefix,omitempty"`
	DateOfBirth      string            `json:"dateOfBirth,omitempty"` // xsd:date, YYYY-MM-DD
}

// Image is an image with optional caption. ID is a URL or a data: URI;
// Type is always "Image" (TypeImage), a string.
type Image struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Caption string `json:"caption,omitempty"`
}

// Address is a postal address.
type Address struct {
	Type                []string        `json:"type"`
	AddressCountry      string          `json:"addressCountry,omitempty"`
	AddressCountryCode  string          `json:"addressCountryCode,omitempty"`
	AddressRegion       string          `json:"addressRegion,omitempty"`
	AddressLocality     string          `json:"addressLocality,omitempty"`
	StreetAddress       string          `json:"streetAddress,omitempty"`
	PostOfficeBoxNumber string          `json:"postOfficeBoxNumber,omitempty"`
	PostalCode          string          `json:"postalCode,omitempty"`
	Geo                 *GeoCoordinates `json:"geo,omitempty"`
}

// GeoCoordinates is a point; Type is "GeoCoordinates", a string.
type GeoCoordinates struct {
	Type      string  `json:"type"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// IdentifierEntry is another identifier of a profile or achievement; Type
// is "IdentifierEntry", a string.
type IdentifierEntry struct {
	Type           string `json:"type"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifierType"`
}

// Achievement is what the credential recognises.
type Achievement struct {
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	Alignment         []Alignment         `json:"alignment,omitempty"`
	AchievementType   string              `json:"achievementType,omitempty"` // enum, or "ext:" + name
	Creator           *Profile            `json:"creator,omitempty"`
	CreditsAvailable  float64             `json:"creditsAvailable,omitempty"`
	Criteria          Criteria            `json:"criteria"`
	Description       string              `json:"description"`
	Endorsement       []map[string]any    `json:"endorsement,omitempty"`
	EndorsementJWT    []string            `json:"endorsementJwt,omitempty"`
	FieldOfStudy      string              `json:"fieldOfStudy,omitempty"`
	HumanCode         string              `json:"humanCode,omitempty"`
	Image             *Image              `json:"image,omitempty"`
	InLanguage        string              `json:"inLanguage,omitempty"`
	Name              string              `json:"name"`
	OtherIdentifier   []IdentifierEntry   `json:"otherIdentifier,omitempty"`
	Related           []Related           `json:"related,omitempty"`
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	Specialization    string              `json:"specialization,omitempty"`
	Tag               []string            `json:"tag,omitempty"`
	Version           string              `json:"version,omitempty"`
}

// Criteria says how the achievement is earned: a page (ID) and/or Markdown
// text (Narrative). The schema requires neither; give at least one.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Alignment points at a competency or standard in an external framework.
type Alignment struct {
	Type              []string `json:"type"`
	TargetCode        string   `json:"targetCode,omitempty"`
	TargetDescription string   `json:"targetDescription,omitempty"`
	TargetName        string   `json:"targetName"`
	TargetFramework   string   `json:"targetFramework,omitempty"`
	TargetType        string   `json:"targetType,omitempty"`
	TargetURL         string   `json:"targetUrl"`
}

// Related is another version of the achievement (for example a
// translation).
type Related struct {
	ID         string   `json:"id"`
	Type       []string `json:"type"`
	InLanguage string   `json:"inLanguage,omitempty"`
	Version    string   `json:"version,omitempty"`
}

// ResultDescription describes a result the achievement's subject may have.
type ResultDescription struct {
	ID                   string                 `json:"id"`
	Type                 []string               `json:"type"`
	Alignment            []Alignment            `json:"alignment,omitempty"`
	AllowedValue         []string               `json:"allowedValue,omitempty"` // ordered low to high
	Name                 string                 `json:"name"`
	RequiredLevel        string                 `json:"requiredLevel,omitempty"`
	RequiredValue        string                 `json:"requiredValue,omitempty"`
	ResultType           string                 `json:"resultType"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel,omitempty"`
	ValueMax             string                 `json:"valueMax,omitempty"`
	ValueMin             string                 `json:"valueMin,omitempty"`
}

// RubricCriterionLevel is one level of a rubric criterion.
type RubricCriterionLevel struct {
	ID          string      `json:"id"`
	Type        []string    `json:"type"`
	Alignment   []Alignment `json:"alignment,omitempty"`
	Description string      `json:"description,omitempty"`
	Level       string      `json:"level,omitempty"`
	Name        string      `json:"name"`
	Points      string      `json:"points,omitempty"`
}

// Result is a result the subject achieved.
type Result struct {
	Type              []string    `json:"type"`
	AchievedLevel     string      `json:"achievedLevel,omitempty"` // id of a RubricCriterionLevel
	Alignment         []Alignment `json:"alignment,omitempty"`
	ResultDescription string      `json:"resultDescription,omitempty"` // id of a ResultDescription
	Status            string      `json:"status,omitempty"`
	Value             string      `json:"value,omitempty"`
}

// Evidence supports the award.
type Evidence struct {
	ID          string   `json:"id,omitempty"`
	Type        []string `json:"type"`
	Narrative   string   `json:"narrative,omitempty"`
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Genre       string   `json:"genre,omitempty"`
	Audience    string   `json:"audience,omitempty"`
}

// IdentityObject identifies the recipient without (when Hashed) disclosing
// the identifier. Type is "IdentityObject", a string. See NewIdentityObject.
type IdentityObject struct {
	Type         string `json:"type"`
	Hashed       bool   `json:"hashed"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Salt         string `json:"salt,omitempty"`
}

// AchievementSubject is the recipient and what they achieved. Give ID (a
// URI, ideally a DID the learner controls) and/or at least one Identifier.
type AchievementSubject struct {
	ID                string           `json:"id,omitempty"`
	Type              []string         `json:"type"`
	ActivityEndDate   time.Time        `json:"activityEndDate,omitzero"`
	ActivityStartDate time.Time        `json:"activityStartDate,omitzero"`
	CreditsEarned     float64          `json:"creditsEarned,omitempty"`
	Achievement       Achievement      `json:"achievement"`
	Identifier        []IdentityObject `json:"identifier,omitempty"`
	Image             *Image           `json:"image,omitempty"`
	LicenseNumber     string           `json:"licenseNumber,omitempty"`
	Narrative         string           `json:"narrative,omitempty"`
	Result            []Result         `json:"result,omitempty"`
	Role              string           `json:"role,omitempty"`
	Source            *Profile         `json:"source,omitempty"`
	Term              string           `json:"term,omitempty"`
}

// CredentialSchema names a schema the credential conforms to.
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// RefreshService says where a refreshed credential can be obtained.
type RefreshService struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// TermsOfUse is a policy under which the credential was issued.
type TermsOfUse struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
}

// CredentialStatus is the single credentialStatus object of an OB
// credential. OB requires ID and Type; the Bitstring Status List members are
// fields, and any other members of other status methods go in Extra. On
// marshalling, Extra is merged into the object and the named fields win over
// Extra keys of the same name; on unmarshalling, members without a field
// land in Extra.
type CredentialStatus struct {
	ID                   string
	Type                 string
	StatusPurpose        string // statusPurpose
	StatusListIndex      string // statusListIndex; a string of digits, not a number
	StatusListCredential string // statusListCredential
	Extra                map[string]any
}

// MarshalJSON writes the status entry as one object.
func (s CredentialStatus) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(s.Extra)+5)
	for k, v := range s.Extra {
		m[k] = v
	}
	m["id"] = s.ID
	m["type"] = s.Type
	for k, v := range map[string]string{
		"statusPurpose":        s.StatusPurpose,
		"statusListIndex":      s.StatusListIndex,
		"statusListCredential": s.StatusListCredential,
	} {
		if v != "" {
			m[k] = v
		} else {
			delete(m, k)
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a status entry object.
func (s *CredentialStatus) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("credentialStatus: %w", err)
	}
	var out CredentialStatus
	for k, dst := range map[string]*string{
		"id":                   &out.ID,
		"type":                 &out.Type,
		"statusPurpose":        &out.StatusPurpose,
		"statusListIndex":      &out.StatusListIndex,
		"statusListCredential": &out.StatusListCredential,
	} {
		v, ok := m[k]
		if !ok {
			continue
		}
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("credentialStatus: %s must be a string", k)
		}
		*dst = str
		delete(m, k)
	}
	if len(m) > 0 {
		out.Extra = m
	}
	*s = out
	return nil
}

// AsMap returns the JSON object form of v (a credential built from the
// types here, or anything that marshals to a JSON object), the form Check,
// signing and storage work on.
func AsMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("credential: marshal: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fmt.Errorf("credential: %T is not a JSON object", v)
	}
	return m, nil
}
