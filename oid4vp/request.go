package oid4vp

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/proof/jose"
)

// Request objects (RFC 9101, JAR) and the client identifier prefixes of
// OpenID4VP 1.0 §5.9.3 that Accolade checks.
const (
	// RequestObjectType is the JOSE typ of a request object (§5, RFC 9101
	// §10.8): a wallet must not process one without it.
	RequestObjectType = "oauth-authz-req+jwt"
	// MediaTypeRequestObject is the content type of the request_uri
	// response (§5.10.1, RFC 9101 §5.2).
	MediaTypeRequestObject = "application/" + RequestObjectType
	// VerifierAttestationType is the JOSE typ of a Verifier Attestation
	// JWT (§12).
	VerifierAttestationType = "verifier-attestation+jwt"
	// AudienceSelfIssued is the aud of a request object under static
	// discovery (§5.8).
	AudienceSelfIssued = "https://self-issued.me/v2"

	// PrefixDecentralizedIdentifier: the client is a DID; the request is
	// signed with a key of its DID document named by the JOSE kid.
	PrefixDecentralizedIdentifier = "decentralized_identifier:"
	// PrefixVerifierAttestation: the client is the sub of a Verifier
	// Attestation JWT carried in the JOSE header jwt; the request is
	// signed with the key of its cnf claim.
	PrefixVerifierAttestation = "verifier_attestation:"

	// RequestURIMethodGet and RequestURIMethodPost are the values of
	// request_uri_method (§5.1, §5.10).
	RequestURIMethodGet  = "get"
	RequestURIMethodPost = "post"
)

// CodeInvalidRequestObject is RFC 9101 §6.2's error for a request object
// whose signature or header does not check out.
const CodeInvalidRequestObject = "invalid_request_object"

// ErrInvalidRequestObject is for errors.Is.
var ErrInvalidRequestObject = &Error{Code: CodeInvalidRequestObject}

func badObjectf(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidRequestObject, Description: fmt.Sprintf(format, args...)}
}

// requestAlgs are the JWS algorithms a request object may be signed with.
var requestAlgs = []keys.Alg{keys.EdDSA, keys.ES256, keys.RS256}

// AuthorizationRequest is what a request link (openid4vp://…, or any URL)
// carries: a request by reference (client_id and request_uri, §5.10), a
// signed request object by value (request, RFC 9101 §5.1), or the request
// parameters themselves (unsigned, by value).
type AuthorizationRequest struct {
	ClientID string
	// RequestURI and RequestURIMethod (get or post) pass it by reference.
	RequestURI       string
	RequestURIMethod string
	// Request is a request object JWT passed by value.
	Request string
	// Params is an unsigned request passed by value.
	Params *RequestObject
}

// ParseAuthorizationRequest reads a request link. Exactly one of
// request_uri, request or the bare parameters must be present. An unsigned
// request by value keeps only the redirect_uri: prefix (§5.9.3); its
// dcql_query and client_metadata are JSON strings (§5.1).
func ParseAuthorizationRequest(link string) (*AuthorizationRequest, error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return nil, invalidf("the request link is not a URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, invalidf("the request link's query is malformed")
	}
	for k, v := range q {
		if len(v) > 1 {
			return nil, invalidf("%s is repeated in the request link", safe(k))
		}
	}
	if q.Get("client_id") == "" {
		return nil, invalidf("the request link has no client_id")
	}
	ar := &AuthorizationRequest{ClientID: q.Get("client_id")}
	switch {
	case q.Has("request_uri") && q.Has("request"):
		return nil, invalidf("the request link has both request and request_uri")
	case q.Has("request_uri"):
		ar.RequestURI = q.Get("request_uri")
		ar.RequestURIMethod = q.Get("request_uri_method")
		switch ar.RequestURIMethod {
		case "":
			ar.RequestURIMethod = RequestURIMethodGet
		case RequestURIMethodGet, RequestURIMethodPost:
		default:
			return nil, &Error{Code: CodeInvalidRequestURI, Description: "request_uri_method must be get or post"}
		}
		ru, err := url.Parse(ar.RequestURI)
		if err != nil || !ru.IsAbs() || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" {
			return nil, invalidf("request_uri must be an https URL")
		}
		return ar, nil
	case q.Has("request"):
		ar.Request = q.Get("request")
		return ar, nil
	}
	// The parameters by value: an unsigned request.
	ro := &RequestObject{
		ResponseType: q.Get("response_type"), ResponseMode: q.Get("response_mode"), ClientID: ar.ClientID,
		ResponseURI: q.Get("response_uri"), RedirectURI: q.Get("redirect_uri"), Nonce: q.Get("nonce"), State: q.Get("state"),
	}
	if v := q.Get("dcql_query"); v != "" {
		if err := json.Unmarshal([]byte(v), &ro.DCQLQuery); err != nil {
			return nil, invalidf("dcql_query is not a JSON DCQL query")
		}
	}
	if v := q.Get("client_metadata"); v != "" {
		ro.ClientMetadata = &ClientMetadata{}
		if err := json.Unmarshal([]byte(v), ro.ClientMetadata); err != nil {
			return nil, invalidf("client_metadata is not a JSON object")
		}
	}
	if q.Has("transaction_data") {
		ro.TransactionData = []string{q.Get("transaction_data")}
	}
	if q.Has("scope") {
		ro.Scope = q.Get("scope")
	}
	ar.Params = ro
	return ar, nil
}

