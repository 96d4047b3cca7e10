// Package jose secures credentials and presentations as JSON Web Tokens: the
// "VC-JWT" proof format of Open Badges 3.0 §8.2 (1EdTech, doc 1.2), the W3C
// Recommendation "Securing Verifiable Credentials using JOSE and COSE"
// (VC-JOSE-COSE, 2025-05-15), and the VCDM 1.1 §6.3.1 JWT encoding with its
// vc and vp claims, which OpenID4VCI and OpenID4VP use for jwt_vc_json.
// Tokens are JWS Compact Serialization (RFC 7515) carrying JWT claims
// (RFC 7519), handled as RFC 8725 (JWT BCP) recommends: an allow-list of
// asymmetric algorithms (never "none" or HMAC), keys bound to their
// algorithm, and no "crit" extensions.
//
// SignCredential emits the OB 3.0 form: the credential JSON object itself
// plus the iss, jti, nbf, sub and exp claims, under a header of exactly alg,
// kid (or jwk) and typ "JWT". SignPresentation emits a VCDM 1.1 style VP-JWT
// bound to a verifier's audience and nonce. Verify accepts all three
// credential shapes, checks that the JWT claims agree with the credential,
// and returns the plain credential; VerifyPresentation checks a VP-JWT's
// signature, audience, nonce and lifetime. Keys are found through a
// KeyResolver, where the verifier plugs in DID resolution; checking a
// credential's own validity window, status and OB rules is the verifier's
// job, not this package's.
//
// The package signs with keys.Key and verifies with keys.Verify. It imports
// no HTTP framework and no storage, and never makes network calls itself.
package jose
