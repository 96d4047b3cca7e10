package jose

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/keys"
)

// Shapes of a verified token, reported in Result.Shape.
const (
	// ShapeOB is the OB 3.0 §8.2 VC-JWT: the credential plus iss, jti, nbf,
	// sub and exp claims that restate its fields.
	ShapeOB = "ob-vc-jwt"
	// ShapeJOSECOSE is W3C VC-JOSE-COSE §3.1.1: the payload is the
	// credential itself; any iat/exp are about the token.
	ShapeJOSECOSE = "vc-jose-cose"
	// ShapeVCClaim is the VCDM 1.1 §6.3.1 JWT encoding: the credential is
	// the vc claim, and iss, jti, sub, nbf and exp stand for its fields.
	ShapeVCClaim = "vcdm11-vc-claim"
	// ShapeVP is a presentation JWT: a VCDM 1.1 vp claim, or a vp+jwt whose
	// payload is the presentation.
	ShapeVP = "vp-jwt"
)

// defaultAlgs is the allow-list when VerifyOptions.AllowedAlgs is nil.
// RS256 is OB 3.0's required minimum, so other issuers' tokens use it.
var defaultAlgs = []string{string(keys.EdDSA), string(keys.ES256), string(keys.RS256)}

// KeyResolver returns the public key that should have signed a token,
// given the kid header ("" when the header has none) and the issuer (the
// token's iss claim, or else the credential's issuer id or the
// presentation's holder). The verifier plugs DID resolution in here.
//
// Both arguments come from the not yet verified token: the resolver must
// return only a key that the issuer controls (for a DID URL kid, one listed
// in the issuer's DID document under assertionMethod, or authentication for
// a presentation), because the signature is then checked with that key and
// the iss claim with the credential's issuer. An unknown key should return
// an error wrapping ErrKeyNotFound. Resolvers must be safe for concurrent
// use. The resolver is not called for tokens that carry their key in a jwk
// header.
type KeyResolver func(ctx context.Context, kid string, issuer string) (crypto.PublicKey, error)

// VerifyOptions tunes Verify. The zero value is ready to use.
type VerifyOptions struct {
	// AllowedAlgs lists the JWS algorithms to accept; nil means EdDSA,
	// ES256 and RS256. Only those three can ever pass: "none", HMAC and
	// any other name are refused even when listed.
	AllowedAlgs []string
	// Now is the time to check exp and nbf against; zero means time.Now().
	Now time.Time
	// ClockSkew is the leeway allowed on exp and nbf.
	ClockSkew time.Duration
}

// Result is a verified credential token.
//
// Claims and Credential may share nested objects: treat both as read-only,
// or copy before changing them.
type Result struct {
	// Shape is ShapeOB, ShapeJOSECOSE or ShapeVCClaim (ShapeVP in a
	// PresentationResult).
	Shape string
	// Header is the protected JOSE header.
	Header map[string]any
	// Claims is the whole verified payload.
	Claims map[string]any
	// Credential is the plain credential: for ShapeOB the payload without
	// the registered claims iss, jti, nbf, sub, exp and iat; for
	// ShapeJOSECOSE the payload as is; for ShapeVCClaim the vc claim with
	// issuer, id, credentialSubject.id and the validity dates filled in
	// from the JWT claims where it lacks them.
	Credential map[string]any
	// Kid is the kid header, "" when absent.
	Kid string
	// JWK is the key from the jwk header, nil when the key came from the
	// KeyResolver.
	JWK *keys.JWK
	// SelfAsserted is true when the token carried its own key (jwk header)
	// and the resolver was not consulted. The signature then proves only
	// that the token is intact, not who made it: the caller decides whether
	// to trust that key, e.g. only when the issuer is the did:jwk of JWK.
	SelfAsserted bool
	// Alg is the JWS algorithm that verified.
	Alg string
}

