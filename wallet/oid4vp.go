package wallet

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/proof/jose"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// Steps of the OpenID4VP wallet flow, as ExchangeError names them.
const (
	StepRequest  = "request"
	StepResponse = "response"
)

// collVPExchanges keeps a holder's pending OpenID4VP requests.
const collVPExchanges = "wallet-oid4vp:" // + holder ID

// exchangeTTL bounds how long a fetched request waits for consent; the
// verifier's own expiry applies too.
const exchangeTTL = 30 * time.Minute

// PresentationRequestInput is an OpenID4VP request handed to the wallet.
type PresentationRequestInput struct {
	// Request is the openid4vp:// link (client_id and request_uri).
	Request string `json:"request"`
}

// VPExchange is an OpenID4VP request the wallet fetched and evaluated:
// what the verifier asks for and which of the holder's credentials match
// each credential query. Nothing has been sent.
type VPExchange struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	ClientName  string `json:"clientName,omitempty"`
	ResponseURI string `json:"responseUri"`
	// ResponseMode is direct_post or direct_post.jwt (the answer is then
	// encrypted to the verifier's key).
	ResponseMode string `json:"responseMode"`
	// Signed tells whether the request object was signed by a key its
	// client identifier prefix vouches for (decentralized_identifier:,
	// verifier_attestation:); an unsigned redirect_uri: request only
	// names where the answer goes.
	Signed  bool           `json:"signed"`
	Queries []QueryMatches `json:"queries"`
	// Satisfiable tells whether the holder's credentials can answer the
	// query as a whole (its credential sets).
	Satisfiable bool      `json:"satisfiable"`
	Fetched     time.Time `json:"fetched"`
}

// QueryMatches are the holder's credentials matching one credential query.
// Matches holds those the holder may present; Excluded those that match
// the query but are revoked, suspended or expired (verified again when the
// request is evaluated), which are not offered. A match with Bearer set is
// a bearer credential: see Credential.Bearer.
type QueryMatches struct {
	ID       string       `json:"id"`
	Format   string       `json:"format"`
	Multiple bool         `json:"multiple,omitempty"`
	Matches  []Credential `json:"matches"`
	Excluded []Credential `json:"excluded,omitempty"`
}

type vpExchangeRecord struct {
	VPExchange
	Request oid4vp.RequestObject `json:"request"`
}

// VPRespondRequest is the holder's consent: which credentials to present.
type VPRespondRequest struct {
	CredentialIDs []string `json:"credentialIds"`
}

// VPResponse is the verifier's answer to the posted vp_token.
type VPResponse struct {
	// Accepted is true when the verifier answered 200.
	Accepted bool `json:"accepted"`
	Status   int  `json:"status"`
	// Answer is the verifier's JSON answer ({} or {redirect_uri}, or
	// {error, error_description}).
	Answer json.RawMessage `json:"answer,omitempty"`
	// Presented lists the credential IDs sent per query id.
	Presented map[string][]string `json:"presented"`
	// BearerCredentials lists the presented credentials that are bearer
	// credentials (see Credential.Bearer).
	BearerCredentials []string `json:"bearerCredentials,omitempty"`
}

// walletFormat maps a DCQL format to the wallet's credential format.
func walletFormat(f string) string {
	switch f {
	case oid4vp.FormatLDPVC:
		return "ldp_vc"
	case oid4vp.FormatJWTVCJSON:
		return "jwt_vc"
	}
	return ""
}

// credentialDoc returns the VC object of a stored credential for DCQL
// matching: the object itself, or for a JWT its vc claim (VCDM 1.1, with
// iss and sub filled in as issuer and subject id) or payload (VCDM 2.0).
func credentialDoc(c *Credential) (map[string]any, error) {
	in, err := c.input()
	if err != nil {
		return nil, err
	}
	switch v := in.(type) {
	case map[string]any:
		return v, nil
	case string:
		_, payload, err := jose.ParseUnverified(v)
		if err != nil {
			return nil, err
		}
		vc, ok := payload["vc"].(map[string]any)
		if !ok {
			return payload, nil
		}
		if _, has := vc["issuer"]; !has {
			vc["issuer"] = payload["iss"]
		}
		if cs, ok := vc["credentialSubject"].(map[string]any); ok {
			if _, has := cs["id"]; !has && payload["sub"] != nil {
				cs["id"] = payload["sub"]
			}
		}
		return vc, nil
	}
	return nil, errors.New("not a credential")
}

