package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestOpenPublicMismatch covers the check Open makes after decryption: a
// record whose authenticated public key is not the private key's (which only
// a KEK holder could produce, e.g. through a bug) is refused.
func TestOpenPublicMismatch(t *testing.T) {
	t.Parallel()
	kek, err := NewKEK(make([]byte, KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	k, err := Generate(EdDSA, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate(EdDSA, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(kek, k)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := k.privateBytes()
	if err != nil {
		t.Fatal(err)
	}
	s.Public = other.public
	aead, err := kek.aead()
	if err != nil {
		t.Fatal(err)
	}
	s.Ciphertext = aead.Seal(nil, s.Nonce, plain, s.aad())
	if _, err := Open(kek, s); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open = %v, want ErrCorrupt", err)
	}
}

// TestKEKDerivedKeyNeverPrinted checks the derived sealing key, which the
// external tests cannot see, against every fmt verb on a KEK and a copy.
func TestKEKDerivedKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	kek, err := NewKEK(bytes.Repeat([]byte{0x5a}, KEKSize))
	if err != nil {
		t.Fatal(err)
	}
	key := kek.sealKey()
	forms := []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key), fmt.Sprint(key)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d", "%q"} {
		for _, v := range []any{kek, *kek} {
			out := fmt.Sprintf(verb, v)
			for _, f := range forms {
				if strings.Contains(out, f) {
					t.Errorf("fmt %s of %T leaks the sealing key: %s", verb, v, out)
				}
			}
		}
	}
}
