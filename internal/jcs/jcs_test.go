// Tests for package jcs: the RFC 8785 examples, the Appendix B number table,
// UTF-16 key order, strictness (I-JSON) and the W3C eddsa-jcs-2022 vectors.
//
// Fuzz: go test -run '^$' -fuzz '^FuzzTransform$' -fuzztime 15s ./internal/jcs/
// Benchmarks: go test -run '^$' -bench . -benchmem ./internal/jcs/
package jcs_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// RFC 8785 §3.2.2: the sample input and its canonical form (§3.2.3 output).
func TestTransformRFCSample(t *testing.T) {
	t.Parallel()
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := jcs.Transform([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Transform (-want +got):\n%s", diff)
	}
	// §3.2.4 gives the UTF-8 bytes of the result: the Euro sign is e2 82 ac.
	if !bytes.Contains(got, []byte{'"', 0xe2, 0x82, 0xac, '$'}) {
		t.Errorf("Euro sign not written as raw UTF-8: % x", got)
	}
}

// RFC 8785 §3.2.3: member names sort by UTF-16 code units, so the emoji
// (a surrogate pair, 0xD83D 0xDE00) comes before U+FB33 although its code
// point is larger.
func TestTransformSortsByUTF16(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "ok/rfc 3.2.3 example",
			in: `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`,
			want: "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
		},
		{
			name: "ok/non-BMP before U+FFFF and U+E000",
			in:   `{"\uffff":1,"\ue000":2,"\ud800\udc00":3,"\ud7ff":4}`,
			want: "{\"\ud7ff\":4,\"\U00010000\":3,\"\ue000\":2,\"\uffff\":1}",
		},
		{
			name: "ok/non-BMP order among themselves",
			in:   "{\"\U0010FFFF\":1,\"\U0001F600\":2,\"\U00010000\":3}",
			want: "{\"\U00010000\":3,\"\U0001F600\":2,\"\U0010FFFF\":1}",
		},
		{
			name: "ok/prefix sorts first",
			in:   `{"ab":1,"a":2,"":3,"b":4}`,
			want: `{"":3,"a":2,"ab":1,"b":4}`,
		},
		{
			name: "ok/nested objects sorted, arrays kept",
			in:   `{"b":[{"z":1,"y":2},3],"a":{"d":{},"c":[]}}`,
			want: `{"a":{"c":[],"d":{}},"b":[{"y":2,"z":1},3]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := jcs.Transform([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Transform (-want +got):\n%s", diff)
			}
		})
	}
}

// numberVectors maps IEEE-754 bit patterns (hex) to their canonical text.
// The first block is RFC 8785 Appendix B verbatim; the second was produced
// with Node.js v20 String(x) (ECMAScript Number::toString), for more cases of
// each notation and random bit patterns.
var numberVectors = []struct{ hex, want string }{
	// RFC 8785 Appendix B.
	{"0000000000000000", "0"},
	{"8000000000000000", "0"},
	{"0000000000000001", "5e-324"},
	{"8000000000000001", "-5e-324"},
	{"7fefffffffffffff", "1.7976931348623157e+308"},
	{"ffefffffffffffff", "-1.7976931348623157e+308"},
	{"4340000000000000", "9007199254740992"},
	{"c340000000000000", "-9007199254740992"},
	{"4430000000000000", "295147905179352830000"},
	{"44b52d02c7e14af5", "9.999999999999997e+22"},
	{"44b52d02c7e14af6", "1e+23"},
	{"44b52d02c7e14af7", "1.0000000000000001e+23"},
	{"444b1ae4d6e2ef4e", "999999999999999700000"},
	{"444b1ae4d6e2ef4f", "999999999999999900000"},
	{"444b1ae4d6e2ef50", "1e+21"},
	{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
	{"3eb0c6f7a0b5ed8d", "0.000001"},
	{"41b3de4355555553", "333333333.3333332"},
	{"41b3de4355555554", "333333333.33333325"},
	{"41b3de4355555555", "333333333.3333333"},
	{"41b3de4355555556", "333333333.3333334"},
	{"41b3de4355555557", "333333333.33333343"},
	{"becbf647612f3696", "-0.0000033333333333333333"},
	{"43143ff3c1cb0959", "1424953923781206.2"},
	// Node.js v20 String(x).
	{"3ff0000000000000", "1"},
	{"bff0000000000000", "-1"},
	{"3fb999999999999a", "0.1"},
	{"3fe0000000000000", "0.5"},
	{"3fd5555555555555", "0.3333333333333333"},
	{"3fd3333333333334", "0.30000000000000004"},
	{"4024000000000000", "10"},
	{"4059000000000000", "100"},
	{"405edd2f1a9fbe77", "123.456"},
	{"400921fb54442d18", "3.141592653589793"},
	{"4005bf0a8b145769", "2.718281828459045"},
	{"3e7ad7f29abcaf48", "1e-7"},
	{"3e8091b5aeffdb8e", "1.2345e-7"},
	{"3eb92a737110e454", "0.0000015"},
	{"3ee4f8b588e368f1", "0.00001"},
	{"4415af1d78b58c40", "100000000000000000000"},
	{"441ac53a7e04bcda", "123456789012345680000"},
	{"7e41eb2d66005835", "1.5e+300"},
	{"433fffffffffffff", "9007199254740991"},
	{"4340000000000001", "9007199254740994"},
	{"0010000000000000", "2.2250738585072014e-308"},
	{"000fffffffffffff", "2.225073858507201e-308"},
	{"8000000000000003", "-1.5e-323"},
	{"41678c29dccccccd", "12345678.9"},
	{"4012000000000000", "4.5"},
	{"3f60624dd2f1a9fc", "0.002"},
	{"3a53ce9a36f23c10", "1e-27"},
	{"46293e5939a08cea", "1e+30"},
	{"be19c511dc3a41df", "-1.5e-9"},
	{"3fefe00000000000", "0.99609375"},
	{"45060ee2e58aae16", "3.3333333333333333e+24"},
	{"7f6c280beaa8e3e7", "6.178787134922198e+305"},
	{"e46119871cf9abe0", "-3.383424077314981e+175"},
	{"35074a4158b8a0b7", "3.039494600594464e-53"},
	{"e2ce1ffad85b1c36", "-8.882056343710663e+167"},
	{"6c83972c97b6678e", "5.276099561814224e+214"},
	{"8ce91633be7328c1", "-1.7939798654489654e-246"},
	{"100f5e859d7dded0", "2.5256731678158988e-231"},
	{"9fc897255030916d", "-1.4328412473213185e-155"},
	{"07844c6b12870b0f", "1.8761090004344518e-272"},
	{"b6ca1465c9b326d9", "-9.136353238902674e-45"},
	{"34ac346ca79ad6d4", "5.751399879137148e-55"},
	{"b4e846ab6e48d679", "-7.920431961806249e-54"},
	{"1e2c31e94344f995", "2.4480705618824488e-163"},
	{"ef44842fb582b526", "-9.720461789709331e+227"},
	{"1ecb49baaf7839cc", "2.4261860608815182e-160"},
	{"bfc9e24f766f3abf", "-0.20221894534048165"},
}

func float(t *testing.T, h string) float64 {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 8 {
		t.Fatalf("bad hex %q", h)
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b))
}

func TestAppendNumber(t *testing.T) {
	t.Parallel()
	for _, v := range numberVectors {
		t.Run("ok/"+v.hex, func(t *testing.T) {
			f := float(t, v.hex)
			got, err := jcs.AppendNumber(nil, f)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != v.want {
				t.Errorf("AppendNumber(0x%s) = %s, want %s", v.hex, got, v.want)
			}
			// The canonical text parses back to the same double and is its
			// own canonical form.
			again, err := jcs.Transform(got)
			if err != nil || string(again) != v.want {
				t.Errorf("Transform(%s) = %s, %v", got, again, err)
			}
		})
	}
	// Appendix B: NaN and Infinity have no JSON form.
	for _, h := range []string{"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"} {
		t.Run("fail/"+h, func(t *testing.T) {
			if got, err := jcs.AppendNumber(nil, float(t, h)); err == nil {
				t.Errorf("AppendNumber(0x%s) = %s, want error", h, got)
			}
		})
	}
}

// Number texts go through the nearest double, then ECMAScript formatting.
func TestTransformNumberText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"-0.0e5", "0"},
		{"1E30", "1e+30"},
		{"4.50", "4.5"},
		{"2e-3", "0.002"},
		{"1e21", "1e+21"},
		{"1e20", "100000000000000000000"},
		{"1e-7", "1e-7"},
		{"0.000001", "0.000001"},
		{"0.0000001", "1e-7"},
		{"123e-2", "1.23"},
		{"9007199254740993", "9007199254740992"},
		{"1e-400", "0"},
		{"-1e-400", "0"},
		{"2.5e-324", "5e-324"},
		{"333333333.33333329", "333333333.3333333"},
		{"100", "100"},
		{"1.0", "1"},
	}
	for _, tt := range tests {
		got, err := jcs.Transform([]byte(tt.in))
		if err != nil {
			t.Errorf("Transform(%s): %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("Transform(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTransformStrings(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ok/short escapes", `"\b\f\n\r\t\"\\"`, `"\b\f\n\r\t\"\\"`},
		{"ok/other controls lowercase hex", `"\u0000\u001F\u000B\u0001"`, `"\u0000\u001f\u000b\u0001"`},
		{"ok/solidus unescaped", `"\/a/b"`, `"/a/b"`},
		{"ok/DEL kept", "\"\u007f\"", "\"\u007f\""},
		{"ok/non-ASCII unescaped", `"\u00e9\u2028\u2029\uFFFF"`, "\"é\u2028\u2029\uffff\""},
		{"ok/surrogate pair", `"\uD83D\uDE00"`, `"😀"`},
		{"ok/raw UTF-8 kept", `"Grüße 😀"`, `"Grüße 😀"`},
		{"ok/html not escaped", `"<a>&amp;"`, `"<a>&amp;"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jcs.Transform([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Transform (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTransformRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"fail/duplicate key", `{"a":1,"a":2}`},
		{"fail/duplicate key via escape", `{"a":1,"\u0061":2}`},
		{"fail/duplicate key nested", `{"x":{"b":1,"c":0,"b":1}}`},
		{"fail/invalid UTF-8", "\"\xff\""},
		{"fail/invalid UTF-8 after escape", "\"\\n\xc3\x28\""},
		{"fail/UTF-8 encoded surrogate", "\"\xed\xa0\x80\""},
		{"fail/overlong UTF-8", "\"\xc0\xaf\""},
		{"fail/invalid UTF-8 in key", "{\"\xfe\":1}"},
		{"fail/lone high surrogate", `"\ud800"`},
		{"fail/lone high surrogate then text", `"\ud800abcdef"`},
		{"fail/high surrogate then non-low", `"\ud800\u0041"`},
		{"fail/lone low surrogate", `"\udc00"`},
		{"fail/reversed pair", `"\ude00\ud83d"`},
		{"fail/NaN", `NaN`},
		{"fail/Infinity", `[Infinity]`},
		{"fail/overflow", `1e400`},
		{"fail/negative overflow", `-1.8e308`},
		{"fail/leading zero", `01`},
		{"fail/plus sign", `+1`},
		{"fail/bare fraction", `.5`},
		{"fail/dot without digits", `1.`},
		{"fail/exponent without digits", `1e+`},
		{"fail/hex", `0x10`},
		{"fail/trailing comma array", `[1,]`},
		{"fail/trailing comma object", `{"a":1,}`},
		{"fail/single quotes", `{'a':1}`},
		{"fail/unquoted key", `{a:1}`},
		{"fail/raw control char", "\"a\tb\""},
		{"fail/bad escape", `"\x41"`},
		{"fail/short unicode escape", `"\u12"`},
		{"fail/unterminated string", `"abc`},
		{"fail/unterminated object", `{"a":1`},
		{"fail/unterminated array", `[1,2`},
		{"fail/trailing data", `{} {}`},
		{"fail/empty", ``},
		{"fail/only space", "  \n"},
		{"fail/byte order mark", "\xef\xbb\xbf{}"},
		{"fail/bad literal", `tru`},
		{"fail/comment", `{"a":1 /* x */}`},
		{"fail/too deep", strings.Repeat("[", 10001) + strings.Repeat("]", 10001)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := jcs.Transform([]byte(tt.in))
			if err == nil {
				t.Fatalf("Transform(%q) = %s, want error", tt.in, got)
			}
			var je *jcs.Error
			if !errors.As(err, &je) {
				t.Fatalf("error %v (%T) is not a *jcs.Error", err, err)
			}
			if je.Offset < 0 || je.Offset > len(tt.in) {
				t.Errorf("offset %d outside the input", je.Offset)
			}
		})
	}
}

func TestTransformAcceptsDeepButBounded(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	got, err := jcs.Transform([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != in {
		t.Error("deep array changed")
	}
}

// W3C vc-di-eddsa test vectors (eddsa-jcs-2022): the canonical document and
// the canonical proof configuration are byte-for-byte the published files.
func TestEddsaJCS2022Vectors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ok/document", "unsigned.json", "eddsa-jcs-2022/canonDocJCS.txt"},
		{"ok/proof config", "eddsa-jcs-2022/proofConfigJCS.json", "eddsa-jcs-2022/proofCanonJCS.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := sharedtest.ReadTestdata(t, "eddsa", tt.in)
			want := sharedtest.ReadTestdata(t, "eddsa", tt.want)
			got, err := jcs.Transform(in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Transform(%s) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestMarshal(t *testing.T) {
	t.Parallel()
	type proof struct {
		Type    string   `json:"type"`
		Context []string `json:"@context"`
		Created string   `json:"created"`
		Weight  float64  `json:"weight"`
		HTML    string   `json:"html"`
	}
	got, err := jcs.Marshal(map[string]any{
		"z": proof{Type: "DataIntegrityProof", Context: []string{"b", "a"}, Created: "2023", Weight: 1e21, HTML: "<&>"},
		"a": []any{nil, true, 0.1},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":[null,true,0.1],"z":{"@context":["b","a"],"created":"2023","html":"<&>","type":"DataIntegrityProof","weight":1e+21}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	if _, err := jcs.Marshal(math.NaN()); err == nil {
		t.Error("Marshal(NaN) succeeded")
	}
}

// The output is its own canonical form and valid JSON.
func TestTransformIdempotent(t *testing.T) {
	t.Parallel()
	inputs := []string{
		sharedtestJSON(t, "ob3", "examples", "complete-openbadgecredential.json"),
		sharedtestJSON(t, "eddsa", "eddsa-jcs-2022", "signedJCS.json"),
		`{"b":[1e21,1e-7,-0,0.1],"a":"\u001f\ud83d\ude00"}`,
	}
	for _, in := range inputs {
		once, err := jcs.Transform([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		twice, err := jcs.Transform(once)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Errorf("not idempotent:\n%s\n%s", once, twice)
		}
		if !json.Valid(once) {
			t.Errorf("invalid JSON: %s", once)
		}
	}
}

func sharedtestJSON(t *testing.T, elem ...string) string {
	t.Helper()
	return string(sharedtest.ReadTestdata(t, elem...))
}

func FuzzTransform(f *testing.F) {
	seeds := []string{
		`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
		`{"\u20ac":1,"\r":2,"\ufb33":3,"1":4,"\ud83d\ude00":5,"\u0080":6,"\u00f6":7}`,
		`{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", `[1e400]`, `-0`, `[[[]]]`, `{"a":{"b":[{}]}}`,
		`"\u0000\u001f\u007f"`, `1e-7`, `123456789012345680000`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := jcs.Transform(data)
		if err != nil {
			var je *jcs.Error
			if !errors.As(err, &je) {
				t.Fatalf("error is not a *jcs.Error: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		again, err := jcs.Transform(out)
		if err != nil {
			t.Fatalf("Transform of canonical output failed: %v\n%q", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		// Anything JCS accepts, encoding/json accepts, and it means the same.
		var a, b any
		if err := json.Unmarshal(data, &a); err != nil {
			t.Fatalf("encoding/json rejects input JCS accepted: %v", err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(a, b) {
			t.Fatalf("canonical form changed the value:\n%q\n%q", data, out)
		}
	})
}

func BenchmarkTransform(b *testing.B) {
	in := sharedtest.ReadTestdata(b, "ob3", "examples", "complete-openbadgecredential.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := jcs.Transform(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendNumber(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = jcs.AppendNumber(buf[:0], 333333333.33333329)
	}
}
