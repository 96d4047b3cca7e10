package credential_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
)

func TestCredentialStatusJSON(t *testing.T) {
	t.Parallel()
	st := credential.CredentialStatus{
		ID: "https://example.com/status/3#94567", Type: credential.TypeBitstringStatusListEntry,
		StatusPurpose: "revocation", StatusListIndex: "94567", StatusListCredential: "https://example.com/status/3",
		Extra: map[string]any{"statusSize": 1.0, "id": "ignored: the field wins"},
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"https://example.com/status/3#94567","statusListCredential":"https://example.com/status/3","statusListIndex":"94567","statusPurpose":"revocation","statusSize":1,"type":"BitstringStatusListEntry"}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	var back credential.CredentialStatus
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	st.Extra = map[string]any{"statusSize": 1.0}
	if diff := cmp.Diff(st, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// 1EdTech revocation list entries have only id and type.
	b, _ = json.Marshal(credential.CredentialStatus{ID: "https://example.com/rl#1", Type: credential.Type1EdTechRevocationList})
	if got := string(b); got != `{"id":"https://example.com/rl#1","type":"1EdTechRevocationList"}` {
		t.Errorf("got %s", got)
	}
	if err := json.Unmarshal([]byte(`{"id":"x","type":"t","statusListIndex":7}`), &back); err == nil {
		t.Error("numeric statusListIndex accepted")
	}
	if err := json.Unmarshal([]byte(`[]`), &back); err == nil {
		t.Error("array accepted")
	}
}

func TestAsMap(t *testing.T) {
	t.Parallel()
	m, err := credential.AsMap(credential.Image{ID: "https://example.com/i.png", Type: credential.TypeImage})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"id": "https://example.com/i.png", "type": "Image"}, m); diff != "" {
		t.Errorf("AsMap (-want +got):\n%s", diff)
	}
	for _, v := range []any{nil, []string{"a"}, "x", func() {}} {
		if _, err := credential.AsMap(v); err == nil {
			t.Errorf("AsMap(%T) succeeded", v)
		}
	}
}
