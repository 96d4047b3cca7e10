package keys

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// ErrPrivateJWK reports a JWK that carries private key material where only a
// public key is acceptable (did:jwk, OpenID4VCI proof headers).
var ErrPrivateJWK = errors.New("jwk contains private key material")

// JWK is the public JSON Web Key form (RFC 7517, RFC 8037) of the key types
// Accolade handles. Fields are omitted when empty.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
}

var b64 = base64.RawURLEncoding

// PublicJWK returns the public JWK of pub: OKP/Ed25519, EC P-256/P-384 or RSA.
func PublicJWK(pub crypto.PublicKey) (JWK, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return JWK{}, ErrInvalidPublicKey
		}
		return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(k)}, nil
	case *ecdsa.PublicKey:
		if k == nil {
			return JWK{}, ErrInvalidPublicKey
		}
		ek, err := k.ECDH()
		if err != nil {
			return JWK{}, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
		raw := ek.Bytes()
		size := (k.Curve.Params().BitSize + 7) / 8
		crv := k.Curve.Params().Name
		if crv != "P-256" && crv != "P-384" {
			return JWK{}, fmt.Errorf("%w: curve %s", ErrUnsupportedKeyType, crv)
		}
		return JWK{Kty: "EC", Crv: crv, X: b64.EncodeToString(raw[1 : 1+size]), Y: b64.EncodeToString(raw[1+size:])}, nil
	case *ecdh.PublicKey:
		if k == nil {
			return JWK{}, ErrInvalidPublicKey
		}
		if k.Curve() != ecdh.X25519() {
			return JWK{}, fmt.Errorf("%w: ecdh curve", ErrUnsupportedKeyType)
		}
		return JWK{Kty: "OKP", Crv: "X25519", X: b64.EncodeToString(k.Bytes())}, nil
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return JWK{}, ErrInvalidPublicKey
		}
		return JWK{Kty: "RSA", N: b64.EncodeToString(k.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}, nil
	default:
		return JWK{}, fmt.Errorf("%w: %T", ErrUnsupportedKeyType, pub)
	}
}

// ParsePublicJWK parses a public JWK from JSON. It refuses any private member
// (d, p, q, dp, dq, qi, oth, k) with ErrPrivateJWK. Member names are matched
// exactly, as RFC 7517 §4 makes them case-sensitive; unknown members are
// ignored.
func ParsePublicJWK(data []byte) (crypto.PublicKey, JWK, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, JWK{}, fmt.Errorf("parse jwk: %w", err)
	}
	if members == nil {
		return nil, JWK{}, fmt.Errorf("parse jwk: not a JSON object")
	}
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := members[m]; ok {
			return nil, JWK{}, ErrPrivateJWK
		}
	}
	// encoding/json matches struct fields case-insensitively, which would
	// accept {"KTY": ...}; read each member by its exact name instead.
	var j JWK
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"kty", &j.Kty}, {"crv", &j.Crv}, {"x", &j.X}, {"y", &j.Y}, {"n", &j.N},
		{"e", &j.E}, {"kid", &j.Kid}, {"use", &j.Use}, {"alg", &j.Alg},
	} {
		raw, ok := members[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			return nil, JWK{}, fmt.Errorf("parse jwk: member %q: %w", f.name, err)
		}
	}
	pub, err := j.PublicKey()
	return pub, j, err
}

// PublicKey returns the Go public key the JWK describes.
func (j JWK) PublicKey() (crypto.PublicKey, error) {
	switch j.Kty {
	case "OKP":
		x, err := b64.DecodeString(j.X)
		if err != nil {
			return nil, fmt.Errorf("%w: x: %v", ErrInvalidPublicKey, err)
		}
		switch j.Crv {
		case "Ed25519":
			if len(x) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("%w: ed25519 x of %d bytes", ErrInvalidPublicKey, len(x))
			}
			return ed25519.PublicKey(x), nil
		case "X25519":
			k, err := ecdh.X25519().NewPublicKey(x)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
			}
			return k, nil
		}
	case "EC":
		var curve elliptic.Curve
		switch j.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		default:
			return nil, fmt.Errorf("%w: EC curve %q", ErrUnsupportedKeyType, j.Crv)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, errX := b64.DecodeString(j.X)
		y, errY := b64.DecodeString(j.Y)
		if errX != nil || errY != nil || len(x) != size || len(y) != size {
			return nil, fmt.Errorf("%w: bad EC coordinates", ErrInvalidPublicKey)
		}
		raw := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
		return pub, nil
	case "RSA":
		n, errN := b64.DecodeString(j.N)
		e, errE := b64.DecodeString(j.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("%w: bad RSA modulus or exponent", ErrInvalidPublicKey)
		}
		// Count bits, not bytes: a 256-byte n with leading zeros is shorter
		// than the 2048 bits RFC 7518 §3.3 requires.
		modulus := new(big.Int).SetBytes(n)
		exp := new(big.Int).SetBytes(e).Int64()
		if modulus.BitLen() < minRSABits || exp < 3 || exp%2 == 0 {
			return nil, fmt.Errorf("%w: RSA modulus under %d bits or bad exponent", ErrInvalidPublicKey, minRSABits)
		}
		return &rsa.PublicKey{N: modulus, E: int(exp)}, nil
	}
	return nil, fmt.Errorf("%w: kty %q crv %q", ErrUnsupportedKeyType, j.Kty, j.Crv)
}
