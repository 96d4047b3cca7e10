// Package di owns W3C Data Integrity proofs for Accolade: adding an
// eddsa-rdfc-2022 or eddsa-jcs-2022 proof to a credential or presentation
// (Signer), and checking the proofs of one (Verifier), including proof sets,
// proof chains and the legacy Ed25519Signature2020 suite, which is verified
// but never produced. It also owns the RDF canonicalization those suites
// need, behind the Canonicalizer interface.
//
// Specifications implemented:
//   - Verifiable Credential Data Integrity 1.0, W3C Recommendation
//     2025-05-15: the proof data model, proof sets and chains
//     (previousProof; a document verifies only if every proof does, §4.5),
//     and the purpose, challenge, domain and expires checks.
//   - Data Integrity EdDSA Cryptosuites v1.0, W3C Recommendation 2025-05-15:
//     eddsa-rdfc-2022 (§3.2) and eddsa-jcs-2022 (§3.3); Ed25519 per RFC 8032;
//     proofValue as Multibase base58-btc; the hash data is
//     SHA-256(canonical proof configuration) || SHA-256(canonical document).
//     Ed25519Signature2020 proofs are checked the way jsonld-signatures
//     checks them (proof options canonicalized with the document's @context
//     plus https://w3id.org/security/suites/ed25519-2020/v1).
//   - RDF Dataset Canonicalization (RDFC-1.0), W3C Recommendation
//     2024-05-21, over JSON-LD 1.1 (W3C Recommendation 2020-07-16) in safe
//     mode: JSONGold, on github.com/piprate/json-gold. The W3C vectors, the
//     OB 3.0 implementation guide vector and the RDFC-1.0 test suite are
//     reproduced byte for byte in the tests.
//   - JSON Canonicalization Scheme, RFC 8785, through internal/jcs.
//
// JSON-LD contexts come only from an injected ContextLoader (package
// ldcontext pins them by hash); nothing is fetched over the network.
// Verification methods are resolved by the caller's KeyResolver, where
// DID resolution and the relationship check plug in. Checking @context
// values against an allow-list (Data Integrity §4.6) is the caller's job,
// after Verify.
//
// The package imports no HTTP framework and no storage, and nothing from
// issuer, wallet, verifier or api. (json-gold links net/http for its default
// document loader, which this package never uses.)
package di
