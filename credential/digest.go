package credential

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strings"
)

// ErrDigestMismatch reports a resource whose bytes do not match the digest
// a credential gives for it (VCDM 2.0 §5.3 Integrity of Related Resources).
var ErrDigestMismatch = errors.New("resource does not match its digest")

// digest is one expected hash of a resource.
type digest struct {
	alg  string // sha256, sha384 or sha512
	want []byte
}

func (d digest) matches(data []byte) bool {
	var h hash.Hash
	switch d.alg {
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	default:
		h = sha512.New()
	}
	h.Write(data)
	return bytes.Equal(h.Sum(nil), d.want)
}

var digestSizes = map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}

// parseSRI reads a Subresource Integrity metadata string (W3C SRI §3.5):
// whitespace-separated "alg-base64[?options]" tokens. It returns the tokens
// of the strongest algorithm, which are the ones a match is decided on.
func parseSRI(s string) ([]digest, error) {
	var all []digest
	for _, tok := range strings.Fields(s) {
		tok, _, _ = strings.Cut(tok, "?")
		alg, b64, ok := strings.Cut(tok, "-")
		size, known := digestSizes[alg]
		if !ok || !known {
			return nil, fmt.Errorf("%q is not sha256-, sha384- or sha512- followed by base64", tok)
		}
		want, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			want, err = base64.RawStdEncoding.DecodeString(b64)
		}
		if err != nil || len(want) != size {
			return nil, fmt.Errorf("%q: the base64 digest is not %d bytes", tok, size)
		}
		all = append(all, digest{alg: alg, want: want})
	}
	if len(all) == 0 {
		return nil, errors.New("is empty")
	}
	strongest := all[0].alg
	for _, d := range all {
		if digestSizes[d.alg] > digestSizes[strongest] {
			strongest = d.alg
		}
	}
	var out []digest
	for _, d := range all {
		if d.alg == strongest {
			out = append(out, d)
		}
	}
	return out, nil
}

// multihash codes (multiformats table) of the hashes a digestMultibase may
// use.
var multihashAlgs = map[byte]string{0x12: "sha256", 0x13: "sha512", 0x20: "sha384"}

// parseDigestMultibase reads a digestMultibase: a Multibase string (z
// base58btc, u base64url, m base64, M padded base64) of a multihash of
// sha2-256, sha2-384 or sha2-512 (VCDM 2.0 §5.3; Controlled Identifiers 1.0
// §2.4 Multihash).
func parseDigestMultibase(s string) (digest, error) {
	if s == "" {
		return digest{}, errors.New("is empty")
	}
	var raw []byte
	var err error
	switch s[0] {
	case 'z':
		raw, err = decodeBase58(s[1:])
	case 'u':
		raw, err = base64.RawURLEncoding.DecodeString(s[1:])
	case 'm':
		raw, err = base64.RawStdEncoding.DecodeString(s[1:])
	case 'M':
		raw, err = base64.StdEncoding.DecodeString(s[1:])
	default:
		return digest{}, fmt.Errorf("multibase prefix %q: want z, u, m or M", s[0])
	}
	if err != nil {
		return digest{}, fmt.Errorf("does not decode: %v", err)
	}
	if len(raw) < 2 {
		return digest{}, errors.New("is not a multihash")
	}
	alg, ok := multihashAlgs[raw[0]]
	if !ok {
		return digest{}, fmt.Errorf("multihash code 0x%02x: want sha2-256 (0x12), sha2-384 (0x20) or sha2-512 (0x13)", raw[0])
	}
	if int(raw[1]) != digestSizes[alg] || len(raw) != 2+digestSizes[alg] {
		return digest{}, fmt.Errorf("multihash length: want a %d-byte %s digest", digestSizes[alg], alg)
	}
	return digest{alg: alg, want: raw[2:]}, nil
}

// VerifyDigest checks data against a related resource's digestSRI and
// digestMultibase (either may be empty, not both): every one given must
// match. A mismatch wraps ErrDigestMismatch and names the digest.
func VerifyDigest(data []byte, digestSRI, digestMultibase string) error {
	if digestSRI == "" && digestMultibase == "" {
		return errors.New("no digestSRI or digestMultibase")
	}
	if digestSRI != "" {
		ds, err := parseSRI(digestSRI)
		if err != nil {
			return fmt.Errorf("digestSRI %w", err)
		}
		matched := false
		for _, d := range ds {
			matched = matched || d.matches(data)
		}
		if !matched {
			return fmt.Errorf("%w: digestSRI (%s)", ErrDigestMismatch, ds[0].alg)
		}
	}
	if digestMultibase != "" {
		d, err := parseDigestMultibase(digestMultibase)
		if err != nil {
			return fmt.Errorf("digestMultibase %w", err)
		}
		if !d.matches(data) {
			return fmt.Errorf("%w: digestMultibase (%s)", ErrDigestMismatch, d.alg)
		}
	}
	return nil
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// decodeBase58 decodes base58btc (the Bitcoin alphabet; each leading '1' is
// a zero byte). Digests are short, so math/big is fast enough, and the
// package keeps to the standard library.
func decodeBase58(s string) ([]byte, error) {
	if len(s) > 256 {
		return nil, errors.New("base58 string too long for a digest")
	}
	n := new(big.Int)
	radix := big.NewInt(58)
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return nil, fmt.Errorf("%q is not a base58btc character", s[i])
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}
