package verifier

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/di"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Check names, in the order they run.
const (
	CheckFormat   = "format"
	CheckProof    = "proof"
	CheckIssuer   = "issuer"
	CheckValidity = "validity"
	CheckSchema   = "schema"
	CheckStatus   = "status"
	// CheckRelatedResource fetches each relatedResource and compares its
	// digestSRI / digestMultibase (VCDM 2.0 §5.3).
	CheckRelatedResource = "relatedResource"
)

// AllChecks lists every credential check.
var AllChecks = []string{CheckFormat, CheckProof, CheckIssuer, CheckValidity, CheckSchema, CheckStatus, CheckRelatedResource}

// Check outcomes.
const (
	Passed  = "passed"
	Failed  = "failed"
	Warning = "warning"
	Skipped = "skipped"
)

// Check is the outcome of one named check.
type Check struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Report is the outcome of verifying one credential.
type Report struct {
	// Verified is true when no check failed.
	Verified bool `json:"verified"`
	// Format is ldp_vc (embedded proof) or jwt_vc, with Shape naming the JWT
	// form (ob-vc-jwt, vc-jose-cose, vcdm11-vc-claim).
	Format string `json:"format,omitempty"`
	Shape  string `json:"shape,omitempty"`
	// Issuer is the issuer id; ProofMethod the verification method that
	// verified.
	Issuer      string  `json:"issuer,omitempty"`
	ProofMethod string  `json:"verificationMethod,omitempty"`
	Checks      []Check `json:"checks"`
	// Credential is the credential that was checked (for a JWT, its
	// payload as a credential).
	Credential map[string]any `json:"credential,omitempty"`
}

// Failed returns the failed checks.
func (r *Report) Failed() []Check { return r.with(Failed) }

// Warnings returns the checks that passed with a warning.
func (r *Report) Warnings() []Check { return r.with(Warning) }

func (r *Report) with(status string) []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == status {
			out = append(out, c)
		}
	}
	return out
}

// Check returns the named check, if it ran.
func (r *Report) Check(name string) (Check, bool) { return findCheck(r.Checks, name) }

func (r *Report) add(name, status, format string, args ...any) {
	addCheck(&r.Checks, &r.Verified, name, status, format, args...)
}

// findCheck returns the named check of a report, if it ran.
func findCheck(checks []Check, name string) (Check, bool) {
	for _, c := range checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// addCheck appends a check to a report; a failed check unverifies it.
func addCheck(checks *[]Check, verified *bool, name, status, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	*checks = append(*checks, Check{Name: name, Status: status, Message: msg})
	if status == Failed {
		*verified = false
	}
}

// StatusChecker checks a credentialStatus entry. It returns handled=false for
// entry types it does not know, which the report shows as a warning.
type StatusChecker interface {
	CheckStatus(ctx context.Context, cred map[string]any, entry map[string]any) (handled bool, err error)
}

// Config holds the verifier's dependencies.
type Config struct {
	Resolver      did.Resolver
	Canonicalizer di.Canonicalizer
	Schema        *credential.SchemaValidator
	// Status checks credentialStatus entries; nil reports every entry as
	// not checked (a warning).
	Status    StatusChecker
	Now       func() time.Time
	ClockSkew time.Duration
	// MaxBytes caps the input (default 1 MiB).
	MaxBytes int
	// FetchKeyDocument fetches the controller document behind an HTTPS
	// verification method URL (OB 3.0 §8: verifiers must dereference HTTP(S)
	// key URLs). Nil means only DID URLs are accepted. The cmd wiring passes
	// the guarded HTTP client.
	FetchKeyDocument func(ctx context.Context, url string) ([]byte, error)
	// FetchRelatedResource fetches the resource a relatedResource entry
	// names (an HTTP(S) URL), for its digest check. Nil reports that check
	// as skipped. The cmd wiring passes the guarded HTTP client.
	FetchRelatedResource func(ctx context.Context, url string) ([]byte, error)
	// BearerCredentials decides presented bearer credentials (see
	// BearerPolicy); empty means BearerOBRecipients.
	BearerCredentials BearerPolicy
}

// Verifier verifies credentials. It is safe for concurrent use.
type Verifier struct {
	cfg Config
	di  *di.Verifier
}

// New returns a verifier.
func New(cfg Config) (*Verifier, error) {
	if cfg.Resolver == nil || cfg.Canonicalizer == nil || cfg.Schema == nil {
		return nil, errors.New("verifier: resolver, canonicalizer and schema validator are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.BearerCredentials == "" {
		cfg.BearerCredentials = BearerOBRecipients
	}
	if !cfg.BearerCredentials.valid() {
		return nil, fmt.Errorf("verifier: bearer credential policy %q: want %s, %s or %s", cfg.BearerCredentials, BearerOBRecipients, BearerAccept, BearerReject)
	}
	return &Verifier{cfg: cfg, di: &di.Verifier{Canonicalizer: cfg.Canonicalizer}}, nil
}

// Options narrow a verification.
type Options struct {
	// Checks lists the checks to run; nil runs all. "format" always runs.
	Checks []string
	// Now overrides the clock for this call.
	Now time.Time
}

func (o Options) wants(name string) bool {
	if name == CheckFormat || o.Checks == nil {
		return true
	}
	for _, c := range o.Checks {
		if c == name {
			return true
		}
	}
	return false
}

// ErrUnknownInput reports an input that is neither a credential object nor
// a compact JWT.
var ErrUnknownInput = errors.New("not a credential: want a JSON object, a compact JWT or an EnvelopedVerifiableCredential")

// Parse turns raw input (JSON text of a credential or of a JSON string
// holding a JWT, or the bare compact JWT) into a credential object or a JWT.
func Parse(raw []byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrUnknownInput)
	}
	if raw[0] == '{' || raw[0] == '"' {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnknownInput, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("%w: data after the JSON value", ErrUnknownInput)
		}
		return normalizeNumbers(v), nil
	}
	return string(raw), nil
}

