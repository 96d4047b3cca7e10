// Package oid4vp holds the protocol of OpenID for Verifiable Presentations
// 1.0 (Final) as Accolade speaks it: the Authorization Request (request
// object) with response_mode direct_post and the redirect_uri client
// identifier prefix, DCQL queries and their matching against W3C
// credentials (ldp_vc, jwt_vc_json), the openid4vp:// link, direct_post
// response parsing and the spec's error codes. It stores nothing and does
// no HTTP.
package oid4vp
