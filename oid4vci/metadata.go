package oid4vci

import (
	"fmt"
	"net/url"
	"strings"
)

// Credential formats (OpenID4VCI 1.0 Appendix A).
const (
	// FormatJWTVCJSON is a VC signed as a JWT, not using JSON-LD (§A.1.1).
	FormatJWTVCJSON = "jwt_vc_json"
	// FormatLDPVC is a VC secured with Data Integrity, using JSON-LD (§A.1.2).
	FormatLDPVC = "ldp_vc"
)

// Well-known suffixes (OpenID4VCI 1.0 §12.2.2, RFC 8414 §3).
const (
	WellKnownCredentialIssuer    = "openid-credential-issuer"
	WellKnownAuthorizationServer = "oauth-authorization-server"
)

// Protocol names.
const (
	// OfferScheme is the custom URL scheme of Credential Offer deep links
	// (§4.1).
	OfferScheme = "openid-credential-offer"
	// GrantTypePreAuthorizedCode is the pre-authorized code grant (§3.5).
	GrantTypePreAuthorizedCode = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	// GrantTypeAuthorizationCode is the RFC 6749 §4.1 grant.
	GrantTypeAuthorizationCode = "authorization_code"
	// CodeChallengeMethodS256 is the only PKCE method accepted (RFC 7636 §4.2).
	CodeChallengeMethodS256 = "S256"
	// TokenTypeBearer is the access token type (RFC 6750).
	TokenTypeBearer = "Bearer"
	// AuthorizationDetailsType is the authorization_details type of
	// OpenID4VCI (§5.1.1).
	AuthorizationDetailsType = "openid_credential"
)

// Proof types (Appendix F) and the jwt proof's typ header (§F.1).
const (
	ProofTypeJWT         = "jwt"
	ProofTypeDIVP        = "di_vp"
	ProofTypeAttestation = "attestation"
	ProofJWTType         = "openid4vci-proof+jwt"
)

// Notification events (§11.1).
const (
	EventCredentialAccepted = "credential_accepted"
	EventCredentialFailure  = "credential_failure"
	EventCredentialDeleted  = "credential_deleted"
)

// IssuerMetadata is the Credential Issuer Metadata (§12.2.4).
type IssuerMetadata struct {
	CredentialIssuer                  string                             `json:"credential_issuer"`
	AuthorizationServers              []string                           `json:"authorization_servers,omitempty"`
	CredentialEndpoint                string                             `json:"credential_endpoint"`
	NonceEndpoint                     string                             `json:"nonce_endpoint,omitempty"`
	DeferredCredentialEndpoint        string                             `json:"deferred_credential_endpoint,omitempty"`
	NotificationEndpoint              string                             `json:"notification_endpoint,omitempty"`
	BatchCredentialIssuance           *BatchCredentialIssuance           `json:"batch_credential_issuance,omitempty"`
	Display                           []Display                          `json:"display,omitempty"`
	CredentialConfigurationsSupported map[string]CredentialConfiguration `json:"credential_configurations_supported"`
}

// BatchCredentialIssuance advertises batch issuance; BatchSize (≥ 2) is the
// largest number of key proofs one Credential Request may carry.
type BatchCredentialIssuance struct {
	BatchSize int `json:"batch_size"`
}

// Display is how a Wallet may present the Credential Issuer.
type Display struct {
	Name   string `json:"name,omitempty"`
	Locale string `json:"locale,omitempty"`
	Logo   *Logo  `json:"logo,omitempty"`
}

// Logo is an image with alternative text.
type Logo struct {
	URI     string `json:"uri"`
	AltText string `json:"alt_text,omitempty"`
}

// CredentialConfiguration describes one kind of credential the issuer
// offers (§12.2.4, credential_configurations_supported).
type CredentialConfiguration struct {
	Format                               string                `json:"format"`
	Scope                                string                `json:"scope,omitempty"`
	CredentialSigningAlgValuesSupported  []string              `json:"credential_signing_alg_values_supported,omitempty"`
	CryptographicBindingMethodsSupported []string              `json:"cryptographic_binding_methods_supported,omitempty"`
	ProofTypesSupported                  map[string]ProofType  `json:"proof_types_supported,omitempty"`
	CredentialDefinition                 *CredentialDefinition `json:"credential_definition,omitempty"`
	CredentialMetadata                   *CredentialMetadata   `json:"credential_metadata,omitempty"`
}

// ProofType is an entry of proof_types_supported.
type ProofType struct {
	ProofSigningAlgValuesSupported []string `json:"proof_signing_alg_values_supported"`
}

// CredentialDefinition is the W3C VC format parameter (§A.1.1.2, §A.1.2.2).
// Context is left out for jwt_vc_json, which is not processed as JSON-LD.
type CredentialDefinition struct {
	Context []string `json:"@context,omitempty"`
	Type    []string `json:"type"`
}

// CredentialMetadata holds display information for the credential.
type CredentialMetadata struct {
	Display []CredentialDisplay `json:"display,omitempty"`
	Claims  []ClaimDescription  `json:"claims,omitempty"`
}

// CredentialDisplay is one localized display of a credential.
type CredentialDisplay struct {
	Name            string `json:"name"`
	Locale          string `json:"locale,omitempty"`
	Logo            *Logo  `json:"logo,omitempty"`
	Description     string `json:"description,omitempty"`
	BackgroundColor string `json:"background_color,omitempty"`
	TextColor       string `json:"text_color,omitempty"`
}

// ClaimDescription describes one claim (Appendix B.2).
type ClaimDescription struct {
	Path      []any     `json:"path"`
	Mandatory bool      `json:"mandatory,omitempty"`
	Display   []Display `json:"display,omitempty"`
}

// AuthorizationServerMetadata is the OAuth 2.0 Authorization Server Metadata
// (RFC 8414 §2) with the OpenID4VCI extension of §12.3.
type AuthorizationServerMetadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported,omitempty"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported,omitempty"`
	AuthorizationDetailsTypesSupported         []string `json:"authorization_details_types_supported,omitempty"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	PreAuthorizedGrantAnonymousAccessSupported bool     `json:"pre-authorized_grant_anonymous_access_supported"`
}

// WellKnownURL returns the URL of a well-known document of the entity
// identified by id (an https URL without query or fragment): the
// well-known segment is inserted between the host and the path (RFC 8414
// §3.1, OpenID4VCI §12.2.2), so https://issuer.example.com/tenant gives
// https://issuer.example.com/.well-known/openid-credential-issuer/tenant.
// A trailing "/" of id is dropped first.
func WellKnownURL(id, suffix string) (string, error) {
	u, err := parseIdentifier(id)
	if err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + WellKnownPath(u.EscapedPath(), suffix), nil
}

// WellKnownPath returns the HTTP path of a well-known document for an
// identifier with the (escaped) path issuerPath: "/.well-known/SUFFIX" plus
// issuerPath without its trailing "/".
func WellKnownPath(issuerPath, suffix string) string {
	return "/.well-known/" + suffix + strings.TrimSuffix(issuerPath, "/")
}

func parseIdentifier(id string) (*url.URL, error) {
	u, err := url.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("identifier %q: %w", id, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("identifier %q: want an https URL with a host and no query or fragment", id)
	}
	return u, nil
}
