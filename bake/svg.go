package bake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// XML names of baked credentials (baking.md): OB 3.0's element and
// attribute, and OB 2.0's legacy element.
const (
	// NamespaceOB3 is the namespace of the OB 3.0 credential element.
	NamespaceOB3 = "https://purl.imsglobal.org/ob/v3p0"
	namespaceOB2 = "http://openbadges.org"
	namespaceSVG = "http://www.w3.org/2000/svg"
	localOB3     = "credential"
	localOB2     = "assertion"
	attrVerify   = "verify"
)

// svgScan is what one pass over an SVG finds.
type svgScan struct {
	// rootStart and rootEnd delimit the root start tag.
	rootStart, rootEnd int
	// prefixes maps the namespaces the root declares to their prefixes.
	prefixes map[string]string
	// prefixTaken records every prefix the root declares.
	prefixTaken map[string]bool
	// found are the byte ranges of baked credential elements, OB 3.0 and
	// legacy, in document order.
	found []svgElement
}

type svgElement struct {
	start, end int
	legacy     bool
	payload    []byte
	err        error
}

// scanSVG parses an SVG with a namespace-aware, strict XML decoder and
// records its root start tag and every baked credential element.
func scanSVG(img []byte) (*svgScan, error) {
	dec := xml.NewDecoder(bytes.NewReader(img))
	dec.Strict = true
	s := &svgScan{prefixes: map[string]string{}, prefixTaken: map[string]bool{}, rootStart: -1}
	depth := 0
	var cur *svgElement // the credential element being read
	curDepth := 0
	var body bytes.Buffer
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if s.rootStart < 0 {
				return nil, fmt.Errorf("%w: %v", ErrUnsupportedImage, err)
			}
			return nil, fmt.Errorf("%w: svg: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && s.rootStart >= 0 {
				return nil, fmt.Errorf("%w: svg: a second root element", ErrMalformed)
			}
			depth++
			if s.rootStart < 0 {
				if t.Name.Local != "svg" || (t.Name.Space != namespaceSVG && t.Name.Space != "") {
					return nil, fmt.Errorf("%w: the root element is not svg", ErrUnsupportedImage)
				}
				s.rootStart, s.rootEnd = off, int(dec.InputOffset())
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" {
						s.prefixTaken[a.Name.Local] = true
						if _, ok := s.prefixes[a.Value]; !ok {
							s.prefixes[a.Value] = a.Name.Local
						}
					}
				}
				continue
			}
			if cur != nil {
				cur.err = fmt.Errorf("%w: the credential element holds other elements", ErrMalformed)
				continue
			}
			ob3 := t.Name.Space == NamespaceOB3 && t.Name.Local == localOB3
			ob2 := t.Name.Space == namespaceOB2 && t.Name.Local == localOB2
			if !ob3 && !ob2 {
				continue
			}
			cur, curDepth = &svgElement{start: off, legacy: ob2}, depth
			body.Reset()
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == attrVerify {
					cur.payload = []byte(a.Value)
				}
			}
		case xml.EndElement:
			if cur != nil && depth == curDepth {
				cur.end = int(dec.InputOffset())
				if cur.payload == nil {
					cur.payload = bytes.Clone(body.Bytes())
				}
				cur.payload = bytes.TrimSpace(cur.payload)
				s.found = append(s.found, *cur)
				cur = nil
			}
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				if s.rootStart < 0 {
					return nil, fmt.Errorf("%w: text before the root element", ErrUnsupportedImage)
				}
				return nil, fmt.Errorf("%w: svg: text after the root element", ErrMalformed)
			}
			if cur != nil {
				if body.Len()+len(t) > MaxPayloadBytes+1024 {
					return nil, fmt.Errorf("%w: baked credential over %d bytes", ErrTooLarge, MaxPayloadBytes)
				}
				body.Write(t)
			}
		}
	}
	if s.rootStart < 0 {
		return nil, fmt.Errorf("%w: no root element", ErrUnsupportedImage)
	}
	return s, nil
}

