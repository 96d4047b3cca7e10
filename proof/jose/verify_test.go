package jose_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// obPayload returns the OB VC-JWT payload SignCredential would make for
// digestCred, for tests that craft tokens by hand.
func obPayload(tb testing.TB) map[string]any {
	tb.Helper()
	p := digestCred(tb)
	p["iss"] = "https://example.com/issuers/876543"
	p["jti"] = "http://example.com/credentials/3527"
	p["nbf"] = 1748736000
	p["sub"] = "did:example:ebfeb1f712ebc6f1c276e12ec21"
	p["exp"] = 1893456000
	return p
}

func obHeader(alg string) map[string]any {
	return map[string]any{"alg": alg, "kid": testKid, "typ": "JWT"}
}

func TestVerifyErrors(t *testing.T) {
	t.Parallel()
	ed := genKey(t, keys.EdDSA)
	ec := genKey(t, keys.ES256)
	other := genKey(t, keys.EdDSA)
	edSign := keySigner(t, ed)
	good, err := jose.SignCredential(digestCred(t), ed, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	goodEC, err := jose.SignCredential(digestCred(t), ec, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gh, gp, gs := segments(t, good)
	edited := func(edit func(p map[string]any)) string {
		p := obPayload(t)
		edit(p)
		return compact(t, obHeader("EdDSA"), p, edSign)
	}
	hdr := func(edit func(h map[string]any)) string {
		h := obHeader("EdDSA")
		edit(h)
		return compact(t, h, obPayload(t), edSign)
	}
	privJWK := func() map[string]any {
		var m map[string]any
		b, _ := json.Marshal(ed.PublicJWK())
		_ = json.Unmarshal(b, &m)
		m["d"] = enc.EncodeToString(make([]byte, 32))
		return m
	}()

	tests := []struct {
		name    string
		token   string
		key     crypto.PublicKey // what the resolver returns for testKid; ed's by default
		noRes   bool
		opts    jose.VerifyOptions
		want    []error // errors.Is must hold for one of them
		claim   string  // for ErrClaimMismatch, the claim named
		alsoIs  error
		wantRes bool
	}{
		{name: "ok/eddsa", token: good, wantRes: true},
		{name: "ok/es256", token: goodEC, key: ec.Public(), wantRes: true},
		{name: "ok/skew-admits-expired", token: edited(func(p map[string]any) {
			p["validUntil"] = "2025-07-01T11:59:30Z"
			p["exp"] = 1751371170
		}), opts: jose.VerifyOptions{ClockSkew: time.Minute}, wantRes: true},

		// Tampering.
		{name: "fail/tampered-payload", token: withSegment(good, 1, []byte(strings.Replace(string(gp), "Teamwork", "Teamwerk", 1))), want: []error{jose.ErrBadSignature}},
		{name: "fail/tampered-payload-byte", token: flipChar(good, len(strings.Split(good, ".")[0])+10), want: []error{jose.ErrBadSignature, jose.ErrMalformed}},
		{name: "fail/tampered-header", token: withSegment(good, 0, []byte(strings.Replace(string(gh), `"typ":"JWT"`, `"typ":"jwt"`, 1))), want: []error{jose.ErrBadSignature}},
		{name: "fail/tampered-signature", token: withSegment(good, 2, flipBit(gs)), want: []error{jose.ErrBadSignature}, alsoIs: keys.ErrBadSignature},
		{name: "fail/truncated-signature", token: withSegment(good, 2, gs[:63]), want: []error{jose.ErrBadSignature}},
		{name: "fail/empty-signature", token: good[:strings.LastIndexByte(good, '.')+1], want: []error{jose.ErrBadSignature}},
		{name: "fail/es256-tampered-signature", token: withSegment(goodEC, 2, flipBit(segmentBytes(t, goodEC, 2))), key: ec.Public(), want: []error{jose.ErrBadSignature}},

		// Algorithms (RFC 8725 §3.1, §3.2).
		{name: "fail/alg-none", token: "eyJhbGciOiJub25lIn0." + strings.Split(good, ".")[1] + ".", want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/alg-none-listed", token: "eyJhbGciOiJub25lIn0." + strings.Split(good, ".")[1] + ".", opts: jose.VerifyOptions{AllowedAlgs: []string{"none", "EdDSA"}}, want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/hs256", token: compact(t, obHeader("HS256"), obPayload(t), hmacSigner([]byte(ed.PublicJWK().X))), want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/hs256-listed", token: compact(t, obHeader("HS256"), obPayload(t), hmacSigner([]byte(ed.PublicJWK().X))), opts: jose.VerifyOptions{AllowedAlgs: []string{"HS256"}}, want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/alg-not-in-allowed", token: goodEC, key: ec.Public(), opts: jose.VerifyOptions{AllowedAlgs: []string{"EdDSA"}}, want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/empty-allowed", token: good, opts: jose.VerifyOptions{AllowedAlgs: []string{}}, want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/alg-case", token: compact(t, obHeader("eddsa"), obPayload(t), edSign), want: []error{jose.ErrAlgNotAllowed}},
		{name: "fail/no-alg", token: hdr(func(h map[string]any) { delete(h, "alg") }), want: []error{jose.ErrMalformed}},

		// Keys.
		{name: "fail/key-swap", token: good, key: other.Public(), want: []error{jose.ErrBadSignature}},
		{name: "fail/key-type-swap", token: good, key: ec.Public(), want: []error{jose.ErrBadSignature}, alsoIs: keys.ErrUnsupportedKeyType},
		{name: "fail/alg-swap", token: compact(t, obHeader("ES256"), obPayload(t), edSign), want: []error{jose.ErrBadSignature}},
		{name: "fail/unknown-kid", token: hdr(func(h map[string]any) { h["kid"] = "did:web:evil.example#k" }), want: []error{jose.ErrKeyNotFound}},
		{name: "fail/no-resolver", token: good, noRes: true, want: []error{jose.ErrKeyNotFound}},
		{name: "fail/kid-not-string", token: hdr(func(h map[string]any) { h["kid"] = 7 }), want: []error{jose.ErrMalformed}},
		{name: "fail/kid-and-jwk", token: hdr(func(h map[string]any) { h["jwk"] = ed.PublicJWK() }), want: []error{jose.ErrMalformed}},
		{name: "fail/jwk-private-d", token: hdr(func(h map[string]any) { delete(h, "kid"); h["jwk"] = privJWK }), want: []error{jose.ErrMalformed}, alsoIs: keys.ErrPrivateJWK},
		{name: "fail/jwk-wrong-key", token: hdr(func(h map[string]any) { delete(h, "kid"); h["jwk"] = other.PublicJWK() }), want: []error{jose.ErrBadSignature}},
		{name: "fail/jwk-alg-differs", token: hdr(func(h map[string]any) {
			delete(h, "kid")
			j := ed.PublicJWK()
			j.Alg = "ES256"
			h["jwk"] = j
		}), want: []error{jose.ErrAlgNotAllowed}},

		// Header rules.
		{name: "ok/typ-absent", token: hdr(func(h map[string]any) { delete(h, "typ") }), wantRes: true},
		{name: "fail/typ-unknown", token: hdr(func(h map[string]any) { h["typ"] = "openid4vci-proof+jwt" }), want: []error{jose.ErrMalformed}},
		{name: "fail/typ-not-string", token: hdr(func(h map[string]any) { h["typ"] = true }), want: []error{jose.ErrMalformed}},
		{name: "fail/crit", token: hdr(func(h map[string]any) { h["crit"] = []string{"b64"}; h["b64"] = false }), want: []error{jose.ErrMalformed}},
		{name: "fail/header-duplicate-member", token: compact(t, `{"alg":"EdDSA","kid":"`+testKid+`","alg":"none"}`, obPayload(t), edSign), want: []error{jose.ErrMalformed}},

		// Payload.
		{name: "fail/payload-duplicate-member", token: compact(t, obHeader("EdDSA"), `{"iss":"a","iss":"b"}`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-escaped-duplicate", token: compact(t, obHeader("EdDSA"), `{"iss":"a","\u0069ss":"b"}`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-large-object-duplicate", token: compact(t, obHeader("EdDSA"), manyMembers(40, "m7"), edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-nested-duplicate", token: compact(t, obHeader("EdDSA"), `{"credentialSubject":{"id":"a","id":"b"}}`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-array", token: compact(t, obHeader("EdDSA"), `[1,2]`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-trailing", token: compact(t, obHeader("EdDSA"), `{"a":1} {}`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/payload-deep", token: compact(t, obHeader("EdDSA"), `{"a":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`, edSign), want: []error{jose.ErrMalformed}},
		{name: "fail/nbf-not-number", token: edited(func(p map[string]any) { p["nbf"] = "1748736000" }), want: []error{jose.ErrMalformed}},
		{name: "fail/iss-not-string", token: edited(func(p map[string]any) { p["iss"] = map[string]any{"id": "x"} }), want: []error{jose.ErrMalformed}},
		{name: "fail/presentation", token: edited(func(p map[string]any) { p["vp"] = map[string]any{} }), want: []error{jose.ErrMalformed}},
		{name: "fail/vc-not-object", token: edited(func(p map[string]any) { p["vc"] = "x" }), want: []error{jose.ErrMalformed}},

		// Claim consistency (OB 3.0 §8.2.4.1).
		{name: "fail/iss-mismatch", token: edited(func(p map[string]any) { p["iss"] = "https://evil.example/issuer" }), want: []error{jose.ErrClaimMismatch}, claim: "iss"},
		{name: "fail/iss-without-issuer", token: edited(func(p map[string]any) { delete(p, "issuer") }), want: []error{jose.ErrClaimMismatch}, claim: "iss"},
		{name: "fail/sub-mismatch", token: edited(func(p map[string]any) { p["sub"] = "did:example:someone-else" }), want: []error{jose.ErrClaimMismatch}, claim: "sub"},
		{name: "fail/jti-mismatch", token: edited(func(p map[string]any) { p["jti"] = "urn:uuid:other" }), want: []error{jose.ErrClaimMismatch}, claim: "jti"},
		{name: "fail/nbf-mismatch", token: edited(func(p map[string]any) { p["nbf"] = 1748736001 }), want: []error{jose.ErrClaimMismatch}, claim: "nbf"},
		{name: "fail/exp-mismatch", token: edited(func(p map[string]any) { p["exp"] = 1893455999 }), want: []error{jose.ErrClaimMismatch}, claim: "exp"},
		{name: "fail/validFrom-unparsable", token: edited(func(p map[string]any) { p["validFrom"] = "June 2025" }), want: []error{jose.ErrClaimMismatch}, claim: "nbf"},
		{name: "ok/nbf-vs-offset-validFrom", token: edited(func(p map[string]any) { p["validFrom"] = "2025-06-01T02:00:00+02:00" }), wantRes: true},
		{name: "ok/legacy-issuanceDate", token: edited(func(p map[string]any) {
			delete(p, "validFrom")
			p["issuanceDate"] = "2025-06-01T00:00:00Z"
		}), wantRes: true},
		{name: "ok/no-sub-no-jti", token: edited(func(p map[string]any) { delete(p, "sub"); delete(p, "jti") }), wantRes: true},

		// Token lifetime.
		{name: "fail/expired", token: edited(func(p map[string]any) {
			p["validUntil"] = "2025-07-01T00:00:00Z"
			p["exp"] = 1751328000
		}), want: []error{jose.ErrTokenExpired}},
		{name: "fail/not-yet-valid", token: edited(func(p map[string]any) {
			p["validFrom"] = "2026-01-01T00:00:00Z"
			p["nbf"] = 1767225600
		}), want: []error{jose.ErrTokenNotYetValid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := tt.key
			if key == nil {
				key = ed.Public()
			}
			var resolve jose.KeyResolver
			if !tt.noRes {
				resolve = newResolver(testKid, key).resolve
			}
			if tt.opts.Now.IsZero() {
				tt.opts.Now = testNow
			}
			res, err := jose.Verify(context.Background(), tt.token, resolve, tt.opts)
			if tt.wantRes {
				if err != nil || res == nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", res)
			}
			if res != nil {
				t.Errorf("result %+v returned with error", res)
			}
			matched := false
			for _, w := range tt.want {
				matched = matched || errors.Is(err, w)
			}
			if !matched {
				t.Errorf("err = %v, want one of %v", err, tt.want)
			}
			if tt.alsoIs != nil && !errors.Is(err, tt.alsoIs) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.alsoIs)
			}
			if tt.claim != "" {
				var ce *jose.ClaimError
				if !errors.As(err, &ce) || ce.Claim != tt.claim {
					t.Errorf("err = %v, want a ClaimError for %q", err, tt.claim)
				}
			}
		})
	}
}

// Claim mismatch errors name the claim but never echo the values, which
// may identify the learner.
func TestClaimErrorHidesValues(t *testing.T) {
	t.Parallel()
	ed := genKey(t, keys.EdDSA)
	p := obPayload(t)
	p["sub"] = "did:example:private-learner"
	tok := compact(t, obHeader("EdDSA"), p, keySigner(t, ed))
	_, err := jose.Verify(context.Background(), tok, newResolver(testKid, ed.Public()).resolve, jose.VerifyOptions{Now: testNow})
	if !errors.Is(err, jose.ErrClaimMismatch) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "private-learner") || strings.Contains(err.Error(), "ebfeb1f712") {
		t.Errorf("error echoes a subject id: %v", err)
	}
}

func TestVerifyMalformedInput(t *testing.T) {
	t.Parallel()
	ed := genKey(t, keys.EdDSA)
	good, err := jose.SignCredential(digestCred(t), ed, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	huge := compact(t, obHeader("EdDSA"), map[string]any{"pad": strings.Repeat("x", jose.MaxTokenSize)}, keySigner(t, ed))
	tests := map[string]string{
		"empty":             "",
		"one-part":          "abc",
		"two-parts":         "a.b",
		"four-parts":        good + ".x",
		"empty-header":      "." + strings.SplitN(good, ".", 2)[1],
		"not-base64":        "!!.!!.!!",
		"padding":           strings.Replace(good, ".", "=.", 1),
		"newline":           good[:20] + "\n" + good[20:],
		"space":             " " + good,
		"std-base64-chars":  "eyJ+YWxnIjoiRWREU0EifQ." + strings.Split(good, ".")[1] + ".AA",
		"header-not-json":   enc.EncodeToString([]byte("alg")) + ".e30.AA",
		"header-not-object": enc.EncodeToString([]byte(`"x"`)) + ".e30.AA",
		"header-json-null":  enc.EncodeToString([]byte(`null`)) + ".e30.AA",
		"oversize":          huge,
		"non-canonical-b64": nonCanonical(good),
		"json-with-bom":     enc.EncodeToString([]byte("\ufeff{\"alg\":\"EdDSA\"}")) + ".e30.AA",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := jose.Verify(context.Background(), tok, newResolver(testKid, ed.Public()).resolve, jose.VerifyOptions{Now: testNow})
			if !errors.Is(err, jose.ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if _, _, err := jose.ParseUnverified(tok); !errors.Is(err, jose.ErrMalformed) {
				t.Errorf("ParseUnverified err = %v, want ErrMalformed", err)
			}
		})
	}
}

// VC-JOSE-COSE (W3C REC 2025-05-15): typ vc+jwt, the payload is the
// credential itself, iat/exp are about the token.
func TestVerifyVCJOSECOSE(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.ES256)
	cred := digestCred(t)
	payload := clone(t, cred)
	payload["iat"] = testNow.Add(-time.Hour).Unix()
	payload["exp"] = testNow.Add(time.Hour).Unix()
	for _, typ := range []string{"vc+jwt", "application/vc+jwt", "vc+ld+jwt", "VC+JWT"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			tok := compact(t, map[string]any{"alg": "ES256", "kid": testKid, "typ": typ, "cty": "vc"}, payload, keySigner(t, k))
			res, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if res.Shape != jose.ShapeJOSECOSE {
				t.Errorf("shape = %q", res.Shape)
			}
			if diff := cmp.Diff(clone(t, payload), res.Credential); diff != "" {
				t.Errorf("credential (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("no-typ-no-claims", func(t *testing.T) {
		t.Parallel()
		tok := compact(t, map[string]any{"alg": "ES256", "kid": testKid}, cred, keySigner(t, k))
		res, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if res.Shape != jose.ShapeJOSECOSE {
			t.Errorf("shape = %q", res.Shape)
		}
	})
	t.Run("fail/token-expired", func(t *testing.T) {
		t.Parallel()
		p := clone(t, cred)
		p["exp"] = testNow.Add(-time.Second).Unix()
		tok := compact(t, map[string]any{"alg": "ES256", "kid": testKid, "typ": "vc+jwt"}, p, keySigner(t, k))
		_, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow})
		if !errors.Is(err, jose.ErrTokenExpired) {
			t.Errorf("err = %v, want ErrTokenExpired", err)
		}
	})
	t.Run("fail/iss-mismatch", func(t *testing.T) {
		t.Parallel()
		p := clone(t, cred)
		p["iss"] = "https://evil.example"
		tok := compact(t, map[string]any{"alg": "ES256", "kid": testKid, "typ": "vc+jwt"}, p, keySigner(t, k))
		_, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow})
		if !errors.Is(err, jose.ErrClaimMismatch) {
			t.Errorf("err = %v, want ErrClaimMismatch", err)
		}
	})
}

