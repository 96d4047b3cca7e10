package jose

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// refHasDuplicate is a slow reference for the duplicate-name check: a walk
// over encoding/json tokens, which unescapes names itself.
func refHasDuplicate(data []byte) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func() (bool, error)
	walk = func() (bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return false, nil
		}
		seen := map[string]bool{}
		dup := false
		for dec.More() {
			if d == '{' {
				k, err := dec.Token()
				if err != nil {
					return false, err
				}
				dup = dup || seen[k.(string)]
				seen[k.(string)] = true
			}
			inner, err := walk()
			if err != nil {
				return false, err
			}
			dup = dup || inner
		}
		_, err = dec.Token() // closing delimiter
		return dup, err
	}
	dup, err := walk()
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data")
		}
	}
	return dup, err
}

func TestDecodeObjectDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr bool
	}{
		{`{}`, false},
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, false},
		{`{"a":1,"a":2}`, true},
		{`{"iss":"a","\u0069ss":"b"}`, true},
		{`{"a\"b":1,"a\u0022b":2}`, true},
		{`{"a\\":1,"a\\\\":2}`, false},
		{`{"x":[1,{"k":true,"k":false}]}`, true},
		{` { "a" : "}" , "b" : "\"{" } `, false},
		{`{"":1,"":2}`, true},
		{`{"a":1}` + " x", true},
		{`[]`, true},
		{`null`, true},
		{`{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`, true},
		{`{"a":` + strings.Repeat("[", maxJSONDepth-2) + strings.Repeat("]", maxJSONDepth-2) + `}`, false},
	}
	for _, tt := range tests {
		_, err := decodeObject([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("decodeObject(%s) err = %v, want error %v", tt.in, err, tt.wantErr)
		}
	}
}

// FuzzDecodeObject compares the duplicate-name scanner with the reference
// walk on any JSON object encoding/json accepts.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":{"b":[1,"x",{"c":null}]}}`, `{"a\\":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		if _, ok := v.(map[string]any); !ok {
			return
		}
		dup, err := refHasDuplicate(data)
		if err != nil {
			t.Fatalf("reference walk failed on valid JSON: %v", err)
		}
		_, got := decodeObject(data)
		if got != nil && strings.Contains(got.Error(), "nested deeper") {
			return
		}
		if (got != nil) != dup {
			t.Fatalf("decodeObject(%q) err = %v, reference duplicate = %v", data, got, dup)
		}
	})
}