// RequestLinkByValue returns the openid4vp:// link carrying an unsigned
// request's parameters themselves (§5.9.3: a redirect_uri: request cannot
// be signed, so it needs no request_uri).
func RequestLinkByValue(r *RequestObject) string {
	v := url.Values{"response_type": {r.ResponseType}, "response_mode": {r.ResponseMode}, "client_id": {r.ClientID},
		"response_uri": {r.ResponseURI}, "nonce": {r.Nonce}}
	if r.State != "" {
		v.Set("state", r.State)
	}
	q, _ := json.Marshal(r.DCQLQuery)
	v.Set("dcql_query", string(q))
	if r.ClientMetadata != nil {
		m, _ := json.Marshal(r.ClientMetadata)
		v.Set("client_metadata", string(m))
	}
	return Scheme + "://?" + v.Encode()
}

// RequestLinkByReference returns the openid4vp:// link to a request object
// served at requestURI (§5.10); method post asks the wallet to POST
// wallet_nonce and wallet_metadata there.
func RequestLinkByReference(clientID, requestURI, method string) string {
	v := url.Values{"client_id": {clientID}, "request_uri": {requestURI}}
	if method == RequestURIMethodPost {
		v.Set("request_uri_method", method)
	}
	return Scheme + "://?" + v.Encode()
}

// SignRequestObject returns r as a compact JWS with typ
// oauth-authz-req+jwt and kid (RFC 9101 §4), signed with key. The claims
// are r's parameters; r carries aud, iat, exp and wallet_nonce as the
// caller set them.
func SignRequestObject(r *RequestObject, key *keys.Key, kid string) (string, error) {
	if key == nil {
		return "", errors.New("sign request object: no key")
	}
	if !slices.Contains(requestAlgs, key.Alg()) {
		return "", fmt.Errorf("sign request object: %w: %s", keys.ErrUnsupportedAlg, key.Alg())
	}
	h, _ := json.Marshal(map[string]string{"alg": string(key.Alg()), "typ": RequestObjectType, "kid": kid})
	p, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("sign request object: %w", err)
	}
	in := b64url.EncodeToString(h) + "." + b64url.EncodeToString(p)
	sig, err := key.Sign([]byte(in))
	if err != nil {
		return "", fmt.Errorf("sign request object: %w", err)
	}
	return in + "." + b64url.EncodeToString(sig), nil
}

var b64url = base64.RawURLEncoding

// RequestTrust is what a wallet needs to check a signed request object.
type RequestTrust struct {
	// Resolver resolves the DIDs of decentralized_identifier: clients.
	Resolver did.Resolver
	// Attesters are the Verifier Attestation JWT issuers the wallet trusts
	// (iss to public key); without them verifier_attestation: requests are
	// refused.
	Attesters map[string]crypto.PublicKey
	// Now defaults to time.Now; Skew (default 1 minute) is allowed on exp
	// and nbf.
	Now  func() time.Time
	Skew time.Duration
}

