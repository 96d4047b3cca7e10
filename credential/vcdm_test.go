package credential_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// TestCheckVCDM applies VCDM 2.0's MUSTs to the specification's own
// example credential (the AlumniCredential of the VC Data Integrity EdDSA
// vectors, testdata/eddsa/unsigned.json) and to negative variants of it.
func TestCheckVCDM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		patch  func(m map[string]any)
		fields []string
	}{
		{"ok/spec example", func(map[string]any) {}, nil},
		{"ok/issuer object", func(m map[string]any) {
			m["issuer"] = map[string]any{"id": "https://vc.example/issuers/5678", "name": "x"}
		}, nil},
		{"ok/subject array", func(m map[string]any) { m["credentialSubject"] = []any{map[string]any{"id": "did:example:1"}} }, nil},
		{"ok/typed members", func(m map[string]any) {
			m["credentialStatus"] = []any{map[string]any{"id": "https://vc.example/status/1#3", "type": "BitstringStatusListEntry"}}
			m["credentialSchema"] = map[string]any{"id": "https://vc.example/schema.json", "type": "JsonSchema"}
			m["refreshService"] = map[string]any{"url": "https://vc.example/refresh", "type": "VerifiableCredentialRefreshService2021"}
			m["termsOfUse"] = map[string]any{"id": "https://vc.example/tou", "type": []any{"TrustFrameworkPolicy"}}
			m["evidence"] = []any{map[string]any{"id": "https://vc.example/ev/1", "type": []any{"Evidence"}}}
			m["relatedResource"] = []any{map[string]any{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": v2SRI},
				map[string]any{"id": "https://vc.example/img.png", "digestMultibase": v2Multibase}}
		}, nil},
		{"fail/issuer null", func(m map[string]any) { m["issuer"] = nil }, []string{"issuer"}},
		{"fail/issuer missing", func(m map[string]any) { delete(m, "issuer") }, []string{"issuer"}},
		{"fail/issuer empty", func(m map[string]any) { m["issuer"] = "" }, []string{"issuer"}},
		{"fail/issuer object without id", func(m map[string]any) { m["issuer"] = map[string]any{"name": "x"} }, []string{"issuer.id"}},
		{"fail/subject empty", func(m map[string]any) { m["credentialSubject"] = map[string]any{} }, []string{"credentialSubject"}},
		{"fail/subject null", func(m map[string]any) { m["credentialSubject"] = nil }, []string{"credentialSubject"}},
		{"fail/subject empty array", func(m map[string]any) { m["credentialSubject"] = []any{} }, []string{"credentialSubject"}},
		{"fail/subject array with an empty object", func(m map[string]any) {
			m["credentialSubject"] = []any{map[string]any{"id": "did:example:1"}, map[string]any{}}
		}, []string{"credentialSubject[1]"}},
		{"fail/validUntil before validFrom", func(m map[string]any) { m["validUntil"] = "2022-12-31T23:59:59Z" }, []string{"validUntil"}},
		{"fail/validUntil before validFrom across offsets", func(m map[string]any) { m["validUntil"] = "2023-01-01T00:59:59+01:00" }, []string{"validUntil"}},
		{"ok/validUntil equal as an instant", func(m map[string]any) { m["validUntil"] = "2023-01-01T01:00:00+01:00" }, nil},
		{"fail/validFrom without time zone", func(m map[string]any) { m["validFrom"] = "2023-01-01T00:00:00" }, []string{"validFrom"}},
		{"fail/credentialStatus without type", func(m map[string]any) { m["credentialStatus"] = map[string]any{"id": "https://vc.example/status/1#3"} }, []string{"credentialStatus.type"}},
		{"fail/credentialStatus array entry without type", func(m map[string]any) {
			m["credentialStatus"] = []any{map[string]any{"type": "BitstringStatusListEntry"}, map[string]any{"id": "https://vc.example/s#1"}}
		}, []string{"credentialStatus[1].type"}},
		{"fail/termsOfUse without type", func(m map[string]any) { m["termsOfUse"] = map[string]any{"id": "https://vc.example/tou"} }, []string{"termsOfUse.type"}},
		{"fail/evidence without type", func(m map[string]any) { m["evidence"] = []any{map[string]any{"id": "https://vc.example/ev/1"}} }, []string{"evidence[0].type"}},
		{"fail/refreshService without type", func(m map[string]any) { m["refreshService"] = map[string]any{"url": "https://vc.example/refresh"} }, []string{"refreshService.type"}},
		{"fail/credentialSchema without type", func(m map[string]any) { m["credentialSchema"] = map[string]any{"id": "https://vc.example/schema.json"} }, []string{"credentialSchema.type"}},
		{"fail/credentialSchema without id", func(m map[string]any) { m["credentialSchema"] = map[string]any{"type": "JsonSchema"} }, []string{"credentialSchema.id"}},
		{"fail/type empty string", func(m map[string]any) { m["termsOfUse"] = map[string]any{"type": ""} }, []string{"termsOfUse.type"}},
		{"fail/type empty array", func(m map[string]any) { m["evidence"] = map[string]any{"type": []any{}} }, []string{"evidence.type"}},
		{"fail/typed member a string", func(m map[string]any) { m["termsOfUse"] = "https://vc.example/tou" }, []string{"termsOfUse"}},
		{"fail/relatedResource without digest", func(m map[string]any) { m["relatedResource"] = []any{map[string]any{"id": "https://vc.example/x"}} }, []string{"relatedResource[0]"}},
		{"fail/relatedResource without id", func(m map[string]any) { m["relatedResource"] = []any{map[string]any{"digestSRI": v2SRI}} }, []string{"relatedResource[0].id"}},
		{"fail/relatedResource id repeated", func(m map[string]any) {
			r := map[string]any{"id": "https://vc.example/x", "digestSRI": v2SRI}
			m["relatedResource"] = []any{r, r}
		}, []string{"relatedResource[1].id"}},
		{"fail/relatedResource SRI with the REC's stray M", func(m map[string]any) {
			m["relatedResource"] = []any{map[string]any{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-M" + strings.TrimPrefix(v2SRI, "sha384-")}}
		}, []string{"relatedResource[0].digestSRI"}},
		{"fail/relatedResource unknown multihash", func(m map[string]any) {
			m["relatedResource"] = []any{map[string]any{"id": "https://vc.example/x", "digestMultibase": "uERQ"}}
		}, []string{"relatedResource[0].digestMultibase"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := readJSON(t, "eddsa", "unsigned.json")
			tt.patch(m)
			if diff := cmp.Diff(tt.fields, fields(credential.CheckVCDM(m))); diff != "" {
				t.Errorf("fields (-want +got):\n%s\n%v", diff, credential.CheckVCDM(m))
			}
		})
	}
}

// TestCheckTypedMembers: Check (Open Badges) applies the VCDM 2.0 type
// rule too, on the OB specification's complete example.
func TestCheckTypedMembers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		patch func(m map[string]any)
		field string
	}{
		{"refreshService", func(m map[string]any) { delete(m["refreshService"].(map[string]any), "type") }, "refreshService.type"},
		{"evidence", func(m map[string]any) { delete(m["evidence"].([]any)[0].(map[string]any), "type") }, "evidence[0].type"},
		{"credentialSchema", func(m map[string]any) { delete(m["credentialSchema"].([]any)[0].(map[string]any), "type") }, "credentialSchema[0].type"},
		{"credentialStatus", func(m map[string]any) { delete(m["credentialStatus"].(map[string]any), "type") }, "credentialStatus.type"},
		{"termsOfUse", func(m map[string]any) { m["termsOfUse"] = []any{map[string]any{"id": "https://1edtech.edu/tou"}} }, "termsOfUse[0].type"},
	}
	if errs := credential.Check(readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")); len(errs) > 0 {
		t.Fatalf("the spec example: %v", errs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := readJSON(t, "ob3", "examples", "complete-openbadgecredential.json")
			tt.patch(m)
			if diff := cmp.Diff([]string{tt.field}, fields(credential.Check(m))); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// The digests VCDM 2.0 publishes for its base context (Appendix B.1, and
// the SRI of §5.3 without the REC's stray "M").
const (
	v2SRI       = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
	v2Multibase = "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"
)

func TestVerifyDigest(t *testing.T) {
	t.Parallel()
	v2, err := os.ReadFile(filepath.Join(sharedtest.ContextsDir(t), "www.w3.org_ns_credentials_v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	changed := append([]byte(nil), v2...)
	changed[len(changed)-2] ^= ' ' ^ '\t'
	tests := []struct {
		name      string
		data      []byte
		sri, mb   string
		want      error
		wantError bool
	}{
		{name: "ok/SRI", data: v2, sri: v2SRI},
		{name: "ok/multibase", data: v2, mb: v2Multibase},
		{name: "ok/both", data: v2, sri: v2SRI, mb: v2Multibase},
		{name: "ok/SRI strongest of two", data: v2, sri: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + v2SRI},
		{name: "fail/SRI one byte changed", data: changed, sri: v2SRI, want: credential.ErrDigestMismatch},
		{name: "fail/multibase one byte changed", data: changed, mb: v2Multibase, want: credential.ErrDigestMismatch},
		{name: "fail/SRI good, multibase not", data: v2, sri: v2SRI, mb: "u" + strings.Repeat("A", 46), wantError: true},
		{name: "fail/neither", data: v2, wantError: true},
		{name: "fail/SRI malformed", data: v2, sri: "md5-abc", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := credential.VerifyDigest(tt.data, tt.sri, tt.mb)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("error %v, want %v", err, tt.want)
			case tt.wantError && err == nil:
				t.Error("no error")
			case tt.want == nil && !tt.wantError && err != nil:
				t.Error(err)
			}
		})
	}
}

// TestDigestMultibaseBase58: the z form of the same multihash as
// v2Multibase (base58btc, as Multikey values are written).
func TestDigestMultibaseBase58(t *testing.T) {
	t.Parallel()
	v2, err := os.ReadFile(filepath.Join(sharedtest.ContextsDir(t), "www.w3.org_ns_credentials_v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	// sha2-256 multihash 0x12 0x20 || 59955ced…2734 (the SHA-256 VCDM 2.0
	// publishes) in base58btc, computed with Python.
	const z = "zQmUNM6HqwZxuJ5k6cYRKAiqjUkx1qxWJe4WTqsg7ZJtEFm"
	if err := credential.VerifyDigest(v2, "", z); err != nil {
		t.Error(err)
	}
}