func unbakeSVG(img []byte) ([]byte, string, error) {
	s, err := scanSVG(img)
	if err != nil {
		return nil, "", err
	}
	var legacy *svgElement
	for i := range s.found {
		e := &s.found[i]
		if e.legacy {
			if legacy == nil {
				legacy = e
			}
			continue
		}
		if e.err != nil {
			return nil, "", e.err
		}
		if _, err := payloadForm(e.payload); err != nil {
			return nil, "", err
		}
		return e.payload, KindSVG, nil
	}
	if legacy != nil && legacy.err == nil && len(legacy.payload) > 0 {
		if len(legacy.payload) > MaxPayloadBytes {
			return nil, "", fmt.Errorf("%w: payload of %d bytes exceeds %d", ErrTooLarge, len(legacy.payload), MaxPayloadBytes)
		}
		return legacy.payload, KindSVGLegacy, nil
	}
	return nil, "", ErrNoCredential
}

// BakeSVG returns a copy of svg carrying payload: a compact JWS goes in the
// verify attribute of an empty credential element, a JSON credential in a
// CDATA body. The element, in namespace https://purl.imsglobal.org/ob/v3p0,
// is inserted directly after the root start tag, which gets an
// xmlns:openbadges declaration unless it already binds a prefix to that
// namespace. Credential elements already in the image (OB 3.0 or OB 2.0)
// are removed. The rest of the text is kept as it was: the SVG is spliced,
// not re-serialized, since encoding/xml would rewrite its prefixes.
func BakeSVG(svg []byte, payload []byte) ([]byte, error) {
	if len(svg) > MaxImageBytes {
		return nil, fmt.Errorf("bake svg: %w: image of %d bytes exceeds %d", ErrTooLarge, len(svg), MaxImageBytes)
	}
	payload = bytes.TrimSpace(payload)
	jws, err := payloadForm(payload)
	if err != nil {
		return nil, fmt.Errorf("bake svg: %w", err)
	}
	if !validXMLText(payload) {
		return nil, fmt.Errorf("bake svg: %w: it holds characters XML cannot carry", ErrPayload)
	}
	if !looksLikeXML(svg) {
		return nil, fmt.Errorf("bake svg: %w", ErrUnsupportedImage)
	}
	s, err := scanSVG(svg)
	if err != nil {
		return nil, fmt.Errorf("bake svg: %w", err)
	}
	prefix, declared := s.prefixes[NamespaceOB3]
	if !declared || prefix == "" {
		prefix = "openbadges"
		for i := 1; s.prefixTaken[prefix]; i++ {
			prefix = fmt.Sprintf("openbadges%d", i)
		}
	}
	var el bytes.Buffer
	el.WriteString("<" + prefix + ":" + localOB3)
	if jws {
		el.WriteString(` verify="`)
		_ = xml.EscapeText(&el, payload)
		el.WriteString(`"></` + prefix + ":" + localOB3 + ">")
	} else {
		el.WriteString("><![CDATA[")
		el.WriteString(strings.ReplaceAll(string(payload), "]]>", "]]]]><![CDATA[>"))
		el.WriteString("]]></" + prefix + ":" + localOB3 + ">")
	}

	tag := svg[s.rootStart:s.rootEnd]
	selfClosing := bytes.HasSuffix(tag, []byte("/>"))
	closeAt := len(tag) - 1
	if selfClosing {
		closeAt--
	}
	var out bytes.Buffer
	out.Grow(len(svg) + el.Len() + 128)
	out.Write(svg[:s.rootStart])
	out.Write(bytes.TrimRight(tag[:closeAt], " \t\r\n"))
	if !declared {
		out.WriteString(` xmlns:` + prefix + `="` + NamespaceOB3 + `"`)
	}
	out.WriteString(">\n")
	out.Write(el.Bytes())
	if selfClosing {
		out.WriteString("\n</" + rawName(tag) + ">")
	}
	// The rest of the document, minus old credential elements.
	pos := s.rootEnd
	for _, e := range s.found {
		if e.start < pos {
			continue // nested in one already cut
		}
		out.Write(svg[pos:e.start])
		pos = e.end
	}
	out.Write(svg[pos:])
	baked := out.Bytes()
	if got, kind, err := unbakeSVG(baked); err != nil || kind != KindSVG || !bytes.Equal(got, payload) {
		return nil, fmt.Errorf("bake svg: %w: the baked image does not read back (%v)", ErrMalformed, err)
	}
	return baked, nil
}

// rawName returns the element name of a start tag as written ("svg",
// "s:svg").
func rawName(tag []byte) string {
	name := bytes.TrimPrefix(tag, []byte("<"))
	if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	return string(name)
}

// validXMLText reports whether b is UTF-8 made only of characters XML 1.0
// allows (§2.2 Char).
func validXMLText(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return false
		}
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
		b = b[n:]
	}
	return true
}