// normalizeNumbers turns json.Number into float64 the way encoding/json
// would, after UseNumber guarded against precision surprises in parsing.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	}
	return v
}

// Verify checks a credential given as a map[string]any (JSON-LD credential
// or EnvelopedVerifiableCredential), a string (compact JWT) or []byte (JSON
// or JWT text).
func (v *Verifier) Verify(ctx context.Context, input any, opts Options) *Report {
	r := &Report{Verified: true}
	now := opts.Now
	if now.IsZero() {
		now = v.cfg.Now()
	}
	if b, ok := input.([]byte); ok {
		if len(b) > v.cfg.MaxBytes {
			r.add(CheckFormat, Failed, "input of %d bytes exceeds the %d byte limit", len(b), v.cfg.MaxBytes)
			return r
		}
		parsed, err := Parse(b)
		if err != nil {
			r.add(CheckFormat, Failed, "%v", err)
			return r
		}
		input = parsed
	}
	if m, ok := input.(map[string]any); ok && hasType(m, "EnvelopedVerifiableCredential") {
		tok, err := jose.Unenvelope(m)
		if err != nil {
			r.add(CheckFormat, Failed, "EnvelopedVerifiableCredential: %v", err)
			return r
		}
		input = tok
	}
	switch in := input.(type) {
	case string:
		v.verifyJWT(ctx, strings.TrimSpace(in), opts, now, r)
	case map[string]any:
		v.verifyLDP(ctx, in, opts, now, r)
	default:
		r.add(CheckFormat, Failed, "%v", ErrUnknownInput)
	}
	return r
}

func (v *Verifier) verifyLDP(ctx context.Context, doc map[string]any, opts Options, now time.Time, r *Report) {
	r.Format = "ldp_vc"
	r.Credential = doc
	if !v.formatCheck(doc, r) {
		return
	}
	var methods []string
	if opts.wants(CheckProof) {
		res, err := v.di.Verify(ctx, doc, v.keyResolver(), di.Expect{ProofPurpose: di.PurposeAssertion, Now: now})
		if err != nil {
			r.add(CheckProof, Failed, "%s", describeProofFailure(res, err))
		} else {
			// Every proof of the set verified (VC Data Integrity 1.0
			// §4.5). The issuer's is reported as the credential's
			// verification method; the issuer check below looks for it.
			var done []string
			for _, p := range res.Proofs {
				methods = append(methods, p.VerificationMethod)
				done = append(done, proofName(p)+" proof by "+p.VerificationMethod)
			}
			r.ProofMethod = issuerMethod(res.Proofs, r.Issuer)
			if r.ProofMethod == "" {
				r.ProofMethod = res.Proofs[0].VerificationMethod
			}
			if len(done) == 1 {
				r.add(CheckProof, Passed, "%s verified", done[0])
			} else {
				r.add(CheckProof, Passed, "all %d proofs verified: %s", len(done), strings.Join(done, "; "))
			}
		}
	}
	if opts.wants(CheckIssuer) {
		// methods is set only when every proof verified.
		if len(methods) > 1 && controllerOf(r.ProofMethod) != r.Issuer {
			r.add(CheckIssuer, Failed, "none of the %d proofs was made by issuer %s for assertionMethod (keys %s)", len(methods), r.Issuer, strings.Join(methods, ", "))
		} else {
			v.issuerCheck(r, r.ProofMethod, nil)
		}
	}
	v.commonChecks(ctx, doc, opts, now, r)
}

