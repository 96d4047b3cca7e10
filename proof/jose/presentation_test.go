package jose_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

const (
	holderDID = "did:example:learner"
	holderKid = holderDID + "#key-1"
	verifier  = "https://verifier.example.org"
	nonce     = "n-0S6_WzA2Mj"
)

func TestPresentationRoundTrip(t *testing.T) {
	t.Parallel()
	issuerKey := genKey(t, keys.ES256)
	holderKey := genKey(t, keys.EdDSA)
	cred := digestCred(t)
	cred["credentialSubject"].(map[string]any)["id"] = holderDID
	vcJWT, err := jose.SignCredential(cred, issuerKey, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vp := map[string]any{
		"@context":             []any{"https://www.w3.org/2018/credentials/v1"},
		"type":                 []any{"VerifiablePresentation"},
		"verifiableCredential": []any{vcJWT},
	}
	tok, err := jose.SignPresentation(vp, holderKey, holderKid, verifier, nonce, testNow, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h, claims, err := jose.ParseUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"alg": "EdDSA", "kid": holderKid, "typ": "JWT"}, h); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	now := float64(testNow.Unix())
	for c, want := range map[string]any{"iss": holderDID, "aud": verifier, "nonce": nonce, "iat": now, "nbf": now, "exp": now + 300} {
		if claims[c] != want {
			t.Errorf("claim %s = %v, want %v", c, claims[c], want)
		}
	}
	if jti, _ := claims["jti"].(string); len(jti) != len("urn:uuid:")+36 {
		t.Errorf("jti = %q, want a urn:uuid", jti)
	}

	r := newResolver(holderKid, holderKey.Public())
	res, err := jose.VerifyPresentation(context.Background(), tok, r.resolve, jose.VerifyPresentationOptions{
		Audience: verifier, Nonce: nonce, Now: testNow.Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Shape != jose.ShapeVP || res.Holder != holderDID || res.Kid != holderKid || res.Credential != nil {
		t.Errorf("shape %q holder %q kid %q credential %v", res.Shape, res.Holder, res.Kid, res.Credential)
	}
	wantVP := clone(t, vp)
	wantVP["holder"] = holderDID
	if diff := cmp.Diff(wantVP, res.Presentation); diff != "" {
		t.Errorf("presentation (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]jose.EmbeddedCredential{{JWT: vcJWT}}, res.Credentials); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][2]string{{holderKid, holderDID}}, r.called()); diff != "" {
		t.Errorf("resolver calls (-want +got):\n%s", diff)
	}
	// The embedded credential verifies on its own and is bound to the holder.
	vres, err := jose.Verify(context.Background(), res.Credentials[0].JWT, newResolver(testKid, issuerKey.Public()).resolve, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if vres.Claims["sub"] != res.Holder {
		t.Errorf("credential sub %v, holder %v", vres.Claims["sub"], res.Holder)
	}
}

func TestVerifyPresentationErrors(t *testing.T) {
	t.Parallel()
	holderKey := genKey(t, keys.EdDSA)
	sign := keySigner(t, holderKey)
	vp := map[string]any{"type": []any{"VerifiablePresentation"}}
	good, err := jose.SignPresentation(vp, holderKey, holderKid, verifier, nonce, testNow, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, goodClaims, err := jose.ParseUnverified(good)
	if err != nil {
		t.Fatal(err)
	}
	edited := func(edit func(p map[string]any)) string {
		p := clone(t, goodClaims)
		edit(p)
		return compact(t, map[string]any{"alg": "EdDSA", "kid": holderKid, "typ": "JWT"}, p, sign)
	}
	vcTok, err := jose.SignCredential(digestCred(t), holderKey, holderKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := jose.VerifyPresentationOptions{Audience: verifier, Nonce: nonce, Now: testNow.Add(time.Minute)}
	tests := []struct {
		name  string
		token string
		edit  func(*jose.VerifyPresentationOptions)
		want  error
	}{
		{name: "ok", token: good},
		{name: "ok/aud-array", token: edited(func(p map[string]any) { p["aud"] = []any{"https://other.example", verifier} })},
		{name: "ok/vp+jwt", token: compact(t, map[string]any{"alg": "EdDSA", "kid": holderKid, "typ": "vp+jwt"}, map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "VerifiablePresentation", "holder": holderDID,
			"aud": verifier, "nonce": nonce, "iat": testNow.Unix(),
			"verifiableCredential": []any{jose.Envelope(vcTok)},
		}, sign)},
		{name: "fail/aud-mismatch", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Audience = "https://evil.example" }, want: jose.ErrAudience},
		{name: "fail/aud-array-mismatch", token: edited(func(p map[string]any) { p["aud"] = []any{"https://other.example"} }), want: jose.ErrAudience},
		{name: "fail/aud-missing", token: edited(func(p map[string]any) { delete(p, "aud") }), want: jose.ErrAudience},
		{name: "fail/aud-unset", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Audience = "" }, want: jose.ErrAudience},
		{name: "fail/nonce-mismatch", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Nonce = "replayed" }, want: jose.ErrNonce},
		{name: "fail/nonce-missing", token: edited(func(p map[string]any) { delete(p, "nonce") }), want: jose.ErrNonce},
		{name: "fail/nonce-unset", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Nonce = "" }, want: jose.ErrNonce},
		{name: "fail/expired", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Now = testNow.Add(10 * time.Minute) }, want: jose.ErrTokenExpired},
		{name: "ok/expired-within-skew", token: good, edit: func(o *jose.VerifyPresentationOptions) {
			o.Now = testNow.Add(6 * time.Minute)
			o.ClockSkew = 2 * time.Minute
		}},
		{name: "fail/not-yet-valid", token: good, edit: func(o *jose.VerifyPresentationOptions) { o.Now = testNow.Add(-time.Minute) }, want: jose.ErrTokenNotYetValid},
		{name: "fail/iat-future", token: edited(func(p map[string]any) { delete(p, "nbf"); p["iat"] = testNow.Add(time.Hour).Unix() }), want: jose.ErrTokenNotYetValid},
		{name: "fail/holder-mismatch", token: edited(func(p map[string]any) { p["vp"].(map[string]any)["holder"] = "did:example:other" }), want: jose.ErrClaimMismatch},
		{name: "fail/not-a-vp-type", token: edited(func(p map[string]any) { p["vp"].(map[string]any)["type"] = "VerifiableCredential" }), want: jose.ErrMalformed},
		{name: "fail/credential-token", token: vcTok, want: jose.ErrMalformed},
		{name: "fail/bad-signature", token: withSegment(good, 2, flipBit(segmentBytes(t, good, 2))), want: jose.ErrBadSignature},
		{name: "fail/alg-none", token: "eyJhbGciOiJub25lIn0." + splitPart(good, 1) + ".", want: jose.ErrAlgNotAllowed},
		{name: "fail/bad-embedded-credential", token: edited(func(p map[string]any) { p["vp"].(map[string]any)["verifiableCredential"] = []any{42} }), want: jose.ErrMalformed},
		{name: "fail/bad-envelope", token: edited(func(p map[string]any) {
			p["vp"].(map[string]any)["verifiableCredential"] = map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:text/plain,hi"}
		}), want: jose.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts
			if tt.edit != nil {
				tt.edit(&o)
			}
			res, err := jose.VerifyPresentation(context.Background(), tt.token, newResolver(holderKid, holderKey.Public()).resolve, o)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyPresentation: %v", err)
				}
				if res.Holder != holderDID {
					t.Errorf("holder = %q", res.Holder)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyPresentationEnveloped(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.ES256)
	vcTok, err := jose.SignCredential(digestCred(t), k, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	diVC := map[string]any{"type": []any{"VerifiableCredential"}, "proof": map[string]any{"type": "DataIntegrityProof"}}
	vp := map[string]any{
		"type":   "VerifiablePresentation",
		"holder": map[string]any{"id": holderDID},
		"verifiableCredential": []any{
			jose.Envelope(vcTok),
			map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/jwt," + vcTok},
			diVC,
		},
	}
	tok, err := jose.SignPresentation(vp, k, "did:example:other#k", verifier, nonce, testNow, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := jose.VerifyPresentation(context.Background(), tok, newResolver("did:example:other#k", k.Public()).resolve,
		jose.VerifyPresentationOptions{Audience: verifier, Nonce: nonce, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Holder != holderDID {
		t.Errorf("holder = %q (vp.holder wins over the kid's DID)", res.Holder)
	}
	want := []jose.EmbeddedCredential{{JWT: vcTok}, {JWT: vcTok}, {Object: clone(t, diVC)}}
	if diff := cmp.Diff(want, res.Credentials); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
}

func TestSignPresentationErrors(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	vp := map[string]any{"type": "VerifiablePresentation"}
	tests := []struct {
		name       string
		vp         map[string]any
		kid        string
		aud, nonce string
		ttl        time.Duration
		want       error
	}{
		{name: "fail/no-aud", vp: vp, kid: holderKid, nonce: nonce, ttl: time.Minute, want: jose.ErrAudience},
		{name: "fail/no-nonce", vp: vp, kid: holderKid, aud: verifier, ttl: time.Minute, want: jose.ErrNonce},
		{name: "fail/no-ttl", vp: vp, kid: holderKid, aud: verifier, nonce: nonce},
		{name: "fail/no-holder", vp: vp, kid: "https://example.org/keys/1", aud: verifier, nonce: nonce, ttl: time.Minute},
		{name: "fail/nil-vp", kid: holderKid, aud: verifier, nonce: nonce, ttl: time.Minute},
		{name: "fail/empty-kid", vp: map[string]any{"holder": holderDID}, aud: verifier, nonce: nonce, ttl: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := jose.SignPresentation(tt.vp, k, tt.kid, tt.aud, tt.nonce, testNow, tt.ttl)
			if err == nil {
				t.Fatalf("signed %s", tok)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func splitPart(tok string, i int) string {
	n := 0
	start := 0
	for j := 0; j <= len(tok); j++ {
		if j == len(tok) || tok[j] == '.' {
			if n == i {
				return tok[start:j]
			}
			n++
			start = j + 1
		}
	}
	return ""
}

// TestSignEnvelopedPresentation: a VC-JOSE-COSE vp+jwt carries the
// presentation as its payload, plus aud, nonce, iat and exp, and verifies
// through its EnvelopedVerifiablePresentation.
func TestSignEnvelopedPresentation(t *testing.T) {
	t.Parallel()
	holderKey := genKey(t, keys.EdDSA)
	vp := map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               holderDID,
		"verifiableCredential": []any{jose.Envelope("eyJhbGciOiJFZERTQSJ9.e30.c2ln")},
	}
	tok, env, err := jose.SignEnvelopedPresentation(vp, holderKey, holderKid, verifier, nonce, testNow, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if env["type"] != "EnvelopedVerifiablePresentation" || env["id"] != "data:application/vp+jwt,"+tok {
		t.Errorf("envelope %v", env)
	}
	h, claims, err := jose.ParseUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"alg": "EdDSA", "kid": holderKid, "typ": "vp+jwt", "cty": "vp"}, h); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if claims["holder"] != holderDID || claims["aud"] != verifier || claims["nonce"] != nonce || claims["vp"] != nil {
		t.Errorf("payload %v", claims)
	}
	res, err := jose.VerifyPresentation(context.Background(), tok, newResolver(holderKid, holderKey.Public()).resolve, jose.VerifyPresentationOptions{
		Audience: verifier, Nonce: nonce, Now: testNow.Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Holder != holderDID || len(res.Credentials) != 1 || res.Credentials[0].JWT == "" {
		t.Errorf("result holder %q credentials %+v", res.Holder, res.Credentials)
	}
	v1 := map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": []any{"VerifiablePresentation"}}
	if _, _, err := jose.SignEnvelopedPresentation(v1, holderKey, holderKid, verifier, nonce, testNow, time.Minute); err == nil {
		t.Error("a VCDM 1.1 presentation was enveloped")
	}
}

// TestVerifyPresentationAnyAudience: AnyAudience and AnyNonce let an empty
// expectation through; without them an empty one fails, and with them a
// given one is still checked.
func TestVerifyPresentationAnyAudience(t *testing.T) {
	t.Parallel()
	holderKey := genKey(t, keys.EdDSA)
	vp := map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": []any{"VerifiablePresentation"}}
	tok, err := jose.SignPresentation(vp, holderKey, holderKid, verifier, nonce, testNow, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r := newResolver(holderKid, holderKey.Public())
	now := testNow.Add(time.Minute)
	tests := []struct {
		name string
		opts jose.VerifyPresentationOptions
		want error
	}{
		{"ok/any audience", jose.VerifyPresentationOptions{Nonce: nonce, AnyAudience: true}, nil},
		{"ok/any nonce", jose.VerifyPresentationOptions{Audience: verifier, AnyNonce: true}, nil},
		{"ok/both", jose.VerifyPresentationOptions{AnyAudience: true, AnyNonce: true}, nil},
		{"fail/empty audience", jose.VerifyPresentationOptions{Nonce: nonce}, jose.ErrAudience},
		{"fail/empty nonce", jose.VerifyPresentationOptions{Audience: verifier}, jose.ErrNonce},
		{"fail/any audience but another given", jose.VerifyPresentationOptions{Audience: "https://other.example", Nonce: nonce, AnyAudience: true}, jose.ErrAudience},
		{"fail/any nonce but another given", jose.VerifyPresentationOptions{Audience: verifier, Nonce: "other", AnyNonce: true}, jose.ErrNonce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = now
			_, err := jose.VerifyPresentation(context.Background(), tok, r.resolve, tt.opts)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
