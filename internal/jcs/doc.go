// Package jcs implements the JSON Canonicalization Scheme of RFC 8785
// (June 2020): the one byte-exact serialization of a JSON text that
// eddsa-jcs-2022 signs and that ldcontext hashes to pin JSON-LD contexts and
// JSON Schemas independently of their formatting.
//
// Transform parses with its own strict parser rather than encoding/json,
// because RFC 8785 §3.1 requires I-JSON input (RFC 7493): encoding/json
// silently accepts duplicate member names and replaces invalid UTF-8 and lone
// surrogates with U+FFFD, which would let two different inputs share one
// canonical form. Numbers are IEEE-754 doubles written the way ECMAScript's
// Number.prototype.toString writes them (RFC 8785 §3.2.2.3); strings are
// escaped as ECMAScript's JSON.stringify does (§3.2.2.2); object members are
// sorted by the UTF-16 code units of their names (§3.2.3).
//
// Equal and Clone compare and copy decoded JSON values (what encoding/json
// decodes into any), for the packages that check documents against each
// other (internal/jsonld, proof/di, did).
//
// The package imports only the standard library and nothing from this
// module.
package jcs
