// Tests for package credential: the OB 3.0 examples and the ob3 digest §7
// failure cases against the 1EdTech JSON Schemas and the structural checks,
// building a credential from the Go types, identity hashes and time parsing.
//
// Fuzz: go test -run '^$' -fuzz '^FuzzValidate$' -fuzztime 15s ./credential/
//
//	go test -run '^$' -fuzz '^FuzzParseTime$' -fuzztime 15s ./credential/
//	go test -run '^$' -fuzz '^FuzzFastSchemaAgrees$' -fuzztime 60s ./credential/
//
// Benchmarks: go test -run '^$' -bench . -benchmem ./credential/
// (BenchmarkSchemaValidate against BenchmarkSchemaValidateReference shows
// what the fast schema checker saves).
package credential_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// errUnknownSchema is the test loader's miss.
var errUnknownSchema = errors.New("test loader: unknown schema")

// schemaLoader serves the shared schema files by URL. It stands in for
// ldcontext so that credential's tests stay independent of it.
type schemaLoader struct {
	files map[string]string // URL -> path
	gets  atomic.Int64
}

var _ credential.SchemaLoader = (*schemaLoader)(nil)

func newSchemaLoader(t testing.TB) *schemaLoader {
	t.Helper()
	ach := []string{"ob3", "schema", "ob_v3p0_achievementcredential_schema.json"}
	end := []string{"ob3", "schema", "ob_v3p0_endorsementcredential_schema.json"}
	files := map[string][]string{
		credential.SchemaAchievementCredential: ach,
		"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json": ach,
		credential.SchemaEndorsementCredential: end,
		"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json": end,
		credential.SchemaProfile: {"ob3", "schema", "ob_v3p0_profile_schema.json"},
		"https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json":   {"vcdm2", "verifiable-credential-schema.json"},
		"https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json": {"vcdm2", "verifiable-presentation-schema.json"},
	}
	l := &schemaLoader{files: make(map[string]string)}
	for u, elem := range files {
		l.files[u] = sharedtest.Testdata(t, elem...)
	}
	return l
}

func (l *schemaLoader) Get(ctx context.Context, url string) ([]byte, error) {
	l.gets.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, ok := l.files[url]
	if !ok {
		return nil, fmt.Errorf("%w: %s", errUnknownSchema, url)
	}
	return os.ReadFile(path)
}

// readJSON reads a shared testdata file as a JSON object.
func readJSON(t testing.TB, elem ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(sharedtest.ReadTestdata(t, elem...), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clone deep-copies a JSON object.
func clone(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
