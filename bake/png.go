package bake

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// pngSignature starts every PNG (W3C PNG 2nd ed. §5.2).
var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}

// Text chunk keywords (baking.md): OB 3.0's, and OB 2.0's legacy one.
const (
	keywordOB3 = "openbadgecredential"
	keywordOB2 = "openbadges"
)

// chunk is one PNG chunk: its type, its data, and raw, the whole chunk
// (length, type, data, CRC) as it appears in the file.
type chunk struct {
	typ  string
	data []byte
	raw  []byte
}

// chunks splits a PNG into its chunks, from IHDR to IEND, checking the
// signature, every length and CRC, and that IHDR comes first. Bytes after
// IEND are ignored.
func chunks(img []byte) ([]chunk, error) {
	if !bytes.HasPrefix(img, pngSignature) {
		return nil, ErrUnsupportedImage
	}
	var out []chunk
	rest := img[len(pngSignature):]
	for {
		if len(rest) < 12 {
			return nil, fmt.Errorf("%w: png ends without an IEND chunk", ErrMalformed)
		}
		n := binary.BigEndian.Uint32(rest)
		if n > 1<<31-1 || uint64(n) > uint64(len(rest)-12) {
			return nil, fmt.Errorf("%w: png chunk length %d runs past the end", ErrMalformed, n)
		}
		typ := rest[4:8]
		for _, c := range typ {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return nil, fmt.Errorf("%w: png chunk type %q", ErrMalformed, typ)
			}
		}
		end := 12 + int(n)
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:end]) {
			return nil, fmt.Errorf("%w: png chunk %s has a bad CRC", ErrMalformed, typ)
		}
		c := chunk{typ: string(typ), data: rest[8 : 8+n], raw: rest[:end]}
		if len(out) == 0 && c.typ != "IHDR" {
			return nil, fmt.Errorf("%w: png does not start with IHDR", ErrMalformed)
		}
		out = append(out, c)
		rest = rest[end:]
		if c.typ == "IEND" {
			return out, nil
		}
	}
}

// textKeyword returns the keyword of a tEXt, zTXt or iTXt chunk (all start
// with a 1-79 byte keyword and a NUL), or "" for other chunks.
func textKeyword(c chunk) string {
	switch c.typ {
	case "tEXt", "zTXt", "iTXt":
		if i := bytes.IndexByte(c.data, 0); i > 0 && i < 80 {
			return string(c.data[:i])
		}
	}
	return ""
}

// text returns the text of an uncompressed tEXt or iTXt chunk (PNG
// §11.3.4.3, §11.3.4.5).
func text(c chunk) ([]byte, error) {
	i := bytes.IndexByte(c.data, 0)
	rest := c.data[i+1:]
	switch c.typ {
	case "tEXt":
		return rest, nil
	case "iTXt":
		// compression flag, compression method, language tag NUL,
		// translated keyword NUL, text.
		if len(rest) < 2 {
			return nil, fmt.Errorf("%w: truncated iTXt chunk", ErrMalformed)
		}
		if rest[0] != 0 {
			return nil, fmt.Errorf("%w: compressed iTXt chunk, which OB 3.0 forbids", ErrMalformed)
		}
		rest = rest[2:]
		for range 2 {
			j := bytes.IndexByte(rest, 0)
			if j < 0 {
				return nil, fmt.Errorf("%w: truncated iTXt chunk", ErrMalformed)
			}
			rest = rest[j+1:]
		}
		return rest, nil
	}
	return nil, fmt.Errorf("%w: compressed %s chunk", ErrMalformed, c.typ)
}

func unbakePNG(img []byte) ([]byte, string, error) {
	cs, err := chunks(img)
	if err != nil {
		return nil, "", err
	}
	var legacy []byte
	for _, c := range cs {
		switch textKeyword(c) {
		case keywordOB3:
			if c.typ != "iTXt" {
				return nil, "", fmt.Errorf("%w: %s chunk with keyword %s (OB 3.0 wants iTXt)", ErrMalformed, c.typ, keywordOB3)
			}
			t, err := text(c)
			if err != nil {
				return nil, "", err
			}
			t = bytes.TrimSpace(t)
			if _, err := payloadForm(t); err != nil {
				return nil, "", err
			}
			return bytes.Clone(t), KindPNG, nil
		case keywordOB2:
			if legacy == nil && c.typ != "zTXt" {
				if t, err := text(c); err == nil {
					legacy = bytes.TrimSpace(t)
				}
			}
		}
	}
	if len(legacy) > 0 {
		if len(legacy) > MaxPayloadBytes {
			return nil, "", fmt.Errorf("%w: payload of %d bytes exceeds %d", ErrTooLarge, len(legacy), MaxPayloadBytes)
		}
		return bytes.Clone(legacy), KindPNGLegacy, nil
	}
	return nil, "", ErrNoCredential
}

// BakePNG returns a copy of png carrying payload, a JSON credential or a
// compact JWS, in one iTXt chunk with keyword "openbadgecredential",
// compression flag 0 and empty language tag and translated keyword, placed
// right after IHDR. Any credential the image already carried (OB 3.0 or
// OB 2.0 "openbadges" text chunks) is removed, so the result holds exactly
// one. Every other chunk is copied byte for byte.
func BakePNG(png []byte, payload []byte) ([]byte, error) {
	if len(png) > MaxImageBytes {
		return nil, fmt.Errorf("bake png: %w: image of %d bytes exceeds %d", ErrTooLarge, len(png), MaxImageBytes)
	}
	payload = bytes.TrimSpace(payload)
	if _, err := payloadForm(payload); err != nil {
		return nil, fmt.Errorf("bake png: %w", err)
	}
	cs, err := chunks(png)
	if err != nil {
		return nil, fmt.Errorf("bake png: %w", err)
	}
	out := make([]byte, 0, len(png)+len(payload)+64)
	out = append(out, pngSignature...)
	for i, c := range cs {
		switch textKeyword(c) {
		case keywordOB3, keywordOB2:
			continue
		}
		out = append(out, c.raw...)
		if i == 0 {
			out = appendITXt(out, keywordOB3, payload)
		}
	}
	return out, nil
}

// appendITXt appends an uncompressed iTXt chunk with an empty language tag
// and translated keyword.
func appendITXt(b []byte, keyword string, text []byte) []byte {
	data := make([]byte, 0, len(keyword)+5+len(text))
	data = append(data, keyword...)
	data = append(data, 0, 0, 0, 0, 0) // NUL, flag, method, language NUL, translated NUL
	data = append(data, text...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, "iTXt"...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
