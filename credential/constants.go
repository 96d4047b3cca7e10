package credential

// JSON-LD context URLs, exactly as they appear in "@context".
const (
	// ContextVCv2 is the VCDM 2.0 base context; it must be the first
	// @context item (VCDM 2.0 "Contexts").
	ContextVCv2 = "https://www.w3.org/ns/credentials/v2"
	// ContextVCv1 is the VCDM 1.1 base context (VCDM 1.1 "Contexts"), found on
	// VCDM 1.1-shaped OB credentials.
	ContextVCv1 = "https://www.w3.org/2018/credentials/v1"
	// ContextOB is the Open Badges 3.0 context that OB 3.0 requires as the
	// second @context item (OB 3.0 "Context"; version 3.0.3).
	ContextOB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	// ContextOBExtensions defines the 1EdTech* types used in
	// credentialSchema, credentialStatus and refreshService; without it
	// those types are undefined terms for JSON-LD processing (see the ob3 digest, §4).
	ContextOBExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// Credential and class types: "type" values of the OB 3.0 data model
// (Appendix B) and VCDM 2.0.
const (
	TypeVerifiableCredential  = "VerifiableCredential" // VCDM 2.0 "Types"
	TypeOpenBadgeCredential   = "OpenBadgeCredential"  // alias of AchievementCredential
	TypeAchievementCredential = "AchievementCredential"
	TypeEndorsementCredential = "EndorsementCredential"
	TypeAchievementSubject    = "AchievementSubject"
	TypeEndorsementSubject    = "EndorsementSubject"
	TypeAchievement           = "Achievement"
	TypeProfile               = "Profile"
	TypeImage                 = "Image"           // a plain string, not an array
	TypeIdentityObject        = "IdentityObject"  // a plain string, not an array
	TypeIdentifierEntry       = "IdentifierEntry" // a plain string
	TypeEvidence              = "Evidence"
	TypeResult                = "Result"
	TypeResultDescription     = "ResultDescription"
	TypeRubricCriterionLevel  = "RubricCriterionLevel"
	TypeAlignment             = "Alignment"
	TypeRelated               = "Related"
	TypeAddress               = "Address"
	TypeGeoCoordinates        = "GeoCoordinates" // a plain string

	// TypeBitstringStatusListEntry is the W3C Bitstring Status List v1.0
	// ("BitstringStatusListEntry") credentialStatus type.
	TypeBitstringStatusListEntry = "BitstringStatusListEntry"
	// Type1EdTechRevocationList is the 1EdTech Revocation List 1.0
	// credentialStatus type named by OB 3.0
	// "Verification" (§9.1).
	Type1EdTechRevocationList = "1EdTechRevocationList"
	// Type1EdTechCredentialRefresh is the 1EdTech Credential Refresh 1.0
	// refreshService type (OB 3.0 §9.1, step 3).
	Type1EdTechCredentialRefresh = "1EdTechCredentialRefresh"
)

// credentialSchema types.
const (
	// SchemaType1EdTech is the credentialSchema type for 1EdTech JSON
	// Schemas (OB 3.0 "CredentialSchema"; 1EdTech JSON Schema Validator 2019).
	SchemaType1EdTech = "1EdTechJsonSchemaValidator2019"
	// SchemaTypeJSONSchema is the VCDM 2.0 JsonSchema type (VC JSON
	// Schema): id is the URL of a JSON Schema.
	SchemaTypeJSONSchema = "JsonSchema"
	// SchemaTypeJSONSchemaCredential is the VCDM 2.0 type whose id names a
	// credential wrapping the schema (VC JSON Schema). SchemaValidator
	// skips it: the wrapping credential's proof must be verified first.
	SchemaTypeJSONSchemaCredential = "JsonSchemaCredential"
)

// JSON Schema URLs that OB 3.0 credentials name in credentialSchema (OB 3.0
// "CredentialSchema").
const (
	SchemaAchievementCredential = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
	SchemaEndorsementCredential = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
	SchemaProfile               = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"
)

// IdentityObject.identityType values used here (OB 3.0
// IdentifierTypeEnum). Note that "email" is NOT a valid value.
const (
	IdentityTypeEmailAddress = "emailAddress"
)

// Status purposes (Bitstring Status List v1.0, statusPurpose).
const (
	StatusPurposeRevocation = "revocation"
	StatusPurposeSuspension = "suspension"
)
