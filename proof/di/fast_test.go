package di

// Tests and benchmarks of Fast: the published vectors byte for byte, the
// strict checks, concurrency, bounded caches, and the cost of a sign and a
// verify next to raw Ed25519. Run the benchmarks with
//
//	go test -run '^$' -bench 'Fast|Raw' -benchmem ./proof/di/
//
// and a CPU profile with
//
//	go test -run '^$' -bench FastSign -cpuprofile cpu.out ./proof/di/ && go tool pprof -top cpu.out

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
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
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestFastW3CVector reproduces every intermediate value of the
// eddsa-rdfc-2022 test vector (EdDSA Cryptosuites v1.0 Appendix B) with
// Fast.
func TestFastW3CVector(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := func(name string) string { return readText(t, "eddsa", "eddsa-rdfc-2022", name) }
	config := readJSON(t, "eddsa", "eddsa-rdfc-2022", "proofConfigDataInt.json")
	opts := optionsFrom(t, config)
	opts.ProofObject = true
	s := &Signer{Canonicalizer: testFast(t)}
	out, st, err := s.sign(ctx, readJSON(t, "eddsa", "unsigned.json"), keyPairKey(t, readJSON(t, "eddsa", "keyPair.json")), opts)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := decodeProofValue(out["proof"].(map[string]any)["proofValue"].(string))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ what, got, want string }{
		{"canonical document", string(st.canonDoc), file("canonDocDataInt.txt")},
		{"canonical proof configuration", string(st.canonProof), file("proofCanonDataInt.txt")},
		{"document hash", hex.EncodeToString(st.docHash[:]), file("docHashDataInt.txt")},
		{"proof hash", hex.EncodeToString(st.proofHash[:]), file("proofHashDataInt.txt")},
		{"combined hash", hex.EncodeToString(st.hashData), file("combinedHashDataInt.txt")},
		{"signature", hex.EncodeToString(sig), file("sigHexDataInt.txt")},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
	signed := readJSON(t, "eddsa", "eddsa-rdfc-2022", "signedDataInt.json")
	if diff := cmp.Diff(signed, out); diff != "" {
		t.Errorf("signed document (-want +got):\n%s", diff)
	}
	v := &Verifier{Canonicalizer: testFast(t)}
	if _, err := v.Verify(ctx, signed, didKeyResolver, Expect{}); err != nil {
		t.Errorf("verify published document: %v", err)
	}
}

