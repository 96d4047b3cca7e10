package keys_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

// secretForms returns the encodings under which secret might leak.
func secretForms(secret []byte) []string {
	return []string{
		hex.EncodeToString(secret),
		strings.ToUpper(hex.EncodeToString(secret)),
		base64.StdEncoding.EncodeToString(secret),
		base64.RawStdEncoding.EncodeToString(secret),
		base64.URLEncoding.EncodeToString(secret),
		base64.RawURLEncoding.EncodeToString(secret),
		fmt.Sprint(secret), // [1 2 3 ...]
		fmt.Sprintf("%#v", secret),
	}
}

// privateSecrets lists the private encodings of k: seed and full key for
// Ed25519, scalar and PKCS #8 for P-256.
func privateSecrets(t *testing.T, k *keys.Key) [][]byte {
	t.Helper()
	switch p := k.Signer().(type) {
	case ed25519.PrivateKey:
		return [][]byte{p.Seed(), p}
	case *ecdsa.PrivateKey:
		raw, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(p)
		if err != nil {
			t.Fatal(err)
		}
		return [][]byte{raw, der}
	default:
		t.Fatalf("signer %T", p)
		return nil
	}
}

func assertNoSecret(t *testing.T, where, out string, secrets [][]byte) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			if strings.Contains(out, form) {
				t.Errorf("%s leaks a secret as %q:\n%s", where, form, out)
			}
		}
	}
}

// TestSecretsNeverLogged logs and prints keys, KEKs and sealed records every
// way a caller plausibly might and checks that no secret appears.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	kekPath := filepath.Join(t.TempDir(), "kek")
	kek, _, err := keys.LoadOrCreateKEK(kekPath)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(kekPath)
	if err != nil {
		t.Fatal(err)
	}
	kekSecret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}

	for _, alg := range []keys.Alg{keys.EdDSA, keys.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := mustGenerate(t, alg)
			k.ID = "did:web:example.org#" + string(alg)
			sealed, err := keys.Seal(kek, k)
			if err != nil {
				t.Fatal(err)
			}
			secrets := append(privateSecrets(t, k), kekSecret)

			for _, h := range []struct {
				name string
				new  func(*bytes.Buffer) slog.Handler
			}{
				{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
				{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
			} {
				var buf bytes.Buffer
				logger := slog.New(h.new(&buf))
				logger.Info("key material", "key", k, "kek", kek, "sealed", sealed,
					"key_copy", *k, "kek_copy", *kek, "signer_owner", []any{k, kek})
				assertNoSecret(t, h.name+" log", buf.String(), secrets)
				if !strings.Contains(buf.String(), k.MultikeyPublic()) || !strings.Contains(buf.String(), kek.ID()) {
					t.Errorf("%s log lacks the public key or KEK ID:\n%s", h.name, buf.String())
				}
			}

			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "key", k, "kek", kek)
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			wantKey := map[string]any{"id": k.ID, "alg": string(alg), "public": k.MultikeyPublic()}
			if fmt.Sprint(line["key"]) != fmt.Sprint(wantKey) || line["kek"] != "KEK("+kek.ID()+")" {
				t.Errorf("log line = %s, want key %v and kek KEK(%s)", buf.String(), wantKey, kek.ID())
			}

			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
				for _, v := range []any{k, *k, kek, *kek, sealed} {
					assertNoSecret(t, "fmt "+verb, fmt.Sprintf(verb, v), secrets)
				}
			}
			js, err := json.Marshal(struct {
				Key *keys.Key
				KEK *keys.KEK
			}{k, kek})
			if err != nil {
				t.Fatal(err)
			}
			assertNoSecret(t, "json.Marshal", string(js), secrets)
		})
	}
}
