package verifier

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vp"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// RequestStore is the storage OpenID4VP requests need: documents for the
// requests and their outcome, and tokens for single use. Any of Accolade's
// stores will do; the verifier never picks one.
type RequestStore interface {
	Create(ctx context.Context, collection, id string, value []byte) error
	Put(ctx context.Context, collection, id string, value []byte) error
	Get(ctx context.Context, collection, id string) ([]byte, error)
	PutToken(ctx context.Context, kind, id string, value []byte, ttl time.Duration) error
	TakeToken(ctx context.Context, kind, id string) ([]byte, error)
}

// Request statuses.
const (
	RequestPending  = "pending"
	RequestVerified = "verified"
	// RequestFailed is no longer set: a response that does not verify
	// leaves the request pending (see Respond). Requests stored by earlier
	// versions may carry it.
	RequestFailed = "failed"
	// RequestExpired is shown for a pending request past its expiry.
	RequestExpired = "expired"
)

// Errors of the OpenID4VP verifier; all but ErrRequestInvalid are about a
// request's lifecycle.
var (
	// ErrRequestExpired reports a request past its expiry.
	ErrRequestExpired = errors.New("the presentation request has expired")
	// ErrRequestAnswered reports a second response to a single-use request.
	ErrRequestAnswered = errors.New("the presentation request has already been answered")
	// ErrRequestInvalid wraps a bad creation input.
	ErrRequestInvalid = errors.New("invalid presentation request")
)

// OID4VPConfig configures the OpenID4VP verifier service.
type OID4VPConfig struct {
	Verifier *Verifier
	Store    RequestStore
	// PublicURL prefixes request_uri (/oid4vp/requests/{id}) and
	// response_uri (/oid4vp/responses/{id}).
	PublicURL string
	// TTL is how long a request may be answered (default 10 minutes).
	TTL    time.Duration
	Now    func() time.Time
	Logger *slog.Logger
	// ClientName is shown to holders in client_metadata.
	ClientName string
	// Signer signs request objects. With it, requests default to the
	// decentralized_identifier: client identifier prefix (its DID) and are
	// passed by reference as signed JWTs; without it, only unsigned
	// redirect_uri: requests passed by value can be made.
	Signer RequestSigner
}

// RequestKey is the key a request object is signed with: a verification
// method (KeyID, a DID URL) of DID.
type RequestKey struct {
	Key   *keys.Key
	DID   string
	KeyID string
}

// RequestSigner returns the verifier's current signing key.
type RequestSigner interface {
	RequestKey(ctx context.Context) (RequestKey, error)
}

// RequestSignerFunc adapts a function to RequestSigner.
type RequestSignerFunc func(ctx context.Context) (RequestKey, error)

// RequestKey calls f.
func (f RequestSignerFunc) RequestKey(ctx context.Context) (RequestKey, error) { return f(ctx) }

var _ RequestSigner = RequestSignerFunc(nil)

// OID4VPService is the verifier half of OpenID4VP 1.0: it creates
// requests (DCQL for Open Badges; signed request objects passed by
// reference with the decentralized_identifier: prefix, or unsigned
// redirect_uri: requests passed by value; direct_post or direct_post.jwt),
// serves the signed ones, and verifies the wallet's response once.
type OID4VPService struct {
	cfg OID4VPConfig
	log *slog.Logger
}