func (v *Verifier) verifyJWT(ctx context.Context, tok string, opts Options, now time.Time, r *Report) {
	r.Format = "jwt_vc"
	res, err := jose.Verify(ctx, tok, v.jwtKeyResolver(), jose.VerifyOptions{Now: now, ClockSkew: v.cfg.ClockSkew})
	if err != nil {
		if errors.Is(err, jose.ErrMalformed) || errors.Is(err, jose.ErrAlgNotAllowed) {
			r.add(CheckFormat, Failed, "%v", err)
			return
		}
		// Parse without trust to still report on the contents.
		_, payload, perr := jose.ParseUnverified(tok)
		if perr != nil {
			r.add(CheckFormat, Failed, "%v", perr)
			return
		}
		cred := payload
		if vc, ok := payload["vc"].(map[string]any); ok {
			cred = vc
		}
		r.Credential = cred
		if !v.formatCheck(cred, r) {
			return
		}
		r.add(CheckProof, Failed, "%v", err)
		if opts.wants(CheckIssuer) {
			r.add(CheckIssuer, Failed, "not checked: the signature did not verify")
		}
		v.commonChecks(ctx, cred, opts, now, r)
		return
	}
	r.Shape = res.Shape
	r.Credential = res.Credential
	if !v.formatCheck(res.Credential, r) {
		return
	}
	r.ProofMethod = res.Kid
	r.add(CheckProof, Passed, "%s JWS (%s) verified", res.Alg, res.Shape)
	if opts.wants(CheckIssuer) {
		v.issuerCheck(r, res.Kid, res)
	}
	v.commonChecks(ctx, res.Credential, opts, now, r)
}

// formatCheck checks the VCDM shape every verifier relies on.
func (v *Verifier) formatCheck(doc map[string]any, r *Report) bool {
	var problems []string
	switch credential.Version(doc) {
	case 2, 1:
	default:
		problems = append(problems, "@context must start with "+credential.ContextVCv2+" (or "+credential.ContextVCv1+")")
	}
	if !hasType(doc, credential.TypeVerifiableCredential) {
		problems = append(problems, "type must include VerifiableCredential")
	}
	r.Issuer = issuerID(doc)
	// VCDM 2.0's structural MUSTs (issuer, credentialSubject, validity
	// order, typed members, relatedResource), by member name. They run
	// whatever checks the caller asked for, as this check always does.
	for _, e := range credential.CheckVCDM(doc) {
		problems = append(problems, e.Error())
	}
	if len(problems) > 0 {
		r.add(CheckFormat, Failed, "%s", strings.Join(problems, "; "))
		return false
	}
	r.add(CheckFormat, Passed, "VCDM %d credential", credential.Version(doc))
	return true
}

// issuerCheck binds the proof's key to the issuer: the verification method
// must be a DID URL of the issuer DID (resolution already proved it is in
// the DID document under assertionMethod).
func (v *Verifier) issuerCheck(r *Report, method string, jwt *jose.Result) {
	c, ok := r.Check(CheckProof)
	if ok && c.Status == Failed {
		r.add(CheckIssuer, Failed, "not checked: the proof did not verify")
		return
	}
	if !ok {
		r.add(CheckIssuer, Skipped, "needs the proof check")
		return
	}
	if jwt != nil && jwt.SelfAsserted {
		pub, err := jwt.JWK.PublicKey()
		if err == nil {
			if did.JWKDIDNames(r.Issuer, pub) {
				r.add(CheckIssuer, Passed, "issuer %s is the did:jwk of the signing key", r.Issuer)
				return
			}
		}
		r.add(CheckIssuer, Failed, "the JWT carries its own key (jwk header), which does not identify issuer %s", r.Issuer)
		return
	}
	if method == "" && jwt != nil {
		method = r.Issuer
	}
	controller := controllerOf(method)
	if !strings.HasPrefix(r.Issuer, "did:") && !strings.HasPrefix(r.Issuer, "https://") && !strings.HasPrefix(r.Issuer, "http://") {
		r.add(CheckIssuer, Failed, "issuer %s is neither a DID nor an HTTP(S) URL, so no key can be bound to it", r.Issuer)
		return
	}
	if controller != r.Issuer {
		r.add(CheckIssuer, Failed, "signing key %s does not belong to issuer %s", method, r.Issuer)
		return
	}
	r.add(CheckIssuer, Passed, "key %s is an assertion method of issuer %s", method, r.Issuer)
}