// TestFastOB3Vector reproduces the OB 3.0 implementation guide's Linked
// Data Proof vector with Fast.
func TestFastOB3Vector(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := func(name string) []string { return []string{"ob3", "ldp-test-vector", name} }
	expected := readJSON(t, in("expected.json")...)
	opts := optionsFrom(t, readJSON(t, in("proof-options.json")...))
	opts.ProofObject = true
	s := &Signer{Canonicalizer: testFast(t)}
	out, st, err := s.sign(ctx, readJSON(t, in("credential-unsigned.json")...), keyPairKey(t, readJSON(t, in("keypair.json")...)), opts)
	if err != nil {
		t.Fatal(err)
	}
	pv := out["proof"].(map[string]any)["proofValue"].(string)
	checks := []struct{ what, got, want string }{
		{"canonical document", string(st.canonDoc), readText(t, in("document-canon.nq")...)},
		{"canonical proof configuration", string(st.canonProof), readText(t, in("proof-canon.nq")...)},
		{"document hash", hex.EncodeToString(st.docHash[:]), expected["documentCanonSha256Hex"].(string)},
		{"proof hash", hex.EncodeToString(st.proofHash[:]), expected["proofCanonSha256Hex"].(string)},
		{"data to sign", hex.EncodeToString(st.hashData), expected["dataToSignHex"].(string)},
		{"proofValue", pv, expected["proofValue"].(string)},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
	if diff := cmp.Diff(readJSON(t, in("credential-signed.json")...), out); diff != "" {
		t.Errorf("signed credential (-want +got):\n%s", diff)
	}
}

// TestFastProofSetAndChain reproduces the W3C proof set and chain vectors.
func TestFastProofSetAndChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pairs := readJSON(t, "eddsa", "proof-set-chain", "multiKeyPairs.json")
	s := &Signer{Canonicalizer: testFast(t)}
	v := &Verifier{Canonicalizer: testFast(t)}
	for _, st := range []struct{ config, key, in, want string }{
		{"proofSetConfig1.json", "keyPair1", "unsigned.json", "signedProofSet1.json"},
		{"proofSetConfig2.json", "keyPair2", "signedProofSet1.json", "signedProofSet2.json"},
		{"proofChainConfig1.json", "keyPair3", "signedProofSet2.json", "signedProofChain1.json"},
		{"proofChainConfig2.json", "keyPair4", "signedProofChain1.json", "signedProofChain2.json"},
	} {
		opts := optionsFrom(t, readJSON(t, "eddsa", "proof-set-chain", st.config))
		opts.ProofObject = true
		out, err := s.Sign(ctx, readJSON(t, "eddsa", "proof-set-chain", st.in), keyPairKey(t, pairs[st.key].(map[string]any)), opts)
		if err != nil {
			t.Fatalf("%s: %v", st.want, err)
		}
		want := readJSON(t, "eddsa", "proof-set-chain", st.want)
		if diff := cmp.Diff(want, out); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.want, diff)
		}
		res, err := v.Verify(ctx, want, didKeyResolver, Expect{})
		if err != nil {
			t.Fatalf("%s: %v", st.want, err)
		}
		for i, pr := range res.Proofs {
			if !pr.Verified {
				t.Errorf("%s proof %d: %v", st.want, i, pr.Err)
			}
		}
	}
}

// TestFastInteropVectors verifies documents signed by other
// implementations, including the legacy Ed25519Signature2020 suite.
func TestFastInteropVectors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	controller := readJSON(t, "acceptance-data", "vectors", "ob3-impl-guide-ldp", "controller.json")
	legacy := readJSON(t, "eddsa", "unsigned.json")
	legacy["@context"] = append(legacy["@context"].([]any), ed25519Context2020)
	legacy["proof"] = map[string]any{
		"type":               Ed25519Signature2020,
		"created":            "2023-02-24T23:36:38Z",
		"verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
		"proofPurpose":       PurposeAssertion,
		"proofValue":         "z57Mm1vboMtZiCyJ4aReZsv8co4Re64Y8GEjL1ZARzMbXZgkARFLqFs1P345NpPGG2hgCrS4nNdvJhpwnrNyG3kEF",
	}
	tests := []struct {
		name    string
		doc     map[string]any
		resolve KeyResolver
	}{
		{"ob3-ldp-test-vector", readJSON(t, "ob3", "ldp-test-vector", "credential-signed.json"), controllerResolver(t, controller)},
		{"acceptance-ob3-impl-guide-ldp", readJSON(t, "acceptance-data", "vectors", "ob3-impl-guide-ldp", "credential-signed.json"), controllerResolver(t, controller)},
		{"w3c-eddsa-rdfc-2022", readJSON(t, "eddsa", "eddsa-rdfc-2022", "signedDataInt.json"), didKeyResolver},
		{"digitalbazaar-Ed25519Signature2020", legacy, didKeyResolver},
	}
	v := &Verifier{Canonicalizer: testFast(t)}
	for _, tt := range tests {
		res, err := v.Verify(ctx, tt.doc, tt.resolve, Expect{})
		if err != nil || !res.Verified {
			t.Errorf("%s: %+v, %v", tt.name, res, err)
		}
	}
}

