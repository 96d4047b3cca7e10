// Package rdfc owns RDF Dataset Canonicalization for Accolade: the in-memory
// RDF dataset (Dataset, Quad, Term), RDFC-1.0 canonicalization of it
// (Canonicalize), the canonical N-Quads serialization that eddsa-rdfc-2022
// hashes, and an N-Quads parser (ParseNQuads) for test suites and tools.
//
// It implements RDF Dataset Canonicalization (RDFC-1.0), W3C Recommendation
// 2024-05-21, with SHA-256 by default and SHA-384 on request, and the
// canonical N-Quads form that RDFC-1.0 §4.4 and RDF 1.1 N-Quads (W3C
// Recommendation 2014-02-25) define: literals escape \b \t \n \f \r \" \\
// and write the other control characters U+0000-U+001F and U+007F as
// \uXXXX with upper-case hex; IRIs are written raw.
//
// The algorithm is bounded (RDFC-1.0 §7, "Dataset Poisoning"): Options
// caps the blank nodes and the work of Hash N-Degree Quads, and input over
// the caps fails with ErrTooComplex instead of running for hours. Terms
// that cannot be serialized unambiguously (an IRI with a space or '>', a
// malformed language tag, a blank-node predicate, invalid UTF-8) fail with
// ErrInvalidDataset: canonical N-Quads are signed, so two datasets must
// never serialize to the same bytes.
//
// The package is pure computation: it imports only the standard library,
// and never HTTP, storage or anything else from this module.
package rdfc