// EvaluatePresentationRequest reads an OpenID4VP authorization request
// (§5): by reference (request_uri, fetched with GET or, when the link asks
// for request_uri_method post, with a POST of wallet_nonce and
// wallet_metadata, §5.10), or by value (a request object JWT in request,
// or the parameters themselves). It checks the request as its client
// identifier prefix demands (see requestObject), then evaluates its DCQL
// query against the holder's credentials. It sends nothing; the holder
// answers with RespondPresentationRequest.
func (s *Service) EvaluatePresentationRequest(ctx context.Context, holderID string, in PresentationRequestInput) (VPExchange, error) {
	ar, err := oid4vp.ParseAuthorizationRequest(in.Request)
	if err != nil {
		return VPExchange{}, invalid(&FieldError{"request", err.Error()})
	}
	ro, signed, err := s.requestObject(ctx, ar)
	if err != nil {
		return VPExchange{}, err
	}
	var creds []Credential
	err = s.each(ctx, collCredentials+holderID, func(r store.Record) (bool, error) {
		var c Credential
		if err := json.Unmarshal(r.Value, &c); err != nil {
			return false, fmt.Errorf("credential %s: %w", r.ID, err)
		}
		creds = append(creds, c)
		return true, nil
	})
	if err != nil {
		return VPExchange{}, fmt.Errorf("presentation request: %w", err)
	}
	now := s.now()
	x := vpExchangeRecord{Request: *ro, VPExchange: VPExchange{
		ID: uuid.Must(uuid.NewV7()).String(), ClientID: ro.ClientID, ResponseURI: ro.ResponseURI, ResponseMode: ro.ResponseMode,
		Signed: signed, Fetched: now,
	}}
	if ro.ClientMetadata != nil {
		x.ClientName = safeText(ro.ClientMetadata.ClientName, 100)
	}
	got := map[string]bool{}
	refreshed := map[string]bool{}
	for _, q := range ro.DCQLQuery.Credentials {
		qm := QueryMatches{ID: q.ID, Format: q.Format, Multiple: q.Multiple, Matches: []Credential{}}
		for i := range creds {
			c := &creds[i]
			if c.Format != walletFormat(q.Format) {
				continue
			}
			doc, err := credentialDoc(c)
			if err != nil || !q.Matches(q.Format, doc) {
				continue
			}
			// A credential revoked since it was imported must not be
			// offered: check its status again, once per request.
			if !refreshed[c.ID] {
				refreshed[c.ID] = true
				if *c, err = s.refresh(ctx, holderID, *c); err != nil {
					return VPExchange{}, fmt.Errorf("presentation request: %w", err)
				}
			}
			if st := c.withState(now); !presentable(st.State) {
				qm.Excluded = append(qm.Excluded, st.summary())
				continue
			}
			qm.Matches = append(qm.Matches, c.withState(now).summary())
		}
		got[q.ID] = len(qm.Matches) > 0
		x.Queries = append(x.Queries, qm)
	}
	x.Satisfiable = ro.DCQLQuery.Satisfied(got)
	b, _ := json.Marshal(x)
	if err := s.cfg.Store.PutToken(ctx, collVPExchanges+holderID, x.ID, b, exchangeTTL); err != nil {
		return VPExchange{}, fmt.Errorf("presentation request: %w", err)
	}
	s.log.InfoContext(ctx, "presentation request evaluated", "holder_id", holderID, "client_id", ro.ClientID, "satisfiable", x.Satisfiable)
	return x.VPExchange, nil
}