func (v *Verifier) commonChecks(ctx context.Context, doc map[string]any, opts Options, now time.Time, r *Report) {
	if opts.wants(CheckValidity) {
		v.validityCheck(doc, now, r)
	}
	if opts.wants(CheckSchema) {
		v.schemaCheck(ctx, doc, r)
	}
	if opts.wants(CheckStatus) {
		v.statusCheck(ctx, doc, r)
	}
	if opts.wants(CheckRelatedResource) {
		v.relatedResourceCheck(ctx, doc, r)
	}
}

// relatedResourceCheck fetches every relatedResource and compares it with
// its digests (VCDM 2.0 §5.3). The format check has already refused
// entries without an id or a well-formed digest, and more than
// credential.MaxRelatedResources of them.
func (v *Verifier) relatedResourceCheck(ctx context.Context, doc map[string]any, r *Report) {
	items, ok := credential.RelatedResources(doc)
	if !ok {
		r.add(CheckRelatedResource, Passed, "the credential lists no related resources")
		return
	}
	if v.cfg.FetchRelatedResource == nil {
		r.add(CheckRelatedResource, Skipped, "the credential lists %d related resources; fetching them is not enabled here", len(items))
		return
	}
	var failures, unchecked []string
	for i, item := range items {
		entry, _ := item.(map[string]any)
		id, _ := entry["id"].(string)
		sri, _ := entry["digestSRI"].(string)
		mb, _ := entry["digestMultibase"].(string)
		name := fmt.Sprintf("relatedResource[%d] %s", i, id)
		if !strings.HasPrefix(id, "https://") && !strings.HasPrefix(id, "http://") {
			unchecked = append(unchecked, name)
			continue
		}
		data, err := v.cfg.FetchRelatedResource(ctx, id)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: cannot fetch it to check its digest: %v", name, err))
			continue
		}
		if err := credential.VerifyDigest(data, sri, mb); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", name, err))
		}
	}
	switch {
	case len(failures) > 0:
		r.add(CheckRelatedResource, Failed, "%s", strings.Join(failures, "; "))
	case len(unchecked) > 0:
		r.add(CheckRelatedResource, Warning, "not checked, not an HTTP(S) URL: %s", strings.Join(unchecked, ", "))
	default:
		r.add(CheckRelatedResource, Passed, "%d related resource(s) match their digests", len(items))
	}
}

func (v *Verifier) validityCheck(doc map[string]any, now time.Time, r *Report) {
	from, until := "validFrom", "validUntil"
	if credential.Version(doc) == 1 {
		from, until = "issuanceDate", "expirationDate"
	}
	parse := func(name string) (time.Time, bool, error) {
		raw, ok := doc[name]
		if !ok {
			return time.Time{}, false, nil
		}
		s, _ := raw.(string)
		t, err := credential.ParseTime(s)
		if err != nil {
			return time.Time{}, true, fmt.Errorf("%s %q is not a date-time with a time zone", name, s)
		}
		return t, true, nil
	}
	skew := v.cfg.ClockSkew
	start, hasStart, err := parse(from)
	if err != nil {
		r.add(CheckValidity, Failed, "%v", err)
		return
	}
	end, hasEnd, err := parse(until)
	if err != nil {
		r.add(CheckValidity, Failed, "%v", err)
		return
	}
	switch {
	case hasStart && now.Add(skew).Before(start):
		r.add(CheckValidity, Failed, "not yet valid: %s is %s", from, start.Format(time.RFC3339))
	case hasEnd && now.Add(-skew).After(end):
		r.add(CheckValidity, Failed, "expired: %s was %s", until, end.Format(time.RFC3339))
	case hasStart && hasEnd && end.Before(start):
		r.add(CheckValidity, Failed, "%s is before %s", until, from)
	case !hasStart && !hasEnd:
		r.add(CheckValidity, Passed, "no validity period")
	default:
		r.add(CheckValidity, Passed, "valid at %s", now.UTC().Format(time.RFC3339))
	}
}

