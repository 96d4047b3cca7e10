package jcs_test

import (
	"encoding/json"
	"testing"

	"github.com/accolade-badges/accolade/internal/jcs"
)

func TestEqual(t *testing.T) {
	type point struct{ X int }
	doc := func() any {
		return map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2", map[string]any{"n": 1.5, "t": true, "z": nil}}}
	}
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"ok/same document", doc(), doc(), true},
		{"ok/strings", "a", "a", true},
		{"ok/float64", 1.0, 1.0, true},
		{"ok/json.Number", json.Number("10"), json.Number("10"), true},
		{"ok/nil", nil, nil, true},
		{"fail/member differs", map[string]any{"a": "x"}, map[string]any{"a": "y"}, false},
		{"fail/member missing", map[string]any{"a": nil}, map[string]any{"b": nil}, false},
		{"fail/order of an array", []any{"a", "b"}, []any{"b", "a"}, false},
		{"fail/string and number", "1", 1.0, false},
		{"fail/float64 and json.Number", 1.0, json.Number("1"), false},
		{"fail/nil and false", nil, false, false},
		// Types that decoded JSON never holds are equal to nothing, not
		// even to themselves: fail closed, and never panic comparing
		// uncomparable values.
		{"fail/int", 1, 1, false},
		{"fail/typed string slice", []string{"a"}, []string{"a"}, false},
		{"fail/typed map", map[string]string{"a": "b"}, map[string]string{"a": "b"}, false},
		{"fail/struct", point{1}, point{1}, false},
		{"fail/pointer", &point{1}, &point{1}, false},
		{"fail/nested unknown type", map[string]any{"a": 1}, map[string]any{"a": 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jcs.Equal(tt.a, tt.b); got != tt.want {
				t.Errorf("Equal(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := jcs.Equal(tt.b, tt.a); got != tt.want {
				t.Errorf("Equal(%#v, %#v) = %v, want %v (reversed)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestClone(t *testing.T) {
	orig := map[string]any{"a": []any{map[string]any{"b": "c"}, 1.5, nil, true}, "n": json.Number("7")}
	c := jcs.Clone(orig).(map[string]any)
	if !jcs.Equal(orig, c) {
		t.Fatalf("clone %v differs from %v", c, orig)
	}
	c["a"].([]any)[0].(map[string]any)["b"] = "changed"
	c["a"].([]any)[1] = 2.5
	c["n"] = "x"
	want := map[string]any{"a": []any{map[string]any{"b": "c"}, 1.5, nil, true}, "n": json.Number("7")}
	if !jcs.Equal(orig, want) {
		t.Errorf("changing the clone changed the original: %v", orig)
	}
}
