package issuer

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// EncodeJSON must give exactly what json.Marshal gives, for both formats and
// for a record without a credential.
func TestEncodeJSONMatchesMarshal(t *testing.T) {
	s := newService(t, "https://badges.example.org")
	a := newAchievement(t, s)
	var recs []Issued
	for _, f := range []string{FormatLDP, FormatJWT} {
		rec, err := s.Issue(context.Background(), IssueRequest{AchievementID: a.ID, Recipient: Recipient{Email: "a&b@example.org"}, Format: f, Name: "Tom & Jerry <Badge>"})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	recs = append(recs, Issued{ID: "urn:uuid:x", Format: FormatLDP})
	for _, rec := range recs {
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rec.EncodeJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("EncodeJSON of a %s record:\n got %s\nwant %s", rec.Format, got, want)
		}
		var back Issued
		if err := json.Unmarshal(got, &back); err != nil || back.ID != rec.ID {
			t.Errorf("EncodeJSON output does not decode back: %v", err)
		}
	}
}
