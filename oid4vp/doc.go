// Package oid4vp holds the protocol of OpenID for Verifiable Presentations
// 1.0 (Final) as Accolade speaks it: the Authorization Request by value or
// by reference (openid4vp:// links, request_uri_method get and post), the
// request object JWT (RFC 9101) with its signing and its checks per client
// identifier prefix (redirect_uri: unsigned, decentralized_identifier:,
// verifier_attestation:), DCQL queries and their matching against W3C
// credentials (ldp_vc, jwt_vc_json), direct_post response parsing,
// direct_post.jwt encryption (JWE ECDH-ES with A128GCM/A256GCM, through
// lestrrat-go/jwx) and the spec's error codes. It stores nothing and does
// no HTTP; DIDs are resolved through the did.Resolver it is given.
package oid4vp
