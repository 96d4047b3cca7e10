package jose

import (
	"fmt"
	"slices"
	"strings"
)

// Data URL prefixes of an EnvelopedVerifiableCredential id (VCDM 2.0
// §4.13, VC-JOSE-COSE §3.1.1 and §7): the VC-JOSE-COSE media type, and the
// plain JWT one some wallets use for OB and VCDM 1.1 tokens.
const (
	envelopePrefix    = "data:application/vc+jwt,"
	envelopePrefixJWT = "data:application/jwt,"
)

// Envelope wraps a VC-JWT as an EnvelopedVerifiableCredential (VCDM 2.0
// §4.13), the form VC-JOSE-COSE requires for JWT credentials inside a
// presentation:
//
//	{"@context": "https://www.w3.org/ns/credentials/v2",
//	 "type": "EnvelopedVerifiableCredential",
//	 "id": "data:application/vc+jwt,<token>"}
func Envelope(token string) map[string]any {
	return map[string]any{
		"@context": contextV2,
		"type":     "EnvelopedVerifiableCredential",
		"id":       envelopePrefix + token,
	}
}

// Unenvelope returns the compact token inside an
// EnvelopedVerifiableCredential whose id is a data URL with media type
// application/vc+jwt or application/jwt. It checks the token's form only,
// not its signature. Anything else returns an error wrapping ErrMalformed.
func Unenvelope(obj map[string]any) (string, error) {
	if !hasType(obj, "EnvelopedVerifiableCredential") {
		return "", fmt.Errorf("unenvelope: %w: type is not EnvelopedVerifiableCredential", ErrMalformed)
	}
	id, _ := obj["id"].(string)
	var tok string
	switch {
	case strings.HasPrefix(id, envelopePrefix):
		tok = id[len(envelopePrefix):]
	case strings.HasPrefix(id, envelopePrefixJWT):
		tok = id[len(envelopePrefixJWT):]
	default:
		return "", fmt.Errorf("unenvelope: %w: id is not a data:application/vc+jwt URL", ErrMalformed)
	}
	if _, err := splitCompact(tok); err != nil {
		return "", fmt.Errorf("unenvelope: %w", err)
	}
	return tok, nil
}

// hasType reports whether doc's type (a string or an array of strings)
// includes t.
func hasType(doc map[string]any, t string) bool {
	switch v := doc["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}
