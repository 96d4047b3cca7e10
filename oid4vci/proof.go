package oid4vci

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
)

// MaxProofBytes bounds one proof JWT. A proof with a did:jwk kid of a P-256
// key is about 700 bytes.
const MaxProofBytes = 16 << 10

// DefaultProofAlgs are the proof signing algorithms accepted by default.
var DefaultProofAlgs = []keys.Alg{keys.EdDSA, keys.ES256}

// DefaultBindingMethods are the DID methods accepted in a proof's kid.
var DefaultBindingMethods = []string{"key", "jwk"}

// ProofOptions configures CheckProofJWT.
type ProofOptions struct {
	// Audience is the Credential Issuer Identifier the aud claim must
	// equal (§F.1).
	Audience string
	// Now is the time to check iat against.
	Now time.Time
	// MaxAge is how far in the past iat may be (default 5 minutes); Skew how
	// far in the future (default 1 minute).
	MaxAge, Skew time.Duration
	// Algs are the accepted alg values (default DefaultProofAlgs).
	Algs []keys.Alg
	// Methods are the DID methods accepted in kid (default
	// DefaultBindingMethods).
	Methods []string
	// Resolver resolves the DID in kid.
	Resolver did.Resolver
	// RequireNonce makes a proof without a nonce claim invalid_proof (the
	// issuer has a Nonce Endpoint, §F.1).
	RequireNonce bool
}

// Proof is a verified key proof.
type Proof struct {
	// HolderDID is the DID the credential binds to: the DID of kid, or
	// the did:jwk of the jwk header as the wallet serialized it (its
	// member order kept; did.JWKDIDOf).
	HolderDID string
	// KeyID is the verification method that signed: kid, or HolderDID#0.
	KeyID    string
	Alg      keys.Alg
	Key      crypto.PublicKey
	Nonce    string
	Issuer   string
	IssuedAt time.Time
}

// CheckProofJWT verifies one key proof of type jwt (§8.2.1.1, Appendix F.1)
// and returns the key and the holder DID it proves. It checks: compact JWS
// syntax; typ openid4vci-proof+jwt; alg allowed (never none); exactly one of
// kid (a did:key or did:jwk DID URL, resolved) and jwk (public members
// only), no x5c and no crit; the signature; aud equal to the issuer
// identifier; iat a number within [Now-MaxAge, Now+Skew]; exp and nbf when
// present; and a nonce claim when RequireNonce. It does not consume the
// nonce: the caller takes it from its store.
//
// Every failure is an *Error with code invalid_proof.
func CheckProofJWT(ctx context.Context, token string, opts ProofOptions) (*Proof, error) {
	bad := func(format string, args ...any) error { return Errorf(CodeInvalidProof, format, args...) }
	if opts.MaxAge <= 0 {
		opts.MaxAge = 5 * time.Minute
	}
	if opts.Skew <= 0 {
		opts.Skew = time.Minute
	}
	if opts.Algs == nil {
		opts.Algs = DefaultProofAlgs
	}
	if opts.Methods == nil {
		opts.Methods = DefaultBindingMethods
	}
	if len(token) > MaxProofBytes {
		return nil, bad("the proof JWT exceeds %d bytes", MaxProofBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, bad("the proof is not a compact JWS (three non-empty segments)")
	}
	var hdr, claims map[string]json.RawMessage
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return nil, bad("the proof header is not a base64url JSON object")
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, bad("the proof payload is not a base64url JSON object")
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return nil, bad("the proof signature is not base64url")
	}

	typ, _ := str(hdr, "typ")
	if !strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), ProofJWTType) {
		return nil, bad("typ must be %q", ProofJWTType)
	}
	algName, _ := str(hdr, "alg")
	alg := keys.Alg(algName)
	if algName == "" || strings.EqualFold(algName, "none") || !slices.Contains(opts.Algs, alg) {
		return nil, bad("alg %s is not allowed; use one of %v", safeName(algName), opts.Algs)
	}
	if _, ok := hdr["crit"]; ok {
		return nil, bad("crit is not supported")
	}
	n := 0
	for _, k := range []string{"kid", "jwk", "x5c"} {
		if _, ok := hdr[k]; ok {
			n++
		}
	}
	if n != 1 {
		return nil, bad("the proof header needs exactly one of kid and jwk")
	}
	p := &Proof{Alg: alg}
	switch {
	case hdr["x5c"] != nil:
		return nil, bad("x5c key proofs are not supported; use kid (did:key, did:jwk) or jwk")
	case hdr["jwk"] != nil:
		// The did:jwk is built from the JWK as the wallet wrote it, in its
		// member order: the DID the wallet computed from the same JSON,
		// not a re-serialization of ours.
		holder, pub, err := did.JWKDIDOf(hdr["jwk"])
		if errors.Is(err, keys.ErrPrivateJWK) {
			return nil, bad("the jwk header contains private key material")
		} else if err != nil {
			return nil, bad("the jwk header is not a usable public key")
		}
		if use, _ := str(mustMembers(hdr["jwk"]), "use"); use == "enc" {
			return nil, bad("the jwk header is an encryption key (use enc); prove with a signing key")
		}
		p.Key, p.HolderDID, p.KeyID = pub, holder, holder+"#0"
	default:
		kid, ok := str(hdr, "kid")
		if !ok || kid == "" {
			return nil, bad("kid must be a DID URL")
		}
		pub, holder, err := resolveKid(ctx, kid, opts)
		if err != nil {
			return nil, err
		}
		p.Key, p.HolderDID, p.KeyID = pub, holder, kid
	}
	if err := keys.Verify(alg, p.Key, []byte(parts[0]+"."+parts[1]), sig); err != nil {
		return nil, Wrap(CodeInvalidProof, "the proof signature does not verify with the key in the header", err)
	}

	if !audienceMatches(claims["aud"], opts.Audience) {
		return nil, bad("aud must be the credential issuer identifier %q", opts.Audience)
	}
	iat, ok := number(claims, "iat")
	if !ok {
		return nil, bad("iat (a NumericDate) is required")
	}
	p.IssuedAt = time.Unix(int64(iat), 0).UTC()
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if p.IssuedAt.Before(now.Add(-opts.MaxAge)) || p.IssuedAt.After(now.Add(opts.Skew)) {
		return nil, bad("iat is outside the accepted window (now -%v / +%v)", opts.MaxAge, opts.Skew)
	}
	if exp, ok := number(claims, "exp"); ok && time.Unix(int64(exp), 0).Before(now.Add(-opts.Skew)) {
		return nil, bad("the proof has expired")
	} else if !ok && claims["exp"] != nil {
		return nil, bad("exp must be a NumericDate")
	}
	if nbf, ok := number(claims, "nbf"); ok && time.Unix(int64(nbf), 0).After(now.Add(opts.Skew)) {
		return nil, bad("the proof is not valid yet (nbf)")
	} else if !ok && claims["nbf"] != nil {
		return nil, bad("nbf must be a NumericDate")
	}
	if raw, present := claims["nonce"]; present {
		nonce, ok := str(claims, "nonce")
		if !ok || nonce == "" || isNull(raw) {
			return nil, bad("nonce must be a non-empty string")
		}
		p.Nonce = nonce
	} else if opts.RequireNonce {
		return nil, bad("the proof has no nonce: get a c_nonce from the nonce endpoint and put it in the nonce claim")
	}
	if raw, present := claims["iss"]; present {
		iss, ok := str(claims, "iss")
		if !ok || isNull(raw) {
			return nil, bad("iss must be a string")
		}
		p.Issuer = iss
	}
	return p, nil
}

