// Package wallet is the holder side of Accolade (a multi-user backpack):
// holders and their DIDs and keys, stored credentials, the OpenID4VCI client,
// verifiable presentations and share links. Its features arrive with the
// wallet issue; today it holds only this package comment.
//
// It reaches storage only through the store interfaces and never imports a
// store implementation, an HTTP framework, issuer or verifier internals.
package wallet
