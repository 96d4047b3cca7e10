package verifier

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Presentation check names, in the order they run. Each embedded
// credential gets the credential checks (AllChecks) plus CheckHolderBinding.
const (
	CheckPresentationFormat = "presentation.format"
	CheckPresentationProof  = "presentation.proof"
	CheckPresentationHolder = "presentation.holder"
	// CheckHolderBinding is the per-credential check that the credential's
	// subject is the presentation's holder.
	CheckHolderBinding = "holder-binding"
)

// PresentationChecks lists the presentation-level checks.
var PresentationChecks = []string{CheckPresentationFormat, CheckPresentationProof, CheckPresentationHolder}

// MaxPresentedCredentials caps the credentials of one presentation: each
// costs a full verification.
const MaxPresentedCredentials = 64

// Presentation formats reported in PresentationReport.Format.
const (
	FormatLDPVP = "ldp_vp" // JSON-LD with a Data Integrity proof
	FormatJWTVP = "jwt_vp" // VP-JWT (compact JWS)
)

// PresentationOptions say what a presentation must be bound to, the
// verifier's side of the exchange.
type PresentationOptions struct {
	// Challenge and Domain are what a Data Integrity proof's challenge and
	// domain must be (VC Data Integrity 1.0 §2.1). An empty Challenge
	// accepts any, with a warning: such a presentation could be a replay.
	Challenge, Domain string
	// Nonce and Audience are what a VP-JWT's nonce and aud claims must be;
	// empty ones default to Challenge and Domain, as VC-API callers pass
	// those for either form. With neither a nonce nor a challenge, or
	// neither an audience nor a domain, that claim is not checked and the
	// proof passes with a warning, as a Data Integrity proof does without
	// a challenge.
	Nonce, Audience string
	// Now overrides the clock for this call.
	Now time.Time
	// Checks narrows the checks of each embedded credential, as
	// Options.Checks does; the presentation checks always run.
	Checks []string
	// SkipHolderBinding leaves holder binding out (VC-API options.checks
	// without "holder-binding"): no credential gets a holder-binding check
	// that can fail, and a presentation without a holder verifies (VCDM
	// 2.0 makes holder optional).
	SkipHolderBinding bool
	// BearerCredentials overrides the verifier's policy for this call.
	BearerCredentials BearerPolicy
}

// BearerPolicy says what the verifier makes of a presented bearer
// credential: one whose subject names no DID (no credentialSubject.id, or
// a urn:uuid or URL), so holder binding is not applicable. An Open Badge
// awarded to an email address is one: its recipient is a hashed
// IdentityObject (OB 3.0 §B.1.3 credentialSubject.identifier), and anyone
// holding a copy can present it.
type BearerPolicy string

// Bearer credential policies.
const (
	// BearerOBRecipients (the default) accepts, with a warning, a bearer
	// credential whose subject carries an OB IdentityObject (the verifier
	// can ask the presenter to prove the email address out of band), and
	// fails any other.
	BearerOBRecipients BearerPolicy = "ob-recipients"
	// BearerAccept accepts every bearer credential, with a warning.
	BearerAccept BearerPolicy = "accept"
	// BearerReject fails every bearer credential: only credentials bound
	// to the holder's DID are accepted.
	BearerReject BearerPolicy = "reject"
)

func (p BearerPolicy) valid() bool {
	switch p {
	case BearerOBRecipients, BearerAccept, BearerReject:
		return true
	}
	return false
}

// PresentationReport is the outcome of verifying a presentation: its own
// checks and one Report per embedded credential, each ending with a
// holder-binding check.
type PresentationReport struct {
	// Verified is true when no presentation check failed and every
	// credential verified.
	Verified bool `json:"verified"`
	// Format is FormatLDPVP or FormatJWTVP.
	Format string `json:"format,omitempty"`
	// Holder is the presentation's holder (for a VP-JWT, its iss claim).
	Holder string `json:"holder,omitempty"`
	// ProofMethod is the verification method (or kid) of the proof.
	ProofMethod string  `json:"verificationMethod,omitempty"`
	Checks      []Check `json:"checks"`
	// Credentials are the embedded credentials' reports, in order.
	Credentials []*Report `json:"credentials"`
	// Presentation is the presentation that was checked (for a VP-JWT, its
	// vp claim or payload).
	Presentation map[string]any `json:"presentation,omitempty"`
}

// Check returns the named presentation check, if it ran.
func (r *PresentationReport) Check(name string) (Check, bool) { return findCheck(r.Checks, name) }

