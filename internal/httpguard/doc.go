// Package httpguard builds the one guarded outbound HTTP client that Accolade
// uses for every fetch it makes on behalf of untrusted input: did:web
// documents, Bitstring Status List credentials and JSON-LD contexts.
//
// The client exists because those URLs come from credentials and DIDs that
// anyone can write, so a naive http.Get is a server-side request forgery
// primitive. The guard checks the IP address of every connection as it is
// dialled (net.Dialer Control hook), which also covers redirects and DNS
// rebinding: loopback, private (RFC 1918, RFC 4193), link-local, CGNAT
// (RFC 6598), documentation, benchmarking and other special-purpose ranges
// (IANA IPv4/IPv6 Special-Purpose Address Registries) are refused unless the
// caller opts in. It also bounds time (dial, TLS handshake, response header,
// whole request), response size and redirects, and ignores proxy settings
// from the environment.
//
// The package imports only the standard library.
package httpguard
