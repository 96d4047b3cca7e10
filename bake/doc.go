// Package bake bakes Open Badges 3.0 credentials into badge images and
// reads them back out (OB 3.0 §5.3 "Baked Badge", 1EdTech doc 1.2,
// 2024-12-23): a PNG carries the credential in one uncompressed iTXt chunk
// with keyword "openbadgecredential" (W3C PNG 2nd ed. §11.3.4.5), an SVG in
// one element {https://purl.imsglobal.org/ob/v3p0}credential placed right
// after the root start tag, with a compact JWS in its verify attribute or a
// JSON credential in a CDATA body.
//
// Baking replaces whatever credential an image already carries, including
// an Open Badges 2.0 bake ("openbadges" chunk, {http://openbadges.org}assertion
// element), and never leaves two. Unbaking returns the first OB 3.0
// credential it finds, and reports an OB 2.0 bake as a legacy kind rather
// than failing on it. Images are copied chunk by chunk (PNG) or spliced as
// text (SVG), never decoded and re-encoded, so nothing else in the image
// changes. Input sizes are capped; failures wrap this package's sentinels.
//
// bake knows nothing of proofs: the payload is not verified here. It
// imports only the standard library.
package bake
