// Package wallet is the holder side of Accolade: a multi-user backpack in
// which holders sign up, keep their Open Badges 3.0 credentials and present
// them.
//
// A holder signs up with an email address and a password (hashed with
// Argon2id, RFC 9106, under a per-holder salt; see Argon2Params) and signs
// in for an opaque bearer session token with a TTL. Sign-in is rate-limited
// per email address and per client IP. Every holder gets a did:key
// (Ed25519) at sign-up and may add did:jwk (P-256) or further did:key
// holder DIDs; their private keys are sealed at rest with the installation's
// key-encryption key (keys.Seal), as the issuer's are.
//
// Credentials enter as a JSON-LD credential, a compact VC-JWT or a baked
// PNG/SVG badge (package bake). Each import is verified first through the
// injected Verifier and kept with its report: one whose format, proof or
// issuer binding fails is refused, one that is merely expired, revoked or
// warned about is kept and shows its state. The same credential (by id, or
// by the hash of its canonical bytes) is never kept twice. Holders list
// (with filters), fetch, delete, export and re-verify their credentials.
//
// Presentations are VCDM 2.0 verifiable presentations of chosen credentials
// signed by a holder DID's key: Data Integrity eddsa-rdfc-2022 with
// proofPurpose authentication, a challenge and a domain (VC Data Integrity
// 1.0), JWT credentials embedded as EnvelopedVerifiableCredential; or a
// VP-JWT bound to a nonce and an audience (VCDM 1.1 §6.3.1, the OpenID4VP
// jwt_vc_json shape). Share links give one credential a revocable public
// URL with an optional expiry.
//
// Every method takes the authenticated holder's ID and touches only that
// holder's things: another holder's credential, DID or share link is
// ErrNotFound, never a distinct "forbidden" that would leak its existence.
// The wallet is also an OpenID4VCI client (receiving offers) and the
// wallet side of OpenID4VP 1.0: it checks requests per client identifier
// prefix (signed decentralized_identifier: and verifier_attestation:
// request objects, unsigned redirect_uri: ones), matches their DCQL queries
// and answers with direct_post or direct_post.jwt.
//
// wallet reaches storage only through the store interfaces (Docs, Tokens
// and the optional Batcher). It never imports a store implementation, an
// HTTP framework, issuer or verifier: the verifier is injected behind the
// Verifier interface declared here.
package wallet
