package di

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/keys"
)

// Options are the proof options of Sign (VC Data Integrity 1.0 §2.1).
type Options struct {
	// Cryptosuite is EdDSARDFC2022 (the default) or EdDSAJCS2022.
	Cryptosuite string
	// VerificationMethod is the URL of the signing key, such as
	// "did:web:example.org#key-1". Required.
	VerificationMethod string
	// ProofPurpose defaults to PurposeAssertion.
	ProofPurpose string
	// Created defaults to the Signer's clock. It is written in UTC, to the
	// second, in RFC 3339 form ("2024-01-02T03:04:05Z").
	Created time.Time
	// Expires, when set, is written like Created; verifiers refuse the
	// proof after it.
	Expires time.Time
	// Challenge and Domain bind a proof to one exchange with a verifier
	// (presentations); empty means absent.
	Challenge, Domain string
	// ID names the proof (for example "urn:uuid:…") so that a later proof
	// can chain to it.
	ID string
	// PreviousProof lists the ids of proofs already on the document that
	// this proof chains to (a proof chain, VC Data Integrity 1.0 §2.1.2);
	// they are signed along with the document.
	PreviousProof []string
	// ProofObject emits "proof" as a single object when the document has
	// no proof yet, as the W3C examples do. By default it is an array of
	// one proof, which the OB 3.0 JSON Schema requires. A document that
	// already has a proof always gets an array (a proof set).
	ProofObject bool
}

// Signer adds Data Integrity proofs to documents. The zero Signer signs
// with eddsa-jcs-2022 only; eddsa-rdfc-2022 needs a Canonicalizer. A Signer
// is safe for concurrent use if its Canonicalizer is.
type Signer struct {
	// Canonicalizer serves eddsa-rdfc-2022.
	Canonicalizer Canonicalizer
	// Now returns the current time for the default Created (time.Now if
	// nil).
	Now func() time.Time
}

// Sign returns a copy of doc with a proof by key appended. The input is not
// modified. The proof carries opts (see Options) and a proofValue of
// "z" + base58btc of the Ed25519 signature over
// SHA-256(canonical proof configuration) || SHA-256(canonical document),
// where the document is doc without its proofs and the proof configuration
// is the proof without proofValue, with doc's @context (EdDSA Cryptosuites
// v1.0 §3.2.1, §3.3.1). For eddsa-jcs-2022 the proof itself carries doc's
// @context as well.
//
// eddsa-jcs-2022 does no JSON-LD processing, so it signs any JSON; only
// eddsa-rdfc-2022 refuses terms no context defines. Both cryptosuites need
// an Ed25519 (keys.EdDSA) key. Errors wrap
// ErrUnsupportedSuite, ErrMalformedProof (options), ErrInvalidDocument or
// the Canonicalizer's sentinels, such as ErrUndefinedTerm.
func (s *Signer) Sign(ctx context.Context, doc map[string]any, key *keys.Key, opts Options) (map[string]any, error) {
	out, _, err := s.sign(ctx, doc, key, opts)
	if err != nil {
		return nil, fmt.Errorf("sign data integrity proof: %w", err)
	}
	return out, nil
}

