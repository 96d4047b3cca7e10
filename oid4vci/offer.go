package oid4vci

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxTxCodeDescription is the longest tx_code description (§4.1.1).
const MaxTxCodeDescription = 300

// CredentialOffer is a Credential Offer (§4.1.1).
type CredentialOffer struct {
	CredentialIssuer           string   `json:"credential_issuer"`
	CredentialConfigurationIDs []string `json:"credential_configuration_ids"`
	Grants                     *Grants  `json:"grants,omitempty"`
}

// Grants are the grant types the offer may be redeemed with.
type Grants struct {
	AuthorizationCode *AuthorizationCodeGrant `json:"authorization_code,omitempty"`
	PreAuthorizedCode *PreAuthorizedCodeGrant `json:"urn:ietf:params:oauth:grant-type:pre-authorized_code,omitempty"`
}

// AuthorizationCodeGrant is the authorization_code grant of an offer.
type AuthorizationCodeGrant struct {
	IssuerState         string `json:"issuer_state,omitempty"`
	AuthorizationServer string `json:"authorization_server,omitempty"`
}

// PreAuthorizedCodeGrant is the pre-authorized code grant of an offer.
type PreAuthorizedCodeGrant struct {
	PreAuthorizedCode string `json:"pre-authorized_code"`
	// TxCode, when not nil (even when empty, encoded as {}), means the
	// Token Request must carry a tx_code.
	TxCode              *TxCode `json:"tx_code,omitempty"`
	AuthorizationServer string  `json:"authorization_server,omitempty"`
}

// TxCode describes the transaction code the Wallet must ask the user for.
type TxCode struct {
	InputMode   string `json:"input_mode,omitempty"`
	Length      int    `json:"length,omitempty"`
	Description string `json:"description,omitempty"`
}

// Validate checks the offer's required members (§4.1.1).
func (o *CredentialOffer) Validate() error {
	var errs []error
	if _, err := parseIdentifier(o.CredentialIssuer); err != nil {
		errs = append(errs, fmt.Errorf("credential_issuer: %w", err))
	}
	if len(o.CredentialConfigurationIDs) == 0 {
		errs = append(errs, errors.New("credential_configuration_ids: must not be empty"))
	}
	for i, id := range o.CredentialConfigurationIDs {
		if id == "" {
			errs = append(errs, fmt.Errorf("credential_configuration_ids[%d]: empty", i))
		}
	}
	if g := o.Grants; g != nil && g.PreAuthorizedCode != nil {
		if g.PreAuthorizedCode.PreAuthorizedCode == "" {
			errs = append(errs, errors.New("pre-authorized_code: required"))
		}
		if tc := g.PreAuthorizedCode.TxCode; tc != nil {
			if tc.InputMode != "" && tc.InputMode != "numeric" && tc.InputMode != "text" {
				errs = append(errs, fmt.Errorf("tx_code.input_mode: %q is neither numeric nor text", tc.InputMode))
			}
			if tc.Length < 0 {
				errs = append(errs, errors.New("tx_code.length: negative"))
			}
			if len(tc.Description) > MaxTxCodeDescription {
				errs = append(errs, fmt.Errorf("tx_code.description: longer than %d characters", MaxTxCodeDescription))
			}
		}
	}
	return errors.Join(errs...)
}

// OfferLinkByReference returns the openid-credential-offer:// deep link that
// passes the offer by reference (§4.1.3): exactly one query parameter,
// credential_offer_uri, URL-encoded.
func OfferLinkByReference(credentialOfferURI string) string {
	return OfferScheme + "://?credential_offer_uri=" + url.QueryEscape(credentialOfferURI)
}

// OfferLinkByValue returns the openid-credential-offer:// deep link that
// passes the offer by value (§4.1.2).
func OfferLinkByValue(o CredentialOffer) (string, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return "", err
	}
	return OfferScheme + "://?credential_offer=" + url.QueryEscape(string(b)), nil
}

// ParseOfferLink reads a Credential Offer deep link (any scheme, or an https
// credential_offer_endpoint): it returns the offer when passed by value, or
// its https URL when passed by reference. Exactly one of the two parameters
// must be present (§4.1).
func ParseOfferLink(link string) (offer *CredentialOffer, offerURI string, err error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, "", fmt.Errorf("offer link: %w", err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, "", fmt.Errorf("offer link: %w", err)
	}
	byValue, byRef := q["credential_offer"], q["credential_offer_uri"]
	switch {
	case len(byValue)+len(byRef) != 1:
		return nil, "", errors.New("offer link: want exactly one credential_offer or credential_offer_uri parameter")
	case len(byRef) == 1:
		ru, err := url.Parse(byRef[0])
		if err != nil || !ru.IsAbs() || (ru.Scheme != "https" && ru.Scheme != "http") {
			return nil, "", errors.New("offer link: credential_offer_uri is not an https URL")
		}
		return nil, byRef[0], nil
	}
	var o CredentialOffer
	dec := json.NewDecoder(strings.NewReader(byValue[0]))
	if err := dec.Decode(&o); err != nil {
		return nil, "", fmt.Errorf("offer link: credential_offer: %w", err)
	}
	if err := o.Validate(); err != nil {
		return nil, "", fmt.Errorf("offer link: %w", err)
	}
	return &o, "", nil
}
