// Package keys owns Accolade's key material: generating and importing signing
// keys, producing and checking signatures, encoding public keys, and sealing
// private keys for storage at rest.
//
// Signing keys are Ed25519 ("EdDSA", the default) or ECDSA P-256 ("ES256").
// Key.Sign and Verify use the JOSE signature forms (RFC 7515, RFC 7518 §3.4,
// RFC 8037): 64 raw bytes for Ed25519 and the 64-byte R||S form for ES256,
// never ASN.1. Verify also accepts RS256 (RSASSA-PKCS1-v1_5 with SHA-256, at
// least 2048 bits) from other issuers; Accolade never signs with RSA.
//
// Public keys are encoded two ways:
//   - Multikey (publicKeyMultibase, W3C Controlled Identifiers 1.0 §2.2.2):
//     "z" + base58btc of a multicodec varint prefix and the raw key, with the
//     did:key v0.7 codes ed25519-pub 0xed, p256-pub 0x1200 (compressed point),
//     p384-pub 0x1201 and x25519-pub 0xec. Ed25519 secret keys use
//     ed25519-priv 0x1300 (secretKeyMultibase).
//   - JWK (RFC 7517, with OKP keys per RFC 8037). ParsePublicJWK refuses any
//     private member.
//
// Private keys at rest are Sealed records: AES-256-GCM under a key-encryption
// key (KEK) read from a 0600 file, with the record's metadata bound as
// additional authenticated data. The plaintext is the Ed25519 seed or the
// PKCS #8 DER of a P-256 key. Secrets never appear in String, LogValue or
// error output.
//
// This package does no storage or network I/O beyond reading and creating
// the KEK file: it must not import store, did, any HTTP package or gin.
// Callers persist Sealed values through their own storage.
package keys
