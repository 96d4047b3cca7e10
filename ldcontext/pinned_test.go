package ldcontext

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// contextsIndex is the part of shared/contexts/index.json the tests read.
type contextsIndex struct {
	Contexts map[string]struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	} `json:"contexts"`
	Variants []struct {
		URL    string `json:"url"`
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	} `json:"variants"`
}

func readIndex(t *testing.T) (string, contextsIndex) {
	t.Helper()
	dir := sharedtest.ContextsDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx contextsIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Contexts) == 0 {
		t.Fatal("index.json lists no contexts")
	}
	return dir, idx
}

// schemaFiles maps each pinned schema URL to its shared testdata file.
var schemaFiles = map[string][]string{
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json":      {"ob3", "schema", "ob_v3p0_achievementcredential_schema.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json": {"ob3", "schema", "ob_v3p0_achievementcredential_schema.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json":      {"ob3", "schema", "ob_v3p0_endorsementcredential_schema.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json": {"ob3", "schema", "ob_v3p0_endorsementcredential_schema.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json":                    {"ob3", "schema", "ob_v3p0_profile_schema.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile-jsonschema1.json":               {"ob3", "schema", "ob_v3p0_profile_schema.json"},
	"https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json":                           {"vcdm2", "verifiable-credential-schema.json"},
	"https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json":                         {"vcdm2", "verifiable-presentation-schema.json"},
}

// TestPinnedTableMatchesSharedFiles proves the table: every digest is
// recomputed from the shared file it claims to pin, every context of
// index.json is pinned, and no row is left unproved.
func TestPinnedTableMatchesSharedFiles(t *testing.T) {
	t.Parallel()
	dir, idx := readIndex(t)
	proved := make(map[string]bool)
	check := func(t *testing.T, url string, kind Kind, path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Digest(b)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := pinned[url]
		if !ok {
			t.Fatalf("%s is not pinned", url)
		}
		if p.sha256 != got {
			t.Errorf("%s: pinned %s, file %s has JCS sha256 %s", url, p.sha256, path, got)
		}
		if p.kind != kind {
			t.Errorf("%s: kind %q, want %q", url, p.kind, kind)
		}
		if p.provenance == "" {
			t.Errorf("%s: no provenance", url)
		}
		proved[url] = true
	}
	for url, e := range idx.Contexts {
		path := filepath.Join(dir, e.File)
		check(t, url, KindContext, path)
		// index.json's sha256 is of the raw bytes: the shared copy is the
		// one index.json describes.
		b, _ := os.ReadFile(path)
		if raw := sha256.Sum256(b); hex.EncodeToString(raw[:]) != e.SHA256 {
			t.Errorf("%s: raw sha256 differs from index.json", e.File)
		}
	}
	for url, elem := range schemaFiles {
		check(t, url, KindSchema, sharedtest.Testdata(t, elem...))
	}
	for url := range pinned {
		if !proved[url] {
			t.Errorf("%s is pinned but no shared file proves its digest", url)
		}
	}
}

// TestSchemaIDsArePinned checks that each OB schema is also pinned under its
// own $id, so $ref resolution by $id stays inside the table.
func TestSchemaIDsArePinned(t *testing.T) {
	t.Parallel()
	for url, elem := range schemaFiles {
		var s struct {
			ID string `json:"$id"`
		}
		if err := json.Unmarshal(sharedtest.ReadTestdata(t, elem...), &s); err != nil {
			t.Fatal(err)
		}
		if _, ok := pinned[s.ID]; !ok {
			t.Errorf("%s: $id %s is not pinned", url, s.ID)
		}
	}
}

// memCache is a Cache over a map.
type memCache struct {
	m map[string][]byte
}

func (c *memCache) Get(_ context.Context, url string) ([]byte, error) {
	if b, ok := c.m[url]; ok {
		return b, nil
	}
	return nil, ErrNotCached
}

func (c *memCache) Put(_ context.Context, url string, doc []byte) error {
	c.m[url] = doc
	return nil
}

// TestVariantsAreRefused loads each file of contexts/variants for its URL.
// A variant that changes content (1EdTech's validator copy of OB 3.0.3 adds
// terms) is refused from every source. The two npm variants differ from the
// pinned files only in formatting, so their JCS digest is the pinned one and
// they are accepted: that is what pinning the JCS form is for. The test
// records which is which, so a changed variant file is noticed.
func TestVariantsAreRefused(t *testing.T) {
	t.Parallel()
	dir, idx := readIndex(t)
	wantRefused := map[string]bool{
		"variants/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.1edtech-validator-2026.json":       true,
		"variants/www.w3.org_ns_credentials_v2.npm-digitalbazaar-credentials-context-3.2.0.jsonld": false,
		"variants/www.w3.org_ns_did_v1.npm-did-context-3.1.1.jsonld":                               false,
	}
	if len(idx.Variants) != len(wantRefused) {
		t.Fatalf("index.json has %d variants, the test knows %d", len(idx.Variants), len(wantRefused))
	}
	ctx := context.Background()
	for _, v := range idx.Variants {
		t.Run(filepath.Base(v.File), func(t *testing.T) {
			refuse, known := wantRefused[v.File]
			if !known {
				t.Fatalf("unknown variant %s", v.File)
			}
			b, err := os.ReadFile(filepath.Join(dir, v.File))
			if err != nil {
				t.Fatal(err)
			}
			if raw := sha256.Sum256(b); hex.EncodeToString(raw[:]) == idx.Contexts[v.URL].SHA256 {
				t.Fatal("variant has the same raw bytes as the pinned file")
			}

			// From the cache: digest-checked.
			l, err := New(Config{Cache: &memCache{m: map[string][]byte{v.URL: b}}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.Get(ctx, v.URL)
			if refuse {
				if !errors.Is(err, ErrDigestMismatch) || !errors.Is(err, ErrUnavailable) {
					t.Fatalf("Get from cache: got %v, want ErrDigestMismatch and ErrUnavailable", err)
				}
			} else if err != nil || !cmp.Equal(got, b) {
				t.Fatalf("formatting-only variant from cache: %v", err)
			}

			// From a directory holding only the variant: not indexed.
			vdir := t.TempDir()
			if err := os.WriteFile(filepath.Join(vdir, filepath.Base(v.File)), b, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err = New(Config{Dir: vdir})
			if err != nil {
				t.Fatal(err)
			}
			_, err = l.Get(ctx, v.URL)
			if refuse != (err != nil) {
				t.Fatalf("Get from dir: refused=%v, want %v (%v)", err != nil, refuse, err)
			}
			if refuse && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Get from dir: %v, want ErrUnavailable", err)
			}
		})
	}
}
