// Package verifier is Accolade's one entry point for checking a credential:
// a JSON-LD credential with an embedded Data Integrity proof, a compact JWT
// (OB 3.0 VC-JWT, VC-JOSE-COSE or VCDM 1.1 vc claim), or an
// EnvelopedVerifiableCredential. It never answers yes or no alone: it returns
// a Report of named checks (format, proof, issuer, validity, schema, status,
// relatedResource), following the OB 3.0 verification algorithm (§9.1),
// VCDM 2.0 and VC Data Integrity 1.0 (every proof of a set must verify).
//
// A credential that fails is a result, not an error. verifier never imports
// issuer, wallet, an HTTP framework or a store implementation.
package verifier
