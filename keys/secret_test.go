package keys_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

func TestSecretHasher(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, keys.KEKSize)
	kek1, _ := keys.NewKEK(secret)
	kek2, _ := keys.NewKEK(secret) // another node with the same KEK file
	other, _ := keys.NewKEK(bytes.Repeat([]byte{8}, keys.KEKSize))
	h := func(k *keys.KEK, purpose string) *keys.SecretHasher {
		t.Helper()
		s, err := k.SecretHasher(purpose)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := h(kek1, "p1"), h(kek2, "p1")
	sum := a.Sum("offer", "123456")
	if len(sum) != 64 || strings.Contains(sum, "123456") {
		t.Errorf("Sum = %q, want 64 hex digits", sum)
	}
	if b.Sum("offer", "123456") != sum || !b.Equal(sum, "offer", "123456") {
		t.Error("two KEKs with the same secret hash apart: nodes sharing a store would not agree")
	}
	for name, got := range map[string]string{
		"another purpose": h(kek1, "p2").Sum("offer", "123456"),
		"another KEK":     h(other, "p1").Sum("offer", "123456"),
		"another context": a.Sum("offer2", "123456"),
		"parts joined":    a.Sum("offer1", "23456"),
	} {
		if got == sum {
			t.Errorf("%s gives the same hash", name)
		}
	}
	if a.Equal(sum, "offer", "123457") {
		t.Error("Equal accepts a wrong code")
	}
	if out := fmt.Sprintf("%v %+v %#v", a, a, *a); strings.Contains(out, fmt.Sprint(secret)) {
		t.Errorf("formatting shows key material: %s", out)
	}
	if _, err := (*keys.KEK)(nil).SecretHasher("p"); err == nil {
		t.Error("a nil KEK gave a hasher")
	}
}
