// Package api is Accolade's HTTP edge, built on gin: routes, request
// binding, admin authentication, request IDs, the access log, metrics, the
// one mapping from errors to responses (RFC 9457 problem+json; OAuth error
// bodies where OpenID4VCI says so) and the OpenAPI document.
//
// It is the only package that imports gin. It reaches the services through
// small interfaces declared here, and it is imported only by cmd.
package api
