package issuer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
)

// Compatibility with wallets built on pre-final drafts of OpenID4VCI:
// each request shape is served and answered in its own shape.

// walletJWK is the public JWK of k as a wallet might write it: members
// in a non-canonical order (x first, kty last).
func walletJWK(k *keys.Key) string {
	j := k.PublicJWK()
	s := `{"x":"` + j.X + `",`
	if j.Y != "" {
		s += `"y":"` + j.Y + `",`
	}
	return s + `"crv":"` + j.Crv + `","kty":"` + j.Kty + `"}`
}

// jwkProof is a proof JWT whose header carries rawJWK verbatim.
func jwkProof(t testing.TB, k *keys.Key, rawJWK, aud, nonce string, iat time.Time) string {
	t.Helper()
	hdr := `{"typ":"openid4vci-proof+jwt","alg":"` + string(k.Alg()) + `","jwk":` + rawJWK + `}`
	cl, _ := json.Marshal(map[string]any{"aud": aud, "iat": iat.Unix(), "nonce": nonce})
	in := base64.RawURLEncoding.EncodeToString([]byte(hdr)) + "." + base64.RawURLEncoding.EncodeToString(cl)
	sig, err := k.Sign([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// parseRequest builds a Credential Request from its JSON as a wallet sends it.
func parseRequest(t *testing.T, body map[string]any) oid4vci.CredentialRequest {
	t.Helper()
	b, _ := json.Marshal(body)
	r, err := oid4vci.ParseCredentialRequest(b)
	if err != nil {
		t.Fatalf("parse %s: %v", b, err)
	}
	return r
}

// draftDefinition is a draft 13 credential_definition for format.
func draftDefinition(format string) map[string]any {
	d := map[string]any{"type": []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential}}
	if format == oid4vci.FormatLDPVC {
		d["@context"] = []string{credential.ContextVCv2, credential.ContextOB}
	}
	return d
}

// responseKeys returns the top-level members of the response's JSON.
func responseKeys(t *testing.T, resp oid4vci.CredentialResponse) map[string]json.RawMessage {
	t.Helper()
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOID4VCIRequestShapes(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	jwtProofs := func(ps ...string) map[string]any { return map[string]any{"jwt": ps} }
	single := func(p string) map[string]any { return map[string]any{"proof_type": "jwt", "jwt": p} }
	for _, format := range []string{oid4vci.FormatLDPVC, oid4vci.FormatJWTVCJSON} {
		configID := f.ach.ID + "_" + format
		tests := []struct {
			name string
			// details asks the token endpoint for credential_identifiers.
			details bool
			// build returns the request body for proofs p (one per holder).
			holders int
			build   func(p []string, identifier string) map[string]any
			shape   oid4vci.ResponseShape
			// want are the members of the response, beside notification_id.
			want []string
		}{
			{"1.0 credential_configuration_id and proofs", false, 1, func(p []string, _ string) map[string]any {
				return map[string]any{"credential_configuration_id": configID, "proofs": jwtProofs(p...)}
			}, oid4vci.ShapeFinal, []string{"credentials"}},
			{"1.0 credential_identifier and proofs", true, 2, func(p []string, id string) map[string]any {
				return map[string]any{"credential_identifier": id, "proofs": jwtProofs(p...)}
			}, oid4vci.ShapeFinal, []string{"credentials"}},
			{"draft 13 format, credential_definition and proof", false, 1, func(p []string, _ string) map[string]any {
				return map[string]any{"format": format, "credential_definition": draftDefinition(format), "proof": single(p[0])}
			}, oid4vci.ShapeDraft13, []string{"credential", "c_nonce", "c_nonce_expires_in"}},
			{"draft format, credential_definition and proofs", false, 2, func(p []string, _ string) map[string]any {
				return map[string]any{"format": format, "credential_definition": draftDefinition(format), "proofs": jwtProofs(p...)}
			}, oid4vci.ShapeDraftBatch, []string{"credentials", "c_nonce", "c_nonce_expires_in"}},
			{"draft 13 credential_identifier and proof", true, 1, func(p []string, id string) map[string]any {
				return map[string]any{"credential_identifier": id, "proof": single(p[0])}
			}, oid4vci.ShapeTransitional, []string{"credentials", "credential", "c_nonce", "c_nonce_expires_in"}},
		}
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				o := f.offer(t, OfferRequest{Format: format})
				treq := oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode, PreAuthorizedCode: preAuthCode(o)}
				if tt.details {
					treq.AuthorizationDetails = []oid4vci.AuthorizationDetail{{Type: oid4vci.AuthorizationDetailsType, CredentialConfigurationID: configID}}
				}
				tok, err := f.vci.Token(ctx, treq)
				if err != nil {
					t.Fatal(err)
				}
				// Every token response carries a c_nonce, for pre-final wallets.
				if tok.CNonce == "" || tok.CNonceExpiresIn != int64(DefaultNonceTTL/time.Second) {
					t.Fatalf("token response c_nonce %q %d", tok.CNonce, tok.CNonceExpiresIn)
				}
				id := ""
				if tt.details {
					id = tok.AuthorizationDetails[0].CredentialIdentifiers[0]
				}
				// A draft wallet proves with the token response's c_nonce; a
				// 1.0 wallet with one from the nonce endpoint.
				nonce := tok.CNonce
				if tt.shape == oid4vci.ShapeFinal {
					nonce = f.nonce(t)
				}
				var holders []string
				var proofs []string
				for i := range tt.holders {
					k, err := keys.Generate(map[bool]keys.Alg{true: keys.ES256, false: keys.EdDSA}[i%2 == 0], nil)
					if err != nil {
						t.Fatal(err)
					}
					raw := walletJWK(k)
					holders = append(holders, "did:jwk:"+base64.RawURLEncoding.EncodeToString([]byte(raw)))
					proofs = append(proofs, jwkProof(t, k, raw, vciIssuer, nonce, f.clock.Now()))
				}
				req := parseRequest(t, tt.build(proofs, id))
				resp, err := f.vci.Credential(ctx, tok.AccessToken, req)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Shape != tt.shape || len(resp.Credentials) != tt.holders {
					t.Fatalf("shape %s with %d credentials, want %s with %d", resp.Shape, len(resp.Credentials), tt.shape, tt.holders)
				}
				for i, c := range resp.Credentials {
					if got := subjectID(t, c.Credential); got != holders[i] {
						t.Errorf("credentialSubject.id = %s, want the wallet's did:jwk %s", got, holders[i])
					}
				}
				m := responseKeys(t, resp)
				for _, k := range append(tt.want, "notification_id") {
					if _, ok := m[k]; !ok {
						t.Errorf("response lacks %s: %v", k, m)
					}
				}
				if len(m) != len(tt.want)+1 {
					t.Errorf("response members %d, want %v and notification_id", len(m), tt.want)
				}
				switch tt.shape {
				case oid4vci.ShapeDraft13:
					if string(m["credential"]) != string(resp.Credentials[0].Credential) {
						t.Error("credential is not the issued credential")
					}
				case oid4vci.ShapeDraftBatch:
					var list []json.RawMessage
					_ = json.Unmarshal(m["credentials"], &list)
					if len(list) != 2 || subjectID(t, list[1]) != holders[1] {
						t.Errorf("draft batch credentials are not the credentials themselves: %s", m["credentials"])
					}
				}
				if tt.shape != oid4vci.ShapeFinal {
					// The response's c_nonce is good for a next proof: it is a live nonce.
					if _, err := f.svc.cfg.Store.(OID4VCIStore).TakeToken(ctx, tokNonce, secretKey(resp.CNonce)); err != nil {
						t.Errorf("the response c_nonce is not a live nonce: %v", err)
					}
				}
			})
		}
	}
}

