package main

// Secrets at rest: after every flow that hands out a bearer secret, a raw
// copy of the store (the bolt file's bytes; every key and value under the
// Redis prefix, and their DUMP) holds none of them in any usual encoding.
// A read-only copy of the store must not redeem an offer, open a session
// or a share link, or give away a 6-digit code.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

type issuedSecret struct{ name, value string }

func TestNoSecretsInStoreDump(t *testing.T) {
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			const admin = "secrets-test-admin-token-0123456789"
			mailDir := t.TempDir()
			dataDir := t.TempDir()
			vars := map[string]string{"ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
				"ACCOLADE_ADMIN_TOKEN": admin, "ACCOLADE_MAIL_DIR": mailDir}
			prefix := ""
			if backend == "redis" {
				prefix = redisPrefix(t)
				vars["ACCOLADE_STORE"], vars["ACCOLADE_REDIS_PREFIX"] = testRedisURL(), prefix
			}
			s := startServe(t, dataDir, vars)
			secrets := runSecretFlows(t, s, admin, mailDir)
			s.stop(t)

			var dump []byte
			if backend == "bolt" {
				b, err := os.ReadFile(filepath.Join(dataDir, "accolade.db"))
				if err != nil {
					t.Fatal(err)
				}
				dump = b
			} else {
				dump = redisDump(t, prefix)
			}
			if len(dump) < 1000 {
				t.Fatalf("the %s dump has only %d bytes", backend, len(dump))
			}
			for _, sec := range secrets {
				if where := findSecret(dump, sec.value); where != "" {
					t.Errorf("the %s store holds the %s (%s)", backend, sec.name, where)
				}
			}
		})
	}
}

// runSecretFlows runs OpenID4VCI with a pre-authorized code and tx_code,
// with an authorization code and an emailed code, a wallet sign-in, a
// wallet receiving a badge and sharing it, and returns every secret seen
// over HTTP.
func runSecretFlows(t *testing.T, s *server, admin, mailDir string) []issuedSecret {
	t.Helper()
	ach := postJSON(t, s.base+"/api/v1/achievements", admin, `{"name":"Kept Secret","description":"Nothing in the store redeems it.",
		"criteria":{"narrative":"Hold it."},"image":{"id":"https://badges.example.org/secret.png","caption":"A lock"}}`)
	achID := ach["id"].(string)
	var out []issuedSecret
	add := func(name, v string) {
		t.Helper()
		if v == "" {
			t.Fatalf("the flow gave no %s", name)
		}
		out = append(out, issuedSecret{name, v})
	}
	offerParts := func(o map[string]any) {
		t.Helper()
		u, _ := url.Parse(o["credentialOfferUri"].(string))
		add("credential_offer_uri reference", strings.TrimPrefix(u.Path, "/oid4vci/offers/"))
	}

	// 1. Pre-authorized code with a tx_code.
	offers := postJSON(t, s.base+"/api/v1/offers", admin, `{"achievementId":"`+achID+`","recipients":[{"email":"pre@example.org"}],"txCode":true}`)
	o := offers["offers"].([]any)[0].(map[string]any)
	offerParts(o)
	add("tx_code", o["txCode"].(string))
	w := newSpecWallet(t, "EdDSA")
	offer := w.getJSON(o["credentialOfferUri"].(string))
	add("pre-authorized code", offer["grants"].(map[string]any)[preAuthGrant].(map[string]any)["pre-authorized_code"].(string))
	w.receive(o["offerUri"].(string), o["txCode"].(string), "pre@example.org")
	add("access token (pre-authorized)", w.tokenResponse["access_token"].(string))

	// 2. Authorization code, proving the address with an emailed code.
	offers = postJSON(t, s.base+"/api/v1/offers", admin, `{"achievementId":"`+achID+`","recipients":[{"email":"auth@example.org"}],"grants":["authorization_code"]}`)
	o = offers["offers"].([]any)[0].(map[string]any)
	offerParts(o)
	w = newSpecWallet(t, "ES256")
	w.mailDir = mailDir
	offer = w.getJSON(o["credentialOfferUri"].(string))
	add("issuer_state", offer["grants"].(map[string]any)["authorization_code"].(map[string]any)["issuer_state"].(string))
	w.receive(o["offerUri"].(string), "", "auth@example.org")
	add("sign-in session", w.signIn.session)
	add("emailed code", w.signIn.otp)
	add("authorization code", w.signIn.code)
	add("access token (authorization code)", w.tokenResponse["access_token"].(string))

	// 3. A wallet: sign-in, a badge received over OpenID4VCI, a share link.
	session, _ := walletHolderToken(t, s, "holder@example.org")
	add("wallet session token", session)
	offers = postJSON(t, s.base+"/api/v1/offers", admin, `{"achievementId":"`+achID+`","recipients":[{"email":"holder@example.org"}],"txCode":true}`)
	o = offers["offers"].([]any)[0].(map[string]any)
	offerParts(o)
	add("tx_code (wallet)", o["txCode"].(string))
	code, got := request(t, "POST", s.base+"/wallet/v1/offers", session, `{"offer":"`+o["offerUri"].(string)+`","txCode":"`+o["txCode"].(string)+`"}`)
	if code != http.StatusCreated {
		t.Fatalf("wallet receive: %d %v", code, got)
	}
	credID := got["credentials"].([]any)[0].(map[string]any)["id"].(string)
	code, sh := request(t, "POST", s.base+"/wallet/v1/credentials/"+credID+"/share", session, "{}")
	if code != http.StatusCreated {
		t.Fatalf("share: %d %v", code, sh)
	}
	add("share-link token", sh["token"].(string))
	if code, _ := request(t, "GET", s.base+"/share/"+sh["token"].(string), "", ""); code != http.StatusOK {
		t.Fatalf("the share link: %d", code)
	}
	add("admin token", admin)
	return out
}

