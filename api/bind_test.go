package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type bindInner struct {
	Score int `json:"score"`
}

type bindEmbedded struct {
	Note string `json:"note,omitempty"`
}

type bindBody struct {
	bindEmbedded
	Name    string               `json:"name"`
	Plain   string               // no tag: matched by its Go name, any case
	Skip    string               `json:"-"`
	Inner   bindInner            `json:"inner"`
	Rows    []bindInner          `json:"rows"`
	ByKey   map[string]bindInner `json:"byKey"`
	Raw     json.RawMessage      `json:"raw"`
	When    time.Time            `json:"when"`
	Loose   map[string]any       `json:"loose"`
	Pointer *bindInner           `json:"pointer"`
}

// TestUnknownMember checks that the member a strict decode refuses is found
// by type, in document order, as encoding/json matches names.
func TestUnknownMember(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"ok/known members", `{"name":"a","PLAIN":"b","note":"c","inner":{"score":1},"rows":[{"score":2}],"byKey":{"x":{"score":3}},"raw":{"any":1},"when":"2026-01-01T00:00:00Z","loose":{"x":{"y":1}},"pointer":{"Score":4}}`, ""},
		{"fail/top level", `{"name":"a","algo":"EdDSA"}`, "algo"},
		{"fail/first in document order", `{"zeta":1,"alpha":2}`, "zeta"},
		{"fail/ignored field", `{"Skip":"x"}`, "Skip"},
		{"fail/nested struct", `{"inner":{"score":1,"extra":true}}`, "extra"},
		{"fail/in a slice", `{"rows":[{"score":1},{"grade":"A"}]}`, "grade"},
		{"fail/in a map value", `{"byKey":{"k":{"points":1}}}`, "points"},
		{"fail/behind a pointer", `{"pointer":{"nope":1}}`, "nope"},
		{"fail/after skipped values", `{"raw":{"a":[1,{"b":2}]},"loose":{"c":{}},"late":1}`, "late"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v bindBody
			got, ok := unknownMember([]byte(tt.body), &v)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("unknownMember = %q, %v; want %q", got, ok, tt.want)
			}
			// encoding/json must agree that the body is refused, and why.
			dec := json.NewDecoder(strings.NewReader(tt.body))
			dec.DisallowUnknownFields()
			err := dec.Decode(new(bindBody))
			if (err != nil) != (tt.want != "") {
				t.Errorf("strict decode: %v", err)
			}
			if err != nil && err.Error() != `json: unknown field "`+tt.want+`"` {
				t.Errorf("strict decode refused %v, not %q", err, tt.want)
			}
		})
	}
	// A body that is wrong otherwise names no unknown member.
	for _, body := range []string{`{"name":1,"algo":2}`, `{"algo":`, `[1]`} {
		if got, ok := unknownMember([]byte(body), new(bindBody)); ok {
			t.Errorf("unknownMember(%s) = %q", body, got)
		}
	}
}