func (v *Verifier) schemaCheck(ctx context.Context, doc map[string]any, r *Report) {
	if !isOB(doc) {
		r.add(CheckSchema, Skipped, "not an Open Badges credential")
		return
	}
	if errs := credential.Check(doc); len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		r.add(CheckSchema, Failed, "does not conform to Open Badges 3.0: %s", strings.Join(msgs, "; "))
		return
	}
	if credential.Version(doc) == 1 {
		r.add(CheckSchema, Warning, "VCDM 1.1 Open Badges credential: structure checked; the 1EdTech JSON Schema for VCDM 1.1 credentials is not available")
		return
	}
	if doc["credentialSchema"] == nil {
		r.add(CheckSchema, Warning, "conforms structurally; the credential names no credentialSchema")
		return
	}
	if err := v.cfg.Schema.Validate(ctx, doc); err != nil {
		var se *credential.SchemaError
		if errors.As(err, &se) && onlyProofShape(se) {
			r.add(CheckSchema, Warning, "conforms except that proof is a single object where the 1EdTech schema wants an array")
			return
		}
		if se == nil && errors.Is(err, credential.ErrSchemaUnavailable) {
			// The OB model checks above passed; the JSON Schema itself is
			// not to be had here (not imported, offline, or its host down).
			r.add(CheckSchema, Skipped, "conforms to the Open Badges 3.0 model checks; the JSON Schema check did not run because the schema is not available here "+
				"(import it with 'accolade contexts import DIR' or set ACCOLADE_CONTEXTS_DIR): %v", err)
			return
		}
		r.add(CheckSchema, Failed, "%v", err)
		return
	}
	r.add(CheckSchema, Passed, "conforms to the Open Badges 3.0 JSON Schema")
}

// onlyProofShape reports whether the only schema failure is the proof being
// an object, which 1EdTech's own validator downgrades to a warning.
func onlyProofShape(se *credential.SchemaError) bool {
	if len(se.Problems) == 0 {
		return false
	}
	for _, p := range se.Problems {
		if !strings.Contains(p, "'/proof'") {
			return false
		}
	}
	return true
}

func (v *Verifier) statusCheck(ctx context.Context, doc map[string]any, r *Report) {
	raw, ok := doc["credentialStatus"]
	if !ok {
		r.add(CheckStatus, Passed, "the credential has no status entry")
		return
	}
	entries := []map[string]any{}
	switch s := raw.(type) {
	case map[string]any:
		entries = append(entries, s)
	case []any:
		for _, e := range s {
			if m, ok := e.(map[string]any); ok {
				entries = append(entries, m)
			}
		}
	}
	if len(entries) == 0 {
		r.add(CheckStatus, Failed, "credentialStatus is not an object")
		return
	}
	var unchecked []string
	for _, e := range entries {
		typ, _ := e["type"].(string)
		if v.cfg.Status == nil {
			unchecked = append(unchecked, typ)
			continue
		}
		handled, err := v.cfg.Status.CheckStatus(ctx, doc, e)
		if err != nil {
			r.add(CheckStatus, Failed, "%v", err)
			return
		}
		if !handled {
			unchecked = append(unchecked, typ)
		}
	}
	if len(unchecked) > 0 {
		r.add(CheckStatus, Warning, "status not checked: entry type %s is not supported", strings.Join(unchecked, ", "))
		return
	}
	r.add(CheckStatus, Passed, "not revoked or suspended")
}

// keyResolver resolves a Data Integrity verification method through DIDs
// or, for HTTPS URLs, through the controller document the URL names,
// requiring it under the proof's relationship.
func (v *Verifier) keyResolver() di.KeyResolver {
	return func(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
		m, err := v.resolveMethod(ctx, vm, purpose)
		if err != nil {
			return nil, err
		}
		return m.PublicKey()
	}
}

// ErrKeyURL reports an HTTP(S) verification method that cannot be used.
var ErrKeyURL = errors.New("verification method URL")