// Verify checks a credential JWT in any of the three shapes (OB 3.0
// VC-JWT, VC-JOSE-COSE, VCDM 1.1 vc claim) and returns the credential it
// secures.
//
// In order it checks: the compact form and size (ErrMalformed); the header
// (alg allowed, else ErrAlgNotAllowed; typ absent or a JWT or vc+jwt media
// type, no crit, not both kid and jwk, else ErrMalformed); the signature
// over the exact signing input with the key from the jwk header or from
// resolve (ErrBadSignature, ErrKeyNotFound or the resolver's error); that
// iss, sub and jti agree with the credential's issuer, subject id and id,
// and for ShapeOB that nbf and exp equal validFrom and validUntil as
// instants (a *ClaimError, ErrClaimMismatch); and that the token's own exp
// and nbf admit opts.Now (ErrTokenExpired, ErrTokenNotYetValid). Whether
// the credential itself is currently valid, revoked or well formed is the
// caller's to check. Presentations are refused with ErrMalformed; use
// VerifyPresentation.
func Verify(ctx context.Context, token string, resolve KeyResolver, opts VerifyOptions) (*Result, error) {
	t, err := parseToken(token, opts.AllowedAlgs)
	if err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	shape, src, err := credentialShape(t)
	if err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	iss, err := stringClaim(t.payload, "iss")
	if err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	issuer := iss
	if issuer == "" {
		issuer = issuerID(src)
	}
	res, err := t.verifySignature(ctx, resolve, issuer)
	if err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	res.Shape = shape
	if err := checkCredentialClaims(t.payload, src, shape); err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	if err := checkTimes(t.payload, opts.Now, opts.ClockSkew, false); err != nil {
		return nil, fmt.Errorf("verify vc-jwt: %w", err)
	}
	res.Credential = buildCredential(t.payload, src, shape)
	return res, nil
}

// token is a compact JWS whose header passed the allow-lists and whose
// segments decoded, before its signature is checked.
type token struct {
	header, payload map[string]any
	alg, typ        string // typ lower-cased, without "application/"
	signingInput    []byte
	sig             []byte
}

func parseToken(s string, allowed []string) (*token, error) {
	parts, err := splitCompact(s)
	if err != nil {
		return nil, err
	}
	header, err := decodeSegmentObject(parts[0], "header")
	if err != nil {
		return nil, err
	}
	alg, ok := header["alg"].(string)
	if !ok {
		return nil, fmt.Errorf("%w: header has no alg string", ErrMalformed)
	}
	if !algAllowed(alg, allowed) {
		return nil, fmt.Errorf("%w: %q", ErrAlgNotAllowed, alg)
	}
	// RFC 7515 §4.1.11: a recipient must refuse crit extensions it does not
	// understand, and this package understands none.
	if _, ok := header["crit"]; ok {
		return nil, fmt.Errorf("%w: crit header not supported", ErrMalformed)
	}
	typ, err := headerTyp(header)
	if err != nil {
		return nil, err
	}
	payload, err := decodeSegmentObject(parts[1], "payload")
	if err != nil {
		return nil, err
	}
	sig, err := decodeSegment(parts[2], "signature")
	if err != nil {
		return nil, err
	}
	return &token{
		header:       header,
		payload:      payload,
		alg:          alg,
		typ:          typ,
		signingInput: []byte(s[:len(parts[0])+1+len(parts[1])]),
		sig:          sig,
	}, nil
}

func algAllowed(alg string, allowed []string) bool {
	// Only algorithms keys.Verify implements, all asymmetric, can pass,
	// whatever the caller lists (RFC 8725 §3.1, §3.2).
	if !slices.Contains(defaultAlgs, alg) {
		return false
	}
	if allowed == nil {
		return true
	}
	return slices.Contains(allowed, alg)
}