func TestOID4VCIDraftRequestErrors(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	h := newHolder(t, keys.EdDSA)
	ldpOffer := func(t *testing.T) oid4vci.TokenResponse {
		return f.token(t, f.offer(t, OfferRequest{Format: oid4vci.FormatLDPVC}), nil)
	}
	proof := func(t *testing.T, nonce string) map[string]any {
		return map[string]any{"proof_type": "jwt", "jwt": h.proof(t, vciIssuer, nonce, f.clock.Now())}
	}
	ldpDef := draftDefinition(oid4vci.FormatLDPVC)
	tests := []struct {
		name string
		body func(nonce string) map[string]any
		want string
	}{
		{"fail/unknown format", func(n string) map[string]any {
			return map[string]any{"format": "mso_mdoc", "doctype": "org.iso.18013.5.1.mDL", "proof": proof(t, n)}
		}, oid4vci.CodeUnsupportedCredentialFormat},
		{"fail/format the offer is not in", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatJWTVCJSON, "credential_definition": draftDefinition(oid4vci.FormatJWTVCJSON), "proof": proof(t, n)}
		}, oid4vci.CodeUnsupportedCredentialFormat},
		{"fail/jwt_vc_json-ld", func(n string) map[string]any {
			return map[string]any{"format": "jwt_vc_json-ld", "credential_definition": ldpDef, "proof": proof(t, n)}
		}, oid4vci.CodeUnsupportedCredentialFormat},
		{"fail/no credential_definition", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, n)}
		}, oid4vci.CodeInvalidCredentialRequest},
		{"fail/another credential type", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, n),
				"credential_definition": map[string]any{"@context": []string{credential.ContextVCv2}, "type": []string{"VerifiableCredential", "UniversityDegreeCredential"}}}
		}, oid4vci.CodeUnsupportedCredentialType},
		{"fail/only VerifiableCredential", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, n),
				"credential_definition": map[string]any{"@context": []string{credential.ContextVCv2}, "type": []string{"VerifiableCredential"}}}
		}, oid4vci.CodeUnsupportedCredentialType},
		{"fail/ldp_vc without @context", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, n),
				"credential_definition": map[string]any{"type": []string{"VerifiableCredential", "OpenBadgeCredential"}}}
		}, oid4vci.CodeInvalidCredentialRequest},
		{"fail/VCDM 1.1 context", func(n string) map[string]any {
			return map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, n),
				"credential_definition": map[string]any{"@context": []string{"https://www.w3.org/2018/credentials/v1"}, "type": []string{"VerifiableCredential", "OpenBadgeCredential"}}}
		}, oid4vci.CodeUnsupportedCredentialType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := ldpOffer(t)
			_, err := f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, tt.body(tok.CNonce)))
			wantCode(t, err, tt.want)
		})
	}
	t.Run("ok/AchievementCredential alias, types in any order", func(t *testing.T) {
		tok := ldpOffer(t)
		resp, err := f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, map[string]any{"format": oid4vci.FormatLDPVC, "proof": proof(t, tok.CNonce),
			"credential_definition": map[string]any{"@context": []string{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions},
				"type": []string{"AchievementCredential", "VerifiableCredential"}}}))
		if err != nil || len(resp.Credentials) != 1 {
			t.Fatalf("%v %+v", err, resp)
		}
	})
	t.Run("fail/format when credential_identifiers were returned", func(t *testing.T) {
		o := f.offer(t, OfferRequest{Format: oid4vci.FormatLDPVC})
		tok, err := f.vci.Token(ctx, oid4vci.TokenRequest{GrantType: oid4vci.GrantTypePreAuthorizedCode, PreAuthorizedCode: preAuthCode(o),
			AuthorizationDetails: []oid4vci.AuthorizationDetail{{Type: oid4vci.AuthorizationDetailsType, CredentialConfigurationID: o.CredentialOffer.CredentialConfigurationIDs[0]}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, map[string]any{"format": oid4vci.FormatLDPVC, "credential_definition": ldpDef, "proof": proof(t, tok.CNonce)}))
		wantCode(t, err, oid4vci.CodeInvalidCredentialRequest)
	})
	t.Run("fail/stale nonce gets a fresh c_nonce that works", func(t *testing.T) {
		tok := ldpOffer(t)
		body := map[string]any{"format": oid4vci.FormatLDPVC, "credential_definition": ldpDef, "proof": proof(t, "not-a-nonce")}
		_, err := f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, body))
		wantCode(t, err, oid4vci.CodeInvalidNonce)
		var e *oid4vci.Error
		if !errors.As(err, &e) || e.CNonce == "" || e.CNonceExpiresIn <= 0 {
			t.Fatalf("invalid_nonce for a draft 13 wallet carries no c_nonce: %+v", e)
		}
		body["proof"] = proof(t, e.CNonce)
		if _, err := f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, body)); err != nil {
			t.Fatalf("retry with the error's c_nonce: %v", err)
		}
	})
	t.Run("ok/1.0 errors carry no c_nonce", func(t *testing.T) {
		tok := ldpOffer(t)
		_, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", h.proof(t, vciIssuer, "not-a-nonce", f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidNonce)
		if e := (*oid4vci.Error)(nil); errors.As(err, &e) && e.CNonce != "" {
			t.Errorf("a 1.0 error carries c_nonce %q", e.CNonce)
		}
	})
}

