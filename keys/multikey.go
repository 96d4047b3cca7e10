package keys

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/big"

	"github.com/mr-tron/base58"
)

// Multicodec prefixes (unsigned varint encoded) for public keys, from the
// multicodec table as used by did:key v0.7 and Multikey (CID 1.0 §2.2.2).
var (
	prefixEd25519Pub = []byte{0xed, 0x01} // ed25519-pub 0xed
	prefixX25519Pub  = []byte{0xec, 0x01} // x25519-pub 0xec
	prefixP256Pub    = []byte{0x80, 0x24} // p256-pub 0x1200
	prefixP384Pub    = []byte{0x81, 0x24} // p384-pub 0x1201
	prefixEd25519Sec = []byte{0x80, 0x26} // ed25519-priv 0x1300
)

// Errors returned when decoding multibase / multikey values.
var (
	// ErrInvalidMultibase reports a value that is not base58btc multibase ("z...").
	ErrInvalidMultibase = errors.New("invalid multibase value")
	// ErrUnsupportedKeyType reports a multicodec or key type Accolade does not handle.
	ErrUnsupportedKeyType = errors.New("unsupported key type")
	// ErrInvalidPublicKey reports a key of the wrong length or an invalid point.
	ErrInvalidPublicKey = errors.New("invalid public key")
)

// EncodeMultikey returns the publicKeyMultibase form of pub: "z" + base58btc
// of the multicodec prefix and the raw key (compressed point for NIST curves).
// Supported: ed25519.PublicKey, *ecdsa.PublicKey on P-256 and P-384.
func EncodeMultikey(pub crypto.PublicKey) (string, error) {
	var buf []byte
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", ErrInvalidPublicKey
		}
		buf = append(append(buf, prefixEd25519Pub...), k...)
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return "", fmt.Errorf("%w: nil ecdsa key", ErrInvalidPublicKey)
		}
		var prefix []byte
		switch k.Curve {
		case elliptic.P256():
			prefix = prefixP256Pub
		case elliptic.P384():
			prefix = prefixP384Pub
		default:
			return "", fmt.Errorf("%w: curve %s", ErrUnsupportedKeyType, k.Curve.Params().Name)
		}
		ek, err := k.ECDH()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
		buf = append(append(buf, prefix...), compress(k.Curve, ek.Bytes())...)
	case *ecdh.PublicKey:
		if k == nil {
			return "", fmt.Errorf("%w: nil ecdh key", ErrInvalidPublicKey)
		}
		if k.Curve() != ecdh.X25519() {
			return "", fmt.Errorf("%w: ecdh curve", ErrUnsupportedKeyType)
		}
		buf = append(append(buf, prefixX25519Pub...), k.Bytes()...)
	default:
		return "", fmt.Errorf("%w: %T", ErrUnsupportedKeyType, pub)
	}
	return "z" + base58.Encode(buf), nil
}

// DecodeMultikey parses a publicKeyMultibase value (or the method-specific ID
// of a did:key) into a public key: ed25519.PublicKey, *ecdsa.PublicKey (P-256,
// P-384) or *ecdh.PublicKey (X25519). Points are checked to be on the curve.
func DecodeMultikey(s string) (crypto.PublicKey, error) {
	raw, err := decodeBase58btc(s)
	if err != nil {
		return nil, err
	}
	if len(raw) < 2 {
		return nil, fmt.Errorf("%w: too short", ErrInvalidPublicKey)
	}
	prefix, key := raw[:2], raw[2:]
	switch {
	case eq(prefix, prefixEd25519Pub):
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: ed25519 key of %d bytes", ErrInvalidPublicKey, len(key))
		}
		return ed25519.PublicKey(append([]byte(nil), key...)), nil
	case eq(prefix, prefixP256Pub):
		return decompressECDSA(elliptic.P256(), key)
	case eq(prefix, prefixP384Pub):
		return decompressECDSA(elliptic.P384(), key)
	case eq(prefix, prefixX25519Pub):
		k, err := ecdh.X25519().NewPublicKey(key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: multicodec prefix %x", ErrUnsupportedKeyType, prefix)
	}
}

