package wallet

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the Argon2id parameters (RFC 9106) of password hashes.
type Argon2Params struct {
	// Time is the number of passes over memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultArgon2 follows the OWASP Password Storage Cheat Sheet's first
// Argon2id configuration (m = 19 MiB, t = 2, p = 1), about 25-40 ms per
// hash on one core of current hardware. RFC 9106 §4's second recommended
// option (m = 64 MiB, t = 3, p = 4) is stronger and slower; raise the
// parameters when the hardware allows. Each hash uses a fresh 16-byte
// random salt and yields 32 bytes.
var DefaultArgon2 = Argon2Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const (
	saltLen = 16
	hashLen = 32
	// maxArgonMemoryKiB bounds the memory a stored hash may ask for, so a
	// damaged record cannot exhaust memory at sign-in.
	maxArgonMemoryKiB = 1 << 20
)

func (p Argon2Params) validate() error {
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxArgonMemoryKiB {
		return fmt.Errorf("argon2id parameters t=%d m=%d p=%d out of range", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string form
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>" (base64
// without padding), which records the parameters with the hash.
func hashPassword(password string, p Argon2Params) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	h := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, hashLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(h))
}

var errBadHash = errors.New("stored password hash is malformed")

// checkPassword compares password with a hash made by hashPassword, in
// constant time.
func checkPassword(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil || p.validate() != nil {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
