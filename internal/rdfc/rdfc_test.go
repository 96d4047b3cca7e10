package rdfc_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/rdfc"
)

// TestEscaping covers the canonical N-Quads escapes (RDFC-1.0 §4.4; W3C
// test060 covers them again through the parser).
func TestEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{"\"\\", `"\"\\"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x01\x0b\x0e\x1f", `"\u0000\u0001\u000B\u000E\u001F"`},
		{"\x7f", `"\u007F"`},
		{"\u0080\u009f", "\"\u0080\u009f\""},
		{"é ∞ 🏅 '", "\"é ∞ 🏅 '\""},
	}
	for _, tt := range tests {
		if got := rdfc.Literal(tt.in, "", "").String(); got != tt.want {
			t.Errorf("Literal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	other := []struct {
		term rdfc.Term
		want string
	}{
		{rdfc.Literal("1", "http://www.w3.org/2001/XMLSchema#integer", ""), `"1"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{rdfc.Literal("x", rdfc.XSDString, ""), `"x"`},
		{rdfc.Literal("x", rdfc.RDFLangString, "en-GB"), `"x"@en-GB`},
		{rdfc.IRI("urn:ex:∞"), `<urn:ex:∞>`},
		{rdfc.Blank("b0"), `_:b0`},
	}
	for _, tt := range other {
		if got := tt.term.String(); got != tt.want {
			t.Errorf("%+v = %s, want %s", tt.term, got, tt.want)
		}
	}
}

