// Package jsonld owns Accolade's JSON-LD processing for signing and
// verifying: expansion of a JSON-LD document and its conversion to an RDF
// dataset that package internal/rdfc canonicalizes, as eddsa-rdfc-2022 and
// Ed25519Signature2020 require.
//
// It implements the Expansion, Context Processing, IRI Expansion, Value
// Expansion and Deserialize JSON-LD to RDF algorithms of JSON-LD 1.1
// Processing Algorithms and API (W3C Recommendation 2020-07-16), in the
// json-ld-1.1 processing mode only: @context arrays of URLs and inline
// contexts, @protected, type- and property-scoped contexts with
// @propagate, @import, @vocab, @base, @language, @direction, @id/@type/
// @vocab/@json coercion, the @set, @list, @graph, @language, @index, @id
// and @type containers, @nest, @included, @reverse, compact IRIs and
// keyword aliases. It does not implement compaction, flattening, framing,
// fromRdf, JSON-LD 1.0 processing mode, generalized RDF, or the
// rdfDirection options; those tests of the W3C suite are listed in the
// tests with the reason.
//
// Contexts are processed once into an immutable compiled form, shared by
// all calls and goroutines and cached per parent context and context
// reference (a URL, or a scoped context of a shared term definition); the
// cache is bounded by Config.MaxContexts and dropped as a whole when full.
// Context documents come only from the injected Loader; the documents it
// returns are read, never modified. Expansion works on typed nodes rather
// than maps, and ToRDF hands an rdfc.Dataset straight to canonicalization.
//
// Options.Strict turns every place where the algorithms would silently
// drop data into an error: ErrDropped for a property or type no context
// defines, a relative IRI, a free-floating value, ErrUnsupported for
// content with no single RDF form (base direction, blank-node predicates,
// invalid language tags, IRIs N-Quads cannot carry). Signatures must not
// cover less than the document says.
//
// The package imports the standard library, internal/rdfc and internal/jcs
// only: no HTTP (contexts come through Loader), no storage.
package jsonld