// RespondPresentationRequest answers a request the holder evaluated, with
// the credentials the holder consents to present: each is placed under
// the query it matched, one presentation per query (ldp_vp with challenge
// = nonce and domain = client_id for ldp_vc; a VP-JWT with nonce and aud
// for jwt_vc_json), signed by the DID the credentials are bound to; the
// vp_token and state are posted to response_uri (direct_post). The
// exchange is then over, whatever the verifier answered.
func (s *Service) RespondPresentationRequest(ctx context.Context, holderID, exchangeID string, in VPRespondRequest) (VPResponse, error) {
	if len(in.CredentialIDs) == 0 {
		return VPResponse{}, invalid(&FieldError{"credentialIds", "name at least one credential to present"})
	}
	raw, err := s.cfg.Store.GetToken(ctx, collVPExchanges+holderID, exchangeID)
	if err != nil {
		return VPResponse{}, err
	}
	var x vpExchangeRecord
	if err := json.Unmarshal(raw, &x); err != nil {
		return VPResponse{}, fmt.Errorf("presentation request %s: %w", exchangeID, err)
	}
	byQuery := map[string][]string{}
	var order []string
	for _, id := range in.CredentialIDs {
		placed := false
		for _, q := range x.Queries {
			if slices.ContainsFunc(q.Matches, func(c Credential) bool { return c.ID == id }) {
				if len(byQuery[q.ID]) > 0 && !q.Multiple {
					return VPResponse{}, invalid(&FieldError{"credentialIds", "the query " + q.ID + " takes one credential"})
				}
				if byQuery[q.ID] == nil {
					order = append(order, q.ID)
				}
				byQuery[q.ID] = append(byQuery[q.ID], id)
				placed = true
				break
			}
		}
		if !placed {
			return VPResponse{}, invalid(&FieldError{"credentialIds", "names a credential that matches none of the request's queries"})
		}
	}
	vpToken := map[string][]json.RawMessage{}
	var bearer []string
	for _, qid := range order {
		q, _ := x.Request.DCQLQuery.Query(qid)
		ids := byQuery[qid]
		first, err := s.record(ctx, holderID, ids[0])
		if err != nil {
			return VPResponse{}, err
		}
		pr := PresentRequest{CredentialIDs: ids, DID: s.holderDIDFor(ctx, holderID, first.SubjectID)}
		switch q.Format {
		case oid4vp.FormatLDPVC:
			pr.Format, pr.Challenge, pr.Domain = FormatLDPVP, x.Request.Nonce, x.Request.ClientID
		default:
			pr.Format, pr.Nonce, pr.Audience = FormatJWTVP, x.Request.Nonce, x.Request.ClientID
		}
		p, err := s.Present(ctx, holderID, pr)
		if err != nil {
			return VPResponse{}, err
		}
		bearer = append(bearer, p.BearerCredentials...)
		vpToken[qid] = []json.RawMessage{p.VerifiablePresentation}
	}
	tok, _ := json.Marshal(vpToken)
	form := url.Values{"vp_token": {string(tok)}}
	if x.Request.State != "" {
		form.Set("state", x.Request.State)
	}
	if x.Request.ResponseMode == oid4vp.ResponseModeDirectPostJWT {
		// §8.3.1: the same parameters, as the claims of a JWE.
		params := map[string]any{"vp_token": vpToken}
		if x.Request.State != "" {
			params["state"] = x.Request.State
		}
		jwe, err := oid4vp.EncryptResponse(params, x.Request.ClientMetadata)
		if err != nil {
			return VPResponse{}, &ExchangeError{Step: StepResponse, Description: "the response could not be encrypted to the verifier's key", Err: err}
		}
		form = url.Values{"response": {jwe}}
	}
	// One answer per request, whatever happens next.
	_, _ = s.cfg.Store.TakeToken(ctx, collVPExchanges+holderID, exchangeID)
	preq, err := http.NewRequestWithContext(ctx, http.MethodPost, x.Request.ResponseURI, strings.NewReader(form.Encode()))
	if err != nil {
		return VPResponse{}, &ExchangeError{Step: StepResponse, Description: "bad response_uri", Err: err}
	}
	preq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	preq.Header.Set("Accept", "application/json")
	resp, err := s.httpClient().Do(preq)
	if err != nil {
		return VPResponse{}, &ExchangeError{Step: StepResponse, Description: "the verifier could not be reached", Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := VPResponse{Accepted: resp.StatusCode == http.StatusOK, Status: resp.StatusCode, Presented: byQuery, BearerCredentials: bearer}
	if json.Valid(body) {
		out.Answer = body
	}
	s.log.InfoContext(ctx, "presentation sent", "holder_id", holderID, "client_id", x.ClientID, "accepted", out.Accepted, "status", resp.StatusCode)
	return out, nil
}

// holderDIDFor returns subject when it is one of the holder's DIDs, else ""
// (the default DID).
func (s *Service) holderDIDFor(ctx context.Context, holderID, subject string) string {
	if subject == "" {
		return ""
	}
	recs, err := s.didRecords(ctx, holderID)
	if err != nil {
		return ""
	}
	for _, r := range recs {
		if r.DID.DID == subject {
			return subject
		}
	}
	return ""
}

// walletMetadata is what the wallet tells a verifier when it POSTs to
// request_uri (§5.10, §10): the formats it presents, the signing
// algorithms it checks on request objects, the client identifier
// prefixes and response modes it takes.
var walletMetadata = func() string {
	m := map[string]any{
		"vp_formats_supported": map[string]any{
			oid4vp.FormatLDPVC:     map[string]any{"proof_type_values": []string{"DataIntegrityProof"}, "cryptosuite_values": []string{"eddsa-rdfc-2022"}},
			oid4vp.FormatJWTVCJSON: map[string]any{"alg_values": []string{"EdDSA", "ES256"}},
		},
		"request_object_signing_alg_values_supported":   []string{"EdDSA", "ES256", "RS256"},
		"client_id_prefixes_supported":                  []string{"redirect_uri", "decentralized_identifier", "verifier_attestation"},
		"response_modes_supported":                      []string{oid4vp.ResponseModeDirectPost, oid4vp.ResponseModeDirectPostJWT},
		"authorization_encryption_alg_values_supported": []string{oid4vp.AlgECDHES},
		"authorization_encryption_enc_values_supported": oid4vp.EncValues,
	}
	b, _ := json.Marshal(m)
	return string(b)
}()

// requestObject returns the checked request of ar and whether it was
// signed. A request by value without a JWT must use the redirect_uri:
// prefix; a request object JWT (by value or fetched from request_uri, as
// application/oauth-authz-req+jwt) is checked by
// oid4vp.RequestTrust.VerifyRequestObject with the wallet's resolver and
// trusted attesters; with request_uri_method post the fetched object must
// echo the wallet_nonce sent. A direct_post.jwt request must name a key
// the wallet can encrypt to. Refusals are *ExchangeError at StepRequest
// with the OpenID4VP error code.
func (s *Service) requestObject(ctx context.Context, ar *oid4vp.AuthorizationRequest) (*oid4vp.RequestObject, bool, error) {
	refuse := func(err error) (*oid4vp.RequestObject, bool, error) {
		var oe *oid4vp.Error
		if errors.As(err, &oe) {
			return nil, false, &ExchangeError{Step: StepRequest, Code: oe.Code, Description: oe.Description}
		}
		return nil, false, err
	}
	var ro *oid4vp.RequestObject
	token, walletNonce := ar.Request, ""
	switch {
	case ar.Params != nil:
		ro = ar.Params
		if err := ro.ValidateUnsigned(); err != nil {
			return refuse(err)
		}
	case ar.RequestURI != "":
		var err error
		if token, walletNonce, err = s.fetchRequestObject(ctx, ar); err != nil {
			return nil, false, err
		}
	}
	if ro == nil {
		resolver := s.cfg.Resolver
		if resolver == nil {
			resolver = did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}
		}
		trust := oid4vp.RequestTrust{Resolver: resolver, Attesters: s.cfg.VerifierAttesters, Now: s.now}
		var err error
		if ro, err = trust.VerifyRequestObject(ctx, token, ar.ClientID); err != nil {
			return refuse(err)
		}
		if walletNonce != "" && ro.WalletNonce != walletNonce {
			return refuse(&oid4vp.Error{Code: oid4vp.CodeInvalidRequestObject, Description: "the request object does not carry the wallet_nonce the wallet sent"})
		}
	}
	if ro.ResponseMode == oid4vp.ResponseModeDirectPostJWT {
		if _, err := oid4vp.EncryptResponse(map[string]any{}, ro.ClientMetadata); err != nil {
			return refuse(err)
		}
	}
	return ro, !strings.HasPrefix(ro.ClientID, oid4vp.PrefixRedirectURI), nil
}

// fetchRequestObject gets the request object JWT at request_uri: GET, or
// for request_uri_method post a form POST of a fresh wallet_nonce and the
// wallet's metadata (§5.10). It returns the token and the nonce sent.
func (s *Service) fetchRequestObject(ctx context.Context, ar *oid4vp.AuthorizationRequest) (token, walletNonce string, err error) {
	var req *http.Request
	if ar.RequestURIMethod == oid4vp.RequestURIMethodPost {
		var b [16]byte
		_, _ = rand.Read(b[:])
		walletNonce = base64.RawURLEncoding.EncodeToString(b[:])
		form := url.Values{"wallet_nonce": {walletNonce}, "wallet_metadata": {walletMetadata}}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, ar.RequestURI, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, ar.RequestURI, nil)
	}
	if err != nil {
		return "", "", invalid(&FieldError{"request", "request_uri is not a URL"})
	}
	req.Header.Set("Accept", oid4vp.MediaTypeRequestObject)
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return "", "", &ExchangeError{Step: StepRequest, Description: "the verifier could not be reached", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxExchangeBytes+1))
	if err != nil || len(body) > maxExchangeBytes {
		return "", "", &ExchangeError{Step: StepRequest, Status: resp.StatusCode, Description: "the request object could not be read", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &oe)
		return "", "", &ExchangeError{Step: StepRequest, Status: resp.StatusCode, Code: safeText(oe.Error, 64), Description: safeText(oe.Description, 300)}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != oid4vp.MediaTypeRequestObject {
		return "", "", &ExchangeError{Step: StepRequest, Status: resp.StatusCode, Code: oid4vp.CodeInvalidRequestObject,
			Description: "request_uri must answer " + oid4vp.MediaTypeRequestObject + ", not " + safeText(mt, 64)}
	}
	return strings.TrimSpace(string(body)), walletNonce, nil
}
