package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
)

// Alg is a JOSE signature algorithm name (RFC 7518 §3.1, RFC 8037 §3.1).
// Values are case-sensitive, as in a JWS "alg" header.
type Alg string

// Algorithms Accolade knows. EdDSA and ES256 can sign and verify; RS256 is
// accepted for verification only, for issuers that still publish RSA keys.
const (
	// EdDSA is Ed25519 (RFC 8037 §3.1), the default.
	EdDSA Alg = "EdDSA"
	// ES256 is ECDSA on P-256 with SHA-256 (RFC 7518 §3.4).
	ES256 Alg = "ES256"
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3); verify only.
	RS256 Alg = "RS256"

	// DefaultAlg is the algorithm used when none is configured.
	DefaultAlg = EdDSA
)

// minRSABits is the smallest RSA modulus Verify accepts (RFC 7518 §3.3
// requires 2048 bits).
const minRSABits = 2048

var (
	// ErrUnsupportedAlg reports an algorithm name this package does not
	// handle, or one that cannot be used for the requested operation.
	ErrUnsupportedAlg = errors.New("unsupported algorithm")
	// ErrBadSignature reports a signature that does not verify, including one
	// of the wrong length for its algorithm.
	ErrBadSignature = errors.New("signature verification failed")
)

// ParseAlg returns the Alg named s. The empty string selects DefaultAlg, so a
// configuration may leave the algorithm unset. Names are case-sensitive.
func ParseAlg(s string) (Alg, error) {
	switch a := Alg(s); a {
	case "":
		return DefaultAlg, nil
	case EdDSA, ES256, RS256:
		return a, nil
	default:
		return "", fmt.Errorf("%w: %q", ErrUnsupportedAlg, s)
	}
}

// String returns the JOSE name of a.
func (a Alg) String() string { return string(a) }

// es256SigSize is the JOSE (RFC 7518 §3.4) fixed-size R||S form for P-256.
const es256SigSize = 64

// Verify checks sig over msg with pub under alg. Signatures use the JOSE
// encoding: 64 raw bytes for EdDSA, the 64-byte R||S form for ES256 (not
// ASN.1), and the PKCS #1 v1.5 block for RS256. The message is hashed with
// SHA-256 for ES256 and RS256.
//
// An invalid signature returns an error wrapping ErrBadSignature; a public
// key that does not suit alg wraps ErrUnsupportedKeyType or
// ErrInvalidPublicKey, and an unknown alg wraps ErrUnsupportedAlg.
func Verify(alg Alg, pub crypto.PublicKey, msg, sig []byte) error {
	switch alg {
	case EdDSA:
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("verify %s: %w: %T", alg, ErrUnsupportedKeyType, pub)
		}
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("verify %s: %w", alg, ErrInvalidPublicKey)
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k, msg, sig) {
			return fmt.Errorf("verify %s: %w", alg, ErrBadSignature)
		}
		return nil
	case ES256:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k == nil || k.Curve != elliptic.P256() {
			return fmt.Errorf("verify %s: %w: want a P-256 key, got %s", alg, ErrUnsupportedKeyType, describeKey(pub))
		}
		if len(sig) != es256SigSize {
			return fmt.Errorf("verify %s: %w: signature of %d bytes, want %d", alg, ErrBadSignature, len(sig), es256SigSize)
		}
		h := sha256.Sum256(msg)
		r := new(big.Int).SetBytes(sig[:es256SigSize/2])
		s := new(big.Int).SetBytes(sig[es256SigSize/2:])
		if !ecdsa.Verify(k, h[:], r, s) {
			return fmt.Errorf("verify %s: %w", alg, ErrBadSignature)
		}
		return nil
	case RS256:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k == nil || k.N == nil {
			return fmt.Errorf("verify %s: %w: want an RSA key, got %s", alg, ErrUnsupportedKeyType, describeKey(pub))
		}
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("verify %s: %w: %d-bit modulus, want at least %d", alg, ErrInvalidPublicKey, k.N.BitLen(), minRSABits)
		}
		h := sha256.Sum256(msg)
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig); err != nil {
			return fmt.Errorf("verify %s: %w", alg, ErrBadSignature)
		}
		return nil
	default:
		return fmt.Errorf("verify: %w: %q", ErrUnsupportedAlg, string(alg))
	}
}

// describeKey names a public key's type (and curve) for error messages.
func describeKey(pub crypto.PublicKey) string {
	if k, ok := pub.(*ecdsa.PublicKey); ok && k != nil && k.Curve != nil {
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}
