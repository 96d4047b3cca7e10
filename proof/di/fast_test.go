package di

// Tests and benchmarks of Fast: its strict checks, bounded caches, and the
// cost of a sign and a verify next to raw Ed25519. The published vectors,
// the OB examples, concurrency and cancellation run over every
// canonicalizer (canonCases) in golden_test.go and canonicalizers_test.go. Run the benchmarks with
//
//	go test -run '^$' -bench 'Fast|Raw' -benchmem ./proof/di/
//
// and a CPU profile with
//
//	go test -run '^$' -bench FastSign -cpuprofile cpu.out ./proof/di/ && go tool pprof -top cpu.out

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// fastCanon is shared by the tests: Fast over the shared contexts.
var (
	fastOnce sync.Once
	fastVal  *Fast
)

func testFast(tb testing.TB) *Fast {
	tb.Helper()
	fastOnce.Do(func() { fastVal = NewFast(newDirLoader(tb), Limits{}) })
	return fastVal
}

// TestFastRefuses covers Fast's strictness: what JSON-LD would drop, and
// what has no single RDF form, is an error, never silently unsigned.
func TestFastRefuses(t *testing.T) {
	t.Parallel()
	subject := func(d map[string]any) map[string]any { return d["credentialSubject"].(map[string]any) }
	tests := []struct {
		name    string
		mutate  func(d map[string]any)
		limits  Limits
		wantErr error
		wantMsg string
	}{
		{"undefined top-level property", func(d map[string]any) { d["favouriteColour"] = "green" }, Limits{}, ErrUndefinedTerm, `property "favouriteColour" is not defined by any context at /`},
		{"undefined nested property", func(d map[string]any) { subject(d)["shoeSize"] = 42.0 }, Limits{}, ErrUndefinedTerm, `property "shoeSize" is not defined by any context at /credentialSubject`},
		{"undefined type", func(d map[string]any) {
			d["credentialSchema"] = []any{map[string]any{"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}}
		}, Limits{}, ErrUndefinedTerm, `type "1EdTechJsonSchemaValidator2019" is a relative IRI`},
		{"relative id", func(d map[string]any) { d["id"] = "credentials/3527" }, Limits{}, ErrUndefinedTerm, `@id "credentials/3527" is a relative IRI`},
		{"term mapped to null", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"secret": nil})
			d["secret"] = "x"
		}, Limits{}, ErrUndefinedTerm, `property "secret"`},
		{"keyword-like key", func(d map[string]any) { d["@foo"] = "x" }, Limits{}, ErrUndefinedTerm, `"@foo"`},
		{"unknown context", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://example.org/unknown-context")
		}, Limits{}, errUnknownContext, ""},
		{"invalid UTF-8", func(d map[string]any) { d["name"] = "Team\xffwork" }, Limits{}, ErrUnsupportedContent, ""},
		{"space in an IRI", func(d map[string]any) { d["id"] = "urn:example:a b" }, Limits{}, ErrUnsupportedContent, ""},
		{"angle bracket in an IRI", func(d map[string]any) { d["id"] = "urn:example:a>b" }, Limits{}, ErrUnsupportedContent, ""},
		{"invalid language tag", func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@language": "en_GB"} }, Limits{}, ErrUnsupportedContent, ""},
		{"base direction", func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@direction": "rtl"} }, Limits{}, ErrUnsupportedContent, ""},
		{"blank node predicate", func(d map[string]any) { d["_:p"] = "x" }, Limits{}, ErrUnsupportedContent, ""},
		{"invalid JSON-LD", func(d map[string]any) { d["name"] = map[string]any{"@value": "x", "@id": "urn:x"} }, Limits{}, ErrInvalidDocument, "invalid value object"},
		{"Go value encoding/json does not produce", func(d map[string]any) { d["name"] = 42 }, Limits{}, ErrInvalidDocument, ""},
		{"too large", func(map[string]any) {}, Limits{MaxBytes: 500}, ErrTooComplex, ""},
		{"too deep", func(map[string]any) {}, Limits{MaxDepth: 3}, ErrTooComplex, ""},
		{"too many statements", func(map[string]any) {}, Limits{MaxQuads: 10}, ErrTooComplex, ""},
		{"too many blank nodes", func(d map[string]any) { delete(subject(d), "id") }, Limits{MaxBlankNodes: 1}, ErrTooComplex, ""},
		{"uncacheable context in every node", func(d map[string]any) {
			var subjects []any
			for i := range 200 {
				subjects = append(subjects, map[string]any{
					"@context": []any{map[string]any{}, "https://www.w3.org/ns/credentials/v2"},
					"id":       fmt.Sprintf("urn:s:%d", i), "name": "n",
				})
			}
			d["credentialSubject"] = subjects
		}, Limits{}, ErrTooComplex, "term definitions"},
		{"look-alike blank nodes over the work limit", func(d map[string]any) {
			subject(d)["result"] = []any{lookAlike(4), lookAlike(4)}
		}, Limits{MaxWork: 100}, ErrTooComplex, "work"},
		{"look-alike blank nodes over the default work limit", func(d map[string]any) {
			// RDFC-1.0 would try 9! orderings of the alignments for each
			// of them: factorial, not just an estimate.
			subject(d)["result"] = []any{lookAlike(10), lookAlike(10)}
		}, Limits{}, ErrTooComplex, "work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := obUnsigned(t)
			tt.mutate(doc)
			_, err := NewFast(newDirLoader(t), tt.limits).Canonicalize(context.Background(), doc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

// TestFastAccepts: what Fast handles, including what JSONGold refuses.
func TestFastAccepts(t *testing.T) {
	t.Parallel()
	subject := func(d map[string]any) map[string]any { return d["credentialSubject"].(map[string]any) }
	tests := []struct {
		name   string
		mutate func(d map[string]any)
		want   string // a line of the canonical N-Quads, if set
	}{
		{"tab, LF and CR", func(d map[string]any) { d["name"] = "Team\twork\r\nbadge \"quoted\" \\ back" }, `"Team\twork\r\nbadge \"quoted\" \\ back"`},
		{"backspace and form feed (JSONGold refuses)", func(d map[string]any) { d["name"] = "Team\bwork\f" }, `"Team\bwork\f"`},
		{"other control characters (JSONGold refuses)", func(d map[string]any) { d["name"] = "\x00\x01\x1f\x7f" }, `"\u0000\u0001\u001F\u007F"`},
		{"non-ASCII", func(d map[string]any) { d["name"] = "Équipe ∞ 🏅 \u00a0\u0085" }, "\"Équipe ∞ 🏅 \u00a0\u0085\""},
		{"language tag", func(d map[string]any) { d["name"] = map[string]any{"@value": "Teamwork", "@language": "en-GB"} }, `"Teamwork"@en-gb`},
		{"json.Number", func(d map[string]any) {
			subject(d)["result"] = []any{map[string]any{"type": []any{"Result"}, "value": json.Number("92")}}
		}, `"92"`},
		{"long URL (JSONGold refuses)", func(d map[string]any) { d["id"] = "https://example.com/" + strings.Repeat("a", 2100) }, ""},
		{"stray percent in a URL (JSONGold refuses)", func(d map[string]any) { d["id"] = "https://example.com/%zz" }, "<https://example.com/%zz>"},
		{"undefined type with extensions.json", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
			d["credentialSchema"] = []any{map[string]any{"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}}
		}, "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>"},
		{"look-alike blank nodes", func(d map[string]any) { subject(d)["result"] = []any{lookAlike(3), lookAlike(3)} }, ""},
		{"null value", func(d map[string]any) { d["description"] = nil }, ""},
		{"empty array", func(d map[string]any) { d["description"] = []any{} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := obUnsigned(t)
			tt.mutate(doc)
			out, err := testFast(t).Canonicalize(context.Background(), doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Errorf("output %q does not end in a newline", out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("output does not contain %s:\n%s", tt.want, out)
			}
		})
	}
}

// TestFastPoison: the poison-graph guard refuses quickly, and the default
// work limit still accepts look-alike blank nodes a credential may have.
func TestFastPoison(t *testing.T) {
	t.Parallel()
	// A clique of look-alike blank nodes, which only explicit "_:" labels
	// can build: RDFC-1.0's test 074 in JSON-LD.
	var nodes []any
	for i := range 10 {
		var links []any
		for j := range 10 {
			links = append(links, map[string]any{"@id": fmt.Sprintf("_:e%d", j)})
		}
		nodes = append(nodes, map[string]any{"@id": fmt.Sprintf("_:e%d", i), "p": links})
	}
	doc := map[string]any{"@context": map[string]any{"p": "urn:ex:p"}, "@graph": nodes}
	_, err := testFast(t).Canonicalize(context.Background(), doc)
	if !errors.Is(err, ErrTooComplex) {
		t.Fatalf("error = %v, want ErrTooComplex", err)
	}
}

// TestFastBoundedCache canonicalizes documents whose @context lists are
// random chains of the pinned context URLs (each chain compiles to new
// cached contexts): the cache stays within its bound, and output stays
// right across cache resets.
func TestFastBoundedCache(t *testing.T) {
	t.Parallel()
	loader := newDirLoader(t)
	var urls []string
	urls = append(urls, loader.contextURLs()...)
	slices.Sort(urls)
	f := NewFast(loader, Limits{})
	want, err := testCanon(t).Canonicalize(context.Background(), obUnsigned(t))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(8, 8))
	peak, resets, ok := 0, 0, 0
	for i := range 1500 {
		var chain []any
		for range 2 + r.IntN(3) {
			chain = append(chain, urls[r.IntN(len(urls))])
		}
		doc := map[string]any{"@context": chain, "@id": "urn:x", "https://schema.org/name": "n"}
		// Many chains redefine protected terms; only the cache matters.
		if _, err := f.Canonicalize(context.Background(), doc); err == nil {
			ok++
		}
		n := f.proc.CachedContexts()
		if n > jsonld.DefaultMaxContexts {
			t.Fatalf("after %d documents: %d cached contexts", i, n)
		}
		if n < peak {
			resets++
		}
		peak = n
		if i%300 == 0 {
			got, err := f.Canonicalize(context.Background(), obUnsigned(t))
			if err != nil || string(got) != string(want) {
				t.Fatalf("after %d documents: %v\n%s", i, err, got)
			}
		}
	}
	t.Logf("%d of 1500 chains canonicalized; the cache was dropped %d times", ok, resets)
	if resets == 0 {
		t.Error("the cache never reached its bound; the test does not test it")
	}
}

// TestFastMemoryFlat signs thousands of generated credentials and checks
// that the live heap does not grow: caches are bounded and the pools keep
// no documents. It runs alone (not parallel) so the heap is its own.
func TestFastMemoryFlat(t *testing.T) {
	s := &Signer{Canonicalizer: NewFast(newDirLoader(t), Limits{})}
	key := obKey(t)
	opts := Options{VerificationMethod: obVM, Created: signTime}
	sign := func(from, n int) {
		for i := range n {
			g := &gen{r: rand.New(rand.NewPCG(uint64(from+i), 1))}
			_, _ = s.Sign(context.Background(), g.credential(), key, opts)
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	sign(0, 300)
	before := heap()
	sign(300, 3000)
	after := heap()
	t.Logf("live heap %d KiB after 300 signatures, %d KiB after 3,300", before>>10, after>>10)
	if after > before+2<<20 {
		t.Errorf("live heap grew from %d KiB to %d KiB", before>>10, after>>10)
	}
}

// TestFastSignAllocs keeps a full eddsa-rdfc-2022 sign of the OB vector
// credential under 1,000 allocations (issue 8).
func TestFastSignAllocs(t *testing.T) {
	s := &Signer{Canonicalizer: testFast(t)}
	doc, key := obUnsigned(t), obKey(t)
	opts := Options{VerificationMethod: obVM, Created: signTime}
	ctx := context.Background()
	if _, err := s.Sign(ctx, doc, key, opts); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := s.Sign(ctx, doc, key, opts); err != nil {
			t.Fatal(err)
		}
	})
	if allocs >= 1000 {
		t.Errorf("%v allocations per sign, want < 1000", allocs)
	}
	t.Logf("%v allocations per sign", allocs)
}

// obExample is the OB 3.0 credential of specs/ob3.md §8 (with
// extensions.json), without its placeholder proof.
func obExample(tb testing.TB) map[string]any {
	tb.Helper()
	spec := sharedtest.Specs(tb, "ob3.md")
	raw, err := os.ReadFile(spec)
	if err != nil {
		tb.Fatalf("read OB spec digest: %v", err)
	}
	m := regexp.MustCompile("(?s)## 8\\. Example.*?```json\n(.*?)```").FindSubmatch(raw)
	if m == nil {
		tb.Fatal("no §8 example in specs/ob3.md")
	}
	var doc map[string]any
	if err := json.Unmarshal(m[1], &doc); err != nil {
		tb.Fatalf("parse §8 example: %v", err)
	}
	delete(doc, "proof")
	return doc
}

var benchDocs = []struct {
	name string
	doc  func(testing.TB) map[string]any
}{
	{"ldp-vector", func(tb testing.TB) map[string]any { return obUnsigned(tb) }},
	{"ob3-example", obExample},
}

// BenchmarkFastCanonicalize is one RDFC-1.0 canonicalization with Fast.
func BenchmarkFastCanonicalize(b *testing.B) {
	for _, bd := range benchDocs {
		b.Run(bd.name, func(b *testing.B) {
			c := testFast(b)
			doc := bd.doc(b)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Canonicalize(ctx, doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFastSign is a full eddsa-rdfc-2022 sign through Signer with
// Fast: canonicalize the document and the proof configuration, hash, sign.
func BenchmarkFastSign(b *testing.B) {
	for _, bd := range benchDocs {
		b.Run(bd.name, func(b *testing.B) {
			s := &Signer{Canonicalizer: testFast(b)}
			doc, key := bd.doc(b), obKey(b)
			opts := Options{VerificationMethod: obVM, Created: signTime}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(ctx, doc, key, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFastVerify is a full eddsa-rdfc-2022 verification with Fast.
func BenchmarkFastVerify(b *testing.B) {
	for _, bd := range benchDocs {
		b.Run(bd.name, func(b *testing.B) {
			s := &Signer{Canonicalizer: testFast(b)}
			signed, err := s.Sign(context.Background(), bd.doc(b), obKey(b), Options{VerificationMethod: obVM, Created: signTime})
			if err != nil {
				b.Fatal(err)
			}
			v := &Verifier{Canonicalizer: testFast(b)}
			resolve := fixedResolver(obKey(b).Public())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, signed, resolve, Expect{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEd25519SignRaw is the bare Ed25519 signature over the 64-byte
// hash data, the unit of issue 8's target (FastSign ≤ 10×).
func BenchmarkEd25519SignRaw(b *testing.B) {
	priv := obKey(b).Signer().(ed25519.PrivateKey)
	msg := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(priv, msg)
	}
}

// BenchmarkEd25519VerifyRaw is the bare Ed25519 verification, the unit of
// FastVerify's target.
func BenchmarkEd25519VerifyRaw(b *testing.B) {
	priv := obKey(b).Signer().(ed25519.PrivateKey)
	msg := make([]byte, 64)
	sig := ed25519.Sign(priv, msg)
	pub := priv.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("does not verify")
		}
	}
}