// VCDM 1.1 §6.3.1: the credential is the vc claim; iss, jti, sub, nbf and
// exp stand for issuer, id, credentialSubject.id, issuanceDate and
// expirationDate.
func TestVerifyVCDM11(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	vc := map[string]any{
		"@context": []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"},
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"credentialSubject": map[string]any{
			"type":        "AchievementSubject",
			"achievement": map[string]any{"id": "https://example.com/achievements/1", "type": "Achievement", "name": "Go"},
		},
	}
	payload := map[string]any{
		"iss": "did:example:issuer",
		"jti": "urn:uuid:0b0e1a55-6f1c-4d38-9c55-0b1f2f8f3a10",
		"sub": "did:example:learner",
		"nbf": 1748736000,
		"exp": 1893456000,
		"vc":  vc,
	}
	tok := compact(t, map[string]any{"alg": "EdDSA", "kid": "did:example:issuer#key-1", "typ": "JWT"}, payload, keySigner(t, k))
	r := newResolver("did:example:issuer#key-1", k.Public())
	res, err := jose.Verify(context.Background(), tok, r.resolve, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Shape != jose.ShapeVCClaim {
		t.Errorf("shape = %q", res.Shape)
	}
	want := clone(t, vc)
	want["issuer"] = "did:example:issuer"
	want["id"] = "urn:uuid:0b0e1a55-6f1c-4d38-9c55-0b1f2f8f3a10"
	want["issuanceDate"] = "2025-06-01T00:00:00Z"
	want["expirationDate"] = "2030-01-01T00:00:00Z"
	want["credentialSubject"].(map[string]any)["id"] = "did:example:learner"
	if diff := cmp.Diff(want, res.Credential); diff != "" {
		t.Errorf("credential (-want +got):\n%s", diff)
	}
	// The verified claims are left as they were signed.
	if _, ok := res.Claims["vc"].(map[string]any)["credentialSubject"].(map[string]any)["id"]; ok {
		t.Error("filling in the credential changed Claims")
	}
	if diff := cmp.Diff([][2]string{{"did:example:issuer#key-1", "did:example:issuer"}}, r.called()); diff != "" {
		t.Errorf("resolver calls (-want +got):\n%s", diff)
	}

	t.Run("v2-names", func(t *testing.T) {
		t.Parallel()
		p := clone(t, payload)
		p["vc"].(map[string]any)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		p["vc"].(map[string]any)["issuer"] = map[string]any{"type": "Profile", "name": "Example"}
		tok := compact(t, map[string]any{"alg": "EdDSA", "kid": "did:example:issuer#key-1"}, p, keySigner(t, k))
		res, err := jose.Verify(context.Background(), tok, r.resolve, jose.VerifyOptions{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Credential
		if c["validFrom"] != "2025-06-01T00:00:00Z" || c["validUntil"] != "2030-01-01T00:00:00Z" || c["issuanceDate"] != nil {
			t.Errorf("dates: validFrom %v validUntil %v issuanceDate %v", c["validFrom"], c["validUntil"], c["issuanceDate"])
		}
		if diff := cmp.Diff(map[string]any{"id": "did:example:issuer", "type": "Profile", "name": "Example"}, c["issuer"]); diff != "" {
			t.Errorf("issuer (-want +got):\n%s", diff)
		}
	})
	t.Run("fail/issuer-mismatch", func(t *testing.T) {
		t.Parallel()
		p := clone(t, payload)
		p["vc"].(map[string]any)["issuer"] = "did:example:other"
		tok := compact(t, map[string]any{"alg": "EdDSA", "kid": "did:example:issuer#key-1"}, p, keySigner(t, k))
		_, err := jose.Verify(context.Background(), tok, r.resolve, jose.VerifyOptions{Now: testNow})
		if !errors.Is(err, jose.ErrClaimMismatch) {
			t.Errorf("err = %v, want ErrClaimMismatch", err)
		}
	})
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	errRSA  error
)

func testRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() { rsaKey, errRSA = rsa.GenerateKey(rand.Reader, 2048) })
	if errRSA != nil {
		t.Fatal(errRSA)
	}
	return rsaKey
}

// RS256 is OB 3.0's required minimum; Accolade never signs with it but
// verifies other issuers' tokens.
func TestVerifyRS256(t *testing.T) {
	t.Parallel()
	priv := testRSAKey(t)
	sign := func(msg []byte) []byte {
		h := sha256.Sum256(msg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, h[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	tok := compact(t, obHeader("RS256"), obPayload(t), sign)
	res, err := jose.Verify(context.Background(), tok, newResolver(testKid, &priv.PublicKey).resolve, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Alg != "RS256" || res.Shape != jose.ShapeOB {
		t.Errorf("alg %q shape %q", res.Alg, res.Shape)
	}
	// The same token with the key given in a jwk header.
	j, err := keys.PublicJWK(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tok = compact(t, map[string]any{"alg": "RS256", "jwk": j, "typ": "JWT"}, obPayload(t), sign)
	res, err = jose.Verify(context.Background(), tok, nil, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !res.SelfAsserted || res.JWK.Kty != "RSA" {
		t.Errorf("selfAsserted %v jwk %+v", res.SelfAsserted, res.JWK)
	}
	// Not allowed when the caller narrows the list.
	_, err = jose.Verify(context.Background(), tok, nil, jose.VerifyOptions{Now: testNow, AllowedAlgs: []string{"ES256", "EdDSA"}})
	if !errors.Is(err, jose.ErrAlgNotAllowed) {
		t.Errorf("err = %v, want ErrAlgNotAllowed", err)
	}
}

// The resolver's own errors come back wrapped, and it is told the issuer
// from iss.
func TestVerifyResolverError(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	tok, err := jose.SignCredential(digestCred(t), k, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("did:web fetch failed")
	_, err = jose.Verify(context.Background(), tok, func(context.Context, string, string) (crypto.PublicKey, error) {
		return nil, boom
	}, jose.VerifyOptions{Now: testNow})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the resolver's error", err)
	}
	_, err = jose.Verify(context.Background(), tok, func(context.Context, string, string) (crypto.PublicKey, error) {
		return nil, nil
	}, jose.VerifyOptions{Now: testNow})
	if !errors.Is(err, jose.ErrKeyNotFound) {
		t.Errorf("err = %v, want ErrKeyNotFound", err)
	}
	_, err = jose.Verify(context.Background(), tok, func(context.Context, string, string) (crypto.PublicKey, error) {
		return (*ecdsa.PublicKey)(nil), nil
	}, jose.VerifyOptions{Now: testNow})
	if !errors.Is(err, jose.ErrBadSignature) {
		t.Errorf("err = %v, want ErrBadSignature", err)
	}
}

func flipBit(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)/2] ^= 0x01
	return c
}

// flipChar changes the base64url character at offset i of tok.
func flipChar(tok string, i int) string {
	b := []byte(tok)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func segmentBytes(t *testing.T, tok string, i int) []byte {
	t.Helper()
	b, err := enc.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hmacSigner(secret []byte) func([]byte) []byte {
	return func(msg []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(msg)
		return m.Sum(nil)
	}
}

// nonCanonical re-spells the signature's last character with non-zero
// trailing bits: lax decoders map it to the same bytes, strict ones refuse.
func nonCanonical(tok string) string {
	// A 64-byte signature is 86 characters; the last one carries 2 bits
	// of data and 4 padding bits.
	b := []byte(tok)
	last := b[len(b)-1]
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, last)
	b[len(b)-1] = alphabet[i|1]
	if b[len(b)-1] == last {
		b[len(b)-1] = alphabet[i|2]
	}
	return string(b)
}

// manyMembers returns a JSON object with n members m0…m(n-1) and then dup
// again, to exercise duplicate detection beyond small objects.
func manyMembers(n int, dup string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, "%q:%d,", fmt.Sprintf("m%d", i), i)
	}
	fmt.Fprintf(&b, "%q:0}", dup)
	return b.String()
}
