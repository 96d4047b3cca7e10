// Package credential is Accolade's model of an Open Badges 3.0 credential:
// the @context, type and schema constants, Go types to build an
// AchievementCredential with the exact JSON shape OB 3.0 requires, the
// recipient IdentityHash, and the checks a verifier runs on a credential
// before and besides its proof: the structural rules of OB 3.0 that its JSON
// Schema does not enforce (Check), XML Schema dateTimeStamp parsing
// (ParseTime), and validation against the JSON Schemas a credential names in
// credentialSchema (SchemaValidator).
//
// Once built, credentials are handled as JSON objects (map[string]any or
// bytes): signing, verification and storage never round-trip through the Go
// types, so members this package does not model are preserved.
//
// Specifications: 1EdTech Open Badges 3.0 (Final, document 1.2, 2024-12-23,
// with errata) and the W3C Verifiable Credentials Data Model 2.0 (REC
// 2025-05-15); VCDM 1.1-shaped OB credentials (REC 2021-11-09) are recognised
// because OB displayers must accept them. Schemas are JSON Schema draft
// 2019-09 (the OB schemas) or as declared by "$schema".
//
// The package uses the standard library only, except schema.go and
// schemafast.go, which use github.com/santhosh-tekuri/jsonschema/v6. It
// does no I/O of its own and must not import ldcontext, proof, did or any
// storage or HTTP package: schemas arrive through the SchemaLoader
// interface, which *ldcontext.Loader satisfies.
package credential
