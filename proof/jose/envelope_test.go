package jose_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

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
