package status_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/status"
)

func TestListCredential(t *testing.T) {
	t.Parallel()
	const enc = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
	from := time.Date(2025, 6, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	got := status.ListCredential("https://badges.example.org/status/1", "did:web:badges.example.org", status.PurposeRevocation,
		enc, from, from.Add(24*time.Hour), 5*time.Minute)
	// The digest's §2 example, without its proof.
	want := `{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "id": "https://badges.example.org/status/1",
	  "type": ["VerifiableCredential", "BitstringStatusListCredential"],
	  "issuer": "did:web:badges.example.org",
	  "validFrom": "2025-06-01T00:00:00Z",
	  "validUntil": "2025-06-02T00:00:00Z",
	  "credentialSubject": {
	    "id": "https://badges.example.org/status/1#list",
	    "type": "BitstringStatusList",
	    "statusPurpose": "revocation",
	    "encodedList": "` + enc + `",
	    "ttl": 300000
	  }
	}`
	var wantDoc map[string]any
	if err := json.Unmarshal([]byte(want), &wantDoc); err != nil {
		t.Fatal(err)
	}
	// Comparing with decoded JSON also proves the map holds only
	// encoding/json types, which signing requires.
	if diff := cmp.Diff(wantDoc, got); diff != "" {
		t.Errorf("ListCredential (-want +got):\n%s", diff)
	}

	bare := status.ListCredential("https://x.example/s/2", "did:web:x.example", status.PurposeSuspension, enc, time.Time{}, time.Time{}, 0)
	for _, k := range []string{"validFrom", "validUntil"} {
		if _, ok := bare[k]; ok {
			t.Errorf("zero time: %s present", k)
		}
	}
	if _, ok := bare["credentialSubject"].(map[string]any)["ttl"]; ok {
		t.Error("zero ttl: ttl present")
	}
}

func TestEntry(t *testing.T) {
	t.Parallel()
	got := status.Entry("https://example.com/credentials/status/3", 94567, status.PurposeRevocation)
	// REC example 1, first entry.
	want := readJSON(t, "rec-example1-credential-with-entries.json")["credentialStatus"].([]any)[0]
	if diff := cmp.Diff(want, any(got)); diff != "" {
		t.Errorf("Entry (-want +got):\n%s", diff)
	}
}
