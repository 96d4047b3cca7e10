package jose_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

const testKid = "did:web:badges.example.org#key-1"

func TestSignCredentialRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := genKey(t, alg)
			cred := digestCred(t)
			orig := clone(t, cred)
			tok, err := jose.SignCredential(cred, k, testKid, jose.SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(orig, cred); diff != "" {
				t.Errorf("SignCredential modified its input (-before +after):\n%s", diff)
			}

			h, p, _ := segments(t, tok)
			wantHeader := `{"alg":"` + string(alg) + `","kid":"` + testKid + `","typ":"JWT"}`
			if string(h) != wantHeader {
				t.Errorf("header = %s, want %s", h, wantHeader)
			}
			var claims map[string]any
			if err := json.Unmarshal(p, &claims); err != nil {
				t.Fatal(err)
			}
			wantClaims := map[string]any{
				"iss": "https://example.com/issuers/876543",
				"jti": "http://example.com/credentials/3527",
				"nbf": float64(1748736000), // 2025-06-01T00:00:00Z
				"sub": "did:example:ebfeb1f712ebc6f1c276e12ec21",
				"exp": float64(1893456000), // 2030-01-01T00:00:00Z
			}
			gotClaims := map[string]any{}
			for c := range wantClaims {
				gotClaims[c] = claims[c]
			}
			if diff := cmp.Diff(wantClaims, gotClaims); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
			if _, ok := claims["iat"]; ok {
				t.Error("payload has iat; OB VC-JWT sets only iss, jti, nbf, sub, exp")
			}
			// The payload is the credential plus the claims.
			for c := range wantClaims {
				delete(claims, c)
			}
			if diff := cmp.Diff(orig, claims); diff != "" {
				t.Errorf("payload minus claims differs from the credential (-want +got):\n%s", diff)
			}

			r := newResolver(testKid, k.Public())
			res, err := jose.Verify(context.Background(), tok, r.resolve, jose.VerifyOptions{Now: testNow})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(orig, res.Credential); diff != "" {
				t.Errorf("verified credential (-want +got):\n%s", diff)
			}
			if res.Shape != jose.ShapeOB || res.Kid != testKid || res.Alg != string(alg) || res.SelfAsserted || res.JWK != nil {
				t.Errorf("result = shape %q kid %q alg %q selfAsserted %v jwk %v", res.Shape, res.Kid, res.Alg, res.SelfAsserted, res.JWK)
			}
			if diff := cmp.Diff([][2]string{{testKid, "https://example.com/issuers/876543"}}, r.called()); diff != "" {
				t.Errorf("resolver calls (-want +got):\n%s", diff)
			}
		})
	}
}

// The basic OB 3.0 example (issuer object, no validUntil) gets no exp.
func TestSignCredentialBasicExample(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	tok, err := jose.SignCredential(loadCred(t, "basic-openbadgecredential.json"), k, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, claims, err := jose.ParseUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := claims["exp"]; ok {
		t.Error("exp set without validUntil")
	}
	if got := claims["nbf"]; got != float64(1262304000) { // 2010-01-01T00:00:00Z
		t.Errorf("nbf = %v", got)
	}
	if _, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
}

func TestSignCredentialEmbedJWK(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.ES256)
	tok, err := jose.SignCredential(digestCred(t), k, "ignored", jose.SignOptions{EmbedJWK: true})
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := segments(t, tok)
	j := k.PublicJWK()
	jb, _ := json.Marshal(j)
	if want := `{"alg":"ES256","jwk":` + string(jb) + `,"typ":"JWT"}`; string(h) != want {
		t.Errorf("header = %s, want %s", h, want)
	}
	r := newResolver()
	res, err := jose.Verify(context.Background(), tok, r.resolve, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !res.SelfAsserted || res.JWK == nil || res.Kid != "" {
		t.Errorf("selfAsserted %v jwk %v kid %q", res.SelfAsserted, res.JWK, res.Kid)
	}
	if diff := cmp.Diff(&j, res.JWK); diff != "" {
		t.Errorf("jwk (-want +got):\n%s", diff)
	}
	if calls := r.called(); len(calls) != 0 {
		t.Errorf("resolver called for a jwk header: %v", calls)
	}
}

func TestSignCredentialErrors(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	tests := []struct {
		name   string
		edit   func(map[string]any)
		kid    string
		key    *keys.Key
		wantIs error
	}{
		{name: "fail/no-subject-id", edit: func(c map[string]any) {
			delete(c["credentialSubject"].(map[string]any), "id")
		}, wantIs: jose.ErrMissingSubject},
		{name: "fail/no-subject", edit: func(c map[string]any) { delete(c, "credentialSubject") }, wantIs: jose.ErrMissingSubject},
		{name: "fail/two-subjects", edit: func(c map[string]any) {
			c["credentialSubject"] = []any{map[string]any{"id": "did:example:a"}, map[string]any{"id": "did:example:b"}}
		}, wantIs: jose.ErrMissingSubject},
		{name: "fail/no-issuer", edit: func(c map[string]any) { delete(c, "issuer") }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/issuer-without-id", edit: func(c map[string]any) { c["issuer"] = map[string]any{"name": "x"} }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/no-id", edit: func(c map[string]any) { delete(c, "id") }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/no-validFrom", edit: func(c map[string]any) { delete(c, "validFrom") }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/bad-validFrom", edit: func(c map[string]any) { c["validFrom"] = "2025-06-01" }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/bad-validUntil", edit: func(c map[string]any) { c["validUntil"] = 42.0 }, wantIs: jose.ErrInvalidCredential},
		{name: "fail/no-private-key", key: &keys.Key{}, wantIs: keys.ErrNoPrivateKey},
		{name: "fail/empty-kid", kid: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cred := digestCred(t)
			if tt.edit != nil {
				tt.edit(cred)
			}
			kid, key := testKid, k
			if tt.kid == "-" {
				kid = ""
			}
			if tt.key != nil {
				key = tt.key
			}
			tok, err := jose.SignCredential(cred, key, kid, jose.SignOptions{})
			if err == nil {
				t.Fatalf("signed %s", tok)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			}
		})
	}
}

// A string issuer and a one-element subject array are accepted too; a
// validFrom with an offset and fractional seconds becomes whole seconds.
func TestSignCredentialVariants(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	cred := digestCred(t)
	cred["issuer"] = "did:web:badges.example.org"
	cred["credentialSubject"] = []any{cred["credentialSubject"]}
	cred["validFrom"] = "2025-06-01T02:00:00.75+02:00"
	cred["iss"] = "stale" // overwritten
	tok, err := jose.SignCredential(cred, k, testKid, jose.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, claims, err := jose.ParseUnverified(tok)
	if err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != "did:web:badges.example.org" || claims["nbf"] != float64(1748736000) ||
		claims["sub"] != "did:example:ebfeb1f712ebc6f1c276e12ec21" {
		t.Errorf("claims iss %v nbf %v sub %v", claims["iss"], claims["nbf"], claims["sub"])
	}
	if _, err := jose.Verify(context.Background(), tok, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
}
