package oid4vp

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
)

// FuzzParseAuthorizationRequest feeds request links: parsing never panics,
// and a request by value that parses validates or fails with an *Error.
func FuzzParseAuthorizationRequest(f *testing.F) {
	r := directPostRequest(PrefixRedirectURI + "https://v.example/oid4vp/responses/1")
	r.ResponseURI = "https://v.example/oid4vp/responses/1"
	f.Add(RequestLinkByValue(&r))
	f.Add(RequestLinkByReference("decentralized_identifier:did:key:z6Mk", "https://v.example/r", "post"))
	f.Add("openid4vp://?client_id=x&request=eyJhbGciOiJub25lIn0.e30.")
	f.Add("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example&dcql_query=%7B%7D&client_metadata=%5B%5D")
	f.Fuzz(func(t *testing.T, link string) {
		ar, err := ParseAuthorizationRequest(link)
		if err != nil {
			if _, ok := err.(*Error); !ok { //nolint:errorlint // the contract: every error is an *Error itself, not wrapped
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if ar.Params != nil {
			if err := ar.Params.ValidateUnsigned(); err != nil {
				if _, ok := err.(*Error); !ok { //nolint:errorlint // the contract: every error is an *Error itself, not wrapped
					t.Fatalf("validate error of type %T", err)
				}
			}
		}
	})
}

// FuzzVerifyRequestObject feeds request object JWTs to the wallet's check:
// it never panics, errors are *Error, and nothing but the seed's genuine
// signature passes with a decentralized_identifier: client.
func FuzzVerifyRequestObject(f *testing.F) {
	k, _ := keys.Generate(keys.EdDSA, rand.Reader)
	d, _ := did.JWKDID(k.Public())
	r := directPostRequest(PrefixDecentralizedIdentifier + d)
	tok, _ := SignRequestObject(&r, k, d+"#0")
	f.Add(tok, r.ClientID)
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoib2F1dGgtYXV0aHotcmVxK2p3dCJ9.e30.", "")
	f.Add("a.b.c", "redirect_uri:https://v.example")
	trust := RequestTrust{Resolver: did.Multi{"jwk": did.JWKResolver{}, "key": did.KeyResolver{}}}
	f.Fuzz(func(t *testing.T, token, clientID string) {
		got, err := trust.VerifyRequestObject(context.Background(), token, clientID)
		if err != nil {
			if _, ok := err.(*Error); !ok { //nolint:errorlint // the contract: every error is an *Error itself, not wrapped
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if got.ClientID == r.ClientID && token != tok {
			t.Fatalf("a token other than the signed one passed for %s", r.ClientID)
		}
	})
}

// FuzzDecryptResponse feeds direct_post.jwt responses to the verifier's
// decryption: it never panics and errors are *Error.
func FuzzDecryptResponse(f *testing.F) {
	priv, err := jwk.ParseKey([]byte(specEncPrivateKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(specEncResponse)
	f.Add("eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..a.b.c")
	f.Fuzz(func(t *testing.T, jwe string) {
		if _, err := DecryptResponse(jwe, priv, []string{"A128GCM"}); err != nil {
			if _, ok := err.(*Error); !ok { //nolint:errorlint // the contract: every error is an *Error itself, not wrapped
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