func (r *PresentationReport) add(name, status, format string, args ...any) {
	addCheck(&r.Checks, &r.Verified, name, status, format, args...)
}

// VerifyPresentation checks a verifiable presentation given as a
// map[string]any (JSON-LD with a Data Integrity proof, or an
// EnvelopedVerifiablePresentation), a string (VP-JWT) or []byte (either, as
// text). It runs presentation.format (VCDM shape), presentation.proof (a
// Data Integrity proof for authentication with the expected challenge and
// domain, or a VP-JWT signature with the expected nonce and audience and a
// live lifetime), presentation.holder (the proof's key belongs to the
// holder DID), and then verifies every embedded credential (objects, VC-JWT
// strings, EnvelopedVerifiableCredentials) as Verify does, adding a
// holder-binding check: a credentialSubject.id must be the holder. A
// presentation that fails is a result, not an error.
func (v *Verifier) VerifyPresentation(ctx context.Context, input any, opts PresentationOptions) *PresentationReport {
	r := &PresentationReport{Verified: true, Credentials: []*Report{}}
	now := opts.Now
	if now.IsZero() {
		now = v.cfg.Now()
	}
	if b, ok := input.([]byte); ok {
		if len(b) > v.cfg.MaxBytes {
			r.add(CheckPresentationFormat, Failed, "input of %d bytes exceeds the %d byte limit", len(b), v.cfg.MaxBytes)
			return r
		}
		parsed, err := Parse(b)
		if err != nil {
			r.add(CheckPresentationFormat, Failed, "not a presentation: want a JSON object or a compact JWT: %v", err)
			return r
		}
		input = parsed
	}
	if m, ok := input.(map[string]any); ok && hasType(m, "EnvelopedVerifiablePresentation") {
		tok, err := unenvelopePresentation(m)
		if err != nil {
			r.add(CheckPresentationFormat, Failed, "%v", err)
			return r
		}
		input = tok
	}
	switch in := input.(type) {
	case string:
		v.verifyVPJWT(ctx, strings.TrimSpace(in), opts, now, r)
	case map[string]any:
		v.verifyLDPVP(ctx, in, opts, now, r)
	default:
		r.add(CheckPresentationFormat, Failed, "not a presentation: want a JSON object, a compact JWT or an EnvelopedVerifiablePresentation")
	}
	return r
}

// ErrPresentation reports a presentation whose embedded credentials cannot
// be read.
var ErrPresentation = errors.New("malformed presentation")

func (v *Verifier) verifyLDPVP(ctx context.Context, vp map[string]any, opts PresentationOptions, now time.Time, r *PresentationReport) {
	r.Format = FormatLDPVP
	r.Presentation = vp
	r.Holder = objectID(vp["holder"])
	creds, ok := v.presentationFormat(vp, false, r)
	if !ok {
		return
	}
	res, err := v.di.Verify(ctx, vp, v.keyResolver(), di.Expect{
		ProofPurpose: di.PurposeAuthentication, Challenge: opts.Challenge, Domain: opts.Domain, Now: now,
	})
	if err != nil {
		r.add(CheckPresentationProof, Failed, "%s", describePresentationErr(err))
	} else {
		// Every proof verified (VC Data Integrity 1.0 §4.5); the holder's
		// is the one the holder check needs, wherever it is in the set.
		p := res.Proofs[0]
		for _, pr := range res.Proofs {
			if controllerOf(pr.VerificationMethod) == r.Holder {
				p = pr
				break
			}
		}
		r.ProofMethod = p.VerificationMethod
		suite := p.Cryptosuite
		if suite == "" {
			suite = p.Type
		}
		if opts.Challenge == "" {
			r.add(CheckPresentationProof, Warning, "%s proof by %s verified, but no challenge was expected: the presentation is not bound to this exchange and could be a replay", suite, p.VerificationMethod)
		} else {
			r.add(CheckPresentationProof, Passed, "%s authentication proof by %s verified for the expected challenge", suite, p.VerificationMethod)
		}
	}
	v.holderCheck(r, controllerOf(r.ProofMethod), opts.SkipHolderBinding)
	v.presentedCredentials(ctx, creds, opts, now, r)
}

