package keys

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// KEKSize is the length in bytes of a key-encryption key.
const KEKSize = 32

// kekFileMax bounds how much of a KEK file is read; a valid one is 45 bytes.
const kekFileMax = 256

// HKDF info strings (RFC 5869 §3.2) separate the two values derived from a
// KEK secret, so the published ID reveals nothing about the sealing key.
const (
	hkdfInfoID   = "accolade/keys kek id v1"
	hkdfInfoSeal = "accolade/keys seal aes-256-gcm v1"
	hkdfInfoMAC  = "accolade/keys secret hmac-sha256 v1"
)

var (
	// ErrInvalidKEK reports KEK material of the wrong size or encoding.
	ErrInvalidKEK = errors.New("invalid key-encryption key")
	// ErrInsecureKEKFile reports a KEK file that group or others may access.
	ErrInsecureKEKFile = errors.New("kek file permissions too open")
)

// KEK is a key-encryption key: the 32-byte secret that Seal and Open use to
// protect private keys at rest. Its ID is public and names the KEK in every
// sealed record without revealing it.
//
// Neither the secret nor anything derived from it appears in String,
// LogValue, errors, or reflection-based printing of a KEK value.
type KEK struct {
	id string
	// sealKey returns the AES-256-GCM key HKDF-derived from the secret. As
	// with Key.priv, a closure keeps it out of fmt's reach under every verb.
	sealKey func() []byte
	// macKey returns the root of the SecretHasher keys, HKDF-derived from
	// the secret, kept out of fmt's reach the same way.
	macKey func() []byte
}

// NewKEK returns the KEK with the given 32-byte secret, for tests and for
// secrets supplied by a secret manager. The secret is not retained: only
// values derived from it are.
func NewKEK(secret []byte) (*KEK, error) {
	if len(secret) != KEKSize {
		return nil, fmt.Errorf("new kek: %w: %d bytes, want %d", ErrInvalidKEK, len(secret), KEKSize)
	}
	idKey, err := hkdf.Key(sha256.New, secret, nil, hkdfInfoID, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("new kek: %w", err)
	}
	defer clear(idKey)
	sealKey, err := hkdf.Key(sha256.New, secret, nil, hkdfInfoSeal, 32)
	if err != nil {
		return nil, fmt.Errorf("new kek: %w", err)
	}
	defer clear(sealKey)
	macKey, err := hkdf.Key(sha256.New, secret, nil, hkdfInfoMAC, 32)
	if err != nil {
		return nil, fmt.Errorf("new kek: %w", err)
	}
	defer clear(macKey)
	sum := sha256.Sum256(idKey)
	var key, mac [32]byte
	copy(key[:], sealKey)
	copy(mac[:], macKey)
	return &KEK{id: hex.EncodeToString(sum[:8]), sealKey: func() []byte { return key[:] }, macKey: func() []byte { return mac[:] }}, nil
}

// ID returns the KEK's public identifier: 16 hex digits, the first 8 bytes of
// SHA-256 over an HKDF-derived value. Sealed records carry it in "kek".
func (k *KEK) ID() string {
	if k == nil {
		return ""
	}
	return k.id
}

// String returns "KEK(<id>)", never the secret.
func (k *KEK) String() string { return "KEK(" + k.ID() + ")" }

// LogValue implements slog.LogValuer with the same redacted form as String.
func (k *KEK) LogValue() slog.Value { return slog.StringValue(k.String()) }

var (
	_ fmt.Stringer   = (*KEK)(nil)
	_ slog.LogValuer = (*KEK)(nil)
)

// LoadKEK reads the KEK file at path, which must exist. The file holds the
// secret in standard base64 followed by a newline (as written by
// LoadOrCreateKEK or by `openssl rand -base64 32`). Outside Windows, a file
// that group or others may access is refused with ErrInsecureKEKFile.
func LoadKEK(path string) (*KEK, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load kek: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load kek: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load kek: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("load kek: %w: %s has mode %04o, readable beyond its owner; run chmod 600 %s",
			ErrInsecureKEKFile, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, kekFileMax+1))
	defer clear(data)
	if err != nil {
		return nil, fmt.Errorf("load kek: %w", err)
	}
	if len(data) > kekFileMax {
		return nil, fmt.Errorf("load kek: %w: %s is longer than %d bytes", ErrInvalidKEK, path, kekFileMax)
	}
	secret := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	defer clear(secret)
	n, err := base64.StdEncoding.Decode(secret, bytes.TrimRight(data, "\r\n"))
	if err != nil {
		// CorruptInputError carries only an offset, never file content.
		return nil, fmt.Errorf("load kek: %w: %s is not base64: %v", ErrInvalidKEK, path, err)
	}
	k, err := NewKEK(secret[:n])
	if err != nil {
		return nil, fmt.Errorf("load kek %s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreateKEK loads the KEK file at path as LoadKEK does or, when it does
// not exist, creates it with 32 bytes from crypto/rand, mode 0600, in a parent
// directory created with mode 0700 if missing. created reports whether a new
// KEK was made, which a caller should log (by ID) since losing the file makes
// every sealed key unreadable.
//
// Creation is atomic: the file is written under a temporary name and then
// hard-linked into place, which fails if path exists (like O_EXCL) and never
// exposes a partial file. If another process wins the race, its KEK is loaded.
func LoadOrCreateKEK(path string) (kek *KEK, created bool, err error) {
	kek, err = LoadKEK(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kek, false, err
	}
	kek, err = createKEK(path)
	if errors.Is(err, fs.ErrExist) {
		kek, err = LoadKEK(path)
		return kek, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return kek, true, nil
}

func createKEK(path string) (*KEK, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create kek: %w", err)
	}
	secret := make([]byte, KEKSize)
	defer clear(secret)
	_, _ = rand.Read(secret) // never fails since Go 1.24; it crashes the program instead
	line := make([]byte, base64.StdEncoding.EncodedLen(KEKSize), base64.StdEncoding.EncodedLen(KEKSize)+1)
	defer clear(line)
	base64.StdEncoding.Encode(line, secret)
	line = append(line, '\n')
	kek, err := NewKEK(secret)
	if err != nil {
		return nil, err
	}

	// os.CreateTemp opens with O_EXCL and mode 0600.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create kek: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, line); err != nil {
		return nil, fmt.Errorf("create kek: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create kek: %w", err)
		}
		// Some filesystems have no hard links; fall back to O_EXCL on the
		// final name, accepting that a concurrent reader may see it empty.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create kek: %w", err)
		}
		if err := writeSync(f, line); err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("create kek: %w", err)
		}
	}
	syncDir(dir)
	return kek, nil
}

// writeSync writes data to f, flushes it to stable storage and closes f.
func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a new directory entry durable; failure is harmless beyond
// durability, and some platforms cannot sync directories at all.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