// headerTyp returns the normalized typ, "" when absent. RFC 7515 §4.1.9:
// media type names are case-insensitive and "application/" may be left out.
// Accepted: JWT (OB 3.0, VCDM 1.1), vc+jwt and vp+jwt (VC-JOSE-COSE), and
// the draft-era vc+ld+jwt.
func headerTyp(header map[string]any) (string, error) {
	v, ok := header["typ"]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: typ is not a string", ErrMalformed)
	}
	typ := strings.ToLower(s)
	typ = strings.TrimPrefix(typ, "application/")
	switch typ {
	case "jwt", "vc+jwt", "vc+ld+jwt", "vp+jwt":
		return typ, nil
	default:
		return "", fmt.Errorf("%w: typ %q not accepted", ErrMalformed, s)
	}
}

// verifySignature finds the key (jwk header, or resolve) and checks the
// signature. It returns a Result with the header fields filled in.
func (t *token) verifySignature(ctx context.Context, resolve KeyResolver, issuer string) (*Result, error) {
	res := &Result{Header: t.header, Claims: t.payload, Alg: t.alg}
	kidV, hasKid := t.header["kid"]
	jwkV, hasJWK := t.header["jwk"]
	if hasKid {
		kid, ok := kidV.(string)
		if !ok || kid == "" {
			return nil, fmt.Errorf("%w: kid is not a non-empty string", ErrMalformed)
		}
		res.Kid = kid
	}
	var pub crypto.PublicKey
	switch {
	case hasKid && hasJWK:
		// OB 3.0 §8.2.3 wants exactly one; with both, which key the
		// signer meant is ambiguous.
		return nil, fmt.Errorf("%w: header has both kid and jwk", ErrMalformed)
	case hasJWK:
		obj, ok := jwkV.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: jwk is not an object", ErrMalformed)
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("%w: jwk: %v", ErrMalformed, err)
		}
		k, j, err := keys.ParsePublicJWK(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: jwk header: %w", ErrMalformed, err)
		}
		if j.Alg != "" && j.Alg != t.alg {
			return nil, fmt.Errorf("%w: jwk alg %q differs from header alg %q", ErrAlgNotAllowed, j.Alg, t.alg)
		}
		if j.Use != "" && j.Use != "sig" {
			return nil, fmt.Errorf("%w: jwk use %q is not sig", ErrMalformed, j.Use)
		}
		pub = k
		res.JWK = &j
		res.SelfAsserted = true
	default:
		if resolve == nil {
			return nil, fmt.Errorf("%w: no key resolver", ErrKeyNotFound)
		}
		k, err := resolve(ctx, res.Kid, issuer)
		if err != nil {
			return nil, fmt.Errorf("resolve key: %w", err)
		}
		if k == nil {
			return nil, fmt.Errorf("%w: resolver returned no key", ErrKeyNotFound)
		}
		pub = k
	}
	if err := keys.Verify(keys.Alg(t.alg), pub, t.signingInput, t.sig); err != nil {
		if errors.Is(err, keys.ErrBadSignature) {
			return nil, ErrBadSignature
		}
		// The key does not suit the alg (e.g. an Ed25519 key for ES256, a
		// short RSA key): the token cannot have been signed by it.
		return nil, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return res, nil
}

// credentialShape tells the credential token shapes apart and returns the
// object holding the credential's own fields (the vc claim, or the
// payload).
func credentialShape(t *token) (string, map[string]any, error) {
	if _, ok := t.payload["vp"]; ok || t.typ == "vp+jwt" {
		return "", nil, fmt.Errorf("%w: token is a presentation", ErrMalformed)
	}
	if v, ok := t.payload["vc"]; ok {
		vc, ok := v.(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("%w: vc claim is not an object", ErrMalformed)
		}
		return ShapeVCClaim, vc, nil
	}
	_, hasIss := t.payload["iss"]
	_, hasNbf := t.payload["nbf"]
	if t.typ == "vc+jwt" || t.typ == "vc+ld+jwt" || (!hasIss && !hasNbf) {
		return ShapeJOSECOSE, t.payload, nil
	}
	return ShapeOB, t.payload, nil
}

