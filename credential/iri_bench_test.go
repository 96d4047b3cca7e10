package credential_test

import (
	"testing"

	"github.com/accolade-badges/accolade/credential"
)

// BenchmarkCheckIRIs measures the IRI check every issue runs over the built
// credential: go test -run '^$' -bench CheckIRIs -benchmem ./credential
func BenchmarkCheckIRIs(b *testing.B) {
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":       "urn:uuid:0193a9e2-7c2d-7a51-9f43-1b2c3d4e5f60",
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":     "Go Concurrency",
		"issuer": map[string]any{"id": "did:web:badges.example.org", "type": []any{"Profile"}, "name": "Example Academy",
			"url": "https://badges.example.org", "image": map[string]any{"id": "https://badges.example.org/logo.png", "type": "Image"}},
		"validFrom": "2026-12-08T00:00:00Z",
		"credentialSubject": map[string]any{
			"type":       []any{"AchievementSubject"},
			"identifier": []any{map[string]any{"type": "IdentityObject", "identityHash": "sha256$abc", "identityType": "emailAddress", "hashed": true, "salt": "s"}},
			"achievement": map[string]any{
				"id": "https://badges.example.org/achievements/1", "type": []any{"Achievement"}, "name": "Go Concurrency",
				"description": "Safe use of goroutines.", "criteria": map[string]any{"narrative": "Pass the lab."},
				"image":     map[string]any{"id": "https://example.org/go.png", "type": "Image"},
				"alignment": []any{map[string]any{"type": []any{"Alignment"}, "targetName": "Concurrency", "targetUrl": "https://example.org/skills/concurrency"}},
			},
		},
		"credentialStatus": map[string]any{"id": "https://badges.example.org/status/1#42", "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": "42", "statusListCredential": "https://badges.example.org/status/1"},
		"evidence": []any{map[string]any{"id": "https://example.org/evidence/1", "type": []any{"Evidence"}}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if p := credential.CheckIRIs(doc); len(p) != 0 {
			b.Fatal(p)
		}
	}
}