// NewOID4VP returns the service.
func NewOID4VP(cfg OID4VPConfig) (*OID4VPService, error) {
	if cfg.Verifier == nil || cfg.Store == nil || cfg.PublicURL == "" {
		return nil, errors.New("verifier: OpenID4VP needs a verifier, a store and the public URL")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientName == "" {
		cfg.ClientName = "Accolade verifier"
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	return &OID4VPService{cfg: cfg, log: cfg.Logger.With("component", "oid4vp-verifier")}, nil
}

const (
	collVPRequests = "oid4vp-requests"
	collVPAttempts = "oid4vp-attempts"
	// collVPResponseKeys holds the private key of each direct_post.jwt
	// request, apart from the request the admin API shows.
	collVPResponseKeys = "oid4vp-response-keys"
	tokenVPAnswer      = "oid4vp-answer"
)

// MaxAttempts is how many responses that did not verify (a wallet's error
// post, a presentation that failed, junk) are recorded per request for the
// verifier to see; later ones are answered but not recorded, so whoever
// saw the QR code cannot fill the store.
const MaxAttempts = 10

// PresentationRequestInput asks for Open Badges credentials.
type PresentationRequestInput struct {
	// Formats are ldp_vc and/or jwt_vc_json (default both; one
	// presentation in either satisfies the request).
	Formats []string `json:"formats,omitempty"`
	// AchievementID and IssuerID narrow the query with claims values.
	AchievementID string `json:"achievementId,omitempty"`
	IssuerID      string `json:"issuerId,omitempty"`
	// ClientIDPrefix is decentralized_identifier (a signed request object
	// passed by reference; the default when the verifier can sign) or
	// redirect_uri (unsigned, its parameters in the link).
	ClientIDPrefix string `json:"clientIdPrefix,omitempty"`
	// RequestURIMethod is get (default) or post: the wallet then POSTs
	// wallet_nonce and wallet_metadata to request_uri (§5.10). Signed
	// requests only.
	RequestURIMethod string `json:"requestUriMethod,omitempty"`
	// ResponseMode is direct_post (default) or direct_post.jwt: the
	// response is then encrypted to a key made for this request (§8.3).
	ResponseMode string `json:"responseMode,omitempty"`
}

// PresentationRequest is a request as the verifier keeps it.
type PresentationRequest struct {
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// RequestURI serves Request as a signed request object (empty for a
	// request passed by value); Link is the openid4vp:// link to show.
	RequestURI string `json:"requestUri,omitempty"`
	// RequestURIMethod is post when the link asks wallets to POST to
	// RequestURI.
	RequestURIMethod string               `json:"requestUriMethod,omitempty"`
	Link             string               `json:"link"`
	Request          oid4vp.RequestObject `json:"request"`
	// Result is set once a response verified.
	Result *PresentationResult `json:"result,omitempty"`
	// Attempts are the responses that did not verify, in arrival order (at
	// most MaxAttempts): they leave the request open.
	Attempts []PresentationResult `json:"attempts,omitempty"`
}

// PresentationResult is the verification of a wallet's response.
type PresentationResult struct {
	Verified bool      `json:"verified"`
	Received time.Time `json:"received"`
	// Error is the wallet's error code when it declined, or why the
	// response as a whole was refused.
	Error         string                    `json:"error,omitempty"`
	Description   string                    `json:"errorDescription,omitempty"`
	Presentations []QueryPresentationResult `json:"presentations,omitempty"`
}

// QueryPresentationResult is the report of one presentation of vp_token.
type QueryPresentationResult struct {
	QueryID string `json:"queryId"`
	// Matches tells whether every credential in it satisfies the query.
	Matches bool                `json:"matches"`
	Report  *PresentationReport `json:"report"`
}

func randomURLSafe() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateRequest makes a presentation request for OB 3.0 credentials.
func (s *OID4VPService) CreateRequest(ctx context.Context, in PresentationRequestInput) (PresentationRequest, error) {
	if len(in.Formats) == 0 {
		in.Formats = []string{oid4vp.FormatLDPVC, oid4vp.FormatJWTVCJSON}
	}
	var queries []oid4vp.CredentialQuery
	var options [][]string
	seen := map[string]bool{}
	for _, f := range in.Formats {
		if f != oid4vp.FormatLDPVC && f != oid4vp.FormatJWTVCJSON {
			return PresentationRequest{}, public.Errorf("%w: formats: %q is neither ldp_vc nor jwt_vc_json", ErrRequestInvalid, f)
		}
		if seen[f] {
			continue
		}
		seen[f] = true
		id := "openbadge_" + strings.TrimSuffix(f, "_json")
		queries = append(queries, oid4vp.OBQuery(id, f, in.AchievementID, in.IssuerID))
		options = append(options, []string{id})
	}
	for _, v := range []string{in.AchievementID, in.IssuerID} {
		if len(v) > 2048 {
			return PresentationRequest{}, public.Errorf("%w: achievementId and issuerId have at most 2048 characters", ErrRequestInvalid)
		}
	}
	q := oid4vp.DCQLQuery{Credentials: queries}
	if len(queries) > 1 {
		q.CredentialSets = []oid4vp.CredentialSet{{Options: options}}
	}
	prefix := in.ClientIDPrefix
	if prefix == "" {
		prefix = "redirect_uri"
		if s.cfg.Signer != nil {
			prefix = "decentralized_identifier"
		}
	}
	switch {
	case prefix != "redirect_uri" && prefix != "decentralized_identifier":
		return PresentationRequest{}, fmt.Errorf("%w: clientIdPrefix: %q is neither decentralized_identifier nor redirect_uri", ErrRequestInvalid, prefix)
	case prefix == "decentralized_identifier" && s.cfg.Signer == nil:
		return PresentationRequest{}, fmt.Errorf("%w: clientIdPrefix: this verifier has no key to sign requests with", ErrRequestInvalid)
	case in.RequestURIMethod != "" && in.RequestURIMethod != oid4vp.RequestURIMethodGet && in.RequestURIMethod != oid4vp.RequestURIMethodPost:
		return PresentationRequest{}, fmt.Errorf("%w: requestUriMethod: %q is neither get nor post", ErrRequestInvalid, in.RequestURIMethod)
	case in.RequestURIMethod == oid4vp.RequestURIMethodPost && prefix == "redirect_uri":
		return PresentationRequest{}, fmt.Errorf("%w: requestUriMethod: a redirect_uri request is passed by value, without request_uri", ErrRequestInvalid)
	}
	mode := in.ResponseMode
	if mode == "" {
		mode = oid4vp.ResponseModeDirectPost
	}
	if mode != oid4vp.ResponseModeDirectPost && mode != oid4vp.ResponseModeDirectPostJWT {
		return PresentationRequest{}, fmt.Errorf("%w: responseMode: %q is neither direct_post nor direct_post.jwt", ErrRequestInvalid, mode)
	}
	now := s.cfg.Now().UTC()
	id := uuid.Must(uuid.NewV7()).String()
	responseURI := s.cfg.PublicURL + "/oid4vp/responses/" + id
	clientID := oid4vp.PrefixRedirectURI + responseURI
	if prefix == "decentralized_identifier" {
		rk, err := s.cfg.Signer.RequestKey(ctx)
		if err != nil {
			return PresentationRequest{}, fmt.Errorf("create presentation request: signing key: %w", err)
		}
		clientID = oid4vp.PrefixDecentralizedIdentifier + rk.DID
	}
	r := PresentationRequest{
		ID: id, Status: RequestPending, Created: now, Expires: now.Add(s.cfg.TTL),
		Request: oid4vp.RequestObject{
			ResponseType: oid4vp.ResponseTypeVPToken, ResponseMode: mode,
			ClientID: clientID, ResponseURI: responseURI,
			Nonce: randomURLSafe(), State: randomURLSafe(), DCQLQuery: q,
			ClientMetadata: &oid4vp.ClientMetadata{ClientName: s.cfg.ClientName, VPFormatsSupported: map[string]any{
				oid4vp.FormatLDPVC:     map[string]any{"proof_type_values": []string{"DataIntegrityProof"}, "cryptosuite_values": []string{"eddsa-rdfc-2022"}},
				oid4vp.FormatJWTVCJSON: map[string]any{"alg_values": []string{"EdDSA", "ES256"}},
			}},
		},
	}
	var responseKey []byte
	if mode == oid4vp.ResponseModeDirectPostJWT {
		priv, jwks, err := oid4vp.NewResponseKey(id)
		if err != nil {
			return PresentationRequest{}, fmt.Errorf("create presentation request: %w", err)
		}
		r.Request.ClientMetadata.JWKS = jwks
		r.Request.ClientMetadata.EncryptedResponseEncValuesSupported = oid4vp.EncValues
		responseKey = priv
	}
	if prefix == "redirect_uri" {
		r.Link = oid4vp.RequestLinkByValue(&r.Request)
	} else {
		r.RequestURI = s.cfg.PublicURL + "/oid4vp/requests/" + id
		if in.RequestURIMethod == oid4vp.RequestURIMethodPost {
			r.RequestURIMethod = oid4vp.RequestURIMethodPost
		}
		r.Link = oid4vp.RequestLinkByReference(r.Request.ClientID, r.RequestURI, r.RequestURIMethod)
	}
	if err := r.Request.Validate(); err != nil {
		return PresentationRequest{}, public.Errorf("%w: %v", ErrRequestInvalid, err)
	}
	if responseKey != nil {
		if err := s.cfg.Store.Create(ctx, collVPResponseKeys, id, responseKey); err != nil {
			return PresentationRequest{}, fmt.Errorf("create presentation request: %w", err)
		}
	}
	raw, _ := json.Marshal(r)
	if err := s.cfg.Store.Create(ctx, collVPRequests, id, raw); err != nil {
		return PresentationRequest{}, fmt.Errorf("create presentation request: %w", err)
	}
	if err := s.cfg.Store.PutToken(ctx, tokenVPAnswer, id, []byte(id), s.cfg.TTL); err != nil {
		return PresentationRequest{}, fmt.Errorf("create presentation request: %w", err)
	}
	s.log.InfoContext(ctx, "presentation request created", "request_id", id, "formats", in.Formats, "client_id_prefix", prefix, "response_mode", mode)
	return r, nil
}

// Request returns a request with its status (expired for a pending one
// past its expiry) and result.
func (s *OID4VPService) Request(ctx context.Context, id string) (PresentationRequest, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return r, err
	}
	if r.Status == RequestPending && !s.cfg.Now().Before(r.Expires) {
		r.Status = RequestExpired
	}
	for n := range MaxAttempts {
		raw, err := s.cfg.Store.Get(ctx, collVPAttempts, attemptKey(id, n))
		if errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			return r, fmt.Errorf("presentation request %s: attempts: %w", id, err)
		}
		var a PresentationResult
		if err := json.Unmarshal(raw, &a); err != nil {
			return r, fmt.Errorf("presentation request %s: attempt %d: %w", id, n, err)
		}
		r.Attempts = append(r.Attempts, a)
	}
	return r, nil
}