func (v *Verifier) verifyVPJWT(ctx context.Context, tok string, opts PresentationOptions, now time.Time, r *PresentationReport) {
	r.Format = FormatJWTVP
	header, payload, err := jose.ParseUnverified(tok)
	if err != nil {
		r.add(CheckPresentationFormat, Failed, "%v", err)
		return
	}
	vp, _ := payload["vp"].(map[string]any)
	if vp == nil {
		if typ, _ := header["typ"].(string); strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), "vp+jwt") {
			vp = payload
		}
	}
	if vp == nil {
		r.add(CheckPresentationFormat, Failed, "not a VP-JWT: no vp claim and typ is not vp+jwt")
		return
	}
	r.Presentation = vp
	r.Holder, _ = payload["iss"].(string)
	if r.Holder == "" {
		r.Holder = objectID(vp["holder"])
	}
	creds, ok := v.presentationFormat(vp, true, r)
	if !ok {
		return
	}
	nonce, aud := opts.Nonce, opts.Audience
	if nonce == "" {
		nonce = opts.Challenge
	}
	if aud == "" {
		aud = opts.Domain
	}
	res, err := jose.VerifyPresentation(ctx, tok, v.presentationKeyResolver(), jose.VerifyPresentationOptions{
		Audience: aud, Nonce: nonce, Now: now, ClockSkew: v.cfg.ClockSkew,
		AnyAudience: true, AnyNonce: true,
	})
	keyController := ""
	if err != nil {
		r.add(CheckPresentationProof, Failed, "%s", describePresentationErr(err))
	} else {
		r.Holder = res.Holder
		r.ProofMethod = res.Kid
		var unbound []string
		if nonce == "" {
			unbound = append(unbound, "no nonce (challenge) was expected: the presentation is not bound to this exchange and could be a replay")
		}
		if aud == "" {
			unbound = append(unbound, "no audience (domain) was expected: its aud claim was not checked, so it may have been made for another verifier")
		}
		if len(unbound) > 0 {
			r.add(CheckPresentationProof, Warning, "%s VP-JWT verified, but %s", res.Alg, strings.Join(unbound, "; "))
		} else {
			r.add(CheckPresentationProof, Passed, "%s VP-JWT verified for the expected nonce and audience", res.Alg)
		}
		switch {
		case res.SelfAsserted:
			// A jwk header proves only that the token is intact: the key is
			// the holder's only if the holder is that key's did:jwk.
			if pub, perr := res.JWK.PublicKey(); perr == nil {
				keyController, _ = did.JWKDID(pub)
				// Compare keys, not strings: the holder's did:jwk may
				// keep its JWK members in another order.
				if did.JWKDIDNames(res.Holder, pub) {
					keyController = res.Holder
				}
			}
			r.ProofMethod = "jwk header"
		case res.Kid == "" || !strings.Contains(res.Kid, "#"):
			// The resolver took the holder DID's first authentication
			// method, so the key is the holder's by construction.
			keyController = strings.TrimSpace(res.Kid)
			if keyController == "" {
				keyController = res.Holder
			}
		default:
			keyController = controllerOf(res.Kid)
		}
	}
	v.holderCheck(r, keyController, opts.SkipHolderBinding)
	v.presentedCredentials(ctx, creds, opts, now, r)
}

// presentationFormat checks the VCDM shape of a presentation and returns
// its embedded credentials. In a Data Integrity presentation credentials
// must be objects (VCDM 2.0: secured credentials or
// EnvelopedVerifiableCredentials); a VP-JWT may also list VC-JWT strings
// (VCDM 1.1, OpenID4VP jwt_vc_json).
func (v *Verifier) presentationFormat(vp map[string]any, jwt bool, r *PresentationReport) ([]any, bool) {
	var problems []string
	version := credential.Version(vp)
	switch {
	case version == 2, version == 1:
	case jwt && vp["@context"] == nil:
		// VC-JOSE-COSE payloads are JSON, not JSON-LD; tolerate no context.
	default:
		problems = append(problems, "@context must start with "+credential.ContextVCv2+" (or "+credential.ContextVCv1+")")
	}
	if !hasType(vp, "VerifiablePresentation") {
		problems = append(problems, "type must include VerifiablePresentation")
	}
	var creds []any
	switch x := vp["verifiableCredential"].(type) {
	case nil:
	case []any:
		creds = x
	default:
		creds = []any{x}
	}
	if len(creds) > MaxPresentedCredentials {
		problems = append(problems, fmt.Sprintf("%d credentials exceed the limit of %d", len(creds), MaxPresentedCredentials))
	}
	for i, c := range creds {
		switch c.(type) {
		case map[string]any:
		case string:
			if !jwt {
				problems = append(problems, fmt.Sprintf("verifiableCredential[%d] is a string; a VCDM 2.0 presentation embeds objects (EnvelopedVerifiableCredential for a JWT)", i))
			}
		default:
			problems = append(problems, fmt.Sprintf("verifiableCredential[%d] is neither an object nor a JWT", i))
		}
	}
	if len(problems) > 0 {
		r.add(CheckPresentationFormat, Failed, "%s", strings.Join(problems, "; "))
		return nil, false
	}
	if version == 0 {
		r.add(CheckPresentationFormat, Passed, "presentation of %d credential(s)", len(creds))
	} else {
		r.add(CheckPresentationFormat, Passed, "VCDM %d presentation of %d credential(s)", version, len(creds))
	}
	return creds, true
}