// sign is Sign, also returning the intermediate steps.
func (s *Signer) sign(ctx context.Context, doc map[string]any, key *keys.Key, opts Options) (map[string]any, steps, error) {
	if doc == nil {
		return nil, steps{}, fmt.Errorf("%w: nil document", ErrInvalidDocument)
	}
	var su suite
	switch opts.Cryptosuite {
	case "", EdDSARDFC2022:
		su = suiteRDFC
	case EdDSAJCS2022:
		su = suiteJCS
	case Ed25519Signature2020:
		return nil, steps{}, fmt.Errorf("%w: %s is supported for verification only", ErrUnsupportedSuite, Ed25519Signature2020)
	default:
		return nil, steps{}, fmt.Errorf("%w: cryptosuite %q", ErrUnsupportedSuite, opts.Cryptosuite)
	}
	if key == nil || key.Public() == nil {
		return nil, steps{}, fmt.Errorf("%s: %w", su, keys.ErrNoPrivateKey)
	}
	if key.Alg() != keys.EdDSA {
		return nil, steps{}, fmt.Errorf("%w: %s needs an Ed25519 key, not %s: %w", ErrUnsupportedSuite, su, key.Alg(), keys.ErrUnsupportedKeyType)
	}
	if opts.VerificationMethod == "" {
		return nil, steps{}, fmt.Errorf("%w: verificationMethod is required", ErrMalformedProof)
	}
	existing, err := proofList(doc["proof"])
	if err != nil {
		return nil, steps{}, err
	}

	p := map[string]any{
		"type":               TypeDataIntegrityProof,
		"cryptosuite":        su.String(),
		"created":            formatTime(s.created(opts.Created)),
		"verificationMethod": opts.VerificationMethod,
		"proofPurpose":       cmp.Or(opts.ProofPurpose, PurposeAssertion),
	}
	if opts.ID != "" {
		p["id"] = opts.ID
	}
	if !opts.Expires.IsZero() {
		p["expires"] = formatTime(opts.Expires)
	}
	if opts.Challenge != "" {
		p["challenge"] = opts.Challenge
	}
	if opts.Domain != "" {
		p["domain"] = opts.Domain
	}
	unsecured := without(doc, "proof")
	switch len(opts.PreviousProof) {
	case 0:
	case 1:
		p["previousProof"] = opts.PreviousProof[0]
	default:
		ids := make([]any, len(opts.PreviousProof))
		for i, id := range opts.PreviousProof {
			ids[i] = id
		}
		p["previousProof"] = ids
	}
	if len(opts.PreviousProof) > 0 {
		prev, err := chainProofs(existing, opts.PreviousProof)
		if err != nil {
			return nil, steps{}, err
		}
		unsecured["proof"] = prev
	}
	if c, ok := doc["@context"]; ok && su == suiteJCS {
		p["@context"] = jcs.Clone(c)
	}

	st, err := su.hash(ctx, s.Canonicalizer, unsecured, p)
	if err != nil {
		return nil, steps{}, err
	}
	sig, err := key.Sign(st.hashData)
	if err != nil {
		return nil, steps{}, err
	}
	p["proofValue"] = encodeProofValue(sig)

	out := jcs.Clone(doc).(map[string]any)
	if len(existing) == 0 && opts.ProofObject {
		out["proof"] = p
	} else {
		set, _ := proofList(out["proof"])
		out["proof"] = append(set, p)
	}
	return out, st, nil
}

func (s *Signer) created(t time.Time) time.Time {
	if !t.IsZero() {
		return t
	}
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// formatTime writes t as an XML Schema dateTimeStamp in UTC to the second.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// parseTime reads an XML Schema dateTimeStamp (RFC 3339, with a zone).
func parseTime(v any, name string) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %s is not a string", ErrMalformedProof, name)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not a dateTimeStamp", ErrMalformedProof, name, s)
	}
	return t, nil
}

// proofList returns the proofs of a "proof" value: none, one object, or an
// array (a proof set).
func proofList(v any) ([]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return []any{t}, nil
	case []any:
		return append([]any(nil), t...), nil
	default:
		return nil, fmt.Errorf("%w: proof is a %T, not an object or array", ErrMalformedProof, v)
	}
}

// chainProofs returns the proofs of set whose ids are listed, in that order
// (VC Data Integrity 1.0, Add Proof Set/Chain and Verify Proof Sets and
// Chains).
func chainProofs(set []any, ids []string) ([]any, error) {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		var found any
		for _, p := range set {
			if m, ok := p.(map[string]any); ok && m["id"] == id {
				found = m
				break
			}
		}
		if found == nil {
			return nil, fmt.Errorf("%w: previousProof %q names no proof in the set", ErrMalformedProof, id)
		}
		out = append(out, found)
	}
	return out, nil
}

// without returns a shallow copy of m without key.
func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
