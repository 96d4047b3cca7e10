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

func TestEnvelope(t *testing.T) {
	t.Parallel()
	const tok = "eyJhbGciOiJFZERTQSJ9.e30.c2ln"
	got := jose.Envelope(tok)
	want := map[string]any{
		"@context": "https://www.w3.org/ns/credentials/v2",
		"type":     "EnvelopedVerifiableCredential",
		"id":       "data:application/vc+jwt," + tok,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Envelope (-want +got):\n%s", diff)
	}
	back, err := jose.Unenvelope(got)
	if err != nil || back != tok {
		t.Errorf("Unenvelope = %q, %v", back, err)
	}
}

func TestUnenvelope(t *testing.T) {
	t.Parallel()
	const tok = "eyJhbGciOiJFZERTQSJ9.e30.c2ln"
	tests := []struct {
		name string
		obj  map[string]any
		want string
	}{
		{name: "ok/vc+jwt", obj: map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok}, want: tok},
		{name: "ok/jwt", obj: map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/jwt," + tok}, want: tok},
		{name: "ok/type-array", obj: map[string]any{"type": []any{"EnvelopedVerifiableCredential"}, "id": "data:application/vc+jwt," + tok}, want: tok},
		{name: "fail/wrong-type", obj: map[string]any{"type": "VerifiableCredential", "id": "data:application/vc+jwt," + tok}},
		{name: "fail/no-type", obj: map[string]any{"id": "data:application/vc+jwt," + tok}},
		{name: "fail/other-media-type", obj: map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+sd-jwt," + tok}},
		{name: "fail/base64-data-url", obj: map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt;base64," + tok}},
		{name: "fail/not-a-jws", obj: map[string]any{"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,hello"}},
		{name: "fail/no-id", obj: map[string]any{"type": "EnvelopedVerifiableCredential"}},
		{name: "fail/nil", obj: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := jose.Unenvelope(tt.obj)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Errorf("Unenvelope = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, jose.ErrMalformed) {
				t.Errorf("Unenvelope = %q, %v; want ErrMalformed", got, err)
			}
		})
	}
}

// TestSignEnveloped: a VC-JOSE-COSE token's payload is the credential
// unmodified, its header says vc+jwt, and it verifies as that shape both
// bare and through its EnvelopedVerifiableCredential.
func TestSignEnveloped(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	cred := digestCred(t)
	orig := clone(t, cred)
	tok, env, err := jose.SignEnveloped(cred, k, testKid)
	if err != nil {
		t.Fatal(err)
	}
	h, p, _ := segments(t, tok)
	if want := `{"alg":"EdDSA","kid":"` + testKid + `","typ":"vc+jwt","cty":"vc"}`; string(h) != want {
		t.Errorf("header = %s, want %s", h, want)
	}
	var payload map[string]any
	if err := json.Unmarshal(p, &payload); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orig, payload); diff != "" {
		t.Errorf("payload is not the credential as given (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(jose.Envelope(tok), env); diff != "" {
		t.Errorf("envelope (-want +got):\n%s", diff)
	}
	back, err := jose.Unenvelope(env)
	if err != nil || back != tok {
		t.Fatalf("Unenvelope = %q, %v", back, err)
	}
	res, err := jose.Verify(context.Background(), back, newResolver(testKid, k.Public()).resolve, jose.VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.Shape != jose.ShapeJOSECOSE {
		t.Errorf("shape %q, want %q", res.Shape, jose.ShapeJOSECOSE)
	}
	if diff := cmp.Diff(orig, res.Credential); diff != "" {
		t.Errorf("verified credential (-want +got):\n%s", diff)
	}
}

func TestSignEnvelopedErrors(t *testing.T) {
	t.Parallel()
	k := genKey(t, keys.EdDSA)
	v1 := digestCred(t)
	v1["@context"] = []any{"https://www.w3.org/2018/credentials/v1"}
	noIssuer := digestCred(t)
	delete(noIssuer, "issuer")
	for _, tt := range []struct {
		name string
		cred map[string]any
		kid  string
	}{
		{"fail/VCDM 1.1", v1, testKid},
		{"fail/no issuer", noIssuer, testKid},
		{"fail/nil", nil, testKid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := jose.SignEnveloped(tt.cred, k, tt.kid); !errors.Is(err, jose.ErrInvalidCredential) {
				t.Errorf("err = %v, want ErrInvalidCredential", err)
			}
		})
	}
	if _, _, err := jose.SignEnveloped(digestCred(t), k, ""); err == nil {
		t.Error("empty kid accepted")
	}
}
