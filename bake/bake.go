package bake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// Size caps. An image or payload above them is refused with ErrTooLarge
// before any parsing work.
const (
	// MaxImageBytes is the largest image Bake* and Unbake accept.
	MaxImageBytes = 16 << 20
	// MaxPayloadBytes is the largest credential baked or unbaked, the
	// verifier's default input cap.
	MaxPayloadBytes = 1 << 20
)

// Kinds Unbake reports: the image format, and for an Open Badges 2.0 bake
// the legacy form (whose payload may be an assertion URL, JSON or a JWS).
const (
	KindPNG       = "png"
	KindSVG       = "svg"
	KindPNGLegacy = "png-ob2"
	KindSVGLegacy = "svg-ob2"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrUnsupportedImage reports input that is neither a PNG nor an SVG
	// (OB 3.0 bakes no other format).
	ErrUnsupportedImage = errors.New("bake: not a PNG or SVG image")
	// ErrMalformed reports a PNG or SVG whose structure is broken: a bad
	// chunk length or CRC, no IEND, XML that does not parse, a compressed
	// credential chunk.
	ErrMalformed = errors.New("bake: malformed image")
	// ErrNoCredential reports an image that carries no baked credential.
	ErrNoCredential = errors.New("bake: the image carries no baked credential")
	// ErrTooLarge reports an image or payload above MaxImageBytes or
	// MaxPayloadBytes.
	ErrTooLarge = errors.New("bake: too large")
	// ErrPayload reports a payload that is neither a JSON credential nor a
	// compact JWS: OB 3.0 bakes the credential itself, never a URL.
	ErrPayload = errors.New("bake: payload is neither a JSON credential nor a compact JWS")
)

// compactJWS is the form of a compact JWS (baking.md: decide by content).
var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$`)

// payloadForm checks p and tells whether it is a compact JWS (true) or a
// JSON credential object (false).
func payloadForm(p []byte) (jws bool, err error) {
	switch {
	case len(p) == 0:
		return false, fmt.Errorf("%w: empty", ErrPayload)
	case len(p) > MaxPayloadBytes:
		return false, fmt.Errorf("%w: payload of %d bytes exceeds %d", ErrTooLarge, len(p), MaxPayloadBytes)
	case p[0] == '{':
		if !utf8.Valid(p) || !json.Valid(p) {
			return false, fmt.Errorf("%w: the JSON does not parse", ErrPayload)
		}
		return false, nil
	case compactJWS.Match(p):
		return true, nil
	}
	return false, ErrPayload
}

// Unbake returns the credential baked into a PNG or SVG image and the kind
// of bake: KindPNG or KindSVG for an OB 3.0 credential (a JSON object or a
// compact JWS, checked for form only), KindPNGLegacy or KindSVGLegacy for
// an Open Badges 2.0 bake when the image has no OB 3.0 one. Leading and
// trailing white space is removed from the payload.
func Unbake(image []byte) (payload []byte, kind string, err error) {
	if len(image) > MaxImageBytes {
		return nil, "", fmt.Errorf("unbake: %w: image of %d bytes exceeds %d", ErrTooLarge, len(image), MaxImageBytes)
	}
	switch {
	case bytes.HasPrefix(image, pngSignature):
		payload, kind, err = unbakePNG(image)
	case looksLikeXML(image):
		payload, kind, err = unbakeSVG(image)
	default:
		err = ErrUnsupportedImage
	}
	if err != nil {
		return nil, "", fmt.Errorf("unbake: %w", err)
	}
	return payload, kind, nil
}

// IsImage reports whether data looks like a PNG or an SVG (XML) rather
// than a credential: a credential is JSON or a JWS, neither of which starts
// with '<' or the PNG signature.
func IsImage(data []byte) bool {
	return bytes.HasPrefix(data, pngSignature) || looksLikeXML(data)
}

// looksLikeXML reports whether data starts, after an optional byte order
// mark and white space, with '<'.
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}