func attemptKey(id string, n int) string { return fmt.Sprintf("%s.%02d", id, n) }

// recordAttempt keeps a response that did not verify in the first free of
// the request's MaxAttempts slots; each slot is created once (atomic
// create-if-absent), so concurrent responses never overwrite one another
// nor the request's verified result.
func (s *OID4VPService) recordAttempt(ctx context.Context, id string, res PresentationResult) error {
	raw, _ := json.Marshal(res)
	for n := range MaxAttempts {
		err := s.cfg.Store.Create(ctx, collVPAttempts, attemptKey(id, n), raw)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("presentation response: record attempt: %w", err)
		}
	}
	return nil
}

func (s *OID4VPService) load(ctx context.Context, id string) (PresentationRequest, error) {
	var r PresentationRequest
	raw, err := s.cfg.Store.Get(ctx, collVPRequests, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, public.WithMessage(err, "unknown presentation request")
	} else if err != nil {
		return r, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("presentation request %s: %w", id, err)
	}
	return r, nil
}

// ErrRequestKeyChanged reports a signed request whose DID is no longer the
// verifier's (a did:key identity rotated its key since): it cannot be
// signed any more, and the verifier has to make a new one.
var ErrRequestKeyChanged = errors.New("the verifier's DID changed since the request was made")

