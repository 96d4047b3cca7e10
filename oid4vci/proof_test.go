package oid4vci

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
)

const testIssuer = "https://badges.example.org"

var testNow = time.Date(2025, 9, 16, 12, 0, 0, 0, time.UTC)

func genKey(t testing.TB, alg keys.Alg) *keys.Key {
	t.Helper()
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signJWT builds a compact JWS over header and claims with k.
func signJWT(t testing.TB, k *keys.Key, header, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sig, err := k.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func keyDID(t testing.TB, k *keys.Key) string {
	t.Helper()
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func jwkDID(t testing.TB, k *keys.Key) string {
	t.Helper()
	d, err := did.JWKDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func proofOpts() ProofOptions {
	return ProofOptions{Audience: testIssuer, Now: testNow, Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, RequireNonce: true}
}

func TestCheckProofJWT(t *testing.T) {
	ed, es := genKey(t, keys.EdDSA), genKey(t, keys.ES256)
	edDID, esDID := keyDID(t, ed), jwkDID(t, es)
	edKid := edDID + "#" + strings.TrimPrefix(edDID, "did:key:")
	hdr := func(kv ...any) map[string]any {
		m := map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "kid": edKid}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	claims := func(kv ...any) map[string]any {
		m := map[string]any{"aud": testIssuer, "iat": testNow.Unix(), "nonce": "n-1"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	privJWK := func() map[string]any {
		j := map[string]any{}
		b, _ := json.Marshal(ed.PublicJWK())
		_ = json.Unmarshal(b, &j)
		j["d"] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
		return j
	}
	pubJWK := func(k *keys.Key) map[string]any {
		j := map[string]any{}
		b, _ := json.Marshal(k.PublicJWK())
		_ = json.Unmarshal(b, &j)
		return j
	}
	tests := []struct {
		name       string
		token      string
		wantHolder string
		wantErr    string // fragment of the description; "" means success
	}{
		{"ok/EdDSA did:key kid", signJWT(t, ed, hdr(), claims()), edDID, ""},
		{"ok/ES256 did:jwk kid", signJWT(t, es, hdr("alg", "ES256", "kid", esDID+"#0"), claims()), esDID, ""},
		{"ok/kid without fragment", signJWT(t, ed, hdr("kid", edDID), claims()), edDID, ""},
		{"ok/jwk header gives did:jwk", signJWT(t, es, hdr("alg", "ES256", "kid", nil, "jwk", pubJWK(es)), claims()), esDID, ""},
		{"ok/aud array", signJWT(t, ed, hdr(), claims("aud", []string{"x", testIssuer})), edDID, ""},
		{"ok/typ with application prefix", signJWT(t, ed, hdr("typ", "application/openid4vci-proof+jwt"), claims()), edDID, ""},
		{"fail/typ JWT", signJWT(t, ed, hdr("typ", "JWT"), claims()), "", "typ"},
		{"fail/no typ", signJWT(t, ed, hdr("typ", nil), claims()), "", "typ"},
		{"fail/alg none", unsigned(hdr("alg", "none"), claims()), "", "alg"},
		{"fail/alg HS256", signJWT(t, ed, hdr("alg", "HS256"), claims()), "", "alg"},
		{"fail/alg does not match key", signJWT(t, ed, hdr("alg", "ES256"), claims()), "", "signature"},
		{"fail/kid and jwk", signJWT(t, ed, hdr("jwk", pubJWK(ed)), claims()), "", "exactly one"},
		{"fail/no key", signJWT(t, ed, hdr("kid", nil), claims()), "", "exactly one"},
		{"fail/x5c", signJWT(t, ed, hdr("kid", nil, "x5c", []string{"MIIB"}), claims()), "", "x5c"},
		{"fail/private jwk", signJWT(t, ed, hdr("kid", nil, "jwk", privJWK()), claims()), "", "private"},
		{"fail/kid did:web", signJWT(t, ed, hdr("kid", "did:web:example.org#key-1"), claims()), "", "binding methods"},
		{"fail/kid not a DID", signJWT(t, ed, hdr("kid", "key-1"), claims()), "", "DID URL"},
		{"fail/kid of another key", signJWT(t, ed, hdr("kid", keyDID(t, genKey(t, keys.EdDSA))), claims()), "", "signature"},
		{"fail/crit", signJWT(t, ed, hdr("crit", []string{"x"}), claims()), "", "crit"},
		{"fail/other audience", signJWT(t, ed, hdr(), claims("aud", "https://evil.example")), "", "aud"},
		{"fail/audience is the endpoint", signJWT(t, ed, hdr(), claims("aud", testIssuer+"/oid4vci/credential")), "", "aud"},
		{"fail/no aud", signJWT(t, ed, hdr(), claims("aud", nil)), "", "aud"},
		{"fail/no iat", signJWT(t, ed, hdr(), claims("iat", nil)), "", "iat"},
		{"fail/iat string", signJWT(t, ed, hdr(), claims("iat", "now")), "", "iat"},
		{"fail/iat too old", signJWT(t, ed, hdr(), claims("iat", testNow.Add(-time.Hour).Unix())), "", "window"},
		{"fail/iat in the future", signJWT(t, ed, hdr(), claims("iat", testNow.Add(time.Hour).Unix())), "", "window"},
		{"fail/expired", signJWT(t, ed, hdr(), claims("exp", testNow.Add(-time.Hour).Unix())), "", "expired"},
		{"fail/no nonce", signJWT(t, ed, hdr(), claims("nonce", nil)), "", "nonce"},
		{"fail/nonce not a string", signJWT(t, ed, hdr(), claims("nonce", 7)), "", "nonce"},
		{"fail/bad signature", tamper(signJWT(t, ed, hdr(), claims())), "", "signature"},
		{"fail/two segments", "a.b", "", "compact"},
		{"fail/header not JSON", "bm90LWpzb24.e30.AA", "", "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CheckProofJWT(context.Background(), tt.token, proofOpts())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckProofJWT: %v", err)
				}
				if p.HolderDID != tt.wantHolder || p.Nonce != "n-1" {
					t.Errorf("holder %s nonce %s, want %s n-1", p.HolderDID, p.Nonce, tt.wantHolder)
				}
				return
			}
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("err = %v, want invalid_proof", err)
			}
			var e *Error
			errors.As(err, &e)
			if !strings.Contains(e.Description, tt.wantErr) {
				t.Errorf("description %q does not mention %q", e.Description, tt.wantErr)
			}
		})
	}
}

func unsigned(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + ".AAAA"
}

// tamper changes a claim of a signed token, keeping its signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	_ = json.Unmarshal(b, &c)
	c["nonce"] = "n-1" // same claims; the trailing space changes the signed bytes
	nb, _ := json.Marshal(c)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(append(nb, ' ')) + "." + parts[2]
}

func TestCheckProofJWTNonceOptional(t *testing.T) {
	ed := genKey(t, keys.EdDSA)
	tok := signJWT(t, ed, map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "kid": keyDID(t, ed)}, map[string]any{"aud": testIssuer, "iat": testNow.Unix()})
	opts := proofOpts()
	opts.RequireNonce = false
	p, err := CheckProofJWT(context.Background(), tok, opts)
	if err != nil || p.Nonce != "" {
		t.Fatalf("without RequireNonce: %v %+v", err, p)
	}
}