// TestOID4VCIWalletJWKOrder: a wallet proving with a jwk header in its own
// member order gets a credential bound to the did:jwk of exactly those
// bytes; keys, not DID strings, are compared for recipients and batches.
func TestOID4VCIWalletJWKOrder(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	k, err := keys.Generate(keys.ES256, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := walletJWK(k)
	walletDID := "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(raw))
	canonical, err := did.JWKDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if canonical == walletDID {
		t.Fatal("the wallet's JWK is in canonical order")
	}
	for _, format := range []string{oid4vci.FormatLDPVC, oid4vci.FormatJWTVCJSON} {
		t.Run("ok/subject is the wallet's did:jwk/"+format, func(t *testing.T) {
			tok := f.token(t, f.offer(t, OfferRequest{Format: format}), nil)
			resp, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_"+format, jwkProof(t, k, raw, vciIssuer, f.nonce(t), f.clock.Now())))
			if err != nil {
				t.Fatal(err)
			}
			if got := subjectID(t, resp.Credentials[0].Credential); got != walletDID {
				t.Errorf("credentialSubject.id = %s, want %s", got, walletDID)
			}
		})
	}
	t.Run("ok/awarded to the canonical did:jwk, proved in the wallet's order", func(t *testing.T) {
		tok := f.token(t, f.offer(t, OfferRequest{Recipients: []Recipient{{DID: canonical}}}), nil)
		resp, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", jwkProof(t, k, raw, vciIssuer, f.nonce(t), f.clock.Now())))
		if err != nil {
			t.Fatal(err)
		}
		if got := subjectID(t, resp.Credentials[0].Credential); got != walletDID {
			t.Errorf("credentialSubject.id = %s, want the DID the wallet proved with %s", got, walletDID)
		}
	})
	t.Run("fail/awarded to another key's did:jwk", func(t *testing.T) {
		other, _ := keys.Generate(keys.ES256, nil)
		otherDID, _ := did.JWKDID(other.Public())
		tok := f.token(t, f.offer(t, OfferRequest{Recipients: []Recipient{{DID: otherDID}}}), nil)
		_, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc", jwkProof(t, k, raw, vciIssuer, f.nonce(t), f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidProof)
	})
	t.Run("fail/one key in two member orders is one key", func(t *testing.T) {
		tok := f.token(t, f.offer(t, OfferRequest{}), nil)
		n := f.nonce(t)
		j := k.PublicJWK()
		jcs := fmt.Sprintf(`{"crv":%q,"kty":%q,"x":%q,"y":%q}`, j.Crv, j.Kty, j.X, j.Y)
		_, err := f.vci.Credential(ctx, tok.AccessToken, f.credentialRequest(f.ach.ID+"_ldp_vc",
			jwkProof(t, k, raw, vciIssuer, n, f.clock.Now()), jwkProof(t, k, jcs, vciIssuer, n, f.clock.Now())))
		wantCode(t, err, oid4vci.CodeInvalidProof)
		if !strings.Contains(err.Error(), "repeats a key") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestOID4VCIDraftDeferred: a deferred transaction started by a draft 13
// request answers pending with issuance_pending (draft 13 §9.3) and
// delivers in the draft 13 shape.
func TestOID4VCIDraftDeferred(t *testing.T) {
	ctx := context.Background()
	f := newVCI(t)
	o := f.offer(t, OfferRequest{Deferred: true})
	tok := f.token(t, o, nil)
	h := newHolder(t, keys.EdDSA)
	resp, err := f.vci.Credential(ctx, tok.AccessToken, parseRequest(t, map[string]any{"format": oid4vci.FormatLDPVC,
		"credential_definition": draftDefinition(oid4vci.FormatLDPVC), "proof": map[string]any{"proof_type": "jwt", "jwt": h.proof(t, vciIssuer, tok.CNonce, f.clock.Now())}}))
	if err != nil || resp.TransactionID == "" {
		t.Fatalf("%v %+v", err, resp)
	}
	if m := responseKeys(t, resp); m["c_nonce"] == nil || m["transaction_id"] == nil {
		t.Errorf("deferred draft 13 response %v", m)
	}
	_, err = f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	wantCode(t, err, oid4vci.CodeIssuancePending)
	if e := (*oid4vci.Error)(nil); !errors.As(err, &e) || e.Interval <= 0 {
		t.Errorf("issuance_pending without interval: %+v", e)
	}
	if err := f.vci.ApproveOffer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.vci.Deferred(ctx, tok.AccessToken, oid4vci.DeferredRequest{TransactionID: resp.TransactionID})
	if err != nil {
		t.Fatal(err)
	}
	m := responseKeys(t, got)
	if got.Shape != oid4vci.ShapeDraft13 || m["credential"] == nil || m["credentials"] != nil || subjectID(t, m["credential"]) != h.did {
		t.Errorf("deferred draft 13 delivery %v", m)
	}
}