// RequestObject returns the signed request object (a JWT, typ
// oauth-authz-req+jwt, RFC 9101) a wallet fetches from request_uri, only
// while the request is pending and not expired. walletNonce, from a
// request_uri POST (§5.10), is echoed in its wallet_nonce claim. A request
// passed by value (redirect_uri:) has none: invalid_request.
func (s *OID4VPService) RequestObject(ctx context.Context, id, walletNonce string) (string, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return "", err
	}
	if r.Status != RequestPending {
		return "", ErrRequestAnswered
	}
	if !s.cfg.Now().Before(r.Expires) {
		return "", ErrRequestExpired
	}
	if r.RequestURI == "" || s.cfg.Signer == nil {
		return "", &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "this request is passed by value in its link; it has no request object"}
	}
	rk, err := s.cfg.Signer.RequestKey(ctx)
	if err != nil {
		return "", fmt.Errorf("request object %s: signing key: %w", id, err)
	}
	if oid4vp.PrefixDecentralizedIdentifier+rk.DID != r.Request.ClientID {
		return "", ErrRequestKeyChanged
	}
	ro := r.Request
	ro.Audience = oid4vp.Audience{oid4vp.AudienceSelfIssued}
	ro.IssuedAt = s.cfg.Now().Unix()
	ro.Expires = r.Expires.Unix()
	ro.WalletNonce = walletNonce
	tok, err := oid4vp.SignRequestObject(&ro, rk.Key, rk.KeyID)
	if err != nil {
		return "", fmt.Errorf("request object %s: %w", id, err)
	}
	return tok, nil
}

