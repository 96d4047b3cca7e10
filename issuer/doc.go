// Package issuer is the issuing side of Accolade: the issuer's signing
// identity (keys sealed with the key-encryption key, its did:key and did:web
// DIDs, rotation that keeps old keys verifiable), issuer profiles,
// achievements, issuing and revoking Open Badges 3.0 credentials, and the
// issuer half of OpenID4VCI.
//
// It reaches storage only through the store interfaces; it never imports a
// store implementation or an HTTP framework.
package issuer
