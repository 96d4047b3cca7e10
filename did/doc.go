// Package did owns Decentralized Identifiers for Accolade: DID and DID URL
// parsing, the DID document model, the Resolver interface, the did:key,
// did:jwk and did:web methods, verification-method lookup by relationship,
// and a TTL cache in front of any Resolver.
//
// Specifications implemented:
//   - W3C Decentralized Identifiers (DIDs) v1.0, Recommendation 2022-07-19:
//     DID and DID URL syntax (§3), document properties (§5), and the
//     DID Resolution error codes used by ErrorCode.
//   - The did:key Method v0.7 (W3C CCG draft, 2022-09-02): Ed25519, P-256,
//     P-384 (and X25519, key agreement only), resolved to the Multikey form
//     (Controlled Identifiers v1.0).
//   - did:jwk (quartzjer/did-jwk, 2023-08-19), JsonWebKey2020 form.
//   - The did:web Method (W3C CCG draft), HTTPS only, except plain HTTP to
//     loopback when a resolver explicitly allows it for development.
//
// Verification methods of type Multikey, Ed25519VerificationKey2020,
// Ed25519VerificationKey2018, JsonWebKey2020 and JsonWebKey yield Go public
// keys through package keys.
//
// The package imports no HTTP framework and no storage. It makes network
// calls only for did:web, through an injected *http.Client and
// internal/httpguard, which caps time, size and reachable addresses.
package did
