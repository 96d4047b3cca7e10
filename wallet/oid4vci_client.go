package wallet

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
)

// Steps of the OpenID4VCI client flow, as ExchangeError names them.
const (
	StepOffer      = "offer"
	StepMetadata   = "metadata"
	StepToken      = "token"
	StepNonce      = "nonce"
	StepCredential = "credential"
	StepImport     = "import"
)

// maxExchangeBytes caps each answer the wallet reads from an issuer or a
// verifier.
const maxExchangeBytes = 2 << 20

// ErrExchange reports a failed exchange with a remote issuer or verifier;
// the error is an *ExchangeError naming the step.
var ErrExchange = errors.New("the exchange with the remote party failed")

// ExchangeError is ErrExchange naming the step that failed and, when the
// remote party answered with an OAuth-style error, its code and
// description.
type ExchangeError struct {
	Step        string
	Status      int    // the remote HTTP status, 0 when no answer
	Code        string // the OAuth error code, when the remote sent one
	Description string
	Err         error // internal cause (network, decoding), never shown
}

func (e *ExchangeError) Error() string {
	s := "step " + e.Step + " failed"
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Err != nil && e.Code == "" && e.Description == "" {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap makes errors.Is(err, ErrExchange) hold.
func (e *ExchangeError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrExchange}
	}
	return []error{ErrExchange, e.Err}
}

// ReceiveRequest asks the wallet to redeem a credential offer.
type ReceiveRequest struct {
	// Offer is an openid-credential-offer:// link carrying
	// credential_offer or credential_offer_uri.
	Offer string `json:"offer,omitempty"`
	// CredentialOfferURI is the https URL of an offer, instead of Offer.
	CredentialOfferURI string `json:"credentialOfferUri,omitempty"`
	// TxCode is the transaction code the issuer sent out of band, when the
	// offer asks for one.
	TxCode string `json:"txCode,omitempty"`
	// DID is the holder DID to bind; empty means the holder's first
	// did:key.
	DID string `json:"did,omitempty"`
}

// Received is the outcome of a redeemed offer.
type Received struct {
	CredentialIssuer string       `json:"credentialIssuer"`
	Holder           string       `json:"holder"`
	Credentials      []Credential `json:"credentials"`
}

func (s *Service) httpClient() *http.Client {
	if s.cfg.HTTPClient != nil {
		return s.cfg.HTTPClient
	}
	return &http.Client{Timeout: 15 * time.Second}
}

// exchange sends req and decodes a JSON answer into out. A non-2xx answer
// becomes an *ExchangeError with the remote error code.
func (s *Service) exchange(req *http.Request, step string, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return &ExchangeError{Step: step, Description: "the remote party could not be reached", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxExchangeBytes+1))
	if err != nil {
		return &ExchangeError{Step: step, Status: resp.StatusCode, Description: "the answer could not be read", Err: err}
	}
	if len(body) > maxExchangeBytes {
		return &ExchangeError{Step: step, Status: resp.StatusCode, Description: "the answer is too large"}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Title       string `json:"title"`
			Detail      string `json:"detail"`
		}
		_ = json.Unmarshal(body, &oe)
		e := &ExchangeError{Step: step, Status: resp.StatusCode, Code: safeText(oe.Error, 64), Description: safeText(oe.Description, 300)}
		if e.Code == "" && e.Description == "" {
			e.Description = safeText(oe.Detail, 300)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &ExchangeError{Step: step, Status: resp.StatusCode, Description: "the answer is not the expected JSON", Err: err}
	}
	return nil
}

// safeText keeps printable ASCII of a remote string, cut to n bytes.
func safeText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func (s *Service) getJSONURL(ctx context.Context, u, step string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &ExchangeError{Step: step, Description: "bad URL", Err: err}
	}
	return s.exchange(req, step, out)
}

func (s *Service) post(ctx context.Context, u, contentType, body, bearer, step string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return &ExchangeError{Step: step, Description: "bad URL", Err: err}
	}
	req.Header.Set("Content-Type", contentType)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return s.exchange(req, step, out)
}

// bindingDID returns the holder DID to bind a credential to: d, or the
// holder's first did:key.
func (s *Service) bindingDID(ctx context.Context, holderID, d string) (string, error) {
	if d != "" {
		return d, nil
	}
	recs, err := s.didRecords(ctx, holderID)
	if err != nil {
		return "", err
	}
	for _, r := range recs {
		if r.Method == MethodKey {
			return r.DID.DID, nil
		}
	}
	if len(recs) > 0 {
		return recs[0].DID.DID, nil
	}
	return "", invalid(&FieldError{"did", "the holder has no DID"})
}

