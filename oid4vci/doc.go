// Package oid4vci is the protocol vocabulary of OpenID for Verifiable
// Credential Issuance 1.0 (Final, 2025-09-16) as Accolade speaks it on the
// issuer side: Credential Issuer and OAuth 2.0 Authorization Server metadata
// (with the RFC 8414 well-known path insertion), Credential Offers and their
// openid-credential-offer:// deep links, the Token, Authorization, Credential,
// Deferred Credential and Notification request and response types with
// strict parsers for untrusted input, PKCE S256 (RFC 7636), the "jwt" key
// proof check (typ openid4vci-proof+jwt, allowed alg, one of kid or jwk,
// aud, iat window, nonce, signature) and the spec's error codes as *Error.
//
// It owns no HTTP server and no storage: the issuer package keeps offers,
// codes, tokens and nonces in the store, and the api package alone turns an
// *Error into the RFC 6749 §5.2 body {error, error_description} with the
// status the spec gives. It imports credential, did, keys and the standard
// library only.
package oid4vci
