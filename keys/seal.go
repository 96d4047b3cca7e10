package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// SealedVersion is the record format Seal writes and Open reads.
const SealedVersion = 1

// aadDomain prefixes the additional authenticated data so that a Sealed
// ciphertext cannot be passed off as any other AES-GCM product of the KEK.
const aadDomain = "accolade/keys sealed key"

var (
	// ErrWrongKEK reports a sealed record that names a different KEK than
	// the one given to Open.
	ErrWrongKEK = errors.New("sealed with a different kek")
	// ErrCorrupt reports a sealed record that fails authentication or whose
	// contents are malformed or inconsistent: tampering or damage.
	ErrCorrupt = errors.New("sealed key record corrupt")
)

// Sealed is a private key encrypted at rest under a KEK, in a JSON form that
// storage keeps as an opaque value:
//
//	{"v":1,"id":"did:web:example.org#key-1","alg":"EdDSA",
//	 "created":"2025-01-02T03:04:05Z","kek":"1f2e3d4c5b6a7988",
//	 "public":"z6Mk...","nonce":"...","ciphertext":"..."}
//
// The plaintext is the Ed25519 seed or the PKCS #8 DER of a P-256 key,
// encrypted with AES-256-GCM under a fresh random 96-bit nonce. Every
// metadata field (v, id, alg, created, kek, public) is bound as additional
// authenticated data, so altering or swapping any of them makes Open fail.
// Nonce and ciphertext are standard base64 in JSON.
type Sealed struct {
	V          int       `json:"v"`
	ID         string    `json:"id"`
	Alg        Alg       `json:"alg"`
	Created    time.Time `json:"created"`
	KEK        string    `json:"kek"`
	Public     string    `json:"public"`
	Nonce      []byte    `json:"nonce"`
	Ciphertext []byte    `json:"ciphertext"`
}

// LogValue implements slog.LogValuer: the ID, algorithm and public key only.
func (s Sealed) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", s.ID),
		slog.String("alg", string(s.Alg)),
		slog.String("public", s.Public),
	)
}

var _ slog.LogValuer = Sealed{}

// aad encodes the metadata as length-prefixed fields, which cannot be
// ambiguous the way plain concatenation would be.
func (s *Sealed) aad() []byte {
	fields := [...]string{
		strconv.Itoa(s.V),
		s.ID,
		string(s.Alg),
		s.Created.UTC().Format(time.RFC3339Nano),
		s.KEK,
		s.Public,
	}
	n := len(aadDomain)
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, aadDomain...)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// aead returns AES-256-GCM under the KEK's sealing key.
func (k *KEK) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.sealKey())
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts k's private key under kek. Each call uses a new random nonce,
// so sealing the same key twice gives different records. Re-seal after
// changing k.ID or k.Created; both are authenticated.
func Seal(kek *KEK, k *Key) (Sealed, error) {
	if kek == nil || kek.sealKey == nil {
		return Sealed{}, fmt.Errorf("seal key: %w: nil kek", ErrInvalidKEK)
	}
	if k == nil || k.priv == nil {
		return Sealed{}, fmt.Errorf("seal key: %w", ErrNoPrivateKey)
	}
	aead, err := kek.aead()
	if err != nil {
		return Sealed{}, fmt.Errorf("seal key %q: %w", k.ID, err)
	}
	plain, err := k.privateBytes()
	if err != nil {
		return Sealed{}, fmt.Errorf("seal key %q: %w", k.ID, err)
	}
	defer clear(plain)
	s := Sealed{
		V:       SealedVersion,
		ID:      k.ID,
		Alg:     k.alg,
		Created: k.Created.UTC(),
		KEK:     kek.id,
		Public:  k.public,
		Nonce:   make([]byte, aead.NonceSize()),
	}
	_, _ = rand.Read(s.Nonce) // never fails since Go 1.24; it crashes the program instead
	s.Ciphertext = aead.Seal(nil, s.Nonce, plain, s.aad())
	return s, nil
}

// Open decrypts a record made by Seal. A record naming another KEK fails with
// ErrWrongKEK. A record that fails authentication (any field altered), is
// malformed, or whose private key does not match its public key fails with
// ErrCorrupt; a forged "kek" field that names this KEK also ends here, as
// GCM cannot tell a wrong key from tampering.
func Open(kek *KEK, s Sealed) (*Key, error) {
	if kek == nil || kek.sealKey == nil {
		return nil, fmt.Errorf("open key %q: %w: nil kek", s.ID, ErrInvalidKEK)
	}
	if s.V != SealedVersion {
		return nil, fmt.Errorf("open key %q: %w: unsupported version %d", s.ID, ErrCorrupt, s.V)
	}
	if s.KEK != kek.id {
		return nil, fmt.Errorf("open key %q: %w: record names kek %q, have %q", s.ID, ErrWrongKEK, s.KEK, kek.id)
	}
	aead, err := kek.aead()
	if err != nil {
		return nil, fmt.Errorf("open key %q: %w", s.ID, err)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("open key %q: %w: nonce of %d bytes", s.ID, ErrCorrupt, len(s.Nonce))
	}
	plain, err := aead.Open(nil, s.Nonce, s.Ciphertext, s.aad())
	if err != nil {
		return nil, fmt.Errorf("open key %q: %w: authentication failed (record altered, or sealed under another kek)", s.ID, ErrCorrupt)
	}
	defer clear(plain)

	var k *Key
	switch s.Alg {
	case EdDSA:
		if len(plain) != ed25519.SeedSize {
			return nil, fmt.Errorf("open key %q: %w: ed25519 seed of %d bytes", s.ID, ErrCorrupt, len(plain))
		}
		k, err = newKey(EdDSA, ed25519.NewKeyFromSeed(plain))
	case ES256:
		var priv any
		priv, err = x509.ParsePKCS8PrivateKey(plain)
		if err != nil {
			return nil, fmt.Errorf("open key %q: %w: bad pkcs8", s.ID, ErrCorrupt)
		}
		ec, ok := priv.(*ecdsa.PrivateKey)
		if !ok || ec.Curve != elliptic.P256() {
			return nil, fmt.Errorf("open key %q: %w: pkcs8 is not a P-256 key", s.ID, ErrCorrupt)
		}
		k, err = newKey(ES256, ec)
	default:
		return nil, fmt.Errorf("open key %q: %w: algorithm %q", s.ID, ErrCorrupt, string(s.Alg))
	}
	if err != nil {
		return nil, fmt.Errorf("open key %q: %w: %w", s.ID, ErrCorrupt, err)
	}
	if k.public != s.Public {
		return nil, fmt.Errorf("open key %q: %w: private key does not match public %q", s.ID, ErrCorrupt, s.Public)
	}
	k.ID = s.ID
	k.Created = s.Created.UTC()
	return k, nil
}
