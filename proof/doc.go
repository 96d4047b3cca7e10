// Package proof is the home of Accolade's securing mechanisms: one
// Signer/Verifier pair per mechanism, each in its own subpackage.
//
//   - proof/jose: VC-JWT, the JOSE securing of OB 3.0 §8.2, W3C
//     VC-JOSE-COSE and VCDM 1.1 JWTs.
//   - proof/di: W3C Data Integrity proofs (VC Data Integrity 1.0 and EdDSA
//     Cryptosuites v1.0, W3C Recommendations of 2025-05-15):
//     eddsa-rdfc-2022 and eddsa-jcs-2022, plus the legacy
//     Ed25519Signature2020 for verification only.
//
// Both sign with a keys.Key and verify through a KeyResolver of their own
// (jose by key ID and issuer, di by verification method and proof purpose),
// the one place where the verifier plugs in DID resolution, as in the key
// provider of lestrrat-go/jwx.
//
// This package itself holds no code and may use only the standard library.
// Neither it nor its subpackages import an HTTP framework, storage, or the
// services above them (issuer, wallet, verifier, api), and none makes
// network calls itself.
package proof
