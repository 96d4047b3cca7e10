package wallet_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/wallet"
)

// fakeIssuer is an OpenID4VCI issuer written for the test: it checks the
// wallet's token request and key proof and issues a VC-JWT to the proven
// DID.
type fakeIssuer struct {
	t          *testing.T
	e          *env
	srv        *httptest.Server
	issuerID   string // what the metadata says
	txCode     string
	tokenError string
	proof      *oid4vci.Proof
}

func newFakeIssuer(t *testing.T, e *env) *fakeIssuer {
	f := &fakeIssuer{t: t, e: e, txCode: "493536"}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.issuerID = f.srv.URL
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(oid4vci.IssuerMetadata{CredentialIssuer: f.issuerID, CredentialEndpoint: f.srv.URL + "/credential",
			NonceEndpoint: f.srv.URL + "/nonce", CredentialConfigurationsSupported: map[string]oid4vci.CredentialConfiguration{
				"badge_jwt": {Format: oid4vci.FormatJWTVCJSON, ProofTypesSupported: map[string]oid4vci.ProofType{"jwt": {ProofSigningAlgValuesSupported: []string{"EdDSA", "ES256"}}}}}})
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(oid4vci.AuthorizationServerMetadata{Issuer: f.srv.URL, TokenEndpoint: f.srv.URL + "/token"})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if f.tokenError != "" || r.PostForm.Get("tx_code") != f.txCode || r.PostForm.Get("pre-authorized_code") != "code-1" {
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "the code or tx_code is wrong"})
			return
		}
		_ = json.NewEncoder(w).Encode(oid4vci.TokenResponse{AccessToken: "at-1", TokenType: "Bearer"})
	})
	mux.HandleFunc("POST /nonce", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(oid4vci.NonceResponse{CNonce: "nonce-1"})
	})
	mux.HandleFunc("POST /credential", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Proofs struct{ JWT []string } `json:"proofs"`
		}
		if r.Header.Get("Authorization") != "Bearer at-1" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Proofs.JWT) != 1 {
			w.WriteHeader(400)
			return
		}
		p, err := oid4vci.CheckProofJWT(r.Context(), req.Proofs.JWT[0], oid4vci.ProofOptions{Audience: f.srv.URL, Now: time.Now(),
			Resolver: did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}, RequireNonce: true})
		if err != nil || p.Nonce != "nonce-1" {
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_proof"})
			return
		}
		f.proof = p
		tok := f.e.signJWT(f.t, f.e.credential(p.HolderDID, newID(), "Fake Issuance"))
		_ = json.NewEncoder(w).Encode(map[string]any{"credentials": []any{map[string]any{"credential": string(tok)}}})
	})
	return f
}

func (f *fakeIssuer) link() string {
	link, _ := oid4vci.OfferLinkByValue(oid4vci.CredentialOffer{CredentialIssuer: f.srv.URL, CredentialConfigurationIDs: []string{"badge_jwt"},
		Grants: &oid4vci.Grants{PreAuthorizedCode: &oid4vci.PreAuthorizedCodeGrant{PreAuthorizedCode: "code-1", TxCode: &oid4vci.TxCode{Length: 6}}}})
	return link
}

func TestReceiveOffer(t *testing.T) {
	e := newEnv(t)
	h := e.signUp(t, "r@example.org")
	f := newFakeIssuer(t, e)
	ctx := context.Background()

	got, err := e.w.Receive(ctx, h.ID, wallet.ReceiveRequest{Offer: f.link(), TxCode: f.txCode})
	if err != nil {
		t.Fatal(err)
	}
	if got.Holder != h.DefaultDID || len(got.Credentials) != 1 || got.Credentials[0].SubjectID != h.DefaultDID || !got.Credentials[0].Report.Verified {
		t.Fatalf("received %+v", got)
	}
	// The key proof named the holder's DID URL and was signed by its key.
	if f.proof.HolderDID != h.DefaultDID || !strings.HasPrefix(f.proof.KeyID, h.DefaultDID+"#") {
		t.Errorf("proof %+v", f.proof)
	}

	var xe *wallet.ExchangeError
	f.tokenError = "x"
	_, err = e.w.Receive(ctx, h.ID, wallet.ReceiveRequest{Offer: f.link(), TxCode: f.txCode})
	if !errors.As(err, &xe) || xe.Step != wallet.StepToken || xe.Code != "invalid_grant" || !errors.Is(err, wallet.ErrExchange) {
		t.Errorf("token error: %v", err)
	}
	f.tokenError = ""
	// Missing tx_code: the holder's mistake, no call made.
	if _, err := e.w.Receive(ctx, h.ID, wallet.ReceiveRequest{Offer: f.link()}); !errors.Is(err, wallet.ErrInvalid) {
		t.Errorf("missing tx_code: %v", err)
	}
	// Metadata naming another issuer is refused.
	f.issuerID = "https://impostor.example"
	_, err = e.w.Receive(ctx, h.ID, wallet.ReceiveRequest{Offer: f.link(), TxCode: f.txCode})
	if !errors.As(err, &xe) || xe.Step != wallet.StepMetadata {
		t.Errorf("metadata mismatch: %v", err)
	}
	// Bad links.
	for _, bad := range []wallet.ReceiveRequest{{}, {Offer: "openid-credential-offer://?x=1"}, {CredentialOfferURI: "ftp://x"},
		{Offer: f.link(), CredentialOfferURI: f.srv.URL}} {
		if _, err := e.w.Receive(ctx, h.ID, bad); !errors.Is(err, wallet.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