// holderCheck binds the proof's key to the holder: keyController is the
// DID that controls the key which verified. A presentation without a
// holder fails only when holder binding was asked for.
func (v *Verifier) holderCheck(r *PresentationReport, keyController string, skipBinding bool) {
	c, _ := r.Check(CheckPresentationProof)
	switch {
	case r.Holder == "" && skipBinding:
		r.add(CheckPresentationHolder, Skipped, "the presentation names no holder (VCDM 2.0 makes it optional) and holder binding was not asked for")
	case r.Holder == "":
		r.add(CheckPresentationHolder, Failed, "the presentation names no holder, so its credentials cannot be bound to the presenter")
	case c.Status == Failed:
		// The presentation already fails; say why this one did not run.
		r.add(CheckPresentationHolder, Skipped, "not checked: the proof did not verify")
	case keyController != r.Holder:
		r.add(CheckPresentationHolder, Failed, "the proof's key (%s) does not belong to holder %s", r.ProofMethod, r.Holder)
	default:
		r.add(CheckPresentationHolder, Passed, "the proof's key is an authentication method of holder %s", r.Holder)
	}
}

// presentedCredentials verifies each embedded credential and binds it to
// the holder.
//
// The credentials are verified concurrently, at most
// presentationParallelism at a time: each may wait on a DID document or a
// status list from a different issuer, and the signatures use every core.
// The reports keep the presentation's order.
func (v *Verifier) presentedCredentials(ctx context.Context, creds []any, opts PresentationOptions, now time.Time, r *PresentationReport) {
	reps := make([]*Report, len(creds))
	if len(creds) == 1 {
		reps[0] = v.Verify(ctx, creds[0], Options{Checks: opts.Checks, Now: now})
	} else {
		sem := make(chan struct{}, min(len(creds), presentationParallelism()))
		var wg sync.WaitGroup
		for i, c := range creds {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				reps[i] = v.Verify(ctx, c, Options{Checks: opts.Checks, Now: now})
			})
		}
		wg.Wait()
	}
	policy := opts.BearerCredentials
	if !policy.valid() {
		policy = v.cfg.BearerCredentials
	}
	for _, rep := range reps {
		if opts.SkipHolderBinding {
			rep.add(CheckHolderBinding, Skipped, "not checked: holder binding was not asked for")
		} else {
			holderBinding(rep, r.Holder, policy)
		}
		r.Credentials = append(r.Credentials, rep)
		if !rep.Verified {
			r.Verified = false
		}
	}
}

// presentationParallelism bounds the credentials of one presentation
// verified at once: enough to overlap network waits, few enough that one
// large presentation cannot take every core from other requests for long.
func presentationParallelism() int { return max(4, runtime.GOMAXPROCS(0)) }

// holderBinding adds the holder-binding check: the holder must be one of
// the credential's subjects (VCDM 2.0 Appendix A, "Holder"). For a bearer
// credential, whose subject names no DID, binding is not applicable and
// policy decides.
func holderBinding(rep *Report, holder string, policy BearerPolicy) {
	if rep.Credential == nil {
		rep.add(CheckHolderBinding, Failed, "not checked: the credential could not be read")
		return
	}
	ids := subjectIDs(rep.Credential)
	switch {
	case holder != "" && contains(ids, holder):
		rep.add(CheckHolderBinding, Passed, "the credential's subject is the holder")
	case !slices.ContainsFunc(ids, isDID):
		const na = "not applicable: bearer credential (its subject names no DID, so anyone holding a copy can present it)"
		switch {
		case policy == BearerReject:
			rep.add(CheckHolderBinding, Failed, "%s; this verifier accepts only credentials bound to the holder", na)
		case policy == BearerAccept:
			rep.add(CheckHolderBinding, Warning, "%s; accepted by this verifier's policy", na)
		case hasIdentityObject(rep.Credential):
			rep.add(CheckHolderBinding, Warning, "%s; an Open Badge recipient identified by an IdentityObject (e.g. a hashed email address): "+
				"accepted by this verifier's policy; ask the presenter to prove that identifier if it matters", na)
		default:
			rep.add(CheckHolderBinding, Failed, "%s; this verifier accepts bearer credentials only for Open Badge recipients identified by an IdentityObject", na)
		}
	case holder == "":
		rep.add(CheckHolderBinding, Failed, "the presentation names no holder to bind the credential to")
	default:
		rep.add(CheckHolderBinding, Failed, "the credential is about %s, not the holder %s who presented it", strings.Join(ids, ", "), holder)
	}
}

