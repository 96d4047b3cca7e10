package status

import (
	"context"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
)

// acceptList is the Accept header for a status list credential: the media
// types that secure it (Bitstring Status List v1.0 §2.2, "SHOULD use the
// same securing mechanism as the credential"), then generic JSON.
const acceptList = "application/vc, application/vc+jwt, application/vc+ld+json, application/ld+json;q=0.9, application/jwt;q=0.9, application/json;q=0.8"

// minListTTL floors a list's own ttl, so a list cannot make the verifier
// fetch it for every credential.
const minListTTL = time.Second

// bitList is a fetched, verified and decoded status list credential.
type bitList struct {
	issuer     string
	purposes   []string
	bits       []byte
	validFrom  time.Time // zero: none
	validUntil time.Time // zero: none
	// local lists came from CheckerConfig.Local, with the version of
	// their bits.
	local   bool
	version uint64
}

// listShape names what differs between the two bitstring methods.
type listShape struct {
	credType, subjectType string
	decode                func(string) ([]byte, error)
}

var shapes = map[kind]listShape{
	kindBitstring: {TypeBitstringStatusListCredential, TypeBitstringStatusList, Decode},
	kind2021:      {TypeStatusList2021Credential, TypeStatusList2021, DecodeStatusList2021},
}

// loadBitstring fetches the list at u, verifies its proofs and reads it
// (Bitstring Status List v1.0 §3.2 steps 2 to 6, without what depends on
// the entry).
func (c *Checker) loadBitstring(ctx context.Context, k kind, u string) (any, int64, time.Time, error) {
	if err := checkURL(u); err != nil {
		return nil, 0, time.Time{}, err
	}
	var (
		raw     []byte
		local   bool
		version uint64
		err     error
	)
	if c.cfg.Local != nil {
		if raw, version, local, err = c.cfg.Local.LocalStatusList(ctx, u); err != nil {
			return nil, 0, time.Time{}, fail(CodeRetrieval, u, "status list %s from the store: %w", u, err)
		}
	}
	if !local {
		if c.cfg.Fetch == nil {
			return nil, 0, time.Time{}, fail(CodeRetrieval, u, "fetch %s: no Fetch configured", u)
		}
		if raw, _, err = c.cfg.Fetch(ctx, u, acceptList); err != nil {
			return nil, 0, time.Time{}, fail(CodeRetrieval, u, "fetch %s: %w", u, err)
		}
	}
	if c.cfg.VerifyList == nil {
		return nil, 0, time.Time{}, fail(CodeVerification, u, "status list %s: no VerifyList configured", u)
	}
	doc, issuer, err := c.cfg.VerifyList(ctx, raw)
	if err != nil {
		return nil, 0, time.Time{}, fail(CodeVerification, u, "status list %s: %w", u, err)
	}
	l, ttl, err := parseList(doc, k, u)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	if issuer != "" {
		l.issuer = issuer
	}
	l.local, l.version = local, version
	if l.issuer == "" {
		return nil, 0, time.Time{}, fail(CodeVerification, u, "status list %s has no issuer", u)
	}

	now := c.cfg.Now()
	keep := c.cfg.TTL
	if ttl >= 0 && ttl < keep {
		keep = max(ttl, minListTTL)
	}
	expires := now.Add(keep)
	if !l.validUntil.IsZero() && l.validUntil.Before(expires) {
		expires = l.validUntil
		if !expires.After(now) {
			// Already expired: remember it as briefly as an error.
			expires = now.Add(c.cfg.ErrorTTL)
		}
	}
	return l, int64(len(l.bits)) + 256, expires, nil
}

// parseList reads a status list credential already verified, returning its
// ttl (negative when absent).
func parseList(doc map[string]any, k kind, u string) (*bitList, time.Duration, error) {
	shape := shapes[k]
	if !hasType(doc["type"], shape.credType) {
		return nil, 0, fail(CodeVerification, u, "status list %s is not a %s (type %s)", u, shape.credType, jsonText(doc["type"]))
	}
	subject, ok := doc["credentialSubject"].(map[string]any)
	if arr, isArr := doc["credentialSubject"].([]any); isArr && len(arr) == 1 {
		subject, ok = arr[0].(map[string]any)
	}
	if !ok {
		return nil, 0, fail(CodeMalformed, u, "status list %s: credentialSubject must be one object", u)
	}
	if !hasType(subject["type"], shape.subjectType) {
		return nil, 0, fail(CodeVerification, u, "status list %s: credentialSubject is not a %s (type %s)", u, shape.subjectType, jsonText(subject["type"]))
	}
	l := &bitList{issuer: issuerID(doc)}
	purposes, ok := stringList(subject["statusPurpose"])
	if !ok || len(purposes) == 0 || contains(purposes, "") {
		return nil, 0, fail(CodeMalformed, u, "status list %s: statusPurpose must be a string or an array of strings, not %s", u, jsonText(subject["statusPurpose"]))
	}
	l.purposes = purposes
	enc, ok := subject["encodedList"].(string)
	if !ok {
		return nil, 0, fail(CodeMalformed, u, "status list %s: encodedList must be a string, not %s", u, kindOf(subject["encodedList"]))
	}
	bits, err := shape.decode(enc)
	if err != nil {
		return nil, 0, fail(CodeMalformed, u, "status list %s: %w", u, err)
	}
	l.bits = bits

	ttl := time.Duration(-1)
	if v, ok := subject["ttl"]; ok {
		ms, ok := number(v)
		if !ok || ms < 0 {
			return nil, 0, fail(CodeMalformed, u, "status list %s: ttl must be a number of milliseconds, not %s", u, jsonText(v))
		}
		ttl = time.Duration(math.MaxInt64)
		if ms < float64(math.MaxInt64/int64(time.Millisecond)) {
			ttl = time.Duration(ms * float64(time.Millisecond))
		}
	}
	// VCDM 2.0 names, then VCDM 1.1 names (StatusList2021 lists).
	for _, f := range []struct {
		dst   *time.Time
		names []string
	}{
		{&l.validFrom, []string{"validFrom", "issuanceDate"}},
		{&l.validUntil, []string{"validUntil", "expirationDate"}},
	} {
		for _, name := range f.names {
			v, ok := doc[name]
			if !ok {
				continue
			}
			s, _ := v.(string)
			t, err := credential.ParseTime(s)
			if err != nil {
				return nil, 0, fail(CodeMalformed, u, "status list %s: %s: %w", u, name, err)
			}
			*f.dst = t
			break
		}
	}
	return l, ttl, nil
}

// checkURL accepts an absolute http or https URL.
func checkURL(s string) error {
	p, err := url.Parse(s)
	if err != nil || !p.IsAbs() || p.Opaque != "" {
		return fail(CodeMalformed, s, "%q is not an absolute URL", s)
	}
	if p.Scheme != "https" && p.Scheme != "http" {
		return fail(CodeRetrieval, s, "%s: unsupported URL scheme %q", s, p.Scheme)
	}
	if p.Host == "" {
		return fail(CodeMalformed, s, "%q has no host", s)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return fail(CodeMalformed, s, "%q contains white space", s)
	}
	return nil
}