// resolveKid resolves a kid DID URL of an allowed method to the public key
// and the DID that controls it. A kid without fragment names the DID's only
// key (did:key and did:jwk documents have exactly one).
func resolveKid(ctx context.Context, kid string, opts ProofOptions) (crypto.PublicKey, string, error) {
	bad := func(format string, args ...any) error { return Errorf(CodeInvalidProof, format, args...) }
	u, err := did.ParseURL(kid)
	if err != nil {
		return nil, "", bad("kid is not a DID URL")
	}
	if !slices.Contains(opts.Methods, u.DID.Method) {
		return nil, "", bad("kid uses did:%s; supported binding methods are %s", u.DID.Method, "did:"+strings.Join(opts.Methods, ", did:"))
	}
	if opts.Resolver == nil {
		return nil, "", bad("kid cannot be resolved here")
	}
	holder := u.DID.String()
	var vm *did.VerificationMethod
	if holder == kid {
		doc, err := opts.Resolver.Resolve(ctx, holder)
		if err != nil {
			return nil, "", Wrap(CodeInvalidProof, "the DID in kid does not resolve", err)
		}
		if len(doc.VerificationMethod) != 1 {
			return nil, "", bad("kid names a DID with several keys; add the key's fragment")
		}
		vm, err = doc.Method(doc.VerificationMethod[0].ID, did.Authentication)
		if err != nil {
			return nil, "", Wrap(CodeInvalidProof, "the DID's key may not be used for authentication", err)
		}
	} else {
		vm, err = did.ResolveMethod(ctx, opts.Resolver, kid, did.Authentication)
		if err != nil {
			return nil, "", Wrap(CodeInvalidProof, "kid does not name an authentication key of its DID", err)
		}
	}
	pub, err := vm.PublicKey()
	if err != nil {
		return nil, "", Wrap(CodeInvalidProof, "the key kid names is not usable", err)
	}
	return pub, holder, nil
}

// mustMembers returns the members of a JSON object already checked, or
// none.
func mustMembers(raw json.RawMessage) map[string]json.RawMessage {
	m, _ := members(raw)
	return m
}

func decodeSegment(seg string, v *map[string]json.RawMessage) error {
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return err
	}
	m, err := members(b)
	if err != nil {
		return err
	}
	*v = m
	return nil
}

func str(m map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := m[name]
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// number reads a JSON number member that fits a NumericDate.
func number(m map[string]json.RawMessage, name string) (float64, bool) {
	raw, ok := m[name]
	if !ok || len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return 0, false
	}
	return f, true
}

// audienceMatches accepts aud as the issuer identifier string, or (RFC 7519
// §4.1.3) an array holding it.
func audienceMatches(raw json.RawMessage, want string) bool {
	if len(raw) == 0 || want == "" {
		return false
	}
	raw = bytes.TrimSpace(raw)
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s == want
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return false
	}
	return slices.Contains(list, want)
}

// String describes the proof for logs without the key material.
func (p *Proof) String() string {
	return fmt.Sprintf("proof(%s, %s)", p.Alg, p.KeyID)
}
