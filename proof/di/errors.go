package di

import (
	"errors"

	"github.com/accolade-badges/accolade/keys"
)

// Sentinel errors. Sign, Verify and Canonicalize wrap them with the
// operation and detail; test with errors.Is. Verify reports a failure per
// proof in ProofResult.Err and, when no proof verifies, returns all of them
// joined.
var (
	// ErrNoProof reports a secured document without a proof.
	ErrNoProof = errors.New("document has no proof")
	// ErrUnsupportedSuite reports a proof type or cryptosuite this package
	// does not implement, or one the Verifier's allow-list leaves out, and a
	// key that the chosen suite cannot sign with.
	ErrUnsupportedSuite = errors.New("unsupported proof suite")
	// ErrMalformedProof reports a proof missing type, verificationMethod,
	// proofPurpose or proofValue, a proofValue that is not "z" + base58btc of
	// 64 bytes, a created or expires value that is not an XML Schema
	// dateTimeStamp, or a previousProof that names no proof in the set.
	ErrMalformedProof = errors.New("malformed proof")
	// ErrPurposeMismatch reports a proofPurpose other than the expected one.
	ErrPurposeMismatch = errors.New("proof purpose mismatch")
	// ErrChallengeMismatch reports a missing or different challenge.
	ErrChallengeMismatch = errors.New("proof challenge mismatch")
	// ErrDomainMismatch reports a missing or different domain.
	ErrDomainMismatch = errors.New("proof domain mismatch")
	// ErrExpired reports a proof whose expires time has passed.
	ErrExpired = errors.New("proof expired")
	// ErrContextMismatch reports an eddsa-jcs-2022 proof whose @context is
	// not a prefix of the document's @context (EdDSA §3.3.2).
	ErrContextMismatch = errors.New("proof @context is not a prefix of the document @context")
	// ErrBadSignature reports a signature that does not verify. It is
	// keys.ErrBadSignature, so either name matches.
	ErrBadSignature = keys.ErrBadSignature
	// ErrUndefinedTerm reports JSON-LD that would lose data when turned into
	// RDF: a property or type that no context defines, or a relative IRI
	// (JSON-LD safe mode, VC Data Integrity 1.0 §2.4.1). Such data would not
	// be signed, so it is refused rather than dropped.
	ErrUndefinedTerm = errors.New("undefined JSON-LD term")
	// ErrUnsupportedContent reports JSON-LD that canonicalizes, but not
	// reliably with the current implementation: strings with control
	// characters other than tab, LF and CR, IRIs with characters N-Quads
	// cannot carry, invalid language tags, or blank-node predicates.
	ErrUnsupportedContent = errors.New("unsupported JSON-LD content")
	// ErrTooComplex reports input over the canonicalizer's limits (size,
	// blank nodes, or the work RDFC-1.0 would need for its blank nodes).
	ErrTooComplex = errors.New("document too complex to canonicalize")
	// ErrInvalidDocument reports a document or option that cannot be
	// processed at all, such as an @context that is not a string, object or
	// array, or JSON-LD the processor rejects.
	ErrInvalidDocument = errors.New("invalid document")
)
