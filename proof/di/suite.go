package di

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/accolade-badges/accolade/internal/jcs"
)

// Proof types and cryptosuites (VC Data Integrity 1.0 §3.1; EdDSA
// Cryptosuites v1.0 §3.2, §3.3, and its legacy Ed25519Signature2020 suite).
const (
	// TypeDataIntegrityProof is the proof type of both eddsa cryptosuites.
	TypeDataIntegrityProof = "DataIntegrityProof"
	// EdDSARDFC2022 signs the RDFC-1.0 canonical form of the document.
	EdDSARDFC2022 = "eddsa-rdfc-2022"
	// EdDSAJCS2022 signs the JCS (RFC 8785) canonical form of the JSON.
	EdDSAJCS2022 = "eddsa-jcs-2022"
	// Ed25519Signature2020 is the legacy Linked Data proof type (no
	// cryptosuite), verified like eddsa-rdfc-2022 with the
	// https://w3id.org/security/suites/ed25519-2020/v1 context. Verify only.
	Ed25519Signature2020 = "Ed25519Signature2020"
)

// ed25519Context2020 is the context Ed25519Signature2020 proof options are
// canonicalized with (jsonld-signatures adds it when missing).
const ed25519Context2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

// DefaultSuites returns what a Verifier with no Suites accepts: both eddsa
// cryptosuites and Ed25519Signature2020, which OB 3.0 verifiers meet in
// VCDM 1.1-shaped credentials.
func DefaultSuites() []string {
	return []string{EdDSARDFC2022, EdDSAJCS2022, Ed25519Signature2020}
}

// suite is one way of turning a document and proof options into the bytes
// Ed25519 signs.
type suite int

const (
	suiteRDFC suite = iota + 1
	suiteJCS
	suite2020
)

func (s suite) String() string {
	switch s {
	case suiteRDFC:
		return EdDSARDFC2022
	case suiteJCS:
		return EdDSAJCS2022
	case suite2020:
		return Ed25519Signature2020
	}
	return "unknown suite"
}

// steps are the intermediate values of the hashing algorithms, kept for
// golden tests.
type steps struct {
	// config is the proof configuration canonicalized (with @context).
	config               map[string]any
	canonDoc, canonProof []byte
	docHash, proofHash   [sha256.Size]byte
	// hashData is proofHash || docHash, the message Ed25519 signs.
	hashData []byte
}

// hash runs the suite's transformation, proof configuration and hashing
// (EdDSA §3.2.3-3.2.5, §3.3.3-3.3.5): unsecured is the document without its
// proofs (or with the previous proofs of a chain), config the proof options
// without proofValue and, for eddsa-jcs-2022, with the @context it signs.
func (s suite) hash(ctx context.Context, canon Canonicalizer, unsecured, config map[string]any) (steps, error) {
	doc, err := s.canonicalDoc(ctx, canon, unsecured)
	if err != nil {
		return steps{}, err
	}
	return s.hashWithDoc(ctx, canon, unsecured, config, doc)
}

// canonicalDoc is the suite's transformation of the unsecured document.
func (s suite) canonicalDoc(ctx context.Context, canon Canonicalizer, unsecured map[string]any) ([]byte, error) {
	var out []byte
	var err error
	switch s {
	case suiteRDFC, suite2020:
		if canon == nil {
			return nil, fmt.Errorf("%w: %s needs a Canonicalizer", ErrUnsupportedSuite, s)
		}
		out, err = canon.Canonicalize(ctx, unsecured)
	case suiteJCS:
		out, err = canonicalJSON(unsecured)
	default:
		err = fmt.Errorf("%w: %s", ErrUnsupportedSuite, s)
	}
	if err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	return out, nil
}

// hashWithDoc finishes hash given the canonical document.
func (s suite) hashWithDoc(ctx context.Context, canon Canonicalizer, unsecured, config map[string]any, canonDoc []byte) (steps, error) {
	st := steps{canonDoc: canonDoc}
	var err error
	switch s {
	case suiteRDFC, suite2020:
		if canon == nil {
			return st, fmt.Errorf("%w: %s needs a Canonicalizer", ErrUnsupportedSuite, s)
		}
		// The proof configuration is canonicalized with the document's
		// @context (EdDSA §3.2.5 step 4), which the emitted proof does not
		// carry.
		pc := without(config, "@context")
		if s == suite2020 {
			pc["@context"] = withSuiteContext(config["@context"], unsecured["@context"])
		} else if c, ok := unsecured["@context"]; ok {
			pc["@context"] = c
		}
		st.config = pc
		st.canonProof, err = canon.Canonicalize(ctx, pc)
	case suiteJCS:
		st.config = maps.Clone(config)
		st.canonProof, err = canonicalJSON(config)
	default:
		err = fmt.Errorf("%w: %s", ErrUnsupportedSuite, s)
	}
	if err != nil {
		return st, fmt.Errorf("proof configuration: %w", err)
	}
	st.proofHash = sha256.Sum256(st.canonProof)
	st.docHash = sha256.Sum256(st.canonDoc)
	st.hashData = make([]byte, 0, 2*sha256.Size)
	st.hashData = append(st.hashData, st.proofHash[:]...)
	st.hashData = append(st.hashData, st.docHash[:]...)
	return st, nil
}

// withSuiteContext returns the @context Ed25519Signature2020 canonicalizes
// its proof options with: the proof's own @context if it has one, else the
// document's, with the suite context appended when missing (as
// jsonld-signatures' canonizeProof does).
func withSuiteContext(proofCtx, docCtx any) any {
	c := proofCtx
	if c == nil {
		c = docCtx
	}
	switch t := c.(type) {
	case nil:
		return ed25519Context2020
	case string:
		if t == ed25519Context2020 {
			return t
		}
		return []any{t, ed25519Context2020}
	case []any:
		if slices.Contains(t, any(ed25519Context2020)) {
			return t
		}
		return append(slices.Clip(t), ed25519Context2020)
	default:
		return []any{t, ed25519Context2020}
	}
}

// canonicalJSON is the eddsa-jcs-2022 transformation: RFC 8785 JCS.
func canonicalJSON(v map[string]any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	out, err := jcs.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	return out, nil
}
