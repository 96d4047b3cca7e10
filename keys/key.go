package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

var (
	// ErrInvalidPrivateKey reports private key material that is malformed or
	// whose halves do not belong together.
	ErrInvalidPrivateKey = errors.New("invalid private key")
	// ErrNoPrivateKey reports a Key without private material, such as the
	// zero Key.
	ErrNoPrivateKey = errors.New("key has no private half")
)

// Key is a signing key pair Accolade holds: Ed25519 (EdDSA) or ECDSA P-256
// (ES256). Build one with Generate, FromEd25519Seed, FromPrivate or Open; the
// zero Key holds no key.
//
// The private half is never printed: String and LogValue show only the ID,
// algorithm and public key, and reflection-based printers (fmt verbs on a Key
// value, %+v, %#v) see only a function address. Persist a Key with Seal.
type Key struct {
	// ID is how the outside world names the key, typically a DID URL such as
	// "did:web:example.org#key-1". Constructors set it to Handle(); callers
	// replace it once the key's DID is known. It is stored by Seal.
	ID string
	// Created is when the key was made or imported (UTC). It is stored by Seal.
	Created time.Time

	alg    Alg
	handle string
	public string // publicKeyMultibase, computed once

	// priv returns the private key, an ed25519.PrivateKey or an
	// *ecdsa.PrivateKey on P-256. It is a closure because fmt cannot look
	// inside one under any verb, whereas a pointer field is dumped by the
	// bad-verb output of %s, %d or %q on a Key value.
	priv func() crypto.Signer
}

// Generate creates a new key for alg (EdDSA or ES256; the empty Alg means
// DefaultAlg), reading randomness from r, or from crypto/rand when r is nil.
// A fixed r makes Ed25519 keys reproducible in tests. Since Go 1.26 ECDSA key
// generation ignores r (see testing/cryptotest.SetGlobalRandom).
func Generate(alg Alg, r io.Reader) (*Key, error) {
	if alg == "" {
		alg = DefaultAlg
	}
	if r == nil {
		r = rand.Reader
	}
	switch alg {
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(r)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", alg, err)
		}
		return newKey(EdDSA, priv)
	case ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), r)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", alg, err)
		}
		return newKey(ES256, priv)
	default:
		return nil, fmt.Errorf("generate key: %w: cannot sign with %q", ErrUnsupportedAlg, string(alg))
	}
}

// FromEd25519Seed returns the EdDSA key derived from a 32-byte Ed25519 seed
// (RFC 8032 §5.1.5), the form W3C secretKeyMultibase values carry.
func FromEd25519Seed(seed []byte) (*Key, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("key from ed25519 seed: %w: %d bytes, want %d", ErrInvalidPrivateKey, len(seed), ed25519.SeedSize)
	}
	return newKey(EdDSA, ed25519.NewKeyFromSeed(seed))
}

// FromPrivate wraps an existing private key: an ed25519.PrivateKey (64-byte
// seed||public form) or an *ecdsa.PrivateKey on P-256. The key is copied and
// checked: a public half that does not match the private half is refused
// with ErrInvalidPrivateKey, other types with ErrUnsupportedKeyType.
func FromPrivate(priv crypto.PrivateKey) (*Key, error) {
	switch p := priv.(type) {
	case ed25519.PrivateKey:
		if len(p) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("key from private: %w: ed25519 key of %d bytes", ErrInvalidPrivateKey, len(p))
		}
		k := ed25519.NewKeyFromSeed(p.Seed())
		if subtle.ConstantTimeCompare(k[ed25519.SeedSize:], p[ed25519.SeedSize:]) != 1 {
			return nil, fmt.Errorf("key from private: %w: public half does not match seed", ErrInvalidPrivateKey)
		}
		return newKey(EdDSA, k)
	case *ecdsa.PrivateKey:
		if p == nil || p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("key from private: %w: want ECDSA P-256, got %s", ErrUnsupportedKeyType, describePrivate(p))
		}
		raw, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("key from private: %w: %v", ErrInvalidPrivateKey, err)
		}
		defer clear(raw)
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
		if err != nil {
			return nil, fmt.Errorf("key from private: %w: %v", ErrInvalidPrivateKey, err)
		}
		if !k.PublicKey.Equal(&p.PublicKey) {
			return nil, fmt.Errorf("key from private: %w: public half does not match private scalar", ErrInvalidPrivateKey)
		}
		return newKey(ES256, k)
	default:
		return nil, fmt.Errorf("key from private: %w: %T", ErrUnsupportedKeyType, priv)
	}
}