// Respond takes a wallet's direct_post response (§8.2). The request must be
// pending and unexpired; every presentation of vp_token is verified with
// challenge = nonce and domain = client_id, its credentials matched against
// their query, and the set against credential_sets. Only a response that
// verifies consumes the request (single use): anyone who saw the QR code
// can post to response_uri, so an error response (access_denied), a
// presentation that fails, a wrong state or junk is recorded as an attempt
// (see PresentationRequest.Attempts) and leaves the request open until it
// expires. A verified or failed outcome is returned as a result; a response
// refused before evaluation (unknown request, expired, already answered,
// malformed, wrong state) is an error: *oid4vp.Error or one of the
// sentinels.
func (s *OID4VPService) Respond(ctx context.Context, id string, form url.Values) (PresentationResult, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return PresentationResult{}, err
	}
	now := s.cfg.Now()
	if r.Status != RequestPending {
		return PresentationResult{}, ErrRequestAnswered
	}
	if !now.Before(r.Expires) {
		return PresentationResult{}, ErrRequestExpired
	}
	refuse := func(err error) (PresentationResult, error) {
		var oe *oid4vp.Error
		if errors.As(err, &oe) {
			a := PresentationResult{Received: now.UTC(), Error: safeCode(oe.Code), Description: safeCode(oe.Description)}
			if rerr := s.recordAttempt(ctx, id, a); rerr != nil {
				return PresentationResult{}, rerr
			}
		}
		return PresentationResult{}, err
	}
	form, err = s.openResponse(ctx, id, &r.Request, form)
	if err != nil {
		return refuse(err)
	}
	dp, err := oid4vp.ParseDirectPost(form)
	if err != nil {
		return refuse(err)
	}
	if dp.State != r.Request.State {
		return refuse(&oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "state does not match the request"})
	}
	res := s.evaluate(ctx, &r.Request, dp)
	res.Received = now.UTC()
	if !res.Verified {
		if err := s.recordAttempt(ctx, id, res); err != nil {
			return res, err
		}
		s.log.InfoContext(ctx, "presentation response refused; the request stays open", "request_id", id, "error", res.Error)
		return res, nil
	}
	if _, err := s.cfg.Store.TakeToken(ctx, tokenVPAnswer, id); errors.Is(err, store.ErrNotFound) {
		return PresentationResult{}, ErrRequestAnswered
	} else if err != nil {
		return PresentationResult{}, fmt.Errorf("presentation response: %w", err)
	}
	r.Result = &res
	r.Status = RequestVerified
	raw, _ := json.Marshal(r)
	if err := s.cfg.Store.Put(ctx, collVPRequests, id, raw); err != nil {
		return res, fmt.Errorf("presentation response: %w", err)
	}
	s.log.InfoContext(ctx, "presentation response verified", "request_id", id, "verified", res.Verified, "error", res.Error)
	return res, nil
}

// Refused records a response the edge refused before Respond could read
// it (not a form, say) as an attempt of request id, when the request is
// pending and unexpired; it leaves the request open. Unknown, answered and
// expired requests are left alone.
func (s *OID4VPService) Refused(ctx context.Context, id string, e *oid4vp.Error) error {
	r, err := s.load(ctx, id)
	if err != nil || r.Status != RequestPending || !s.cfg.Now().Before(r.Expires) {
		return nil
	}
	return s.recordAttempt(ctx, id, PresentationResult{Received: s.cfg.Now().UTC(), Error: safeCode(e.Code), Description: safeCode(e.Description)})
}