// VerifyRequestObject checks a request object JWT (RFC 9101, OpenID4VP
// §5 and §5.9.3) and returns its parameters: the typ header must be
// oauth-authz-req+jwt; the signature must be by a key the client
// identifier prefix allows (decentralized_identifier: a verification
// method of the DID, named by kid; verifier_attestation: the cnf key of a
// Verifier Attestation JWT from a trusted issuer in the jwt header); alg
// none is accepted only with the redirect_uri: prefix, which in turn must
// not be signed. Other prefixes are unsupported. The client_id must equal
// linkClientID (§5.10.1), and the parameters must Validate. Errors are
// *Error: invalid_request for a prefix rule, invalid_request_object for a
// bad token or signature.
func (t RequestTrust) VerifyRequestObject(ctx context.Context, token, linkClientID string) (*RequestObject, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > jose.MaxTokenSize {
		return nil, badObjectf("the request object is not a compact JWS")
	}
	header, _, err := jose.ParseUnverified(token)
	if err != nil {
		return nil, badObjectf("the request object is not a well-formed JWT")
	}
	payload, err := b64url.DecodeString(parts[1])
	if err != nil {
		return nil, badObjectf("the request object's payload is not base64url")
	}
	var r RequestObject
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, badObjectf("the request object's claims are not of the expected shape")
	}
	if typ, _ := header["typ"].(string); typ != RequestObjectType {
		return nil, badObjectf("the request object's typ header must be %s", RequestObjectType)
	}
	if linkClientID != "" && r.ClientID != linkClientID {
		return nil, invalidf("the request object's client_id differs from the link's")
	}
	alg, _ := header["alg"].(string)
	unsigned := alg == "none"
	if unsigned && parts[2] != "" {
		return nil, badObjectf("an unsigned request object has an empty signature")
	}
	sig, err := b64url.DecodeString(parts[2])
	if err != nil {
		return nil, badObjectf("the request object's signature is not base64url")
	}
	signed := []byte(parts[0] + "." + parts[1])
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	skew := t.Skew
	if skew == 0 {
		skew = time.Minute
	}
	switch {
	case strings.HasPrefix(r.ClientID, PrefixRedirectURI):
		if !unsigned {
			return nil, invalidf("a request with the redirect_uri: client identifier prefix must not be signed")
		}
	case unsigned:
		return nil, invalidf("the client identifier prefix of %s requires a signed request object", safe(r.ClientID))
	case strings.HasPrefix(r.ClientID, PrefixDecentralizedIdentifier):
		if err := t.checkDIDSignature(ctx, header, alg, strings.TrimPrefix(r.ClientID, PrefixDecentralizedIdentifier), signed, sig); err != nil {
			return nil, err
		}
	case strings.HasPrefix(r.ClientID, PrefixVerifierAttestation):
		if err := t.checkAttestation(header, alg, &r, strings.TrimPrefix(r.ClientID, PrefixVerifierAttestation), signed, sig, now(), skew); err != nil {
			return nil, err
		}
	default:
		return nil, invalidf("unsupported client identifier prefix in %s: Accolade's wallet takes redirect_uri:, decentralized_identifier: and verifier_attestation:", safe(r.ClientID))
	}
	if r.Expires != 0 && now().After(time.Unix(r.Expires, 0).Add(skew)) {
		return nil, badObjectf("the request object has expired")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func requestAlg(alg string) (keys.Alg, error) {
	a := keys.Alg(alg)
	if !slices.Contains(requestAlgs, a) {
		return "", badObjectf("the request object's alg %q is not supported", safe(alg))
	}
	return a, nil
}

// checkDIDSignature verifies a decentralized_identifier: request: kid is a
// DID URL of clientDID naming a verification method of its resolved
// document, whose key made sig.
func (t RequestTrust) checkDIDSignature(ctx context.Context, header map[string]any, alg, clientDID string, signed, sig []byte) error {
	a, err := requestAlg(alg)
	if err != nil {
		return err
	}
	kid, _ := header["kid"].(string)
	if kid == "" {
		return invalidf("a decentralized_identifier: request object names its key in the kid header")
	}
	if strings.HasPrefix(kid, "#") {
		kid = clientDID + kid
	}
	u, err := did.ParseURL(kid)
	if err != nil || u.DID.String() != clientDID {
		return invalidf("the kid %s is not a verification method of the client's DID", safe(kid))
	}
	if t.Resolver == nil {
		return invalidf("this wallet resolves no DIDs")
	}
	doc, err := t.Resolver.Resolve(ctx, clientDID)
	if err != nil {
		return invalidf("the client's DID could not be resolved (%s)", did.ErrorCode(err))
	}
	m, err := doc.Method(kid, "")
	if err != nil {
		return invalidf("the kid %s is not a verification method of the client's DID document", safe(kid))
	}
	pub, err := m.PublicKey()
	if err != nil {
		return invalidf("the verification method %s holds no usable public key", safe(kid))
	}
	if err := keys.Verify(a, pub, signed, sig); err != nil {
		return badObjectf("the request object's signature does not verify with %s", safe(kid))
	}
	return nil
}

// checkAttestation verifies a verifier_attestation: request (§5.9.3,
// §12): the jwt header holds a Verifier Attestation JWT (typ
// verifier-attestation+jwt) signed by a trusted issuer, unexpired, whose
// sub is the client identifier and whose cnf.jwk made sig; its
// redirect_uris, when present, must list the response URI.
func (t RequestTrust) checkAttestation(header map[string]any, alg string, r *RequestObject, sub string, signed, sig []byte, now time.Time, skew time.Duration) error {
	a, err := requestAlg(alg)
	if err != nil {
		return err
	}
	att, _ := header["jwt"].(string)
	if att == "" {
		return invalidf("a verifier_attestation: request object carries the Verifier Attestation JWT in its jwt header")
	}
	ah, claims, err := jose.ParseUnverified(att)
	if err != nil {
		return invalidf("the Verifier Attestation JWT is malformed")
	}
	if typ, _ := ah["typ"].(string); typ != VerifierAttestationType {
		return invalidf("the Verifier Attestation JWT's typ must be %s", VerifierAttestationType)
	}
	iss, _ := claims["iss"].(string)
	issKey, ok := t.Attesters[iss]
	if !ok || iss == "" {
		return invalidf("the Verifier Attestation JWT's issuer %q is not trusted by this wallet", safe(iss))
	}
	aalg, _ := ah["alg"].(string)
	aa, err := requestAlg(aalg)
	if err != nil {
		return invalidf("the Verifier Attestation JWT's alg %q is not supported", safe(aalg))
	}
	ap := strings.Split(att, ".")
	asig, err := b64url.DecodeString(ap[2])
	if err != nil || keys.Verify(aa, issKey, []byte(ap[0]+"."+ap[1]), asig) != nil {
		return invalidf("the Verifier Attestation JWT's signature does not verify with its issuer's key")
	}
	if s, _ := claims["sub"].(string); s != sub {
		return invalidf("the Verifier Attestation JWT's sub is not the client identifier")
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return invalidf("the Verifier Attestation JWT has no exp")
	}
	if now.After(time.Unix(int64(exp), 0).Add(skew)) {
		return invalidf("the Verifier Attestation JWT has expired")
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Add(skew).Before(time.Unix(int64(nbf), 0)) {
		return invalidf("the Verifier Attestation JWT is not valid yet")
	}
	if uris, ok := claims["redirect_uris"].([]any); ok {
		target := r.ResponseURI
		if target == "" {
			target = r.RedirectURI
		}
		if !slices.ContainsFunc(uris, func(u any) bool { s, _ := u.(string); return s == target }) {
			return invalidf("the response URI is not among the Verifier Attestation JWT's redirect_uris")
		}
	}
	cnf, _ := claims["cnf"].(map[string]any)
	jwk, ok := cnf["jwk"].(map[string]any)
	if !ok {
		return invalidf("the Verifier Attestation JWT has no cnf.jwk")
	}
	raw, _ := json.Marshal(jwk)
	pub, _, err := keys.ParsePublicJWK(raw)
	if err != nil {
		return invalidf("the Verifier Attestation JWT's cnf.jwk is not a usable public key")
	}
	if err := keys.Verify(a, pub, signed, sig); err != nil {
		return badObjectf("the request object's signature does not verify with the attested key")
	}
	return nil
}