func (v *Verifier) resolveMethod(ctx context.Context, vm, purpose string) (*did.VerificationMethod, error) {
	if strings.HasPrefix(vm, "did:") {
		return did.ResolveMethod(ctx, v.cfg.Resolver, vm, purpose)
	}
	if !strings.HasPrefix(vm, "https://") && !strings.HasPrefix(vm, "http://") {
		return nil, fmt.Errorf("%w: %q is neither a DID URL nor an HTTP(S) URL", ErrKeyURL, vm)
	}
	if v.cfg.FetchKeyDocument == nil {
		return nil, fmt.Errorf("%w: %s: HTTP(S) key URLs are not enabled", ErrKeyURL, vm)
	}
	docURL, _, _ := strings.Cut(vm, "#")
	raw, err := v.cfg.FetchKeyDocument(ctx, docURL)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch %s: %w", ErrKeyURL, docURL, err)
	}
	// A controller document (CID 1.0 §3.3) has the DID document's shape.
	var doc did.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: %s is not a controller document: %v", ErrKeyURL, docURL, err)
	}
	if doc.ID != docURL {
		return nil, fmt.Errorf("%w: the document at %s names itself %q", ErrKeyURL, docURL, doc.ID)
	}
	return doc.Method(vm, purpose)
}

// jwtKeyResolver resolves a JOSE kid (a DID URL, or a bare DID) to an
// assertion key; without a kid it uses the issuer DID's first assertion
// method.
func (v *Verifier) jwtKeyResolver() jose.KeyResolver {
	return v.joseKeyResolver(di.PurposeAssertion)
}

// joseKeyResolver resolves a JOSE kid (a DID URL, a bare DID, or an HTTPS
// key URL) to a key listed under the given relationship; without a kid it
// uses the first method of that relationship in the DID document of the
// token's issuer (or holder).
func (v *Verifier) joseKeyResolver(relationship string) jose.KeyResolver {
	return func(ctx context.Context, kid, iss string) (crypto.PublicKey, error) {
		ref := kid
		if ref == "" {
			ref = iss
		}
		if strings.HasPrefix(ref, "did:") && !strings.Contains(ref, "#") {
			doc, err := v.cfg.Resolver.Resolve(ctx, ref)
			if err != nil {
				return nil, err
			}
			methods := doc.AssertionMethod
			if relationship == di.PurposeAuthentication {
				methods = doc.Authentication
			}
			if len(methods) == 0 {
				return nil, fmt.Errorf("%w: %s has no %s method", jose.ErrKeyNotFound, ref, relationship)
			}
			ref = methods[0].ID()
			if strings.HasPrefix(ref, "#") {
				ref = doc.ID + ref
			}
		}
		m, err := v.resolveMethod(ctx, ref, relationship)
		if err != nil {
			return nil, err
		}
		return m.PublicKey()
	}
}

// issuerMethod returns the verification method of the first proof made by
// issuer for assertionMethod: a method of the issuer DID (the DID URL
// before its fragment is the issuer; DID resolution proved the method is
// listed under assertionMethod), or "" if none is.
func issuerMethod(proofs []di.ProofResult, issuer string) string {
	for _, p := range proofs {
		if p.Verified && p.ProofPurpose == di.PurposeAssertion && controllerOf(p.VerificationMethod) == issuer {
			return p.VerificationMethod
		}
	}
	return ""
}

// proofName names a proof by its cryptosuite, or its type for legacy
// proofs.
func proofName(p di.ProofResult) string {
	if p.Cryptosuite != "" {
		return p.Cryptosuite
	}
	return p.Type
}

// describeProofFailure explains a failed Data Integrity verification; with
// several proofs it names each failing one by its key.
func describeProofFailure(res di.Result, err error) string {
	if len(res.Proofs) <= 1 {
		return describeProofErr(err)
	}
	var msgs []string
	for i, p := range res.Proofs {
		if p.Verified {
			continue
		}
		msgs = append(msgs, fmt.Sprintf("proof %d of %d (%s by %s): %s", i+1, len(res.Proofs), proofName(p), p.VerificationMethod, describeProofErr(p.Err)))
	}
	return "every proof of a proof set must verify; " + strings.Join(msgs, "; ")
}

func describeProofErr(err error) string {
	switch {
	case errors.Is(err, keys.ErrBadSignature):
		return "the signature does not match the credential: it was altered after signing or signed with another key"
	case errors.Is(err, di.ErrUndefinedTerm):
		return "the credential uses a term its @context does not define, so it cannot be signed or verified: " + err.Error()
	}
	return err.Error()
}

func issuerID(doc map[string]any) string {
	switch iss := doc["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		id, _ := iss["id"].(string)
		return id
	}
	return ""
}

func isOB(doc map[string]any) bool {
	return hasType(doc, credential.TypeOpenBadgeCredential) || hasType(doc, credential.TypeAchievementCredential)
}

func hasType(doc map[string]any, t string) bool {
	switch v := doc["type"].(type) {
	case string:
		return v == t
	case []any:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	case []string:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	}
	return false
}