func describePrivate(p *ecdsa.PrivateKey) string {
	if p == nil || p.Curve == nil {
		return "no curve"
	}
	return p.Curve.Params().Name
}

// newKey finishes a Key around a validated private key.
func newKey(alg Alg, signer crypto.Signer) (*Key, error) {
	public, err := EncodeMultikey(signer.Public())
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	sum := sha256.Sum256([]byte(public))
	handle := "k-" + hex.EncodeToString(sum[:8])
	return &Key{
		ID:      handle,
		Created: time.Now().UTC().Round(0),
		alg:     alg,
		handle:  handle,
		public:  public,
		priv:    func() crypto.Signer { return signer },
	}, nil
}

// Alg returns the key's algorithm, fixed by its private key.
func (k *Key) Alg() Alg { return k.alg }

// Handle returns a stable local name for the key, "k-" and 16 hex digits of
// the SHA-256 of its publicKeyMultibase. It does not change when ID is
// reassigned and is the same after Seal and Open, so storage can index by it.
func (k *Key) Handle() string { return k.handle }

// Public returns the public key: ed25519.PublicKey or *ecdsa.PublicKey. It is
// nil for a Key without private material.
func (k *Key) Public() crypto.PublicKey {
	if k == nil || k.priv == nil {
		return nil
	}
	return k.priv().Public()
}

// Signer returns the key as a crypto.Signer for libraries that need one
// (ed25519.PrivateKey or *ecdsa.PrivateKey). Note that an ECDSA crypto.Signer
// produces ASN.1 DER signatures; use Sign for the JOSE R||S form.
func (k *Key) Signer() crypto.Signer {
	if k == nil || k.priv == nil {
		return nil
	}
	return k.priv()
}

// Sign signs msg in the JOSE form Verify accepts: 64 bytes of Ed25519 for
// EdDSA, or for ES256 the 64-byte R||S encoding (RFC 7518 §3.4) of an ECDSA
// signature over SHA-256(msg).
func (k *Key) Sign(msg []byte) ([]byte, error) {
	if k == nil || k.priv == nil {
		return nil, fmt.Errorf("sign: %w", ErrNoPrivateKey)
	}
	switch p := k.priv().(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(p, msg), nil
	case *ecdsa.PrivateKey:
		h := sha256.Sum256(msg)
		r, s, err := ecdsa.Sign(rand.Reader, p, h[:])
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", k.alg, err)
		}
		sig := make([]byte, es256SigSize)
		r.FillBytes(sig[:es256SigSize/2])
		s.FillBytes(sig[es256SigSize/2:])
		return sig, nil
	default:
		return nil, fmt.Errorf("sign: %w: %T", ErrUnsupportedKeyType, p)
	}
}

// MultikeyPublic returns the publicKeyMultibase of the key (see
// EncodeMultikey), or "" for a Key without private material.
func (k *Key) MultikeyPublic() string {
	if k == nil {
		return ""
	}
	return k.public
}

// PublicJWK returns the public JWK of the key (RFC 7517, RFC 8037) without
// "kid" or "alg", so that it is also the canonical did:jwk input; set those
// fields on the result where a JWKS needs them.
func (k *Key) PublicJWK() JWK {
	pub := k.Public()
	if pub == nil {
		return JWK{}
	}
	j, err := PublicJWK(pub)
	if err != nil {
		// Unreachable: constructors only admit Ed25519 and P-256 keys.
		return JWK{}
	}
	return j
}

// privateBytes returns the plaintext Seal encrypts: the 32-byte seed for
// Ed25519, PKCS #8 DER for P-256. The caller clears it.
func (k *Key) privateBytes() ([]byte, error) {
	switch p := k.priv().(type) {
	case ed25519.PrivateKey:
		return p.Seed(), nil
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalPKCS8PrivateKey(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPrivateKey, err)
		}
		return der, nil
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKeyType, p)
	}
}

// String describes the key without its private half.
func (k *Key) String() string {
	if k == nil {
		return "Key(<nil>)"
	}
	return fmt.Sprintf("Key(%s %s %s)", k.ID, k.alg, k.public)
}

// LogValue implements slog.LogValuer: the ID, algorithm and public key only.
func (k *Key) LogValue() slog.Value {
	if k == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("id", k.ID),
		slog.String("alg", string(k.alg)),
		slog.String("public", k.public),
	)
}

var (
	_ fmt.Stringer   = (*Key)(nil)
	_ slog.LogValuer = (*Key)(nil)
)