// checkCredentialClaims compares the JWT claims with the credential fields
// they restate.
func checkCredentialClaims(claims, cred map[string]any, shape string) error {
	iss, err := stringClaim(claims, "iss")
	if err != nil {
		return err
	}
	if iss != "" {
		switch id := issuerID(cred); {
		case id == "" && shape != ShapeVCClaim:
			return claimErr("iss", "is present but the credential has no issuer id")
		case id != "" && id != iss:
			return claimErr("iss", "does not match issuer id")
		}
	}
	sub, err := stringClaim(claims, "sub")
	if err != nil {
		return err
	}
	if ids := subjectIDs(cred); sub != "" && len(ids) > 0 && !slices.Contains(ids, sub) {
		return claimErr("sub", "does not match credentialSubject.id")
	}
	jti, err := stringClaim(claims, "jti")
	if err != nil {
		return err
	}
	if id, _ := cred["id"].(string); jti != "" && id != "" && id != jti {
		return claimErr("jti", "does not match id")
	}
	if shape != ShapeOB {
		// VC-JOSE-COSE iat/exp/nbf describe the token; VCDM 1.1 nbf/exp
		// stand in for the dates and are filled in, not compared.
		return nil
	}
	for _, c := range []struct{ claim, field, legacy string }{
		{"nbf", "validFrom", "issuanceDate"},
		{"exp", "validUntil", "expirationDate"},
	} {
		if err := checkDateClaim(claims, cred, c.claim, c.field, c.legacy); err != nil {
			return err
		}
	}
	return nil
}

// checkDateClaim checks a NumericDate claim against a credential date
// (OB 3.0 §8.2.4.1), when both are present. They are compared as instants
// at whole-second precision, since NumericDate values are whole seconds
// here: validFrom "2025-06-01T02:00:00.5+02:00" matches nbf 1748736000.
// Credentials in the VCDM 1.1 vocabulary use the legacy field name.
func checkDateClaim(claims, cred map[string]any, claim, field, legacy string) error {
	nd, ok, err := numericDate(claims, claim)
	if err != nil || !ok {
		return err
	}
	name := field
	v, ok := cred[field]
	if !ok {
		name = legacy
		if v, ok = cred[legacy]; !ok {
			return nil
		}
	}
	s, _ := v.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return claimErr(claim, "cannot be compared: "+name+" is not an RFC 3339 date-time")
	}
	if ts.Unix() != nd.Unix() {
		return claimErr(claim, "does not match "+name)
	}
	return nil
}

// checkTimes checks the token's own exp and nbf (and, for presentations,
// iat) against now with skew (RFC 7519 §4.1.4, §4.1.5).
func checkTimes(claims map[string]any, now time.Time, skew time.Duration, checkIat bool) error {
	if now.IsZero() {
		now = time.Now()
	}
	exp, ok, err := numericDate(claims, "exp")
	if err != nil {
		return err
	}
	if ok && !now.Before(exp.Add(skew)) {
		return fmt.Errorf("%w: exp %s", ErrTokenExpired, exp.UTC().Format(time.RFC3339))
	}
	nbf, ok, err := numericDate(claims, "nbf")
	if err != nil {
		return err
	}
	if ok && now.Add(skew).Before(nbf) {
		return fmt.Errorf("%w: nbf %s", ErrTokenNotYetValid, nbf.UTC().Format(time.RFC3339))
	}
	iat, ok, err := numericDate(claims, "iat")
	if err != nil {
		return err
	}
	if checkIat && ok && now.Add(skew).Before(iat) {
		return fmt.Errorf("%w: issued in the future (iat %s)", ErrTokenNotYetValid, iat.UTC().Format(time.RFC3339))
	}
	return nil
}

// maxNumericDate keeps NumericDate conversions exact and inside time.Time's
// range (about 285 million years).
const maxNumericDate = 1 << 53