// Receive redeems a credential offer with the OpenID4VCI 1.0 pre-authorized
// code flow: it reads the offer (by value or by reference), the issuer's
// metadata (its credential_issuer must equal the offer's), gets an access
// token (with the tx_code when the offer asks for one) and a c_nonce,
// proves possession of the holder DID's key in an openid4vci-proof+jwt and
// asks for each offered credential configuration. Every credential
// returned is imported as Import does: verified first, kept with its
// report. A remote failure is an *ExchangeError naming the step and the
// issuer's error code.
func (s *Service) Receive(ctx context.Context, holderID string, req ReceiveRequest) (Received, error) {
	var offer *oid4vci.CredentialOffer
	offerURI := req.CredentialOfferURI
	switch {
	case req.Offer != "" && offerURI != "":
		return Received{}, invalid(&FieldError{"offer", "give offer or credentialOfferUri, not both"})
	case req.Offer != "":
		o, ref, err := oid4vci.ParseOfferLink(req.Offer)
		if err != nil {
			return Received{}, invalid(&FieldError{"offer", strings.TrimPrefix(err.Error(), "offer link: ")})
		}
		offer, offerURI = o, ref
	case offerURI != "":
		u, err := url.Parse(offerURI)
		if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
			return Received{}, invalid(&FieldError{"credentialOfferUri", "is not an https URL"})
		}
	default:
		return Received{}, invalid(&FieldError{"offer", "give an openid-credential-offer:// link or credentialOfferUri"})
	}
	if len(req.TxCode) > 256 {
		return Received{}, invalid(&FieldError{"txCode", "at most 256 characters"})
	}
	holderDID, err := s.bindingDID(ctx, holderID, req.DID)
	if err != nil {
		return Received{}, err
	}
	d, key, err := s.signingKey(ctx, holderID, holderDID)
	if err != nil {
		return Received{}, err
	}
	if offer == nil {
		offer = new(oid4vci.CredentialOffer)
		if err := s.getJSONURL(ctx, offerURI, StepOffer, offer); err != nil {
			return Received{}, err
		}
		if err := offer.Validate(); err != nil {
			return Received{}, &ExchangeError{Step: StepOffer, Description: "the offer is invalid: " + safeText(err.Error(), 300)}
		}
	}
	if offer.Grants == nil || offer.Grants.PreAuthorizedCode == nil {
		return Received{}, public.Errorf("%w: the offer has no pre-authorized code grant; the authorization code flow needs a browser", ErrUnsupported)
	}
	grant := offer.Grants.PreAuthorizedCode
	if grant.TxCode != nil && req.TxCode == "" {
		return Received{}, invalid(&FieldError{"txCode", "the offer asks for a transaction code"})
	}

	// Metadata (§12.2.2: well-known path inserted after the host).
	mdURL, err := oid4vci.WellKnownURL(offer.CredentialIssuer, oid4vci.WellKnownCredentialIssuer)
	if err != nil {
		return Received{}, &ExchangeError{Step: StepMetadata, Description: "the credential_issuer is not an https URL"}
	}
	var md oid4vci.IssuerMetadata
	if err := s.getJSONURL(ctx, mdURL, StepMetadata, &md); err != nil {
		return Received{}, err
	}
	if md.CredentialIssuer != offer.CredentialIssuer {
		return Received{}, &ExchangeError{Step: StepMetadata, Description: "the metadata's credential_issuer differs from the offer's"}
	}
	if md.CredentialEndpoint == "" {
		return Received{}, &ExchangeError{Step: StepMetadata, Description: "the metadata has no credential_endpoint"}
	}
	for _, id := range offer.CredentialConfigurationIDs {
		conf, ok := md.CredentialConfigurationsSupported[id]
		if !ok {
			return Received{}, &ExchangeError{Step: StepMetadata, Description: "the offered configuration " + safeText(id, 100) + " is not in the metadata"}
		}
		if pt, ok := conf.ProofTypesSupported[oid4vci.ProofTypeJWT]; ok && !slices.Contains(pt.ProofSigningAlgValuesSupported, string(key.Alg())) {
			return Received{}, &ExchangeError{Step: StepMetadata, Description: "the issuer takes no " + string(key.Alg()) + " key proofs; bind another DID"}
		}
	}

	// Authorization server and token (§6).
	asID := offer.CredentialIssuer
	if grant.AuthorizationServer != "" {
		asID = grant.AuthorizationServer
	} else if len(md.AuthorizationServers) > 0 {
		asID = md.AuthorizationServers[0]
	}
	asURL, err := oid4vci.WellKnownURL(asID, oid4vci.WellKnownAuthorizationServer)
	if err != nil {
		return Received{}, &ExchangeError{Step: StepMetadata, Description: "the authorization server is not an https URL"}
	}
	var as oid4vci.AuthorizationServerMetadata
	if err := s.getJSONURL(ctx, asURL, StepMetadata, &as); err != nil {
		return Received{}, err
	}
	if as.Issuer != asID || as.TokenEndpoint == "" {
		return Received{}, &ExchangeError{Step: StepMetadata, Description: "the authorization server metadata does not match its identifier or has no token_endpoint"}
	}
	form := url.Values{"grant_type": {oid4vci.GrantTypePreAuthorizedCode}, "pre-authorized_code": {grant.PreAuthorizedCode}}
	if grant.TxCode != nil {
		form.Set("tx_code", req.TxCode)
	}
	var tok oid4vci.TokenResponse
	if err := s.post(ctx, as.TokenEndpoint, "application/x-www-form-urlencoded", form.Encode(), "", StepToken, &tok); err != nil {
		return Received{}, err
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, oid4vci.TokenTypeBearer) {
		return Received{}, &ExchangeError{Step: StepToken, Description: "the token response has no bearer access_token"}
	}

	out := Received{CredentialIssuer: offer.CredentialIssuer, Holder: d.DID}
	for _, id := range offer.CredentialConfigurationIDs {
		nonce := ""
		if md.NonceEndpoint != "" {
			var n oid4vci.NonceResponse
			if err := s.post(ctx, md.NonceEndpoint, "application/json", "", "", StepNonce, &n); err != nil {
				return out, err
			}
			nonce = n.CNonce
		}
		proof, err := s.proofJWT(key, d.VerificationMethod, offer.CredentialIssuer, nonce)
		if err != nil {
			return out, fmt.Errorf("key proof: %w", err)
		}
		body, _ := json.Marshal(map[string]any{"credential_configuration_id": id, "proofs": map[string]any{"jwt": []string{proof}}})
		var cr oid4vci.CredentialResponse
		if err := s.post(ctx, md.CredentialEndpoint, "application/json", string(body), tok.AccessToken, StepCredential, &cr); err != nil {
			return out, err
		}
		if cr.TransactionID != "" || len(cr.Credentials) == 0 {
			return out, &ExchangeError{Step: StepCredential, Description: "the issuer deferred the credential; deferred issuance is not supported by this wallet yet"}
		}
		for _, ic := range cr.Credentials {
			c, err := s.Import(ctx, holderID, bytes.TrimSpace(ic.Credential))
			if err != nil {
				return out, err
			}
			out.Credentials = append(out.Credentials, c)
		}
		if cr.NotificationID != "" && md.NotificationEndpoint != "" {
			nb, _ := json.Marshal(map[string]string{"notification_id": cr.NotificationID, "event": oid4vci.EventCredentialAccepted})
			if err := s.post(ctx, md.NotificationEndpoint, "application/json", string(nb), tok.AccessToken, "notification", nil); err != nil {
				s.log.WarnContext(ctx, "credential notification failed", "holder_id", holderID, "error", err)
			}
		}
	}
	s.log.InfoContext(ctx, "offer redeemed", "holder_id", holderID, "holder_did", d.DID, "credentials", len(out.Credentials))
	return out, nil
}

// proofJWT signs an openid4vci-proof+jwt (Appendix F.1) with the holder
// key: kid is the holder's DID URL, aud the issuer, iat now.
func (s *Service) proofJWT(key *keys.Key, kid, aud, nonce string) (string, error) {
	hdr, err := json.Marshal(map[string]string{"alg": string(key.Alg()), "typ": oid4vci.ProofJWTType, "kid": kid})
	if err != nil {
		return "", err
	}
	claims := map[string]any{"aud": aud, "iat": s.now().Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	pl, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(pl)
	sig, err := key.Sign([]byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