var digitsOnly = regexp.MustCompile(`^\d{1,8}$`)

// findSecret says in which form secret occurs in dump, or "". It looks for
// the secret raw, hex, base64 and base64url, for the random part of an
// "<offer ID>.<random>" secret the same, and for the unkeyed SHA-256 of
// each (raw, hex, base64, base64url, and base64url of the hex as store/redis
// writes key IDs), which reverses a short code in a second. A short numeric code is looked for raw only between
// non-alphanumeric bytes: 6 digits occur by chance inside hashes and
// timestamps.
func findSecret(dump []byte, secret string) string {
	values := []string{secret}
	if _, random, ok := strings.Cut(secret, "."); ok && len(random) >= 20 {
		values = append(values, random)
	}
	for _, v := range values {
		if digitsOnly.MatchString(v) {
			if regexp.MustCompile(`(^|[^0-9A-Za-z])` + v + `([^0-9A-Za-z]|$)`).Match(dump) {
				return "in clear"
			}
		} else {
			for name, form := range map[string]string{"in clear": v, "hex": hex.EncodeToString([]byte(v)),
				"base64": base64.StdEncoding.EncodeToString([]byte(v)), "base64url": base64.RawURLEncoding.EncodeToString([]byte(v))} {
				if bytes.Contains(dump, []byte(form)) {
					return name
				}
			}
		}
		sum := sha256.Sum256([]byte(v))
		for name, form := range map[string]string{"as raw SHA-256": string(sum[:]), "as hex SHA-256": hex.EncodeToString(sum[:]),
			"as base64 SHA-256": base64.StdEncoding.EncodeToString(sum[:]), "as base64url SHA-256": base64.RawURLEncoding.EncodeToString(sum[:]),
			// store/redis writes key IDs in base64url.
			"as a Redis key of its hex SHA-256": base64.RawURLEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))} {
			if bytes.Contains(dump, []byte(form)) {
				return name
			}
		}
	}
	return ""
}

// redisDump returns every key under prefix with its value read by type and
// its DUMP serialization (which may compress, hence the typed reads).
func redisDump(t *testing.T, prefix string) []byte {
	t.Helper()
	opts, err := goredis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	client := goredis.NewClient(opts)
	defer client.Close()
	ctx := context.Background()
	var out bytes.Buffer
	keys := 0
	for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
		iter := client.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			keys++
			out.WriteString(k + "\n")
			switch typ := client.Type(ctx, k).Val(); typ {
			case "string":
				out.WriteString(client.Get(ctx, k).Val())
			case "hash":
				for f, v := range client.HGetAll(ctx, k).Val() {
					out.WriteString(f + "\n" + v + "\n")
				}
			case "zset":
				for _, m := range client.ZRange(ctx, k, 0, -1).Val() {
					out.WriteString(m + "\n")
				}
			case "set":
				for _, m := range client.SMembers(ctx, k).Val() {
					out.WriteString(m + "\n")
				}
			case "list":
				for _, m := range client.LRange(ctx, k, 0, -1).Val() {
					out.WriteString(m + "\n")
				}
			default:
				t.Errorf("key %s has type %s, which the dump does not read", k, typ)
			}
			out.WriteString("\n" + client.Dump(ctx, k).Val() + "\n")
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if keys == 0 {
		t.Fatalf("no keys under %s", prefix)
	}
	return out.Bytes()
}