func (s *OID4VPService) evaluate(ctx context.Context, req *oid4vp.RequestObject, dp *oid4vp.DirectPost) PresentationResult {
	res := PresentationResult{}
	if dp.Error != "" {
		res.Error, res.Description = safeCode(dp.Error), safeCode(dp.ErrorDescription)
		return res
	}
	fail := func(desc string) PresentationResult {
		res.Verified, res.Error, res.Description = false, oid4vp.CodeInvalidRequest, desc
		return res
	}
	got := map[string]bool{}
	ids := make([]string, 0, len(dp.VPToken))
	for qid := range dp.VPToken {
		ids = append(ids, qid)
	}
	slices.Sort(ids)
	res.Verified = true
	for _, qid := range ids {
		q, ok := req.DCQLQuery.Query(qid)
		if !ok {
			return fail(fmt.Sprintf("vp_token holds %q, which is not a query of the request", safeCode(qid)))
		}
		list := dp.VPToken[qid]
		if len(list) > 1 && !q.Multiple {
			return fail(fmt.Sprintf("vp_token[%q] holds %d presentations; the query asks for one", qid, len(list)))
		}
		allOK := true
		for _, raw := range list {
			var input any
			var tok string
			if err := json.Unmarshal(raw, &tok); err == nil {
				input = tok
			} else {
				var obj map[string]any
				if err := json.Unmarshal(raw, &obj); err != nil {
					return fail(fmt.Sprintf("vp_token[%q] holds something that is neither a presentation object nor a JWT", qid))
				}
				input = obj
			}
			if (q.Format == oid4vp.FormatLDPVC) != (tok == "") {
				return fail(fmt.Sprintf("vp_token[%q]: a %s query is answered with a presentation of the wrong form", qid, q.Format))
			}
			rep := s.cfg.Verifier.VerifyPresentation(ctx, input, PresentationOptions{Challenge: req.Nonce, Domain: req.ClientID})
			matches := len(rep.Credentials) > 0
			for _, cr := range rep.Credentials {
				if cr.Credential == nil || !q.Matches(q.Format, cr.Credential) {
					matches = false
				}
			}
			if !matches {
				rep.Checks = append(rep.Checks, Check{Name: CheckQuery, Status: Failed, Message: "a credential in the presentation does not satisfy the query " + qid})
			} else {
				rep.Checks = append(rep.Checks, Check{Name: CheckQuery, Status: Passed, Message: "every credential satisfies the query " + qid})
			}
			if !rep.Verified || !matches {
				allOK = false
			}
			res.Presentations = append(res.Presentations, QueryPresentationResult{QueryID: qid, Matches: matches, Report: rep})
		}
		if allOK {
			got[qid] = true
		} else {
			res.Verified = false
		}
	}
	if res.Verified && !req.DCQLQuery.Satisfied(got) {
		res.Verified = false
		res.Error, res.Description = oid4vp.CodeInvalidRequest, "the presentations do not satisfy the query's credential sets"
	}
	if !res.Verified && res.Error == "" {
		res.Error, res.Description = oid4vp.CodeInvalidRequest, "a presentation failed verification: "+strings.Join(res.failedChecks(), ", ")
	}
	return res
}

// CheckQuery names the check that a presented credential satisfies its
// DCQL credential query.
const CheckQuery = "presentation.query"

// failedChecks names the failed checks of every presentation, the
// presentation's own and its credentials'.
func (r *PresentationResult) failedChecks() []string {
	var out []string
	for _, p := range r.Presentations {
		for _, c := range p.Report.Checks {
			if c.Status == Failed && !slices.Contains(out, c.Name) {
				out = append(out, c.Name)
			}
		}
		for _, cr := range p.Report.Credentials {
			for _, c := range cr.Failed() {
				if !slices.Contains(out, c.Name) {
					out = append(out, c.Name)
				}
			}
		}
	}
	return out
}

func safeCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// openResponse returns the response parameters of form: a direct_post.jwt
// request's response JWE decrypted with its key (§8.3.1; a plain error
// response is taken too, as the spec lets a wallet that cannot encrypt
// send one); a direct_post request's form as it is.
func (s *OID4VPService) openResponse(ctx context.Context, id string, req *oid4vp.RequestObject, form url.Values) (url.Values, error) {
	jwe := form.Get("response")
	if req.ResponseMode != oid4vp.ResponseModeDirectPostJWT {
		if form.Has("response") {
			return nil, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "this request takes a direct_post response, not an encrypted one"}
		}
		return form, nil
	}
	if jwe == "" {
		if form.Get("error") != "" && !form.Has("vp_token") {
			return form, nil
		}
		return nil, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "this request takes a direct_post.jwt response: an encrypted response parameter"}
	}
	// Only the encrypted parameters count: anything posted beside them
	// (a wallet may repeat state) is ignored.
	if len(form["response"]) != 1 {
		return nil, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Description: "a direct_post.jwt response carries one response parameter"}
	}
	raw, err := s.cfg.Store.Get(ctx, collVPResponseKeys, id)
	if err != nil {
		return nil, fmt.Errorf("presentation response: response key: %w", err)
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("presentation response: response key: %w", err)
	}
	encs := oid4vp.EncValues
	if req.ClientMetadata != nil && len(req.ClientMetadata.EncryptedResponseEncValuesSupported) > 0 {
		encs = req.ClientMetadata.EncryptedResponseEncValuesSupported
	}
	return oid4vp.DecryptResponse(jwe, key, encs)
}
