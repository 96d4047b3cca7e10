package keys

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
)

// SecretHasher computes keyed hashes (HMAC-SHA256) of bearer secrets, so
// that a store keeps only values from which neither the secret nor a guess
// at it can be checked without the key: a read-only copy of the store
// redeems nothing, and short numeric codes cannot be reversed offline.
//
// Its key is derived from a KEK and a purpose label (HKDF-SHA256), so every
// node that shares the store and the KEK computes the same hashes, and
// hashes made for one purpose mean nothing for another.
type SecretHasher struct {
	// key is a closure, as KEK.sealKey, to stay out of fmt's reach.
	key func() []byte
}

// SecretHasher returns the hasher of purpose, a label such as
// "accolade/issuer oid4vci secrets v1".
func (k *KEK) SecretHasher(purpose string) (*SecretHasher, error) {
	if k == nil || k.macKey == nil {
		return nil, fmt.Errorf("secret hasher: %w: no key-encryption key", ErrInvalidKEK)
	}
	key, err := hkdf.Key(sha256.New, k.macKey(), nil, purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("secret hasher: %w", err)
	}
	return &SecretHasher{key: func() []byte { return key }}, nil
}

// NewRandomSecretHasher returns a hasher with a random key of its own, for
// tests and single-process tools: its hashes are not reproducible by
// another process.
func NewRandomSecretHasher() *SecretHasher {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &SecretHasher{key: func() []byte { return key }}
}

// Sum returns HMAC-SHA256(key, part₁ 0x00 part₂ 0x00 …) in lowercase hex.
// Several parts bind a secret to its context (an offer ID, a session), so
// that the same short code under two contexts hashes apart.
func (h *SecretHasher) Sum(parts ...string) string {
	m := hmac.New(sha256.New, h.key())
	for i, p := range parts {
		if i > 0 {
			m.Write([]byte{0})
		}
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Equal reports in constant time whether sum is Sum(parts...).
func (h *SecretHasher) Equal(sum string, parts ...string) bool {
	return subtle.ConstantTimeCompare([]byte(h.Sum(parts...)), []byte(sum)) == 1
}

// String never shows the key.
func (h *SecretHasher) String() string { return "SecretHasher" }

// LogValue implements slog.LogValuer with the same redacted form as String.
func (h *SecretHasher) LogValue() slog.Value { return slog.StringValue(h.String()) }