// numericDate reads a NumericDate claim (RFC 7519 §2): a JSON number of
// seconds since the epoch, possibly fractional.
func numericDate(claims map[string]any, name string) (time.Time, bool, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false, fmt.Errorf("%w: %s is not a NumericDate", ErrMalformed, name)
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9)), true, nil
}

// stringClaim returns a string claim, "" when absent.
func stringClaim(claims map[string]any, name string) (string, error) {
	v, ok := claims[name]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s claim is not a string", ErrMalformed, name)
	}
	return s, nil
}

// issuerID returns the credential's issuer: a URL string or an object's id.
func issuerID(cred map[string]any) string {
	return objectID(cred["issuer"])
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

// subjectIDs returns the ids of credentialSubject (an object or an array).
func subjectIDs(cred map[string]any) []string {
	var ids []string
	switch cs := cred["credentialSubject"].(type) {
	case map[string]any:
		if id, ok := cs["id"].(string); ok {
			ids = append(ids, id)
		}
	case []any:
		for _, s := range cs {
			if m, ok := s.(map[string]any); ok {
				if id, ok := m["id"].(string); ok {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// registeredClaims are the JWT claims OB 3.0 adds to the credential; they
// are dropped from the credential Verify returns for ShapeOB.
var registeredClaims = []string{"iss", "jti", "nbf", "sub", "exp", "iat"}

// buildCredential returns the plain credential for shape.
func buildCredential(claims, src map[string]any, shape string) map[string]any {
	cred := make(map[string]any, len(src))
	for k, v := range src {
		cred[k] = v
	}
	switch shape {
	case ShapeOB:
		for _, c := range registeredClaims {
			delete(cred, c)
		}
	case ShapeVCClaim:
		fillFromClaims(claims, cred)
	}
	return cred
}

// fillFromClaims applies the VCDM 1.1 §6.3.1 mapping from JWT claims to
// credential fields where the vc claim lacks them. Dates use the 1.1 names
// (issuanceDate, expirationDate) unless the credential is VCDM 2.0.
func fillFromClaims(claims, cred map[string]any) {
	if iss, ok := claims["iss"].(string); ok && issuerID(cred) == "" {
		if obj, ok := cred["issuer"].(map[string]any); ok {
			cred["issuer"] = withID(obj, iss)
		} else {
			cred["issuer"] = iss
		}
	}
	if jti, ok := claims["jti"].(string); ok {
		if _, has := cred["id"]; !has {
			cred["id"] = jti
		}
	}
	if sub, ok := claims["sub"].(string); ok {
		switch cs := cred["credentialSubject"].(type) {
		case nil:
			cred["credentialSubject"] = map[string]any{"id": sub}
		case map[string]any:
			if _, has := cs["id"]; !has {
				cred["credentialSubject"] = withID(cs, sub)
			}
		}
	}
	from, until := "issuanceDate", "expirationDate"
	if isVCDM2(cred) {
		from, until = "validFrom", "validUntil"
	}
	for _, c := range []struct{ claim, field string }{{"nbf", from}, {"exp", until}} {
		if _, has := cred[c.field]; has {
			continue
		}
		if t, ok, err := numericDate(claims, c.claim); ok && err == nil {
			cred[c.field] = t.UTC().Format(time.RFC3339)
		}
	}
}

// withID returns a copy of obj with id set, leaving the verified claims
// untouched.
func withID(obj map[string]any, id string) map[string]any { return withMember(obj, "id", id) }

// contextV2 is the VCDM 2.0 base context (VCDM 2.0 §4.3).
const contextV2 = "https://www.w3.org/ns/credentials/v2"

func isVCDM2(doc map[string]any) bool {
	switch c := doc["@context"].(type) {
	case string:
		return c == contextV2
	case []any:
		return len(c) > 0 && c[0] == contextV2
	}
	return false
}
