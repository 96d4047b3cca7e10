package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/internal/jcs"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Sources of an imported credential.
const (
	SourceJSON = "json" // a JSON-LD credential
	SourceJWT  = "jwt"  // a compact VC-JWT
	SourcePNG  = "png"  // baked into a PNG
	SourceSVG  = "svg"  // baked into an SVG
)

// Size caps of imports: a baked image may be as large as package bake
// allows, the credential in it (or given directly) 1 MiB.
const (
	MaxImportBytes     = bake.MaxImageBytes
	MaxCredentialBytes = bake.MaxPayloadBytes
)

// Parsed is an import's credential before verification.
type Parsed struct {
	// Source is SourceJSON, SourceJWT, SourcePNG or SourceSVG.
	Source string
	// Credential is the credential object (map[string]any) or the compact
	// JWT (string), as the verifier takes it.
	Credential any
	// Raw is the credential as the wallet stores it: the JSON object text
	// (compacted), or the JWT as a JSON string.
	Raw json.RawMessage
	// Hash is the hex SHA-256 of the credential's canonical bytes: the RFC
	// 8785 (JCS) form of a JSON credential, the token of a JWT. Two imports
	// of the same credential have the same Hash whatever their white space
	// or member order.
	Hash string
}

var compactJWT = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// ParseImport reads what a holder imports: a JSON-LD credential (a JSON
// object, or an EnvelopedVerifiableCredential, which is unwrapped), a
// compact VC-JWT (bare or as a JSON string), or a PNG or SVG badge with an
// OB 3.0 credential baked in. It checks the form only; the wallet verifies
// before keeping anything. Errors wrap ErrInvalid, or ErrUnsupported for an
// Open Badges 2.0 bake.
func ParseImport(data []byte) (Parsed, error) {
	if len(data) > MaxImportBytes {
		return Parsed{}, invalid(&FieldError{"credential", fmt.Sprintf("the import of %d bytes exceeds %d", len(data), MaxImportBytes)})
	}
	if bake.IsImage(data) {
		payload, kind, err := bake.Unbake(data)
		if err != nil {
			return Parsed{}, invalid(&FieldError{"image", unbakeReason(err)})
		}
		switch kind {
		case bake.KindPNGLegacy, bake.KindSVGLegacy:
			return Parsed{}, public.Errorf("%w: the image holds an Open Badges 2.0 assertion; only OB 3.0 credentials can be imported", ErrUnsupported)
		}
		p, err := parseCredential(payload)
		if err != nil {
			return Parsed{}, err
		}
		p.Source = kind
		return p, nil
	}
	return parseCredential(data)
}

func unbakeReason(err error) string {
	switch {
	case errors.Is(err, bake.ErrNoCredential):
		return "the image carries no baked credential"
	case errors.Is(err, bake.ErrTooLarge):
		return "the image or its credential is too large"
	case errors.Is(err, bake.ErrPayload):
		return "the baked payload is neither a JSON credential nor a compact JWS"
	case errors.Is(err, bake.ErrUnsupportedImage):
		return "not a PNG or SVG image"
	}
	return "the image is malformed"
}

func parseCredential(data []byte) (Parsed, error) {
	data = bytes.TrimSpace(data)
	bad := func(reason string) (Parsed, error) {
		return Parsed{}, invalid(&FieldError{"credential", reason})
	}
	switch {
	case len(data) == 0:
		return bad("is empty")
	case len(data) > MaxCredentialBytes:
		return bad(fmt.Sprintf("%d bytes exceed the %d byte limit", len(data), MaxCredentialBytes))
	case !utf8.Valid(data):
		return bad("is not UTF-8 text")
	case data[0] == '"':
		var tok string
		if err := json.Unmarshal(data, &tok); err != nil {
			return bad("is not a JSON string")
		}
		return parseJWT(tok)
	case data[0] == '{':
		var obj map[string]any
		if err := json.Unmarshal(data, &obj); err != nil {
			return bad("is not valid JSON")
		}
		if hasType(obj, "EnvelopedVerifiableCredential") {
			tok, err := jose.Unenvelope(obj)
			if err != nil {
				return bad("the EnvelopedVerifiableCredential does not hold a data:application/vc+jwt token")
			}
			return parseJWT(tok)
		}
		if hasType(obj, "VerifiablePresentation") || hasType(obj, "EnvelopedVerifiablePresentation") {
			return bad("is a presentation; import the credentials it holds one by one")
		}
		canon, err := jcs.Transform(data)
		if err != nil {
			return bad("is not valid JSON: " + err.Error())
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return bad("is not valid JSON")
		}
		return Parsed{Source: SourceJSON, Credential: obj, Raw: compact.Bytes(), Hash: digest(canon)}, nil
	}
	return parseJWT(string(data))
}

func parseJWT(tok string) (Parsed, error) {
	if len(tok) > MaxCredentialBytes || !compactJWT.MatchString(tok) {
		return Parsed{}, invalid(&FieldError{"credential", "is neither a JSON credential, a compact JWT nor a PNG or SVG image"})
	}
	raw, _ := json.Marshal(tok)
	return Parsed{Source: SourceJWT, Credential: tok, Raw: raw, Hash: digest([]byte(tok))}, nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hasType(doc map[string]any, t string) bool {
	switch v := doc["type"].(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}
