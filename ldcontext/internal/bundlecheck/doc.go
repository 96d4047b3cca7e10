// Command bundlecheck is the build-time check of the contexts bundled into
// the accolade binary: `make contexts` runs it right after
// ldcontext/bundle/extract.cjs has written ldcontext/bundled. It fails when
// the bundle is empty or when any bundled document is not pinned or differs
// from the JCS SHA-256 pinned for its URL, and lists the pinned documents
// the bundle lacks (those are served from the store, ACCOLADE_CONTEXTS_DIR or
// an HTTPS fetch).
package main
