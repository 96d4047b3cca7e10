// Package ldcontext is Accolade's document loader for JSON-LD contexts and
// JSON Schemas: the only way any other package obtains the bytes behind a
// context URL in "@context" or a schema URL in "credentialSchema".
//
// It exists because those URLs come from credentials that anyone can write,
// and because VC Data Integrity 1.0 §2.4.1 and VCDM 2.0 §B.1 require that
// well-known contexts be treated as already retrieved and never fetched at
// verification time: a context served by an attacker, or one that changed
// after signing, changes what a signature means. So the loader trusts no
// source. Every URL it serves is listed in a table compiled into the binary
// (pinned.go) together with the SHA-256 of the document's RFC 8785 (JCS)
// canonical form, and operators may add rows through Config.Extra. Any
// other URL is refused with ErrNotPinned; bytes from any source whose JCS
// digest differs are refused with ErrDigestMismatch. Digests are taken over
// the JCS form rather than the raw bytes so that copies differing only in
// formatting (indentation, member order, escapes) are the same document;
// the VCDM 2.0 and VCDM 1.1 base contexts, whose raw-byte digests the W3C
// publishes, are byte-exact in the shared contexts directory the table was
// computed from.
//
// Sources are tried in order: memory, the injected Cache, the contexts
// bundled into the binary at build time from their publishers' npm packages
// (Config.Bundled; see bundled.go and ldcontext/bundle), an offline
// directory indexed by digest (file names do not matter), and, only when a
// client is configured and Offline is false, an HTTPS GET. What the loader
// implements: W3C VCDM 2.0 (REC 2025-05-15) §B.1 and VC Data Integrity 1.0
// (REC 2025-05-15) §2.4.1 for contexts; the Open Badges 3.0 JSON Schemas
// (draft 2019-09, 1EdTech gh-pages build 2024-07-30) for schemas.
//
// ldcontext imports the standard library and internal/jcs only. It must not
// import credential, proof, a storage package or an HTTP framework; storage
// reaches it through the Cache interface that the caller adapts.
package ldcontext