// DecodeMultikeySecret parses a secretKeyMultibase / privateKeyMultibase for
// Ed25519: 0x8026 followed by the 32-byte seed (W3C) or by the 64-byte
// seed||public form some older tooling (and the OB 3.0 vector) emits.
func DecodeMultikeySecret(s string) (ed25519.PrivateKey, error) {
	raw, err := decodeBase58btc(s)
	if err != nil {
		return nil, err
	}
	if len(raw) < 2 || !eq(raw[:2], prefixEd25519Sec) {
		return nil, fmt.Errorf("%w: not an ed25519 secret key", ErrUnsupportedKeyType)
	}
	switch key := raw[2:]; len(key) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(key), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(key[:ed25519.SeedSize])
		if !eq(priv[ed25519.SeedSize:], key[ed25519.SeedSize:]) {
			return nil, fmt.Errorf("%w: public half does not match seed", ErrInvalidPublicKey)
		}
		return priv, nil
	default:
		return nil, fmt.Errorf("%w: ed25519 secret of %d bytes", ErrInvalidPublicKey, len(key))
	}
}

// EncodeMultikeySecret returns the W3C secretKeyMultibase form (0x8026 + seed).
// priv must be a 64-byte ed25519.PrivateKey; like priv.Seed, it panics on a
// shorter one.
func EncodeMultikeySecret(priv ed25519.PrivateKey) string {
	return "z" + base58.Encode(append(append([]byte(nil), prefixEd25519Sec...), priv.Seed()...))
}

func decodeBase58btc(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: want base58btc ('z' prefix)", ErrInvalidMultibase)
	}
	if len(s) > 512 {
		return nil, fmt.Errorf("%w: too long", ErrInvalidMultibase)
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidMultibase, err)
	}
	return raw, nil
}

func eq(a, b []byte) bool { return string(a) == string(b) }

// compress turns an uncompressed SEC1 point (0x04||X||Y) into 0x02/0x03||X.
func compress(curve elliptic.Curve, uncompressed []byte) []byte {
	size := (curve.Params().BitSize + 7) / 8
	x, y := uncompressed[1:1+size], uncompressed[1+size:]
	out := make([]byte, 0, 1+size)
	out = append(out, 0x02|y[len(y)-1]&1)
	return append(out, x...)
}

func decompressECDSA(curve elliptic.Curve, key []byte) (*ecdsa.PublicKey, error) {
	size := (curve.Params().BitSize + 7) / 8
	if len(key) != 1+size || (key[0] != 0x02 && key[0] != 0x03) {
		return nil, fmt.Errorf("%w: want %d-byte compressed point", ErrInvalidPublicKey, 1+size)
	}
	// y² = x³ - 3x + b (mod p)
	p := curve.Params().P
	x := new(big.Int).SetBytes(key[1:])
	if x.Cmp(p) >= 0 {
		return nil, fmt.Errorf("%w: x out of range", ErrInvalidPublicKey)
	}
	y2 := new(big.Int).Exp(x, big.NewInt(3), p)
	threeX := new(big.Int).Mul(x, big.NewInt(3))
	y2.Sub(y2, threeX)
	y2.Add(y2, curve.Params().B)
	y2.Mod(y2, p)
	y := new(big.Int).ModSqrt(y2, p)
	if y == nil {
		return nil, fmt.Errorf("%w: point not on curve", ErrInvalidPublicKey)
	}
	if y.Bit(0) != uint(key[0]&1) {
		y.Sub(p, y)
	}
	uncompressed := make([]byte, 1+2*size)
	uncompressed[0] = 4
	x.FillBytes(uncompressed[1 : 1+size])
	y.FillBytes(uncompressed[1+size:])
	var ecdhCurve ecdh.Curve
	if curve == elliptic.P256() {
		ecdhCurve = ecdh.P256()
	} else {
		ecdhCurve = ecdh.P384()
	}
	if _, err := ecdhCurve.NewPublicKey(uncompressed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, uncompressed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	return pub, nil
}
