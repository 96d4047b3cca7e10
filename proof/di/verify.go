package di

import (
	"cmp"
	"context"
	"crypto"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/keys"
)

// Proof purposes (VC Data Integrity 1.0 §2.1 proofPurpose; Controlled
// Identifiers 1.0 §2.3 verification relationships). A proof's purpose names
// the relationship under which its verification method must be listed in
// the controller document.
const (
	// PurposeAssertion is for issuing credentials (assertionMethod).
	PurposeAssertion = "assertionMethod"
	// PurposeAuthentication is for presentations and key proofs
	// (authentication).
	PurposeAuthentication = "authentication"
)

// KeyResolver returns the public key of verificationMethod (a URL such as
// "did:key:z6Mk…#z6Mk…") for a proof made with the given purpose. It must
// check that the method is listed under the relationship named by purpose
// (Controlled Identifiers 1.0 §3.3) and fail otherwise; the verifier plugs
// DID resolution in here. It is called once per proof and must be safe for
// concurrent use.
type KeyResolver func(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error)

// Verifier checks the Data Integrity proofs of documents. The zero
// Verifier accepts DefaultSuites(), but eddsa-rdfc-2022 and
// Ed25519Signature2020 proofs then fail for want of a Canonicalizer. A
// Verifier is safe for concurrent use if its Canonicalizer is.
type Verifier struct {
	// Canonicalizer serves eddsa-rdfc-2022 and Ed25519Signature2020.
	Canonicalizer Canonicalizer
	// Suites allow-lists cryptosuites (EdDSARDFC2022, EdDSAJCS2022) and
	// legacy proof types (Ed25519Signature2020); nil means DefaultSuites().
	Suites []string
	// MaxProofs caps the proofs of one document (default 8); each costs a
	// canonicalization and a key resolution.
	MaxProofs int
}

// Expect is what the caller requires of a proof, beyond a valid signature.
type Expect struct {
	// ProofPurpose defaults to PurposeAssertion.
	ProofPurpose string
	// Challenge, when set, must equal the proof's challenge.
	Challenge string
	// Domain, when set, must be the proof's domain or one of them.
	Domain string
	// Now is compared with the proof's expires (time.Now if zero).
	Now time.Time
}

// Result is the outcome of Verify: one ProofResult per proof, in document
// order.
type Result struct {
	// Verified is true when every proof verified (VC Data Integrity 1.0
	// §4.5: a proof set or chain verifies only as a whole).
	Verified bool
	Proofs   []ProofResult
}

// ProofResult describes one proof and why it failed, if it did.
type ProofResult struct {
	Type               string
	Cryptosuite        string
	VerificationMethod string
	ProofPurpose       string
	// Created is zero when the proof has no created value.
	Created time.Time
	// Verified means the signature and every expectation checked out.
	Verified bool
	// Err says why not: it wraps one of this package's sentinels, an
	// error of package keys, or the KeyResolver's error.
	Err error
}

// Verify checks every proof of doc ("proof" is an object or an array, a
// proof set or chain) and reports each in the Result. A proof verifies when
// its type and cryptosuite are allowed, it is well formed, its purpose,
// challenge, domain and expiry meet want, resolve returns a key for its
// verificationMethod and purpose, and the Ed25519 signature checks out over
// the suite's hash of doc without proofs (plus, for a chained proof, the
// proofs it names in previousProof, VC Data Integrity 1.0 §4.5 step 3).
//
// The document verifies only if every proof does (§4.5 step 5): one bad
// proof in a set, or a previousProof naming a proof that is not in the set
// (ErrMalformedProof), fails the whole. A chained proof signs over the
// proofs it names, so altering one of them fails the chained proof too.
// The error is nil when every proof verified; otherwise it joins the
// failures (ErrNoProof when there are none), so errors.Is finds each
// sentinel. A proof's created time is reported, not judged.
// Verify does not validate @context values against an allow-list (VC Data
// Integrity 1.0 §4.6) nor OB 3.0's context order; the caller does that
// after.
func (v *Verifier) Verify(ctx context.Context, doc map[string]any, resolve KeyResolver, want Expect) (Result, error) {
	res, err := v.verify(ctx, doc, resolve, want)
	if err != nil {
		return res, fmt.Errorf("verify data integrity proof: %w", err)
	}
	return res, nil
}