func isDID(s string) bool { return strings.HasPrefix(s, "did:") }

// hasIdentityObject tells whether a subject of cred carries an OB 3.0
// IdentityObject (credentialSubject.identifier).
func hasIdentityObject(cred map[string]any) bool {
	var subjects []any
	switch s := cred["credentialSubject"].(type) {
	case map[string]any:
		subjects = []any{s}
	case []any:
		subjects = s
	}
	for _, s := range subjects {
		m, _ := s.(map[string]any)
		var ids []any
		switch x := m["identifier"].(type) {
		case []any:
			ids = x
		case map[string]any:
			ids = []any{x}
		}
		for _, id := range ids {
			if o, ok := id.(map[string]any); ok && hasType(o, "IdentityObject") && o["identityHash"] != nil {
				return true
			}
		}
	}
	return false
}

func subjectIDs(cred map[string]any) []string {
	var subjects []any
	switch s := cred["credentialSubject"].(type) {
	case map[string]any:
		subjects = []any{s}
	case []any:
		subjects = s
	}
	var ids []string
	for _, s := range subjects {
		if id := objectID(s); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// objectID returns v when it is a string, or v's id when it is an object.
func objectID(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		id, _ := x["id"].(string)
		return id
	}
	return ""
}

// controllerOf returns the DID (or URL) part of a verification method URL.
func controllerOf(method string) string {
	c, _, _ := strings.Cut(method, "#")
	return c
}

// Data URL prefixes of an EnvelopedVerifiablePresentation id (VCDM 2.0
// §4.13, VC-JOSE-COSE §3.2).
const (
	envelopeVPPrefix    = "data:application/vp+jwt,"
	envelopeVPPrefixJWT = "data:application/jwt,"
)

func unenvelopePresentation(m map[string]any) (string, error) {
	id, _ := m["id"].(string)
	for _, p := range []string{envelopeVPPrefix, envelopeVPPrefixJWT} {
		if tok, ok := strings.CutPrefix(id, p); ok && tok != "" {
			return tok, nil
		}
	}
	return "", fmt.Errorf("%w: EnvelopedVerifiablePresentation id is not a data:application/vp+jwt URL", ErrPresentation)
}

// presentationKeyResolver resolves a VP-JWT kid (a DID URL, or a bare DID)
// to one of the holder's authentication keys; without a kid it takes the
// holder DID's first authentication method.
func (v *Verifier) presentationKeyResolver() jose.KeyResolver {
	return v.joseKeyResolver(di.PurposeAuthentication)
}

// describePresentationErr explains why a presentation's proof failed.
func describePresentationErr(err error) string {
	switch {
	case errors.Is(err, di.ErrChallengeMismatch):
		return "the proof's challenge is not the expected one: the presentation was made for another exchange (a replay?)"
	case errors.Is(err, di.ErrDomainMismatch):
		return "the proof's domain is not the expected one: the presentation was made for another verifier"
	case errors.Is(err, di.ErrPurposeMismatch):
		return "the proof is not an authentication proof, so it does not show the holder presenting: " + err.Error()
	case errors.Is(err, di.ErrExpired):
		return "the presentation's proof has expired: " + err.Error()
	case errors.Is(err, jose.ErrNonce):
		return "the nonce is not the expected one: the presentation was made for another exchange (a replay?): " + err.Error()
	case errors.Is(err, jose.ErrAudience):
		return "the audience (aud) is not this verifier: " + err.Error()
	case errors.Is(err, jose.ErrTokenExpired):
		return "the presentation JWT has expired: " + err.Error()
	case errors.Is(err, jose.ErrTokenNotYetValid):
		return "the presentation JWT is not valid yet: " + err.Error()
	case errors.Is(err, keys.ErrBadSignature):
		return "the signature does not match the presentation: it was altered after signing or signed with another key"
	}
	return err.Error()
}