// TestFastCLRVector: the CLR 2.0 vector's canonical forms (another
// implementation's output) come out of Fast unchanged when parsed back,
// and the OB spec examples canonicalize.
func TestFastOBExamples(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(sharedtest.Testdata(t, "ob3", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		doc := readJSON(t, "ob3", "examples", e.Name())
		delete(doc, "proof")
		got, err := testFast(t).Canonicalize(context.Background(), doc)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		want, err := testCanon(t).Canonicalize(context.Background(), doc)
		if err != nil {
			t.Fatalf("%s: JSONGold: %v", e.Name(), err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s: differs from JSONGold (-JSONGold +Fast):\n%s", e.Name(), diff)
		}
	}
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
			start := time.Now()
			_, err := NewFast(newDirLoader(t), tt.limits).Canonicalize(context.Background(), doc)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusal took %v", d)
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

// TestFastDoesNotMutate checks that neither the document nor the shared
// context documents change.
func TestFastDoesNotMutate(t *testing.T) {
	t.Parallel()
	loader := newDirLoader(t)
	f := NewFast(loader, Limits{})
	doc := readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")
	delete(doc, "proof")
	before := cloneJSON(doc)
	if _, err := f.Canonicalize(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, doc); diff != "" {
		t.Errorf("document changed (-before +after):\n%s", diff)
	}
	fresh := newDirLoader(t)
	loader.mu.Lock()
	defer loader.mu.Unlock()
	if len(loader.docs) < 3 {
		t.Fatalf("only %d contexts loaded", len(loader.docs))
	}
	for url, d := range loader.docs {
		want, err := fresh.JSON(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Errorf("context %s changed (-want +got):\n%s", url, diff)
		}
	}
}

func TestFastImport(t *testing.T) {
	t.Parallel()
	base := map[string]any{"@context": map[string]any{"name": "https://schema.org/name"}}
	l := &importLoader{docs: map[string]any{
		"https://example.org/base":  base,
		"https://example.org/outer": map[string]any{"@context": map[string]any{"@version": 1.1, "@import": "https://example.org/base", "desc": "https://schema.org/description"}},
	}}
	f := NewFast(l, Limits{})
	doc := map[string]any{"@context": "https://example.org/outer", "@id": "urn:x", "name": "n", "desc": "d"}
	out, err := f.Canonicalize(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "<urn:x> <https://schema.org/description> \"d\" .\n<urn:x> <https://schema.org/name> \"n\" .\n"
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"@context": map[string]any{"name": "https://schema.org/name"}}, base); diff != "" {
		t.Errorf("imported context changed (-want +got):\n%s", diff)
	}
}

// TestFastConcurrent runs one Fast from many goroutines (run with -race).
func TestFastConcurrent(t *testing.T) {
	t.Parallel()
	f := NewFast(newDirLoader(t), Limits{})
	docs := []map[string]any{obUnsigned(t), readJSON(t, "eddsa", "unsigned.json"), obExample(t)}
	want := make([][]byte, len(docs))
	for i, d := range docs {
		out, err := testCanon(t).Canonicalize(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 6 {
				k := (g + i) % len(docs)
				out, err := f.Canonicalize(context.Background(), docs[k])
				if err != nil {
					t.Error(err)
					return
				}
				if string(out) != string(want[k]) {
					t.Errorf("document %d: output differs from JSONGold's", k)
				}
			}
		})
	}
	wg.Wait()
}

func TestFastCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewFast(newDirLoader(t), Limits{}).Canonicalize(ctx, obUnsigned(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	var nilFast *Fast
	if _, err := nilFast.Canonicalize(context.Background(), obUnsigned(t)); !errors.Is(err, ErrInvalidDocument) {
		t.Fatalf("nil Fast: error = %v, want ErrInvalidDocument", err)
	}
	if _, err := NewFast(nil, Limits{}).Canonicalize(context.Background(), obUnsigned(t)); !errors.Is(err, ErrInvalidDocument) {
		t.Fatalf("no loader: error = %v, want ErrInvalidDocument", err)
	}
	if _, err := testFast(t).Canonicalize(context.Background(), nil); !errors.Is(err, ErrInvalidDocument) {
		t.Fatalf("nil document: error = %v, want ErrInvalidDocument", err)
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
	start := time.Now()
	_, err := testFast(t).Canonicalize(context.Background(), doc)
	if !errors.Is(err, ErrTooComplex) {
		t.Fatalf("error = %v, want ErrTooComplex", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v", d)
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