func TestInvalidDataset(t *testing.T) {
	t.Parallel()
	s, p, o := rdfc.IRI("urn:s"), rdfc.IRI("urn:p"), rdfc.Literal("o", "", "")
	tests := map[string]rdfc.Quad{
		"space in IRI":          {Subject: rdfc.IRI("urn:a b"), Predicate: p, Object: o},
		"> in IRI":              {Subject: s, Predicate: p, Object: rdfc.IRI("urn:a> <urn:b")},
		"control in IRI":        {Subject: s, Predicate: rdfc.IRI("urn:a\nb"), Object: o},
		"empty IRI":             {Subject: rdfc.IRI(""), Predicate: p, Object: o},
		"bad language tag":      {Subject: s, Predicate: p, Object: rdfc.Literal("x", "", "en .\n")},
		"language and datatype": {Subject: s, Predicate: p, Object: rdfc.Literal("x", "urn:dt", "en")},
		"langString, no tag":    {Subject: s, Predicate: p, Object: rdfc.Literal("x", rdfc.RDFLangString, "")},
		"bad datatype":          {Subject: s, Predicate: p, Object: rdfc.Literal("x", "urn:a b", "")},
		"literal not UTF-8":     {Subject: s, Predicate: p, Object: rdfc.Literal("\xff", "", "")},
		"IRI not UTF-8":         {Subject: rdfc.IRI("urn:\xff"), Predicate: p, Object: o},
		"blank predicate":       {Subject: s, Predicate: rdfc.Blank("p"), Object: o},
		"literal subject":       {Subject: o, Predicate: p, Object: o},
		"literal graph":         {Subject: s, Predicate: p, Object: o, Graph: o},
		"empty blank label":     {Subject: rdfc.Blank(""), Predicate: p, Object: o},
		"missing object":        {Subject: s, Predicate: p},
	}
	for name, q := range tests {
		d := &rdfc.Dataset{Quads: []rdfc.Quad{q}}
		if _, err := rdfc.Canonicalize(d, rdfc.Options{}); !errors.Is(err, rdfc.ErrInvalidDataset) {
			t.Errorf("%s: error = %v, want ErrInvalidDataset", name, err)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	d := &rdfc.Dataset{}
	for i := range 5 {
		d.Add(rdfc.Blank(fmt.Sprint("n", i)), rdfc.IRI("urn:p"), rdfc.Literal("x", "", ""), rdfc.Term{})
	}
	if _, err := rdfc.Canonicalize(d, rdfc.Options{MaxBlankNodes: 4}); !errors.Is(err, rdfc.ErrTooComplex) {
		t.Errorf("5 blank nodes, limit 4: error = %v, want ErrTooComplex", err)
	}
	if _, err := rdfc.Canonicalize(d, rdfc.Options{MaxBlankNodes: 5}); err != nil {
		t.Errorf("5 blank nodes, limit 5: %v", err)
	}
	if _, err := rdfc.Canonicalize(d, rdfc.Options{Hash: 7}); !errors.Is(err, rdfc.ErrInvalidDataset) {
		t.Errorf("unknown hash: error = %v", err)
	}
}

// TestSetSemantics: duplicates go, order and labels do not matter, and the
// input is left alone.
func TestSetSemantics(t *testing.T) {
	t.Parallel()
	in := `_:x <urn:p> _:y .
_:y <urn:p> "v"@en .
_:x <urn:p> _:y .
<urn:s> <urn:q> _:x _:g .
_:y <urn:r> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .
`
	d, err := rdfc.ParseNQuads([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	before := rdfc.AppendNQuads(nil, d)
	got, err := rdfc.Canonicalize(d, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `<urn:s> <urn:q> _:c14n1 _:c14n0 .
_:c14n1 <urn:p> _:c14n2 .
_:c14n2 <urn:p> "v"@en .
_:c14n2 <urn:r> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if after := rdfc.AppendNQuads(nil, d); string(after) != string(before) {
		t.Errorf("input changed:\n%s", after)
	}
	shuffled := shuffle(d, rand.New(rand.NewPCG(1, 2)))
	again, err := rdfc.Canonicalize(shuffled, rdfc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(got) {
		t.Errorf("relabelled and reordered input gives\n%s", again)
	}
}

// shuffle returns d with its quads in random order and its blank nodes
// renamed: an isomorphic dataset.
func shuffle(d *rdfc.Dataset, r *rand.Rand) *rdfc.Dataset {
	rename := map[string]string{}
	used := map[string]bool{}
	label := func(t rdfc.Term) rdfc.Term {
		if t.Kind != rdfc.KindBlank {
			return t
		}
		l, ok := rename[t.Value]
		if !ok {
			l = fmt.Sprintf("r%d", r.IntN(1<<30))
			for used[l] {
				l += "x"
			}
			rename[t.Value], used[l] = l, true
		}
		return rdfc.Blank(l)
	}
	out := &rdfc.Dataset{}
	for _, i := range r.Perm(len(d.Quads)) {
		q := d.Quads[i]
		out.Add(label(q.Subject), q.Predicate, label(q.Object), label(q.Graph))
	}
	return out
}

func TestParseNQuadsErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		`<urn:s> <urn:p> "o"`,
		`<urn:s> <urn:p> "o" . x`,
		`<s> <urn:p> "o" .`,
		`"s" <urn:p> "o" .`,
		`<urn:s> _:p "o" .`,
		`<urn:s> <urn:p> "o" "g" .`,
		`<urn:s> <urn:p> "o\q" .`,
		`<urn:s> <urn:p> "o"@ .`,
		`<urn:s> <urn:p> "o"@1a .`,
		`<urn:s> <urn:p> "o"^^"x" .`,
		`<urn:s> <urn:p> "\u12" .`,
		`<urn:s> <urn:p> "\uD800" .`,
		`<urn:a b> <urn:p> "o" .`,
		`<urn:s> <urn:p> <urn:\u0020> .`,
		`<urn:s> <urn:p> "line
break" .`,
		`_: <urn:p> "o" .`,
		`<urn:s`,
	}
	for _, s := range bad {
		if _, err := rdfc.ParseNQuads([]byte(s)); !errors.Is(err, rdfc.ErrSyntax) {
			t.Errorf("ParseNQuads(%q): error = %v, want ErrSyntax", s, err)
		}
	}
	good := "# comment\n\n<urn:s> <urn:p> \"o\" . # trailing\r\n_:a.b <urn:p> _:c\t<urn:g>\t.\n"
	d, err := rdfc.ParseNQuads([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := "<urn:s> <urn:p> \"o\" .\n_:a.b <urn:p> _:c <urn:g> .\n"
	if got := string(rdfc.AppendNQuads(nil, d)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestValidLanguageTag(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{
		"en": true, "en-GB": true, "zh-Hant-TW": true, "x-1": true, "de-1996": true,
		"": false, "1en": false, "en-": false, "-en": false, "en--GB": false, "en_GB": false, "en GB": false,
	} {
		if got := rdfc.ValidLanguageTag(tag); got != want {
			t.Errorf("ValidLanguageTag(%q) = %v, want %v", tag, got, want)
		}
	}
}

// FuzzParseNQuads: parsing never panics; what parses re-serializes to
// something that parses to the same quads; canonicalization is idempotent
// and ignores quad order and blank node labels.
func FuzzParseNQuads(f *testing.F) {
	for _, s := range []string{
		"<urn:s> <urn:p> \"o\" .\n",
		"_:a <urn:p> _:b .\n_:b <urn:p> _:a .\n",
		"_:a <urn:p> \"x\"@en _:g .\n<urn:s> <urn:p> \"\\u0000\\b\\U0001F303\"^^<urn:dt> <urn:g> .\n",
		"_:e0 <http:/example.com/p> _:e1 .\n_:e1 <http:/example.com/p> _:e2 .\n_:e2 <http:/example.com/p> _:e0 .\n",
		"# c\n<urn:\\u221e> <urn:p> \"\\t\\\"\" .",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := rdfc.ParseNQuads(data)
		if err != nil {
			return
		}
		text := rdfc.AppendNQuads(nil, d)
		d2, err := rdfc.ParseNQuads(text)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", text, err)
		}
		if diff := cmp.Diff(d, d2); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
		opts := rdfc.Options{MaxWork: 2000}
		c1, err := rdfc.Canonicalize(d, opts)
		if errors.Is(err, rdfc.ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("canonicalize parsed input: %v", err)
		}
		d3, err := rdfc.ParseNQuads(c1)
		if err != nil {
			t.Fatalf("parse canonical output %q: %v", c1, err)
		}
		c2, err := rdfc.Canonicalize(d3, opts)
		if err != nil || string(c1) != string(c2) {
			t.Fatalf("not idempotent: %q -> %q (%v)", c1, c2, err)
		}
		c3, err := rdfc.Canonicalize(shuffle(d, rand.New(rand.NewPCG(uint64(len(data)), 7))), opts)
		if err != nil || string(c1) != string(c3) {
			t.Fatalf("isomorphic input differs: %q vs %q (%v)", c1, c3, err)
		}
	})
}

func ExampleCanonicalize() {
	d := &rdfc.Dataset{}
	d.Add(rdfc.Blank("x"), rdfc.IRI("https://schema.org/name"), rdfc.Literal("Teamwork\b", "", ""), rdfc.Term{})
	d.Add(rdfc.IRI("urn:uuid:1"), rdfc.IRI("https://schema.org/about"), rdfc.Blank("x"), rdfc.Term{})
	out, err := rdfc.Canonicalize(d, rdfc.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// <urn:uuid:1> <https://schema.org/about> _:c14n0 .
	// _:c14n0 <https://schema.org/name> "Teamwork\b" .
}