func (v *Verifier) verify(ctx context.Context, doc map[string]any, resolve KeyResolver, want Expect) (Result, error) {
	if doc == nil {
		return Result{}, fmt.Errorf("%w: nil document", ErrInvalidDocument)
	}
	if resolve == nil {
		return Result{}, errors.New("no key resolver")
	}
	set, err := proofList(doc["proof"])
	if err != nil {
		return Result{}, err
	}
	if len(set) == 0 {
		return Result{}, ErrNoProof
	}
	if max := cmp.Or(v.MaxProofs, 8); len(set) > max {
		return Result{}, fmt.Errorf("%w: %d proofs, limit %d", ErrTooComplex, len(set), max)
	}
	vc := verifyCall{
		v:         v,
		doc:       doc,
		unsecured: without(doc, "proof"),
		set:       set,
		resolve:   resolve,
		want:      want,
	}
	vc.want.ProofPurpose = cmp.Or(want.ProofPurpose, PurposeAssertion)
	if vc.want.Now.IsZero() {
		vc.want.Now = time.Now()
	}
	var res Result
	var errs []error
	for i := range set {
		pr := vc.one(ctx, i)
		if !pr.Verified {
			errs = append(errs, fmt.Errorf("proof %d of %d: %w", i+1, len(set), pr.Err))
		}
		res.Proofs = append(res.Proofs, pr)
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	res.Verified = true
	return res, nil
}

// verifyCall holds what the proofs of one document share, including the
// RDFC-1.0 form of the document, computed at most once.
type verifyCall struct {
	v         *Verifier
	doc       map[string]any
	unsecured map[string]any
	set       []any
	resolve   KeyResolver
	want      Expect

	canonDone bool
	canonDoc  []byte
	canonErr  error
}

func (vc *verifyCall) one(ctx context.Context, i int) ProofResult {
	var pr ProofResult
	p, ok := vc.set[i].(map[string]any)
	if !ok {
		pr.Err = fmt.Errorf("%w: proof is a %T, not an object", ErrMalformedProof, vc.set[i])
		return pr
	}
	pr.Type, _ = p["type"].(string)
	pr.Cryptosuite, _ = p["cryptosuite"].(string)
	pr.VerificationMethod, _ = p["verificationMethod"].(string)
	pr.ProofPurpose, _ = p["proofPurpose"].(string)
	if c, ok := p["created"]; ok {
		t, err := parseTime(c, "created")
		if err != nil {
			pr.Err = err
			return pr
		}
		pr.Created = t
	}
	if err := vc.check(ctx, p, &pr); err != nil {
		pr.Err = err
		return pr
	}
	pr.Verified = true
	return pr
}

func (vc *verifyCall) check(ctx context.Context, p map[string]any, pr *ProofResult) error {
	su, err := vc.suite(pr)
	if err != nil {
		return err
	}
	switch {
	case pr.VerificationMethod == "":
		return fmt.Errorf("%w: verificationMethod missing or not a string", ErrMalformedProof)
	case pr.ProofPurpose == "":
		return fmt.Errorf("%w: proofPurpose missing or not a string", ErrMalformedProof)
	}
	pv, _ := p["proofValue"].(string)
	if pv == "" {
		return fmt.Errorf("%w: proofValue missing or not a string", ErrMalformedProof)
	}
	sig, err := decodeProofValue(pv)
	if err != nil {
		return err
	}
	if pr.ProofPurpose != vc.want.ProofPurpose {
		return fmt.Errorf("%w: proof is for %q, want %q", ErrPurposeMismatch, pr.ProofPurpose, vc.want.ProofPurpose)
	}
	if vc.want.Challenge != "" {
		if c, _ := p["challenge"].(string); c != vc.want.Challenge {
			return ErrChallengeMismatch
		}
	}
	if vc.want.Domain != "" && !hasDomain(p["domain"], vc.want.Domain) {
		return ErrDomainMismatch
	}
	if e, ok := p["expires"]; ok {
		exp, err := parseTime(e, "expires")
		if err != nil {
			return err
		}
		if vc.want.Now.After(exp) {
			return fmt.Errorf("%w at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
		}
	}

	config := without(p, "proofValue")
	unsecured := vc.unsecured
	chained := false
	if prev, ok := p["previousProof"]; ok {
		ids, err := stringOrSet(prev)
		if err != nil {
			return fmt.Errorf("%w: previousProof: %w", ErrMalformedProof, err)
		}
		chain, err := chainProofs(vc.set, ids)
		if err != nil {
			return err
		}
		unsecured = maps.Clone(vc.unsecured)
		unsecured["proof"] = chain
		chained = true
	}
	if su == suiteJCS {
		// EdDSA §3.3.2 steps 4-5: the proof's @context, if any, must start
		// the document's, and is what the document is hashed with.
		if pc, ok := p["@context"]; ok {
			if !contextPrefix(pc, vc.doc["@context"]) {
				return ErrContextMismatch
			}
			unsecured = maps.Clone(unsecured)
			unsecured["@context"] = pc
		}
		if c, ok := unsecured["@context"]; ok {
			config["@context"] = c
		}
	}

	var st steps
	if su != suiteJCS && !chained {
		if !vc.canonDone {
			vc.canonDoc, vc.canonErr = su.canonicalDoc(ctx, vc.v.Canonicalizer, unsecured)
			vc.canonDone = true
		}
		if vc.canonErr != nil {
			return vc.canonErr
		}
		st, err = su.hashWithDoc(ctx, vc.v.Canonicalizer, unsecured, config, vc.canonDoc)
	} else {
		st, err = su.hash(ctx, vc.v.Canonicalizer, unsecured, config)
	}
	if err != nil {
		return err
	}
	pub, err := vc.resolve(ctx, pr.VerificationMethod, pr.ProofPurpose)
	if err != nil {
		return fmt.Errorf("resolve verification method %s: %w", pr.VerificationMethod, err)
	}
	return keys.Verify(keys.EdDSA, pub, st.hashData, sig)
}

// suite picks the suite of a proof and applies the allow-list.
func (vc *verifyCall) suite(pr *ProofResult) (suite, error) {
	var su suite
	name := pr.Type
	switch pr.Type {
	case "":
		return 0, fmt.Errorf("%w: type missing or not a string", ErrMalformedProof)
	case TypeDataIntegrityProof:
		name = pr.Cryptosuite
		switch pr.Cryptosuite {
		case "":
			return 0, fmt.Errorf("%w: cryptosuite missing or not a string", ErrMalformedProof)
		case EdDSARDFC2022:
			su = suiteRDFC
		case EdDSAJCS2022:
			su = suiteJCS
		default:
			return 0, fmt.Errorf("%w: cryptosuite %q", ErrUnsupportedSuite, pr.Cryptosuite)
		}
	case Ed25519Signature2020:
		su = suite2020
	default:
		return 0, fmt.Errorf("%w: proof type %q", ErrUnsupportedSuite, pr.Type)
	}
	allowed := vc.v.Suites
	if allowed == nil {
		allowed = DefaultSuites()
	}
	if !slices.Contains(allowed, name) {
		return 0, fmt.Errorf("%w: %s is not allowed", ErrUnsupportedSuite, name)
	}
	return su, nil
}

// hasDomain reports whether want is the proof's domain, a string or a set
// of strings.
func hasDomain(v any, want string) bool {
	ds, err := stringOrSet(v)
	return err == nil && slices.Contains(ds, want)
}

// stringOrSet reads a JSON string or array of strings.
func stringOrSet(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("entry %d is a %T, not a string", i, e)
			}
			out[i] = s
		}
		return out, nil
	default:
		return nil, fmt.Errorf("a %T, not a string or array of strings", v)
	}
}

// contextPrefix reports whether the @context value proofCtx lists the first
// entries of docCtx, in order (a single value counts as a list of one).
func contextPrefix(proofCtx, docCtx any) bool {
	pc, dc := asList(proofCtx), asList(docCtx)
	if len(pc) == 0 || len(pc) > len(dc) {
		return len(pc) == 0 && proofCtx != nil
	}
	for i := range pc {
		if !jcs.Equal(pc[i], dc[i]) {
			return false
		}
	}
	return true
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	default:
		return []any{t}
	}
}
