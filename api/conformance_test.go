package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestVCAPIIssueRefusesVCDMViolations: POST /credentials/issue answers a
// 400 problem naming the member for what VCDM 2.0 forbids, and verifying a
// credential that carries one fails the format check even when only the
// proof check is asked for.
func TestVCAPIIssueRefusesVCDMViolations(t *testing.T) {
	f := newFixture(t, "http://localhost:8080", nil)
	const base = `"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"validFrom":"2024-01-01T00:00:00Z"`
	tests := map[string]struct{ credential, field string }{
		"issuer null":                 {`{` + base + `,"issuer":null,"credentialSubject":{"id":"did:example:a"}}`, "issuer"},
		"credentialSubject empty":     {`{` + base + `,"credentialSubject":{}}`, "credentialSubject"},
		"validUntil before validFrom": {`{` + base + `,"validUntil":"2023-12-31T23:59:59Z","credentialSubject":{"id":"did:example:a"}}`, "validUntil"},
		"termsOfUse without type":     {`{` + base + `,"termsOfUse":{"id":"https://example.org/tou"},"credentialSubject":{"id":"did:example:a"}}`, "termsOfUse.type"},
		"evidence without type":       {`{` + base + `,"evidence":[{"id":"https://example.org/ev"}],"credentialSubject":{"id":"did:example:a"}}`, "evidence[0].type"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := f.do("POST", "/credentials/issue", testToken, `{"credential":`+tt.credential+`,"options":{}}`)
			if w.Code != http.StatusBadRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") ||
				!strings.Contains(w.Body.String(), `"`+tt.field+`: `) {
				t.Errorf("%d %s %s, want a 400 problem naming %s", w.Code, w.Header().Get("Content-Type"), w.Body, tt.field)
			}
		})
	}

	// The same shape, verified with options.checks = ["proof"].
	body := `{"verifiableCredential":{` + base + `,"issuer":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",` +
		`"credentialSubject":{}},"options":{"checks":["proof"]}}`
	w := f.do("POST", "/credentials/verify", "", body)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"verified":false`) || !strings.Contains(w.Body.String(), "credentialSubject: must not be empty") {
		t.Errorf("verify: %d %s", w.Code, w.Body)
	}
}
