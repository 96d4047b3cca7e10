package oid4vp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/keys"
)

// specRequestObject is the spec's decentralized_identifier: request
// object (examples/request/request_object_client_id_did.json) with its
// elided dcql_query filled in from examples/request/dcql_ldp_vc.json.
func specRequestObject(t *testing.T) map[string]any {
	t.Helper()
	raw := sharedtest.ReadTestdata(t, "oid4vp", "request", "request_object_client_id_did.json")
	raw = bytes.Replace(raw, []byte("{ ... }"), sharedtest.ReadTestdata(t, "oid4vp", "request", "dcql_ldp_vc.json"), 1)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// compact assembles a JWS from a header and claims, signed by key (or with
// an empty signature when key is nil).
func compact(t *testing.T, header, claims map[string]any, key *keys.Key) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	if key == nil {
		return in + "."
	}
	sig, err := key.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

type testVerifier struct {
	key *keys.Key
	did string
	kid string
}

func newTestVerifier(t *testing.T, alg keys.Alg) testVerifier {
	t.Helper()
	k, err := keys.Generate(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.JWKDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return testVerifier{key: k, did: d, kid: d + "#0"}
}

func directPostRequest(clientID string) RequestObject {
	return RequestObject{ResponseType: ResponseTypeVPToken, ResponseMode: ResponseModeDirectPost, ClientID: clientID,
		ResponseURI: "https://v.example/oid4vp/responses/1", Nonce: "n-0S6_WzA2Mj", State: "st", Audience: Audience{AudienceSelfIssued},
		DCQLQuery: DCQLQuery{Credentials: []CredentialQuery{OBQuery("badge", FormatLDPVC, "", "")}}}
}

func claimsOf(r RequestObject) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(r)
	_ = json.Unmarshal(b, &m)
	return m
}

func TestVerifyRequestObjectDecentralizedIdentifier(t *testing.T) {
	ctx := context.Background()
	v := newTestVerifier(t, keys.ES256)
	other := newTestVerifier(t, keys.EdDSA)
	trust := RequestTrust{Resolver: did.Multi{"jwk": did.JWKResolver{}}}
	r := directPostRequest(PrefixDecentralizedIdentifier + v.did)
	tok, err := SignRequestObject(&r, v.key, v.kid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := trust.VerifyRequestObject(ctx, tok, r.ClientID)
	if err != nil || got.Nonce != r.Nonce || got.ClientID != r.ClientID {
		t.Fatalf("signed request: %+v %v", got, err)
	}
	h := map[string]any{"alg": "ES256", "typ": RequestObjectType, "kid": v.kid}
	for name, tc := range map[string]struct {
		token string
		link  string
		want  *Error
	}{
		"ok/relative kid": {token: compact(t, map[string]any{"alg": "EdDSA", "typ": RequestObjectType, "kid": "#0"},
			claimsOf(directPostRequest(PrefixDecentralizedIdentifier+other.did)), other.key), link: PrefixDecentralizedIdentifier + other.did},
		// The spec's example request object (§5.9.3) unsigned: alg none
		// with a prefix that requires signing.
		"ok/aud as an array": {token: func() string {
			c := claimsOf(r)
			c["aud"] = []string{AudienceSelfIssued, "https://wallet.example"}
			return compact(t, h, c, v.key)
		}()},
		"fail/spec example with alg none": {token: compact(t, map[string]any{"alg": "none", "typ": RequestObjectType}, specRequestObject(t), nil),
			link: "decentralized_identifier:did:example:123", want: ErrInvalidRequest},
		"fail/alg none": {token: compact(t, map[string]any{"alg": "none", "typ": RequestObjectType, "kid": v.kid}, claimsOf(r), nil), want: ErrInvalidRequest},
		// The spec's header (§5.9.3 example) names kid did:example:123#1:
		// not a verification method of this DID.
		"fail/kid of another DID": {token: compact(t, map[string]any{"alg": "ES256", "typ": RequestObjectType, "kid": "did:example:123#1"}, claimsOf(r), v.key), want: ErrInvalidRequest},
		"fail/kid missing":        {token: compact(t, map[string]any{"alg": "ES256", "typ": RequestObjectType}, claimsOf(r), v.key), want: ErrInvalidRequest},
		"fail/kid not in the DID document": {token: compact(t, map[string]any{"alg": "ES256", "typ": RequestObjectType, "kid": v.did + "#1"}, claimsOf(r), v.key),
			want: ErrInvalidRequest},
		"fail/signed with another key": {token: compact(t, map[string]any{"alg": "EdDSA", "typ": RequestObjectType, "kid": v.kid}, claimsOf(r), other.key), want: ErrInvalidRequestObject},
		"fail/tampered claims": {token: func() string {
			p := strings.Split(tok, ".")
			c := claimsOf(r)
			c["response_uri"] = "https://evil.example/collect"
			b, _ := json.Marshal(c)
			return p[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + p[2]
		}(), want: ErrInvalidRequestObject},
		"fail/typ JWT":              {token: compact(t, map[string]any{"alg": "ES256", "typ": "JWT", "kid": v.kid}, claimsOf(r), v.key), want: ErrInvalidRequestObject},
		"fail/no typ":               {token: compact(t, map[string]any{"alg": "ES256", "kid": v.kid}, claimsOf(r), v.key), want: ErrInvalidRequestObject},
		"fail/alg HS256":            {token: compact(t, map[string]any{"alg": "HS256", "typ": RequestObjectType, "kid": v.kid}, claimsOf(r), v.key), want: ErrInvalidRequestObject},
		"fail/client_id not link's": {token: tok, link: PrefixDecentralizedIdentifier + other.did, want: ErrInvalidRequest},
		"fail/expired": {token: func() string {
			e := r
			e.Expires = time.Now().Add(-time.Hour).Unix()
			s, _ := SignRequestObject(&e, v.key, v.kid)
			return s
		}(), want: ErrInvalidRequestObject},
		"fail/unsupported prefix x509_san_dns": {token: compact(t, h, claimsOf(directPostRequest("x509_san_dns:v.example")), v.key), link: "x509_san_dns:v.example", want: ErrInvalidRequest},
		"fail/pre-registered client":           {token: compact(t, h, claimsOf(directPostRequest("some-client")), v.key), link: "some-client", want: ErrInvalidRequest},
		"fail/not a JWS":                       {token: "not.a-jws", want: ErrInvalidRequestObject},
	} {
		t.Run(name, func(t *testing.T) {
			link := tc.link
			if link == "" {
				link = r.ClientID
			}
			_, err := trust.VerifyRequestObject(ctx, tc.token, link)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyRequestObjectRedirectURI(t *testing.T) {
	ctx := context.Background()
	v := newTestVerifier(t, keys.EdDSA)
	r := directPostRequest(PrefixRedirectURI + "https://v.example/oid4vp/responses/1")
	trust := RequestTrust{}
	if _, err := trust.VerifyRequestObject(ctx, compact(t, map[string]any{"alg": "none", "typ": RequestObjectType}, claimsOf(r), nil), r.ClientID); err != nil {
		t.Errorf("unsigned redirect_uri: request: %v", err)
	}
	signed, _ := SignRequestObject(&r, v.key, v.kid)
	if _, err := trust.VerifyRequestObject(ctx, signed, r.ClientID); !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "must not be signed") {
		t.Errorf("signed redirect_uri: request: %v", err)
	}
	bad := r
	bad.ResponseURI = "https://evil.example/collect"
	if _, err := trust.VerifyRequestObject(ctx, compact(t, map[string]any{"alg": "none", "typ": RequestObjectType}, claimsOf(bad), nil), r.ClientID); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("response_uri not the client_id's: %v", err)
	}
}

func TestVerifyRequestObjectVerifierAttestation(t *testing.T) {
	ctx := context.Background()
	attester := newTestVerifier(t, keys.ES256)
	rogue := newTestVerifier(t, keys.ES256)
	v := newTestVerifier(t, keys.EdDSA)
	now := time.Now()
	const iss = "https://attester.example"
	trust := RequestTrust{Attesters: map[string]crypto.PublicKey{iss: attester.key.Public()}, Now: func() time.Time { return now }}
	r := directPostRequest(PrefixVerifierAttestation + "verifier.example")
	attestation := func(mut func(h, c map[string]any), signer *keys.Key) string {
		h := map[string]any{"alg": "ES256", "typ": VerifierAttestationType}
		c := map[string]any{"iss": iss, "sub": "verifier.example", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"cnf": map[string]any{"jwk": v.key.PublicJWK()}, "redirect_uris": []string{r.ResponseURI}}
		if mut != nil {
			mut(h, c)
		}
		return compact(t, h, c, signer)
	}
	request := func(att string, signer *keys.Key) string {
		h := map[string]any{"alg": string(signer.Alg()), "typ": RequestObjectType}
		if att != "" {
			h["jwt"] = att
		}
		return compact(t, h, claimsOf(r), signer)
	}
	for name, tc := range map[string]struct {
		token string
		want  *Error
	}{
		"ok":                            {token: request(attestation(nil, attester.key), v.key)},
		"fail/no jwt header":            {token: request("", v.key), want: ErrInvalidRequest},
		"fail/untrusted issuer":         {token: request(attestation(func(_, c map[string]any) { c["iss"] = "https://rogue.example" }, rogue.key), v.key), want: ErrInvalidRequest},
		"fail/attestation forged":       {token: request(attestation(nil, rogue.key), v.key), want: ErrInvalidRequest},
		"fail/attestation expired":      {token: request(attestation(func(_, c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }, attester.key), v.key), want: ErrInvalidRequest},
		"fail/sub is another client":    {token: request(attestation(func(_, c map[string]any) { c["sub"] = "other.example" }, attester.key), v.key), want: ErrInvalidRequest},
		"fail/attestation typ JWT":      {token: request(attestation(func(h, _ map[string]any) { h["typ"] = "JWT" }, attester.key), v.key), want: ErrInvalidRequest},
		"fail/response_uri not allowed": {token: request(attestation(func(_, c map[string]any) { c["redirect_uris"] = []string{"https://v.example/other"} }, attester.key), v.key), want: ErrInvalidRequest},
		"fail/request not by cnf key":   {token: request(attestation(nil, attester.key), rogue.key), want: ErrInvalidRequestObject},
		"fail/alg none": {token: compact(t, map[string]any{"alg": "none", "typ": RequestObjectType, "jwt": attestation(nil, attester.key)}, claimsOf(r), nil),
			want: ErrInvalidRequest},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := trust.VerifyRequestObject(ctx, tc.token, r.ClientID)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := (RequestTrust{}).VerifyRequestObject(ctx, request(attestation(nil, attester.key), v.key), r.ClientID); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("a wallet that trusts no attester: %v", err)
	}
}

// The spec's encrypted response example (OpenID4VP 1.0 §8.3): its client
// metadata, the private key of its first key, and the JWE of the response
// {"vp_token": {"example_credential_id": ["eyJhb...YMetA"]}}.
const (
	specEncMetadata = `{"jwks":{"keys":[
 {"kty":"EC","kid":"ac","use":"enc","crv":"P-256","alg":"ECDH-ES","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk","y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"},
 {"kty":"OKP","kid":"jc","use":"enc","crv":"X25519","alg":"ECDH-ES","x":"WPX7wnwq10hFNK9aDSyG1QlLswE_CJY14LdhcFUIVVc"},
 {"kty":"EC","kid":"lc","use":"enc","crv":"P-384","alg":"ECDH-ES","x":"iHytgLNtXjEyYMAIGwfgjINZRmLfObYbmjPhkaPD8OiTkJtRHjegTNdH31Mxg4nV","y":"MizXWSqNB7sSt_SNjg3spvaJnmjB-LpxsPpLUaea33rvINL3Mq-gEaANErRQpbLx"},
 {"kty":"OKP","kid":"bc","use":"enc","crv":"X448","alg":"ECDH-ES","x":"pK5IRpLlX-8XcsRYWHejpzkfsHoDOmAYuBzAC7aTpewWOw_QFHSa64t9p2kuommI8JQQLohS2AIA"}]},
 "encrypted_response_enc_values_supported":["A128GCM","A128CBC-HS256"]}`
	specEncPrivateKey = `{"kty":"EC","kid":"ac","use":"enc","crv":"P-256","alg":"ECDH-ES","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk",
 "y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk","d":"Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"}`
	specEncResponse = "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImtpZCI6ImFjIiwiZXBrIjp7Imt" +
		"0eSI6IkVDIiwieCI6Im5ubVZwbTNWM2piaGNhZlFhUkJrU1ZOSGx3Wkh3dC05ck9wSnVmeVlJdWsiLCJ5I" +
		"joicjRmakRxd0p5czlxVU9QLV9iM21SNVNaRy0tQ3dPMm1pYzVWU05UWU45ZyIsImNydiI6IlAtMjU2In1" +
		"9..uAYcHRUSSn2X0WPX.yVzlGSYG4qbg0bq18JcUiDRw56yVnbKR8E7S7YlEtzT00RqE3Pw5oTpUG3hdLN" +
		"4taHZ9gC1kwak8JOnJgQ.1wR024_3-qtAlx1oFIUpQQ"
)

func TestEncryptedResponseSpecExample(t *testing.T) {
	priv, err := jwk.ParseKey([]byte(specEncPrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	form, err := DecryptResponse(specEncResponse, priv, []string{"A128GCM"})
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Get("vp_token"); got != `{"example_credential_id": ["eyJhb...YMetA"]}` && got != `{"example_credential_id":["eyJhb...YMetA"]}` {
		t.Errorf("vp_token %q", got)
	}
	// Negative: the verifier takes only A256GCM; another key.
	if _, err := DecryptResponse(specEncResponse, priv, []string{"A256GCM"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("enc not allowed: %v", err)
	}
	other, _ := jwk.Import(mustECDH(t))
	if _, err := DecryptResponse(specEncResponse, other, nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("another key: %v", err)
	}
	// Round trip to the spec's metadata: the first key (kid ac) and A128GCM.
	var md ClientMetadata
	if err := json.Unmarshal([]byte(specEncMetadata), &md); err != nil {
		t.Fatal(err)
	}
	jwe, err := EncryptResponse(map[string]any{"vp_token": map[string]any{"q": []string{"x"}}, "state": "st"}, &md)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwe, ".")[0])
	var h map[string]any
	_ = json.Unmarshal(hdr, &h)
	if h["alg"] != "ECDH-ES" || h["enc"] != "A128GCM" || h["kid"] != "ac" {
		t.Errorf("JWE header %v", h)
	}
	form, err = DecryptResponse(jwe, priv, md.EncryptedResponseEncValuesSupported)
	if err != nil || form.Get("vp_token") != `{"q":["x"]}` || form.Get("state") != "st" {
		t.Errorf("round trip: %v %v", form, err)
	}
	// No usable key, no usable enc.
	for name, m := range map[string]string{
		"no ECDH-ES key": `{"jwks":{"keys":[{"kty":"EC","crv":"P-256","alg":"ECDH-ES+A128KW","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk","y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"}]}}`,
		"no alg":         `{"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk","y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"}]}}`,
		"enc CBC only":   strings.Replace(specEncMetadata, `"A128GCM",`, "", 1),
		"sig key":        strings.ReplaceAll(specEncMetadata, `"use":"enc"`, `"use":"sig"`),
	} {
		var md ClientMetadata
		if err := json.Unmarshal([]byte(m), &md); err != nil {
			t.Fatal(err)
		}
		if _, err := EncryptResponse(map[string]any{"state": "st"}, &md); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustECDH(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEncryptedResponseX25519 round-trips a response to an OKP X25519
// ECDH-ES key with A256GCM.
func TestEncryptedResponseX25519(t *testing.T) {
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := jwk.Import(x)
	if err != nil {
		t.Fatal(err)
	}
	_ = priv.Set(jwk.AlgorithmKey, "ECDH-ES")
	pub, _ := jwk.PublicKeyOf(priv)
	set, _ := json.Marshal(map[string]any{"keys": []any{pub}})
	jwe, err := EncryptResponse(map[string]any{"state": "st"}, &ClientMetadata{JWKS: set, EncryptedResponseEncValuesSupported: []string{"A256GCM"}})
	if err != nil {
		t.Fatal(err)
	}
	form, err := DecryptResponse(jwe, priv, []string{"A256GCM"})
	if err != nil || form.Get("state") != "st" {
		t.Errorf("round trip: %v %v", form, err)
	}
}
