package issuer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/logctx"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/oid4vci"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// HTTP paths of the OpenID4VCI endpoints, relative to the public URL. The
// api package routes them; the metadata advertises them.
const (
	OID4VCIPathToken        = "/oid4vci/token"
	OID4VCIPathAuthorize    = "/oid4vci/authorize"
	OID4VCIPathNonce        = "/oid4vci/nonce"
	OID4VCIPathCredential   = "/oid4vci/credential"
	OID4VCIPathDeferred     = "/oid4vci/deferred"
	OID4VCIPathNotification = "/oid4vci/notification"
	OID4VCIPathOffers       = "/oid4vci/offers"
)

// Offer grant names of the admin API.
const (
	GrantPreAuthorized     = "pre-authorized_code"
	GrantAuthorizationCode = "authorization_code"
)

// Token kinds (store.Tokens) this file keeps. Secrets are never stored in
// clear, as keys or values: an offer's secrets (the credential_offer_uri
// reference, the pre-authorized code, issuer_state) and its access token
// are "<offer ID>.<random>", found by the public offer ID and checked
// against the keyed hash (OID4VCIConfig.Secrets, HMAC-SHA256 under a key
// derived from the KEK) the record keeps; sign-in sessions and
// authorization codes are keyed by their keyed hash; tx_codes and emailed
// codes are kept as keyed hashes bound to their offer or session, so that
// a copy of the store can neither redeem an offer nor reverse a 6-digit
// code. c_nonces, transaction_ids and notification_ids, worthless without
// the access token, are keyed by their SHA-256 (secretKey). Deriving every
// offer secret from one record keeps each step to about one durable write.
const (
	tokOffer        = "oid4vci-offer"         // offer ID → offerRecord
	tokAccess       = "oid4vci-access"        // offer ID → accessRecord; its creation redeems the offer
	tokTxAttempt    = "oid4vci-tx-attempt"    // offer ID/n → "" per tx_code attempt
	tokAuthSession  = "oid4vci-authz-session" // K(session) → authSession (K: keyed hash)
	tokEmailCode    = "oid4vci-email-code"    // K(session) → K(session, email code)
	tokEmailSend    = "oid4vci-email-send"    // K(session)/n → "" per code sent
	tokEmailAttempt = "oid4vci-email-attempt" // K(session)/n → "" per code tried
	tokAuthCode     = "oid4vci-authz-code"    // K(code) → authCode
	tokNonce        = "oid4vci-nonce"         // H(c_nonce) → ""
	tokIssued       = "oid4vci-issued"        // offer ID/config → "" once delivered
	tokIssuing      = "oid4vci-issuing"       // offer ID/config → "" while one request is served
	tokReserved     = "oid4vci-reserved"      // offer ID/config/n/H(holder DID) → credential ID
	tokDeferred     = "oid4vci-deferred"      // H(transaction_id) → deferredRecord
	tokApproved     = "oid4vci-approved"      // offer ID → "" once approved
	tokNotification = "oid4vci-notification"  // H(notification_id) → notificationRecord
	tokAuthLimit    = "oid4vci-authz-limit"   // counters (store.Counters) of SignInLimits: kind/offer ID or kind/K(address)
	tokWithdrawn    = "oid4vci-withdrawn"     // offer ID → "" once its authorization_code grant is withdrawn

	// collNotificationsPrefix + credential key holds the wallet's
	// notification events about that credential.
	collNotificationsPrefix = "credential-notifications:"
)

// Configuration ID suffixes: <achievementId>_ldp_vc and
// <achievementId>_jwt_vc_json.
const (
	suffixLDP = "_" + oid4vci.FormatLDPVC
	suffixJWT = "_" + oid4vci.FormatJWTVCJSON
)

// OID4VCIStore is the storage the OpenID4VCI service needs: tokens for every
// short-lived secret, documents for notification events and counters for
// the sign-in limits, which hold across every node sharing the store.
type OID4VCIStore interface {
	store.Tokens
	store.Docs
	store.Counters
}

// Mail is one message to a recipient.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// LogValue keeps the address and the body (which holds a code) out of logs.
func (m Mail) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("to", Recipient{Email: m.To}), slog.String("subject", m.Subject))
}

// Mailer delivers one-time codes to recipients' email addresses. Send is
// called once per code, synchronously, and must not log the body.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// LogMailer is the default Mailer of a deployment without a mail server:
// it only logs that a code was sent, to a redacted address, never the
// code. With it the authorization code flow cannot be completed by a real
// user; plug in a Mailer that delivers mail.
type LogMailer struct{ Logger *slog.Logger }

// Send logs "code sent" with the address redacted.
func (l LogMailer) Send(ctx context.Context, m Mail) error {
	if l.Logger != nil {
		l.Logger.InfoContext(ctx, "code sent", "to", Recipient{Email: m.To})
	}
	return nil
}

// DirMailer writes each mail as a file, mode 0600, into Dir instead of
// sending it: a mail drop for development and tests. The files hold the
// codes in clear; keep Dir private.
type DirMailer struct{ Dir string }

// Send writes m to Dir/<time>-<random>.eml.
func (d DirMailer) Send(_ context.Context, m Mail) error {
	name := filepath.Join(d.Dir, fmt.Sprintf("%d-%s.eml", time.Now().UnixNano(), randomToken(6)))
	msg := "To: " + m.To + "\r\nSubject: " + m.Subject + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.Body + "\r\n"
	if err := os.WriteFile(name, []byte(msg), 0o600); err != nil {
		return fmt.Errorf("mail drop: %w", err)
	}
	return nil
}

// OID4VCIConfig holds the OpenID4VCI service's dependencies and settings.
// Zero durations and sizes take the defaults named.
type OID4VCIConfig struct {
	Issuer   *Service
	Store    OID4VCIStore
	Resolver did.Resolver
	// PublicURL is the Credential Issuer Identifier (and the authorization
	// server's issuer).
	PublicURL string
	Mailer    Mailer
	Logger    *slog.Logger
	Now       func() time.Time
	// OfferTTL is how long an offer and its codes stay redeemable (24h).
	OfferTTL time.Duration
	// AccessTokenTTL is the lifetime of access tokens (10m). Tokens of
	// deferred offers live until the offer expires, so the wallet can poll.
	AccessTokenTTL time.Duration
	// NonceTTL is the freshness window of a c_nonce (5m).
	NonceTTL time.Duration
	// ProofMaxAge is how old a proof's iat may be (5m); ProofSkew how far
	// ahead (1m).
	ProofMaxAge, ProofSkew time.Duration
	// BatchSize is the most proofs one Credential Request may carry (10;
	// at least 2 as §12.2.4 requires of batch_size).
	BatchSize int
	// TxCodeAttempts is how many tx_code attempts an offer allows (5).
	TxCodeAttempts int
	// DeferredInterval is the polling interval given with a transaction_id
	// (5s).
	DeferredInterval time.Duration
	// Secrets computes the keyed hashes kept at rest instead of secrets.
	// Every node sharing the store needs the same key: the cmd wiring
	// derives it from the KEK. Nil means a random key of this process
	// (tests).
	Secrets *keys.SecretHasher
	// SignIn bounds the email sign-in of the authorization code grant;
	// zero fields take DefaultSignInLimits.
	SignIn SignInLimits
}

// SignInLimits bound the email sign-in of the authorization code grant
// across all its sessions, so that the 6-digit code cannot be guessed by
// opening session after session and the recipient's inbox cannot be
// flooded. Each sign-in session allows 5 guesses and 3 mails on its own.
type SignInLimits struct {
	// GuessesPerOffer is how many codes may be tried for one offer, over
	// all its sessions and its lifetime (10). Once they are used up the
	// offer's authorization_code grant is withdrawn, the right code
	// included, as tx_code attempts withdraw the pre-authorized code.
	GuessesPerOffer int
	// MailsPerOffer is how many codes are mailed for one offer over its
	// lifetime (5).
	MailsPerOffer int
	// GuessesPerAddress and MailsPerAddress bound the same per recipient
	// address, across offers, per AddressWindow (20 and 10 per 24h).
	GuessesPerAddress, MailsPerAddress int
	AddressWindow                      time.Duration
	// SessionsPerOffer and SessionsPerClient bound how many sign-in
	// sessions one offer, and one client address, may open per
	// SessionWindow (10 and 30 per hour).
	SessionsPerOffer, SessionsPerClient int
	SessionWindow                       time.Duration
}

// DefaultSignInLimits are the limits of a zero SignInLimits.
var DefaultSignInLimits = SignInLimits{GuessesPerOffer: 10, MailsPerOffer: 5, GuessesPerAddress: 20, MailsPerAddress: 10,
	AddressWindow: 24 * time.Hour, SessionsPerOffer: 10, SessionsPerClient: 30, SessionWindow: time.Hour}

// ErrRateLimited reports a sign-in refused by SignInLimits for a while.
var ErrRateLimited = errors.New("too many sign-in attempts")

// RateLimitError is ErrRateLimited with the time to wait.
type RateLimitError struct {
	// RetryAfter is how long until the limit lifts.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s: retry in %s", ErrRateLimited, e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// OID4VCI is the issuer side of OpenID for Verifiable Credential Issuance
// 1.0: offers, the pre-authorized code and authorization code grants, the
// token, nonce, credential, deferred credential and notification logic.
// It keeps every secret as a single-use store token with a TTL.
type OID4VCI struct {
	cfg     OID4VCIConfig
	log     *slog.Logger
	secrets *keys.SecretHasher
}

// Defaults of OID4VCIConfig.
const (
	DefaultOfferTTL       = 24 * time.Hour
	DefaultAccessTokenTTL = 10 * time.Minute
	DefaultNonceTTL       = 5 * time.Minute
	DefaultBatchSize      = 10

	txCodeLength      = 6
	emailCodeLength   = 6
	emailCodeTTL      = 10 * time.Minute
	emailSends        = 3
	emailAttempts     = 5
	authSessionTTL    = 15 * time.Minute
	authCodeTTL       = 5 * time.Minute
	maxOfferRecipient = 500
)

// NewOID4VCI returns the service.
func NewOID4VCI(cfg OID4VCIConfig) (*OID4VCI, error) {
	if cfg.Issuer == nil || cfg.Store == nil || cfg.Resolver == nil {
		return nil, errors.New("oid4vci: issuer, store and resolver are required")
	}
	if _, err := oid4vci.WellKnownURL(cfg.PublicURL, oid4vci.WellKnownCredentialIssuer); err != nil {
		return nil, fmt.Errorf("oid4vci: public URL: %w", err)
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.OfferTTL, DefaultOfferTTL)
	def(&cfg.AccessTokenTTL, DefaultAccessTokenTTL)
	def(&cfg.NonceTTL, DefaultNonceTTL)
	def(&cfg.ProofMaxAge, 5*time.Minute)
	def(&cfg.ProofSkew, time.Minute)
	def(&cfg.DeferredInterval, 5*time.Second)
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.BatchSize < 2 {
		return nil, fmt.Errorf("oid4vci: batch size %d: want at least 2", cfg.BatchSize)
	}
	if cfg.TxCodeAttempts <= 0 {
		cfg.TxCodeAttempts = 5
	}
	log := cfg.Logger.With(logctx.KeyComponent, "oid4vci")
	if cfg.Mailer == nil {
		cfg.Mailer = LogMailer{Logger: log}
	}
	if cfg.Secrets == nil {
		cfg.Secrets = keys.NewRandomSecretHasher()
	}
	d := DefaultSignInLimits
	for _, f := range []struct {
		v   *int
		def int
	}{{&cfg.SignIn.GuessesPerOffer, d.GuessesPerOffer}, {&cfg.SignIn.MailsPerOffer, d.MailsPerOffer},
		{&cfg.SignIn.GuessesPerAddress, d.GuessesPerAddress}, {&cfg.SignIn.MailsPerAddress, d.MailsPerAddress},
		{&cfg.SignIn.SessionsPerOffer, d.SessionsPerOffer}, {&cfg.SignIn.SessionsPerClient, d.SessionsPerClient}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	def(&cfg.SignIn.AddressWindow, d.AddressWindow)
	def(&cfg.SignIn.SessionWindow, d.SessionWindow)
	return &OID4VCI{cfg: cfg, log: log, secrets: cfg.Secrets}, nil
}

func (o *OID4VCI) now() time.Time { return o.cfg.Now().UTC() }

func (o *OID4VCI) endpoint(path string) string { return o.cfg.PublicURL + path }

// --- metadata ---------------------------------------------------------------

// Metadata returns the Credential Issuer Metadata (§12.2): one ldp_vc and one
// jwt_vc_json configuration per achievement. ldp_vc (eddsa-rdfc-2022) is
// listed only while the active issuer key is Ed25519.
func (o *OID4VCI) Metadata(ctx context.Context) (oid4vci.IssuerMetadata, error) {
	active, err := o.cfg.Issuer.cfg.Identity.Active(ctx)
	if err != nil {
		return oid4vci.IssuerMetadata{}, err
	}
	md := oid4vci.IssuerMetadata{
		CredentialIssuer:                  o.cfg.PublicURL,
		CredentialEndpoint:                o.endpoint(OID4VCIPathCredential),
		NonceEndpoint:                     o.endpoint(OID4VCIPathNonce),
		DeferredCredentialEndpoint:        o.endpoint(OID4VCIPathDeferred),
		NotificationEndpoint:              o.endpoint(OID4VCIPathNotification),
		BatchCredentialIssuance:           &oid4vci.BatchCredentialIssuance{BatchSize: o.cfg.BatchSize},
		CredentialConfigurationsSupported: map[string]oid4vci.CredentialConfiguration{},
	}
	if p, err := o.cfg.Issuer.Profile(ctx, DefaultProfileID); err == nil {
		d := oid4vci.Display{Name: p.Name}
		if p.Image != nil && p.Image.ID != "" {
			d.Logo = &oid4vci.Logo{URI: p.Image.ID, AltText: p.Name}
		}
		md.Display = []oid4vci.Display{d}
	}
	after := ""
	for {
		items, next, _, err := o.cfg.Issuer.Achievements(ctx, after, 500)
		if err != nil {
			return oid4vci.IssuerMetadata{}, err
		}
		for _, a := range items {
			for id, c := range o.configurations(a, active.Alg) {
				md.CredentialConfigurationsSupported[id] = c
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	return md, nil
}

// configurations returns the credential configurations of one achievement.
func (o *OID4VCI) configurations(a Achievement, alg keys.Alg) map[string]oid4vci.CredentialConfiguration {
	disp := oid4vci.CredentialDisplay{Name: a.Name, Description: a.Description, Locale: a.InLanguage}
	if a.Image != nil && a.Image.ID != "" {
		alt := a.Image.Caption
		if alt == "" {
			alt = a.Name
		}
		disp.Logo = &oid4vci.Logo{URI: a.Image.ID, AltText: alt}
	}
	meta := &oid4vci.CredentialMetadata{
		Display: []oid4vci.CredentialDisplay{disp},
		Claims: []oid4vci.ClaimDescription{
			{Path: []any{"credentialSubject", "achievement", "name"}, Display: []oid4vci.Display{{Name: "Achievement"}}},
			{Path: []any{"issuer", "name"}, Display: []oid4vci.Display{{Name: "Issuer"}}},
			{Path: []any{"validFrom"}, Display: []oid4vci.Display{{Name: "Awarded"}}},
		},
	}
	proofs := map[string]oid4vci.ProofType{oid4vci.ProofTypeJWT: {ProofSigningAlgValuesSupported: algNames(oid4vci.DefaultProofAlgs)}}
	binding := []string{"did:key", "did:jwk"}
	types := credentialTypes()
	out := map[string]oid4vci.CredentialConfiguration{
		a.ID + suffixJWT: {
			Format:                               oid4vci.FormatJWTVCJSON,
			CredentialSigningAlgValuesSupported:  []string{string(alg)},
			CryptographicBindingMethodsSupported: binding,
			ProofTypesSupported:                  proofs,
			CredentialDefinition:                 &oid4vci.CredentialDefinition{Type: types},
			CredentialMetadata:                   meta,
		},
	}
	if alg == keys.EdDSA {
		out[a.ID+suffixLDP] = oid4vci.CredentialConfiguration{
			Format:                               oid4vci.FormatLDPVC,
			CredentialSigningAlgValuesSupported:  []string{"eddsa-rdfc-2022"},
			CryptographicBindingMethodsSupported: binding,
			ProofTypesSupported:                  proofs,
			CredentialDefinition:                 &oid4vci.CredentialDefinition{Context: ldpContexts(), Type: types},
			CredentialMetadata:                   meta,
		}
	}
	return out
}

// credentialTypes is the credential_definition.type of every
// configuration.
func credentialTypes() []string {
	return []string{credential.TypeVerifiableCredential, credential.TypeOpenBadgeCredential}
}

// ldpContexts is the credential_definition.@context of the ldp_vc
// configurations.
func ldpContexts() []string {
	return []string{credential.ContextVCv2, credential.ContextOB, credential.ContextOBExtensions}
}

func algNames(algs []keys.Alg) []string {
	out := make([]string, len(algs))
	for i, a := range algs {
		out[i] = string(a)
	}
	return out
}

// AuthorizationServerMetadata returns the OAuth 2.0 Authorization Server
// Metadata (RFC 8414) of the issuer, which is its own authorization server.
func (o *OID4VCI) AuthorizationServerMetadata() oid4vci.AuthorizationServerMetadata {
	return oid4vci.AuthorizationServerMetadata{
		Issuer:                                     o.cfg.PublicURL,
		AuthorizationEndpoint:                      o.endpoint(OID4VCIPathAuthorize),
		TokenEndpoint:                              o.endpoint(OID4VCIPathToken),
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        []string{oid4vci.GrantTypeAuthorizationCode, oid4vci.GrantTypePreAuthorizedCode},
		TokenEndpointAuthMethodsSupported:          []string{"none"},
		CodeChallengeMethodsSupported:              []string{oid4vci.CodeChallengeMethodS256},
		AuthorizationDetailsTypesSupported:         []string{oid4vci.AuthorizationDetailsType},
		AuthorizationResponseIssParameterSupported: true,
		PreAuthorizedGrantAnonymousAccessSupported: true,
	}
}

// configFormat returns the achievement and the issuer format of a
// configuration ID.
func configFormat(configID string) (achievementID, format string, ok bool) {
	if a, ok := strings.CutSuffix(configID, suffixLDP); ok && a != "" {
		return a, FormatLDP, true
	}
	if a, ok := strings.CutSuffix(configID, suffixJWT); ok && a != "" {
		return a, FormatJWT, true
	}
	return "", "", false
}

// --- offers -----------------------------------------------------------------

// OfferRequest asks for one Credential Offer per recipient (admin API).
type OfferRequest struct {
	AchievementID string      `json:"achievementId"`
	Recipients    []Recipient `json:"recipients"`
	// TxCode protects the pre-authorized code with a 6-digit transaction
	// code, returned to the admin for out-of-band delivery.
	TxCode bool `json:"txCode"`
	// Format is ldp_vc (default) or jwt_vc_json.
	Format string `json:"format,omitempty"`
	// Grants are pre-authorized_code (default) and/or authorization_code
	// (email recipients only: the recipient proves the address with a
	// one-time code).
	Grants []string `json:"grants,omitempty"`
	// Deferred makes the credential endpoint answer with a transaction_id;
	// the credential is delivered at the deferred endpoint once an admin
	// approves the offer, or after ApproveAfter when set.
	Deferred     bool   `json:"deferred,omitempty"`
	ApproveAfter string `json:"approveAfter,omitempty"`
}

// OfferResult is one created offer.
type OfferResult struct {
	ID        string    `json:"id"`
	Recipient Recipient `json:"recipient"`
	// OfferURI is the openid-credential-offer:// deep link (by reference).
	OfferURI string `json:"offerUri"`
	// CredentialOfferURI is the offer by reference (GET returns the JSON).
	CredentialOfferURI string `json:"credentialOfferUri"`
	// QRPNG and QRSVG are QR codes of OfferURI.
	QRPNG string `json:"qrPng"`
	QRSVG string `json:"qrSvg"`
	// TxCode is the transaction code to deliver to the recipient out of
	// band; it appears nowhere else.
	TxCode          string                  `json:"txCode,omitempty"`
	CredentialOffer oid4vci.CredentialOffer `json:"credentialOffer"`
	Expires         time.Time               `json:"expires"`
}

// scope is what a grant entitles to: the offer's recipient, achievement and
// configurations. Offers, authorization codes and access tokens carry it.
type scope struct {
	OfferID       string        `json:"offerId"`
	AchievementID string        `json:"achievementId"`
	Recipient     Recipient     `json:"recipient"`
	ConfigIDs     []string      `json:"configIds"`
	Deferred      bool          `json:"deferred,omitempty"`
	ApproveAfter  time.Duration `json:"approveAfter,omitempty"`
	// OfferExpires is when the offer, and deferred transactions, end.
	OfferExpires time.Time `json:"offerExpires"`
}

// offerRecord is an offer at rest. Offer holds no secret: the
// pre-authorized code and issuer_state are derived from the reference
// secret when the offer is served (derivedSecret), and only keyed hashes
// of the secrets are kept. Records written before keyed hashing hold the
// codes in Offer and unkeyed SHA-256 hashes; they keep working until they
// expire (checkSecret).
type offerRecord struct {
	Scope      scope                   `json:"scope"`
	Offer      oid4vci.CredentialOffer `json:"offer"`
	RefHash    string                  `json:"refHash"`
	CodeHash   string                  `json:"codeHash,omitempty"`
	StateHash  string                  `json:"stateHash,omitempty"`
	TxCodeHash string                  `json:"txCodeHash,omitempty"`
	Created    time.Time               `json:"created"`
}

// Purposes of keyed hashes: a hash made for one never matches another.
const (
	purposeRef         = "offer reference"
	purposePreAuth     = "pre-authorized_code"
	purposeIssuerState = "issuer_state"
	purposeTxCode      = "tx_code"
	purposeAccessToken = "access_token"
	purposeAuthSession = "sign-in session"
	purposeEmailCode   = "email code"
	purposeAuthCode    = "authorization code"
	purposeRecipient   = "recipient address"
	purposeClient      = "client address"
	keyedPrefix        = "k1:" // marks a keyed hash; unmarked hashes are the unkeyed SHA-256 of older records
)

// newSecret returns "<id>.<256 random bits>" and the keyed hash to keep.
func (o *OID4VCI) newSecret(purpose, id string) (secret, hash string) {
	r := randomToken(32)
	return id + "." + r, o.hashSecret(purpose, id, r)
}

// hashSecret is the keyed hash kept at rest of a secret of purpose that
// belongs to id (an offer ID, a session key).
func (o *OID4VCI) hashSecret(purpose, id, value string) string {
	return keyedPrefix + o.secrets.Sum(purpose, id, value)
}

// checkSecret reports, in constant time, whether value is the secret of
// purpose and id whose hash is kept. A hash without keyedPrefix is the
// unkeyed SHA-256 of value that records written before keyed hashing hold.
func (o *OID4VCI) checkSecret(hash, purpose, id, value string) bool {
	if h, ok := strings.CutPrefix(hash, keyedPrefix); ok {
		return o.secrets.Equal(h, purpose, id, value)
	}
	return hash != "" && equalSecret(value, hash)
}

// storeKey is the store key of a secret: its keyed hash.
func (o *OID4VCI) storeKey(purpose, secret string) string {
	return o.secrets.Sum(purpose, secret)
}

// derivedSecret is the offer secret of purpose that the reference secret
// refRandom derives: "<id>.<HMAC>". Serving the offer by reference
// recomputes it, so the store never holds it; without refRandom, which is
// not stored either, nobody can.
func (o *OID4VCI) derivedSecret(purpose, id, refRandom string) string {
	return id + "." + o.secrets.Sum("derive "+purpose, id, refRandom)
}

// offerWithSecrets returns the offer of rec with the pre-authorized code
// and issuer_state that refRandom derives filled in, copying what it
// changes. Older records hold them already.
func (o *OID4VCI) offerWithSecrets(rec offerRecord, refRandom string) oid4vci.CredentialOffer {
	offer := rec.Offer
	if offer.Grants == nil {
		return offer
	}
	g := *offer.Grants
	if pg := g.PreAuthorizedCode; pg != nil && pg.PreAuthorizedCode == "" && rec.CodeHash != "" {
		c := *pg
		c.PreAuthorizedCode = o.derivedSecret(purposePreAuth, rec.Scope.OfferID, refRandom)
		g.PreAuthorizedCode = &c
	}
	if ag := g.AuthorizationCode; ag != nil && ag.IssuerState == "" && rec.StateHash != "" {
		c := *ag
		c.IssuerState = o.derivedSecret(purposeIssuerState, rec.Scope.OfferID, refRandom)
		g.AuthorizationCode = &c
	}
	offer.Grants = &g
	return offer
}

// splitSecret splits "<id>.<random>".
func splitSecret(s string) (id, random string, ok bool) {
	id, random, ok = strings.Cut(s, ".")
	return id, random, ok && id != "" && random != ""
}

// secretKey is the store key of a secret: its SHA-256, hex.
func secretKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(n int) string {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, _ := rand.Int(rand.Reader, max)
	return fmt.Sprintf("%0*d", n, v)
}

func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(secretKey(a)), []byte(b)) == 1
}

func (r *OfferRequest) validate() (format string, grants []string, approveAfter time.Duration, err error) {
	var p []*credential.ValidationError
	bad := func(field, reason string) { p = append(p, &credential.ValidationError{Field: field, Reason: reason}) }
	if r.AchievementID == "" {
		bad("achievementId", "is required")
	}
	switch f, ok := ParseFormat(r.Format); {
	case !ok:
		bad("format", formatsAccepted)
	case f == FormatJWT:
		format = oid4vci.FormatJWTVCJSON
	default:
		format = oid4vci.FormatLDPVC
	}
	grants = r.Grants
	if len(grants) == 0 {
		grants = []string{GrantPreAuthorized}
	}
	seen := map[string]bool{}
	for i, g := range grants {
		if g != GrantPreAuthorized && g != GrantAuthorizationCode {
			bad(fmt.Sprintf("grants[%d]", i), `must be "pre-authorized_code" or "authorization_code"`)
		}
		if seen[g] {
			bad(fmt.Sprintf("grants[%d]", i), "is repeated")
		}
		seen[g] = true
	}
	if r.TxCode && !seen[GrantPreAuthorized] {
		bad("txCode", "applies to the pre-authorized_code grant only")
	}
	if r.ApproveAfter != "" {
		d, perr := time.ParseDuration(r.ApproveAfter)
		switch {
		case perr != nil || d <= 0:
			bad("approveAfter", "must be a positive duration such as 30s")
		case !r.Deferred:
			bad("approveAfter", "applies to deferred offers only")
		}
		approveAfter = d
	}
	if len(r.Recipients) == 0 || len(r.Recipients) > maxOfferRecipient {
		bad("recipients", fmt.Sprintf("give 1 to %d recipients", maxOfferRecipient))
	}
	for i, rc := range r.Recipients {
		f := fmt.Sprintf("recipients[%d]", i)
		switch {
		case rc.URL != "" || (rc.Email == "") == (rc.DID == ""):
			bad(f, "give exactly one of email or did")
		case rc.Email != "":
			if a, err := mail.ParseAddress(rc.Email); err != nil || a.Address != strings.TrimSpace(rc.Email) {
				bad(f+".email", "is not an email address")
			}
		default:
			if _, err := did.Parse(rc.DID); err != nil {
				bad(f+".did", "is not a valid DID")
			}
			if seen[GrantAuthorizationCode] {
				bad(f, "the authorization_code grant needs an email recipient (who proves the address)")
			}
		}
	}
	return format, grants, approveAfter, invalid(p)
}

// CreateOffers creates one Credential Offer per recipient, each with its
// own codes. The offers expire after OfferTTL.
func (o *OID4VCI) CreateOffers(ctx context.Context, req OfferRequest) ([]OfferResult, error) {
	format, grants, approveAfter, err := req.validate()
	if err != nil {
		return nil, err
	}
	ach, err := o.cfg.Issuer.Achievement(ctx, req.AchievementID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid([]*credential.ValidationError{{Field: "achievementId", Reason: fmt.Sprintf("no achievement %q", req.AchievementID)}})
	} else if err != nil {
		return nil, err
	}
	if format == oid4vci.FormatLDPVC {
		active, err := o.cfg.Issuer.cfg.Identity.Active(ctx)
		if err != nil {
			return nil, err
		}
		if active.Alg != keys.EdDSA {
			return nil, invalid([]*credential.ValidationError{{Field: "format", Reason: "ldp_vc needs an Ed25519 issuer key; use jwt_vc_json"}})
		}
	}
	configID := ach.ID + "_" + format
	now := o.now()
	expires := now.Add(o.cfg.OfferTTL).Truncate(time.Second)
	out := make([]OfferResult, 0, len(req.Recipients))
	for _, rc := range req.Recipients {
		// The ID is public (admin API, logs); the by-reference URL carries a
		// secret, since the offer it returns holds the codes.
		id := randomToken(12)
		ref, refHash := o.newSecret(purposeRef, id)
		_, refRandom, _ := splitSecret(ref)
		rec := offerRecord{
			Scope: scope{OfferID: id, AchievementID: ach.ID, Recipient: rc, ConfigIDs: []string{configID},
				Deferred: req.Deferred, ApproveAfter: approveAfter, OfferExpires: expires},
			Offer:   oid4vci.CredentialOffer{CredentialIssuer: o.cfg.PublicURL, CredentialConfigurationIDs: []string{configID}, Grants: &oid4vci.Grants{}},
			RefHash: refHash,
			Created: now,
		}
		res := OfferResult{ID: id, Recipient: rc, Expires: expires}
		for _, g := range grants {
			switch g {
			case GrantPreAuthorized:
				_, codeRandom, _ := splitSecret(o.derivedSecret(purposePreAuth, id, refRandom))
				rec.CodeHash = o.hashSecret(purposePreAuth, id, codeRandom)
				pg := &oid4vci.PreAuthorizedCodeGrant{}
				if req.TxCode {
					res.TxCode = randomDigits(txCodeLength)
					rec.TxCodeHash = o.hashSecret(purposeTxCode, id, res.TxCode)
					pg.TxCode = &oid4vci.TxCode{InputMode: "numeric", Length: txCodeLength,
						Description: "Enter the " + strconv.Itoa(txCodeLength) + "-digit code the issuer sent you with this badge"}
				}
				rec.Offer.Grants.PreAuthorizedCode = pg
			case GrantAuthorizationCode:
				_, stateRandom, _ := splitSecret(o.derivedSecret(purposeIssuerState, id, refRandom))
				rec.StateHash = o.hashSecret(purposeIssuerState, id, stateRandom)
				rec.Offer.Grants.AuthorizationCode = &oid4vci.AuthorizationCodeGrant{}
			}
		}
		if err := o.putJSON(ctx, tokOffer, id, rec, expires.Sub(now)); err != nil {
			return nil, fmt.Errorf("create offer: %w", err)
		}
		res.CredentialOffer = o.offerWithSecrets(rec, refRandom)
		res.CredentialOfferURI = o.endpoint(OID4VCIPathOffers + "/" + ref)
		res.OfferURI = oid4vci.OfferLinkByReference(res.CredentialOfferURI)
		res.QRPNG = res.CredentialOfferURI + "/qr.png"
		res.QRSVG = res.CredentialOfferURI + "/qr.svg"
		out = append(out, res)
		o.log.InfoContext(ctx, "credential offer created", logctx.KeyOfferID, id, "achievement_id", ach.ID,
			"recipient", rc, "configuration", configID, "grants", grants, "tx_code", req.TxCode, "deferred", req.Deferred)
	}
	return out, nil
}

// OfferView is a live offer as served by reference.
type OfferView struct {
	Offer oid4vci.CredentialOffer
	// Link is the openid-credential-offer:// deep link of the offer.
	Link    string
	Expires time.Time
}

// OfferByReference returns a live offer by the secret of its
// credential_offer_uri, or an error wrapping store.ErrNotFound once it has
// expired.
func (o *OID4VCI) OfferByReference(ctx context.Context, ref string) (OfferView, error) {
	rec, err := o.offerBySecret(ctx, purposeRef, ref, func(r offerRecord) string { return r.RefHash })
	if err != nil {
		return OfferView{}, err
	}
	_, refRandom, _ := splitSecret(ref)
	return OfferView{Offer: o.offerWithSecrets(rec, refRandom), Expires: rec.Scope.OfferExpires,
		Link: oid4vci.OfferLinkByReference(o.endpoint(OID4VCIPathOffers + "/" + ref))}, nil
}

// offerBySecret returns the live offer a "<offer ID>.<random>" secret of
// purpose belongs to, checking the secret against the hash hash picks from
// the record; anything else is store.ErrNotFound.
func (o *OID4VCI) offerBySecret(ctx context.Context, purpose, secret string, hash func(offerRecord) string) (offerRecord, error) {
	id, random, ok := splitSecret(secret)
	if !ok {
		return offerRecord{}, fmt.Errorf("offer: %w", store.ErrNotFound)
	}
	rec, err := o.offer(ctx, id)
	if err != nil {
		return offerRecord{}, err
	}
	if !o.checkSecret(hash(rec), purpose, id, random) {
		return offerRecord{}, fmt.Errorf("offer: %w", store.ErrNotFound)
	}
	return rec, nil
}

func (o *OID4VCI) offer(ctx context.Context, id string) (offerRecord, error) {
	var rec offerRecord
	if err := o.getJSON(ctx, tokOffer, id, &rec); err != nil {
		return offerRecord{}, fmt.Errorf("offer: %w", err)
	}
	if !o.now().Before(rec.Scope.OfferExpires) {
		return offerRecord{}, fmt.Errorf("offer: expired: %w", store.ErrNotFound)
	}
	return rec, nil
}

// ApproveOffer approves the deferred issuance of an offer: the wallet gets
// its credential at its next deferred credential request. Approving twice
// is not an error.
func (o *OID4VCI) ApproveOffer(ctx context.Context, id string) error {
	rec, err := o.offer(ctx, id)
	if err != nil {
		return err
	}
	if !rec.Scope.Deferred {
		return invalid([]*credential.ValidationError{{Field: "id", Reason: "the offer is not deferred"}})
	}
	err = o.cfg.Store.PutToken(ctx, tokApproved, id, []byte{1}, rec.Scope.OfferExpires.Sub(o.now()))
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("approve offer: %w", err)
	}
	o.log.InfoContext(ctx, "deferred offer approved", logctx.KeyOfferID, id)
	return nil
}

func (o *OID4VCI) putJSON(ctx context.Context, kind, id string, v any, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("put %s: %w", kind, store.ErrNotFound)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return o.cfg.Store.PutToken(ctx, kind, id, raw, ttl)
}

func (o *OID4VCI) getJSON(ctx context.Context, kind, id string, v any) error {
	raw, err := o.cfg.Store.GetToken(ctx, kind, id)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (o *OID4VCI) takeJSON(ctx context.Context, kind, id string, v any) error {
	raw, err := o.cfg.Store.TakeToken(ctx, kind, id)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// claimSlot claims the first free of max numbered slots of a counter kept
// as create-if-absent tokens: atomic across processes, so at most max
// callers ever succeed. It returns the slot number (1-based), or 0 when
// every slot is taken.
func (o *OID4VCI) claimSlot(ctx context.Context, kind, id string, max int, ttl time.Duration) (int, error) {
	for n := 1; n <= max; n++ {
		err := o.cfg.Store.PutToken(ctx, kind, id+"/"+strconv.Itoa(n), []byte{1}, ttl)
		switch {
		case err == nil:
			return n, nil
		case !errors.Is(err, store.ErrConflict):
			return 0, err
		}
	}
	return 0, nil
}

// --- token endpoint ---------------------------------------------------------

type accessRecord struct {
	Scope     scope  `json:"scope"`
	TokenHash string `json:"tokenHash"`
	// Identifiers maps each credential_identifier handed out in the token
	// response to its configuration; nil when none were.
	Identifiers map[string]string `json:"identifiers,omitempty"`
	Expires     time.Time         `json:"expires"`
}

type authCode struct {
	Scope         scope                         `json:"scope"`
	ClientID      string                        `json:"clientId"`
	RedirectURI   string                        `json:"redirectUri"`
	CodeChallenge string                        `json:"codeChallenge"`
	Details       []oid4vci.AuthorizationDetail `json:"details,omitempty"`
	Expires       time.Time                     `json:"expires"`
}

func errGrant() error {
	return oid4vci.Errorf(oid4vci.CodeInvalidGrant, "the code is invalid, expired or already used")
}

// Token handles a Token Request (§6): the pre-authorized code grant with
// its tx_code, or the authorization code grant with PKCE S256. Errors are
// *oid4vci.Error for the client, or internal errors.
func (o *OID4VCI) Token(ctx context.Context, req oid4vci.TokenRequest) (oid4vci.TokenResponse, error) {
	switch req.GrantType {
	case oid4vci.GrantTypePreAuthorizedCode:
		return o.preAuthorizedToken(ctx, req)
	case oid4vci.GrantTypeAuthorizationCode:
		return o.authorizationCodeToken(ctx, req)
	}
	return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeUnsupportedGrantType, "grant_type is not supported")
}

func (o *OID4VCI) preAuthorizedToken(ctx context.Context, req oid4vci.TokenRequest) (oid4vci.TokenResponse, error) {
	rec, err := o.offerBySecret(ctx, purposePreAuth, req.PreAuthorizedCode, func(r offerRecord) string { return r.CodeHash })
	if errors.Is(err, store.ErrNotFound) {
		return oid4vci.TokenResponse{}, errGrant()
	} else if err != nil {
		return oid4vci.TokenResponse{}, err
	}
	details, err := o.checkDetails(req.AuthorizationDetails, rec.Scope)
	if err != nil {
		return oid4vci.TokenResponse{}, err
	}
	sc := rec.Scope
	ttl := sc.OfferExpires.Sub(o.now())
	switch {
	case rec.TxCodeHash == "" && req.HasTxCode:
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidRequest, "tx_code was not expected: the offer has no tx_code")
	case rec.TxCodeHash != "" && !req.HasTxCode:
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidRequest, "tx_code is required: the offer asks for a transaction code")
	case rec.TxCodeHash != "":
		// Every attempt, right or wrong, takes a slot first: concurrent
		// guesses cannot exceed the limit.
		n, err := o.claimSlot(ctx, tokTxAttempt, sc.OfferID, o.cfg.TxCodeAttempts, ttl)
		if err != nil {
			return oid4vci.TokenResponse{}, err
		}
		// Once the slots are gone every later attempt ends here, the
		// right code included: the pre-authorized code is withdrawn.
		if n == 0 {
			return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "too many wrong tx_code attempts: the offer is withdrawn; ask the issuer for a new one")
		}
		if !o.checkSecret(rec.TxCodeHash, purposeTxCode, sc.OfferID, req.TxCode) {
			left := o.cfg.TxCodeAttempts - n
			if left == 0 {
				o.log.WarnContext(ctx, "tx_code attempts exhausted; pre-authorized code withdrawn", logctx.KeyOfferID, sc.OfferID)
			}
			return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "the tx_code is wrong (%d attempts left)", left)
		}
	}
	return o.issueAccessToken(ctx, sc, details)
}

// checkDetails checks requested authorization_details against the offer:
// each names one of its configurations, and locations (if any) include
// this issuer.
func (o *OID4VCI) checkDetails(details []oid4vci.AuthorizationDetail, sc scope) ([]oid4vci.AuthorizationDetail, error) {
	for i, d := range details {
		if !slices.Contains(sc.ConfigIDs, d.CredentialConfigurationID) {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidAuthorizationDetails, "authorization_details[%d]: credential_configuration_id is not part of the offer", i)
		}
		if len(d.Locations) > 0 && !slices.Contains(d.Locations, o.cfg.PublicURL) {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidAuthorizationDetails, "authorization_details[%d]: locations must include %s", i, o.cfg.PublicURL)
		}
	}
	return details, nil
}

// issueAccessToken redeems the offer and returns its access token. The
// access record, keyed by the offer ID, is created if absent: that single
// atomic write is what makes every grant of an offer single use, so a
// replayed pre-authorized code, a second authorization, or both grants
// racing all end in invalid_grant. The record outlives the token until the
// offer expires, to keep refusing replays.
func (o *OID4VCI) issueAccessToken(ctx context.Context, sc scope, details []oid4vci.AuthorizationDetail) (oid4vci.TokenResponse, error) {
	now := o.now()
	left := sc.OfferExpires.Sub(now)
	if left <= 0 {
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "the offer has expired")
	}
	ttl := o.cfg.AccessTokenTTL
	if sc.Deferred && left > ttl {
		ttl = left
	}
	token, hash := o.newSecret(purposeAccessToken, sc.OfferID)
	rec := accessRecord{Scope: sc, Expires: now.Add(ttl), TokenHash: hash}
	resp := oid4vci.TokenResponse{AccessToken: token, TokenType: oid4vci.TokenTypeBearer, ExpiresIn: int64(ttl / time.Second)}
	if len(details) > 0 {
		rec.Identifiers = map[string]string{}
		for _, d := range details {
			id := d.CredentialConfigurationID + "#" + sc.OfferID[:8]
			rec.Identifiers[id] = d.CredentialConfigurationID
			resp.AuthorizationDetails = append(resp.AuthorizationDetails, oid4vci.AuthorizationDetail{
				Type: oid4vci.AuthorizationDetailsType, CredentialConfigurationID: d.CredentialConfigurationID,
				CredentialIdentifiers: []string{id},
			})
		}
	}
	if err := o.putJSON(ctx, tokAccess, sc.OfferID, rec, max(ttl, left)); errors.Is(err, store.ErrConflict) {
		return oid4vci.TokenResponse{}, errGrant()
	} else if err != nil {
		return oid4vci.TokenResponse{}, fmt.Errorf("access token: %w", err)
	}
	// Compatibility: wallets of pre-final drafts (no nonce endpoint) take
	// their first c_nonce from the token response; 1.0 wallets ignore it.
	// Failing to make one fails nothing: such a wallet gets invalid_proof
	// with a fresh c_nonce at its first Credential Request.
	if n, err := o.Nonce(ctx); err == nil {
		resp.CNonce, resp.CNonceExpiresIn = n, o.nonceExpiresIn()
	} else {
		o.log.WarnContext(ctx, "c_nonce for the token response", logctx.KeyOfferID, sc.OfferID, logctx.KeyErr, err)
	}
	o.log.InfoContext(ctx, "access token issued", logctx.KeyOfferID, sc.OfferID, "expires_in", resp.ExpiresIn)
	return resp, nil
}

func (o *OID4VCI) authorizationCodeToken(ctx context.Context, req oid4vci.TokenRequest) (oid4vci.TokenResponse, error) {
	if req.ClientID == "" {
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidClient, "client authentication failed: a public client must send client_id")
	}
	var code authCode
	err := o.takeJSON(ctx, tokAuthCode, o.storeKey(purposeAuthCode, req.Code), &code)
	if errors.Is(err, store.ErrNotFound) {
		return oid4vci.TokenResponse{}, errGrant()
	} else if err != nil {
		return oid4vci.TokenResponse{}, err
	}
	switch {
	case !o.now().Before(code.Expires):
		return oid4vci.TokenResponse{}, errGrant()
	case req.ClientID != code.ClientID:
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "the code was issued to another client")
	case req.RedirectURI != code.RedirectURI:
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "redirect_uri does not match the authorization request")
	case !oid4vci.VerifyPKCE(req.CodeVerifier, code.CodeChallenge):
		return oid4vci.TokenResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidGrant, "code_verifier does not match the code_challenge")
	}
	details := code.Details
	if req.AuthorizationDetails != nil {
		if details, err = o.checkDetails(req.AuthorizationDetails, code.Scope); err != nil {
			return oid4vci.TokenResponse{}, err
		}
	}
	return o.issueAccessToken(ctx, code.Scope, details)
}

// --- authorization endpoint -------------------------------------------------

type authSession struct {
	Scope         scope                         `json:"scope"`
	ClientID      string                        `json:"clientId"`
	RedirectURI   string                        `json:"redirectUri"`
	State         string                        `json:"state,omitempty"`
	CodeChallenge string                        `json:"codeChallenge"`
	Details       []oid4vci.AuthorizationDetail `json:"details,omitempty"`
	Expires       time.Time                     `json:"expires"`
}

// Authorization stages shown to the user.
const (
	StageEmail = "email" // ask for the email address
	StageCode  = "code"  // ask for the one-time code
)

// AuthorizationStep tells the authorization page what to do next: redirect
// the user agent to Redirect (a code or a terminal error for the wallet),
// or show the form of Stage with Message.
type AuthorizationStep struct {
	Redirect    string
	Stage       string
	SessionID   string
	Achievement string
	Message     string
}

// StartAuthorization checks an Authorization Request (§5.1) that carries
// the issuer_state of an offer and opens a session in which the recipient
// proves the email address the badge was awarded to. A request that cannot
// be tied to a live offer is refused with an *oid4vci.Error to show to the
// user, never redirected: without client registration, redirecting it
// would make this endpoint an open redirector. Other errors are redirected
// to the wallet (RFC 6749 §4.1.2.1). client is the user agent's address:
// sessions are limited per offer and per client address (SignInLimits),
// beyond which the error is a *RateLimitError; "" skips the client limit.
func (o *OID4VCI) StartAuthorization(ctx context.Context, q url.Values, client string) (AuthorizationStep, error) {
	req, perr := oid4vci.ParseAuthorizationRequest(q)
	state := q.Get("issuer_state")
	if req.RedirectURI == "" {
		return AuthorizationStep{}, perr
	}
	if state == "" {
		return AuthorizationStep{}, oid4vci.Errorf(oid4vci.CodeInvalidRequest, "issuer_state is required: start from the credential offer in your wallet")
	}
	rec, err := o.offerBySecret(ctx, purposeIssuerState, state, func(r offerRecord) string { return r.StateHash })
	if errors.Is(err, store.ErrNotFound) {
		return AuthorizationStep{}, oid4vci.Errorf(oid4vci.CodeInvalidRequest, "the offer is unknown or has expired")
	} else if err != nil {
		return AuthorizationStep{}, err
	}
	if perr != nil {
		return AuthorizationStep{Redirect: o.errorRedirect(req.RedirectURI, q.Get("state"), perr)}, nil
	}
	if _, err := o.cfg.Store.GetToken(ctx, tokAccess, rec.Scope.OfferID); err == nil {
		return AuthorizationStep{Redirect: o.errorRedirect(req.RedirectURI, req.State,
			oid4vci.Errorf(oid4vci.CodeAccessDenied, "the offer has already been redeemed"))}, nil
	}
	if withdrawn, err := o.withdrawn(ctx, rec.Scope.OfferID); err != nil {
		return AuthorizationStep{}, err
	} else if withdrawn {
		return AuthorizationStep{Redirect: o.errorRedirect(req.RedirectURI, req.State, errWithdrawn())}, nil
	}
	details, err := o.checkDetails(req.AuthorizationDetails, rec.Scope)
	if err != nil {
		return AuthorizationStep{Redirect: o.errorRedirect(req.RedirectURI, req.State, err)}, nil
	}
	// Every session costs one of the offer's and one of the client's,
	// counted before it is opened, so concurrent requests cannot exceed
	// either limit.
	lim := o.cfg.SignIn
	if err := o.limit(ctx, "session/offer", rec.Scope.OfferID, lim.SessionsPerOffer, lim.SessionWindow); err != nil {
		return AuthorizationStep{}, err
	}
	if client != "" {
		if err := o.limit(ctx, "session/client", o.storeKey(purposeClient, client), lim.SessionsPerClient, lim.SessionWindow); err != nil {
			return AuthorizationStep{}, err
		}
	}
	now := o.now()
	sess := authSession{Scope: rec.Scope, ClientID: req.ClientID, RedirectURI: req.RedirectURI, State: req.State,
		CodeChallenge: req.CodeChallenge, Details: details, Expires: now.Add(authSessionTTL)}
	id := randomToken(32)
	if err := o.putJSON(ctx, tokAuthSession, o.storeKey(purposeAuthSession, id), sess, authSessionTTL); err != nil {
		return AuthorizationStep{}, fmt.Errorf("authorization session: %w", err)
	}
	return AuthorizationStep{Stage: StageEmail, SessionID: id, Achievement: o.achievementName(ctx, rec.Scope.AchievementID),
		Message: "Enter the email address this badge was awarded to. We will send you a one-time code."}, nil
}

// limit counts one event against the sign-in counter "<kind>/<key>" and
// returns a *RateLimitError once more than max events fall in its window.
// Only the kind is logged.
func (o *OID4VCI) limit(ctx context.Context, kind, key string, max int, window time.Duration) error {
	n, err := o.count(ctx, kind+"/"+key, window)
	if err != nil {
		return err
	}
	if n > int64(max) {
		o.log.WarnContext(ctx, "sign-in rate limit reached", "limit", kind)
		return &RateLimitError{RetryAfter: window}
	}
	return nil
}

// count adds one to the sign-in counter id, which expires window after
// its first event, and returns the new count.
func (o *OID4VCI) count(ctx context.Context, id string, window time.Duration) (int64, error) {
	n, err := o.cfg.Store.Incr(ctx, tokAuthLimit, id, window)
	if err != nil {
		return 0, fmt.Errorf("sign-in limit: %w", err)
	}
	return n, nil
}

// withdrawn reports whether the offer's authorization_code grant has been
// withdrawn after too many wrong codes.
func (o *OID4VCI) withdrawn(ctx context.Context, offerID string) (bool, error) {
	_, err := o.cfg.Store.GetToken(ctx, tokWithdrawn, offerID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("offer withdrawal: %w", err)
}

// withdraw withdraws the offer's authorization_code grant until the offer
// expires.
func (o *OID4VCI) withdraw(ctx context.Context, sc scope) error {
	ttl := sc.OfferExpires.Sub(o.now())
	if ttl <= 0 {
		return nil
	}
	err := o.cfg.Store.PutToken(ctx, tokWithdrawn, sc.OfferID, []byte{1}, ttl)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("withdraw offer: %w", err)
	}
	if err == nil {
		o.log.WarnContext(ctx, "too many wrong email codes; the offer's authorization_code grant is withdrawn", logctx.KeyOfferID, sc.OfferID)
	}
	return nil
}

func errWithdrawn() error {
	return oid4vci.Errorf(oid4vci.CodeAccessDenied, "too many wrong codes were entered for this offer: it is withdrawn; ask the issuer for a new one")
}

// offerWindow is how long an offer-wide counter lives: until the offer
// expires (at least a second).
func (o *OID4VCI) offerWindow(sc scope) time.Duration {
	return max(sc.OfferExpires.Sub(o.now()), time.Second)
}

func (o *OID4VCI) achievementName(ctx context.Context, id string) string {
	if a, err := o.cfg.Issuer.Achievement(ctx, id); err == nil {
		return a.Name
	}
	return "your badge"
}

func (o *OID4VCI) session(ctx context.Context, id string) (authSession, error) {
	var s authSession
	err := o.getJSON(ctx, tokAuthSession, o.storeKey(purposeAuthSession, id), &s)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !o.now().Before(s.Expires)) {
		return authSession{}, oid4vci.Errorf(oid4vci.CodeAccessDenied, "the sign-in has expired; start again from your wallet")
	}
	return s, err
}

// SendAuthorizationCode sends a one-time code to email if it is the address
// the offer's badge was awarded to. The answer is the same either way, so
// the page reveals nothing about the address. Mails are limited per
// session, per offer and per recipient address (SignInLimits).
func (o *OID4VCI) SendAuthorizationCode(ctx context.Context, sessionID, email string) (AuthorizationStep, error) {
	s, err := o.session(ctx, sessionID)
	if err != nil {
		return AuthorizationStep{}, err
	}
	step := AuthorizationStep{Stage: StageCode, SessionID: sessionID, Achievement: o.achievementName(ctx, s.Scope.AchievementID),
		Message: "If this is the address the badge was awarded to, a code is on its way. Enter it below."}
	key := o.storeKey(purposeAuthSession, sessionID)
	n, err := o.claimSlot(ctx, tokEmailSend, key, emailSends, authSessionTTL)
	if err != nil {
		return AuthorizationStep{}, err
	}
	if n == 0 {
		step.Message = "Too many codes were requested. Enter the last code you received, or start again from your wallet."
		return step, nil
	}
	want := s.Scope.Recipient.Email
	if want == "" || credential.NormalizeEmail(email) != credential.NormalizeEmail(want) {
		o.log.InfoContext(ctx, "authorization: email does not match the offer", logctx.KeyOfferID, s.Scope.OfferID)
		return step, nil
	}
	// The offer's mail counter, then the address's, is spent only on mails
	// that may go out; the answer stays the same when one is exhausted.
	lim := o.cfg.SignIn
	perOffer, err := o.count(ctx, "mail/offer/"+s.Scope.OfferID, o.offerWindow(s.Scope))
	if err != nil {
		return AuthorizationStep{}, err
	}
	var perAddress int64
	if perOffer <= int64(lim.MailsPerOffer) {
		perAddress, err = o.count(ctx, "mail/address/"+o.storeKey(purposeRecipient, credential.NormalizeEmail(want)), lim.AddressWindow)
		if err != nil {
			return AuthorizationStep{}, err
		}
	}
	if perOffer > int64(lim.MailsPerOffer) || perAddress > int64(lim.MailsPerAddress) {
		o.log.WarnContext(ctx, "authorization: mail limit reached; no code sent", logctx.KeyOfferID, s.Scope.OfferID)
		return step, nil
	}
	code := randomDigits(emailCodeLength)
	_, _ = o.cfg.Store.TakeToken(ctx, tokEmailCode, key)
	if err := o.cfg.Store.PutToken(ctx, tokEmailCode, key, []byte(o.hashSecret(purposeEmailCode, key, code)), emailCodeTTL); err != nil {
		return AuthorizationStep{}, fmt.Errorf("email code: %w", err)
	}
	if err := o.cfg.Mailer.Send(ctx, Mail{To: want, Subject: "Your code to claim " + step.Achievement,
		Body: "Your one-time code is " + code + ". It expires in 10 minutes. If you did not ask for it, ignore this message."}); err != nil {
		return AuthorizationStep{}, fmt.Errorf("send email code: %w", err)
	}
	return step, nil
}

// CompleteAuthorization checks the one-time code. A right code ends the
// session with a redirect carrying an authorization code; a wrong one asks
// again until the attempts run out, which redirects with access_denied.
// Every attempt counts against the session (5), the offer over all its
// sessions (SignInLimits.GuessesPerOffer, after which the offer's
// authorization_code grant is withdrawn) and the recipient address.
func (o *OID4VCI) CompleteAuthorization(ctx context.Context, sessionID, code string) (AuthorizationStep, error) {
	s, err := o.session(ctx, sessionID)
	if err != nil {
		return AuthorizationStep{}, err
	}
	key := o.storeKey(purposeAuthSession, sessionID)
	step := AuthorizationStep{Stage: StageCode, SessionID: sessionID, Achievement: o.achievementName(ctx, s.Scope.AchievementID)}
	n, err := o.claimSlot(ctx, tokEmailAttempt, key, emailAttempts, authSessionTTL)
	if err != nil {
		return AuthorizationStep{}, err
	}
	if n == 0 {
		_, _ = o.cfg.Store.TakeToken(ctx, tokAuthSession, key)
		return AuthorizationStep{Redirect: o.errorRedirect(s.RedirectURI, s.State,
			oid4vci.Errorf(oid4vci.CodeAccessDenied, "too many wrong codes"))}, nil
	}
	// The offer-wide and address-wide counters are taken before the code
	// is compared, as the session's slot is: concurrent guesses across
	// sessions cannot exceed them. Past the offer's limit even the right
	// code is refused: the grant is withdrawn.
	lim := o.cfg.SignIn
	perOffer, err := o.count(ctx, "guess/offer/"+s.Scope.OfferID, o.offerWindow(s.Scope))
	if err != nil {
		return AuthorizationStep{}, err
	}
	withdrawn, err := o.withdrawn(ctx, s.Scope.OfferID)
	if err != nil {
		return AuthorizationStep{}, err
	}
	if withdrawn || perOffer > int64(lim.GuessesPerOffer) {
		if err := o.withdraw(ctx, s.Scope); err != nil {
			return AuthorizationStep{}, err
		}
		_, _ = o.cfg.Store.TakeToken(ctx, tokAuthSession, key)
		return AuthorizationStep{Redirect: o.errorRedirect(s.RedirectURI, s.State, errWithdrawn())}, nil
	}
	perAddress, err := o.count(ctx, "guess/address/"+o.storeKey(purposeRecipient, credential.NormalizeEmail(s.Scope.Recipient.Email)), lim.AddressWindow)
	if err != nil {
		return AuthorizationStep{}, err
	}
	if perAddress > int64(lim.GuessesPerAddress) {
		_, _ = o.cfg.Store.TakeToken(ctx, tokAuthSession, key)
		return AuthorizationStep{Redirect: o.errorRedirect(s.RedirectURI, s.State,
			oid4vci.Errorf(oid4vci.CodeAccessDenied, "too many codes were tried for this address today; try again tomorrow"))}, nil
	}
	want, err := o.cfg.Store.GetToken(ctx, tokEmailCode, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return AuthorizationStep{}, err
	}
	if err != nil || !o.checkSecret(string(want), purposeEmailCode, key, strings.TrimSpace(code)) {
		left := min(emailAttempts-n, lim.GuessesPerOffer-int(perOffer))
		if left > 0 {
			step.Message = fmt.Sprintf("That code is not right or has expired (%d attempts left).", left)
			return step, nil
		}
		if int(perOffer) >= lim.GuessesPerOffer {
			if err := o.withdraw(ctx, s.Scope); err != nil {
				return AuthorizationStep{}, err
			}
			_, _ = o.cfg.Store.TakeToken(ctx, tokAuthSession, key)
			return AuthorizationStep{Redirect: o.errorRedirect(s.RedirectURI, s.State, errWithdrawn())}, nil
		}
		_, _ = o.cfg.Store.TakeToken(ctx, tokAuthSession, key)
		return AuthorizationStep{Redirect: o.errorRedirect(s.RedirectURI, s.State,
			oid4vci.Errorf(oid4vci.CodeAccessDenied, "too many wrong codes"))}, nil
	}
	if _, err := o.cfg.Store.TakeToken(ctx, tokAuthSession, key); err != nil {
		return AuthorizationStep{}, oid4vci.Errorf(oid4vci.CodeAccessDenied, "the sign-in has already been completed")
	}
	_, _ = o.cfg.Store.TakeToken(ctx, tokEmailCode, key)
	ac := randomToken(32)
	rec := authCode{Scope: s.Scope, ClientID: s.ClientID, RedirectURI: s.RedirectURI, CodeChallenge: s.CodeChallenge,
		Details: s.Details, Expires: o.now().Add(authCodeTTL)}
	if err := o.putJSON(ctx, tokAuthCode, o.storeKey(purposeAuthCode, ac), rec, authCodeTTL); err != nil {
		return AuthorizationStep{}, fmt.Errorf("authorization code: %w", err)
	}
	o.log.InfoContext(ctx, "recipient proved the email address; authorization code issued", logctx.KeyOfferID, s.Scope.OfferID)
	return AuthorizationStep{Redirect: addQuery(s.RedirectURI, url.Values{"code": {ac}, "state": optional(s.State), "iss": {o.cfg.PublicURL}})}, nil
}

func optional(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// errorRedirect builds the error response of the authorization endpoint
// (RFC 6749 §4.1.2.1, with iss of RFC 9207).
func (o *OID4VCI) errorRedirect(redirectURI, state string, err error) string {
	var e *oid4vci.Error
	if !errors.As(err, &e) {
		e = oid4vci.Errorf(oid4vci.CodeServerError, "the request could not be processed")
	}
	return addQuery(redirectURI, url.Values{"error": {e.Code}, "error_description": optional(e.Description),
		"state": optional(state), "iss": {o.cfg.PublicURL}})
}

// addQuery adds params to u, keeping its own query (RFC 6749 §3.1.2).
func addQuery(u string, params url.Values) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := pu.Query()
	for k, vs := range params {
		for _, v := range vs {
			q.Set(k, v)
		}
	}
	pu.RawQuery = q.Encode()
	return pu.String()
}

// --- nonce and credential endpoints -----------------------------------------

// Nonce returns a fresh c_nonce (§7), single use and valid for NonceTTL.
func (o *OID4VCI) Nonce(ctx context.Context) (string, error) {
	n := randomToken(32)
	if err := o.cfg.Store.PutToken(ctx, tokNonce, secretKey(n), []byte{1}, o.cfg.NonceTTL); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	return n, nil
}

func (o *OID4VCI) nonceExpiresIn() int64 { return int64(o.cfg.NonceTTL / time.Second) }

// access returns the live access token record or invalid_token.
func (o *OID4VCI) access(ctx context.Context, token string) (accessRecord, error) {
	var rec accessRecord
	bad := oid4vci.Errorf(oid4vci.CodeInvalidToken, "the access token is invalid or has expired")
	id, random, ok := splitSecret(token)
	if !ok {
		return accessRecord{}, bad
	}
	err := o.getJSON(ctx, tokAccess, id, &rec)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!o.checkSecret(rec.TokenHash, purposeAccessToken, id, random) || !o.now().Before(rec.Expires))) {
		return accessRecord{}, bad
	}
	return rec, err
}

type deferredRecord struct {
	Scope      scope     `json:"scope"`
	ConfigID   string    `json:"configId"`
	HolderDIDs []string  `json:"holderDids"`
	ReadyAt    time.Time `json:"readyAt,omitzero"`
	// Shape is the response shape of the request that started the
	// transaction (pre-final wallets poll in their draft's shape).
	Shape oid4vci.ResponseShape `json:"shape,omitempty"`
}

type notificationRecord struct {
	OfferID       string   `json:"offerId"`
	CredentialIDs []string `json:"credentialIds"`
}

// Credential handles a Credential Request (§8) made with accessToken. It
// verifies every key proof, takes each c_nonce once, and issues one
// credential per proof bound to the proof's DID (credentialSubject.id), or
// starts a deferred transaction.
//
// Compatibility: a request in the shape of a pre-final draft (format and
// credential_definition, the singular proof) is served too, and answered
// in that draft's shape (req.Shape) with a fresh c_nonce, also on
// invalid_proof and invalid_nonce, since those wallets have no nonce
// endpoint.
func (o *OID4VCI) Credential(ctx context.Context, accessToken string, req oid4vci.CredentialRequest) (oid4vci.CredentialResponse, error) {
	shape := req.Shape()
	resp, err := o.credential(ctx, accessToken, req, shape)
	if shape == oid4vci.ShapeFinal {
		return resp, err
	}
	var oe *oid4vci.Error
	if err != nil && errors.As(err, &oe) && (oe.Code == oid4vci.CodeInvalidProof || oe.Code == oid4vci.CodeInvalidNonce) {
		if n, nerr := o.Nonce(ctx); nerr == nil {
			oe.CNonce, oe.CNonceExpiresIn = n, o.nonceExpiresIn()
		}
		return resp, err
	} else if err != nil {
		return resp, err
	}
	resp.Shape = shape
	if resp.CNonce, err = o.Nonce(ctx); err != nil {
		// The credentials are issued and marked delivered; a wallet
		// without a c_nonce for a next request loses nothing now.
		o.log.WarnContext(ctx, "c_nonce for a pre-final credential response", logctx.KeyErr, err)
		resp.CNonce = ""
	} else {
		resp.CNonceExpiresIn = o.nonceExpiresIn()
	}
	return resp, nil
}

func (o *OID4VCI) credential(ctx context.Context, accessToken string, req oid4vci.CredentialRequest, shape oid4vci.ResponseShape) (oid4vci.CredentialResponse, error) {
	acc, err := o.access(ctx, accessToken)
	if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	configID, err := o.requestedConfig(acc, req)
	if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	if req.ResponseEncryption != nil {
		return oid4vci.CredentialResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidEncryptionParameters, "credential response encryption is not supported by this issuer")
	}
	holders, err := o.checkProofs(ctx, acc.Scope, req)
	if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	// The offer is used up only once its credentials are delivered: a
	// failure on the way leaves the access token good for a retry (with a
	// fresh c_nonce), and the credential ids reserved per proof make that
	// retry deliver what an earlier attempt may already have stored
	// instead of issuing twice.
	marker := acc.Scope.OfferID + "/" + configID
	ttl := acc.Expires.Sub(o.now())
	if _, err := o.cfg.Store.GetToken(ctx, tokIssued, marker); err == nil {
		return oid4vci.CredentialResponse{}, errAlreadyIssued()
	} else if !errors.Is(err, store.ErrNotFound) {
		return oid4vci.CredentialResponse{}, err
	}
	// One request at a time per credential, so that two requests with
	// different keys cannot both be served. A lock that outlives a failed
	// release expires after issueLockTTL.
	if err := o.cfg.Store.PutToken(ctx, tokIssuing, marker, []byte{1}, min(issueLockTTL, ttl)); errors.Is(err, store.ErrConflict) {
		return oid4vci.CredentialResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "another Credential Request for this credential is being served: retry in a few seconds with a fresh c_nonce")
	} else if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	defer func() { _, _ = o.cfg.Store.TakeToken(context.WithoutCancel(ctx), tokIssuing, marker) }()
	if _, err := o.cfg.Store.GetToken(ctx, tokIssued, marker); err == nil {
		return oid4vci.CredentialResponse{}, errAlreadyIssued()
	} else if !errors.Is(err, store.ErrNotFound) {
		return oid4vci.CredentialResponse{}, err
	}
	var resp oid4vci.CredentialResponse
	if acc.Scope.Deferred {
		// The transaction is written first; one whose marker then fails
		// is never handed out, so it delivers nothing.
		txID := randomToken(32)
		rec := deferredRecord{Scope: acc.Scope, ConfigID: configID, HolderDIDs: holders, Shape: shape}
		if acc.Scope.ApproveAfter > 0 {
			rec.ReadyAt = o.now().Add(acc.Scope.ApproveAfter)
		}
		if err := o.putJSON(ctx, tokDeferred, secretKey(txID), rec, acc.Scope.OfferExpires.Sub(o.now())); err != nil {
			return oid4vci.CredentialResponse{}, fmt.Errorf("deferred transaction: %w", err)
		}
		resp = oid4vci.CredentialResponse{TransactionID: txID, Interval: o.interval()}
	} else {
		if resp, err = o.issue(ctx, acc.Scope, configID, holders); err != nil {
			return oid4vci.CredentialResponse{}, err
		}
	}
	if err := o.cfg.Store.PutToken(ctx, tokIssued, marker, []byte{1}, ttl); err != nil && !errors.Is(err, store.ErrConflict) {
		return oid4vci.CredentialResponse{}, fmt.Errorf("mark delivered: %w", err)
	}
	if acc.Scope.Deferred {
		o.log.InfoContext(ctx, "deferred issuance started", logctx.KeyOfferID, acc.Scope.OfferID, "proofs", len(holders), "shape", shape)
	} else if shape != oid4vci.ShapeFinal {
		o.log.InfoContext(ctx, "pre-final credential request served", logctx.KeyOfferID, acc.Scope.OfferID, "shape", shape)
	}
	return resp, nil
}

// issueLockTTL bounds how long a Credential Request holds its credential's
// lock when releasing it fails.
const issueLockTTL = 30 * time.Second

func errAlreadyIssued() error {
	return oid4vci.Errorf(oid4vci.CodeCredentialRequestDenied, "this credential has already been issued under this access token")
}

// reserveCredentialID returns the credential id reserved for the n-th
// proof (by holder) of a delivery, reserving a new one the first time.
// Reservations live as long as the offer.
func (o *OID4VCI) reserveCredentialID(ctx context.Context, sc scope, configID string, n int, holder string) (string, error) {
	h := sha256.Sum256([]byte(holder))
	key := sc.OfferID + "/" + configID + "/" + strconv.Itoa(n) + "/" + hex.EncodeToString(h[:16])
	for range 2 {
		id := "urn:uuid:" + uuid.Must(uuid.NewV7()).String()
		err := o.cfg.Store.PutToken(ctx, tokReserved, key, []byte(id), sc.OfferExpires.Sub(o.now()))
		if err == nil {
			return id, nil
		} else if !errors.Is(err, store.ErrConflict) {
			return "", fmt.Errorf("reserve credential id: %w", err)
		}
		raw, err := o.cfg.Store.GetToken(ctx, tokReserved, key)
		if err == nil {
			return string(raw), nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("reserve credential id: %w", err)
		}
	}
	return "", fmt.Errorf("reserve credential id: %w", store.ErrConflict)
}

func (o *OID4VCI) interval() int64 {
	return max(1, int64(o.cfg.DeferredInterval/time.Second))
}

// requestedConfig resolves credential_identifier, credential_configuration_id
// or (pre-final drafts) format with credential_definition against the
// access token.
func (o *OID4VCI) requestedConfig(acc accessRecord, req oid4vci.CredentialRequest) (string, error) {
	if req.Format != "" {
		if acc.Identifiers != nil {
			return "", oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "the token response returned credential_identifiers: send credential_identifier, not format")
		}
		return configForFormat(acc.Scope, req.Format, req.Definition)
	}
	if req.CredentialIdentifier != "" {
		c, ok := acc.Identifiers[req.CredentialIdentifier]
		if !ok {
			return "", oid4vci.Errorf(oid4vci.CodeUnknownCredentialIdentifier, "credential_identifier is not one the token response handed out")
		}
		return c, nil
	}
	if acc.Identifiers != nil {
		return "", oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "the token response returned credential_identifiers: send credential_identifier, not credential_configuration_id")
	}
	if _, _, ok := configFormat(req.CredentialConfigurationID); !ok || !slices.Contains(acc.Scope.ConfigIDs, req.CredentialConfigurationID) {
		return "", oid4vci.Errorf(oid4vci.CodeUnknownCredentialConfiguration, "credential_configuration_id is not one this access token was issued for")
	}
	return req.CredentialConfigurationID, nil
}

// configForFormat maps a pre-final request's format and
// credential_definition (draft 13 §7.2, Appendix E.1) to the configuration
// of the offer that has that format and those types: an unknown format, or
// one the offer's credential is not available in, is
// unsupported_credential_format; types (and for ldp_vc contexts) other
// than the configuration's are unsupported_credential_type (the codes of
// draft 13 §7.3.1.2); a missing credential_definition, or a request that
// matches more than one configuration, is invalid_credential_request.
func configForFormat(sc scope, format string, def *oid4vci.CredentialDefinition) (string, error) {
	var want string
	switch format {
	case oid4vci.FormatLDPVC:
		want = FormatLDP
	case oid4vci.FormatJWTVCJSON:
		want = FormatJWT
	default:
		return "", oid4vci.Errorf(oid4vci.CodeUnsupportedCredentialFormat, "format %.64q is not supported; this issuer issues %s and %s", format, oid4vci.FormatLDPVC, oid4vci.FormatJWTVCJSON)
	}
	if def == nil {
		return "", oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "credential_definition (with type) is required with format")
	}
	var matches []string
	for _, id := range sc.ConfigIDs {
		if _, f, ok := configFormat(id); ok && f == want {
			matches = append(matches, id)
		}
	}
	if len(matches) == 0 {
		return "", oid4vci.Errorf(oid4vci.CodeUnsupportedCredentialFormat, "the offered credential is not available as %s; the offer names %s", format, strings.Join(sc.ConfigIDs, ", "))
	}
	// OpenBadgeCredential and its alias AchievementCredential, with or
	// without VerifiableCredential, in any order.
	hasOB := false
	for _, t := range def.Type {
		switch t {
		case credential.TypeOpenBadgeCredential, credential.TypeAchievementCredential:
			hasOB = true
		case credential.TypeVerifiableCredential:
		default:
			return "", oid4vci.Errorf(oid4vci.CodeUnsupportedCredentialType, "credential_definition.type %.64q is not offered; this credential is of type %s", t, strings.Join(credentialTypes(), ", "))
		}
	}
	if !hasOB {
		return "", oid4vci.Errorf(oid4vci.CodeUnsupportedCredentialType, "credential_definition.type must name %s", credential.TypeOpenBadgeCredential)
	}
	if format == oid4vci.FormatLDPVC {
		if def.Context == nil {
			return "", oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "credential_definition.@context is required for ldp_vc")
		}
		for _, c := range def.Context {
			if !slices.Contains(ldpContexts(), c) {
				return "", oid4vci.Errorf(oid4vci.CodeUnsupportedCredentialType, "credential_definition.@context %.100q is not one this credential uses (%s)", c, strings.Join(ldpContexts(), ", "))
			}
		}
	}
	if len(matches) > 1 {
		return "", oid4vci.Errorf(oid4vci.CodeInvalidCredentialRequest, "format %s matches several offered credentials (%s): send credential_configuration_id", format, strings.Join(matches, ", "))
	}
	return matches[0], nil
}

// checkProofs verifies the request's jwt proofs and takes their nonces. It
// returns the holder DIDs, one per proof.
func (o *OID4VCI) checkProofs(ctx context.Context, sc scope, req oid4vci.CredentialRequest) ([]string, error) {
	p := req.Proofs
	switch {
	case p == nil:
		return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "proofs is required: this credential is bound to a key")
	case p.Type != oid4vci.ProofTypeJWT:
		return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "proof type %q is not supported; use jwt", p.Type)
	case p.Len() > o.cfg.BatchSize:
		return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "at most %d proofs (batch_size) per request", o.cfg.BatchSize)
	}
	opts := oid4vci.ProofOptions{Audience: o.cfg.PublicURL, Now: o.now(), MaxAge: o.cfg.ProofMaxAge, Skew: o.cfg.ProofSkew,
		Resolver: o.cfg.Resolver, RequireNonce: true}
	var holders []string
	keysSeen := map[string]bool{}
	nonces := map[string]bool{}
	for i, tok := range p.JWT {
		pr, err := oid4vci.CheckProofJWT(ctx, tok, opts)
		if err != nil {
			var e *oid4vci.Error
			if errors.As(err, &e) && len(p.JWT) > 1 {
				e.Description = fmt.Sprintf("proofs.jwt[%d]: %s", i, e.Description)
			}
			return nil, err
		}
		// Compare the resolved keys, not kid strings: kid "did#frag", the
		// bare DID and did:jwk of the same key in any member order name
		// one key.
		der, err := keyBytes(pr.Key)
		if err != nil {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "proofs.jwt[%d]: unsupported key type", i)
		}
		if keysSeen[der] {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "proofs.jwt[%d] repeats a key: give one proof per key", i)
		}
		keysSeen[der] = true
		if sc.Recipient.DID != "" && !o.recipientKey(ctx, sc.Recipient.DID, pr.HolderDID, der) {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidProof, "the badge was awarded to another DID: prove control of a key of that DID")
		}
		holders = append(holders, pr.HolderDID)
		nonces[pr.Nonce] = true
	}
	// A batch may share one c_nonce; each nonce is taken exactly once.
	for n := range nonces {
		if _, err := o.cfg.Store.TakeToken(ctx, tokNonce, secretKey(n)); errors.Is(err, store.ErrNotFound) {
			return nil, oid4vci.Errorf(oid4vci.CodeInvalidNonce, "the c_nonce is unknown, expired or already used: get a fresh one from the nonce endpoint")
		} else if err != nil {
			return nil, err
		}
	}
	return holders, nil
}

// keyBytes identifies a public key by its DER SubjectPublicKeyInfo.
func keyBytes(pub any) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	return string(der), err
}

// recipientKey reports whether a proof by holder (with key der) proves
// control of the recipient DID the badge was awarded to: the same DID, or
// a did:key or did:jwk (resolved locally) whose one authentication key is
// that key, such as a did:jwk whose JWK members the wallet wrote in
// another order. Keys are compared, not DID strings.
func (o *OID4VCI) recipientKey(ctx context.Context, recipient, holder, der string) bool {
	if recipient == holder {
		return true
	}
	d, err := did.Parse(recipient)
	if err != nil || (d.Method != "jwk" && d.Method != "key") {
		return false
	}
	doc, err := o.cfg.Resolver.Resolve(ctx, d.String())
	if err != nil {
		return false
	}
	for _, rel := range doc.Authentication {
		vm, err := doc.Method(rel.Ref, did.Authentication)
		if err != nil {
			continue
		}
		pub, err := vm.PublicKey()
		if err != nil {
			continue
		}
		if k, err := keyBytes(pub); err == nil && k == der {
			return true
		}
	}
	return false
}

// issue signs one credential per holder and records a notification ID.
func (o *OID4VCI) issue(ctx context.Context, sc scope, configID string, holders []string) (oid4vci.CredentialResponse, error) {
	achID, format, _ := configFormat(configID)
	resp := oid4vci.CredentialResponse{}
	var ids []string
	for i, h := range holders {
		id, err := o.reserveCredentialID(ctx, sc, configID, i, h)
		if err != nil {
			return oid4vci.CredentialResponse{}, err
		}
		// An earlier attempt may have stored it before failing.
		rec, err := o.cfg.Issuer.Credential(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			rec, err = o.cfg.Issuer.Issue(ctx, IssueRequest{AchievementID: achID, Recipient: sc.Recipient, Format: format, HolderDID: h, CredentialID: id})
			if errors.Is(err, store.ErrConflict) {
				rec, err = o.cfg.Issuer.Credential(ctx, id) // a concurrent attempt stored it
			}
		}
		if errors.Is(err, ErrInvalid) {
			return oid4vci.CredentialResponse{}, oid4vci.Wrap(oid4vci.CodeCredentialRequestDenied, "the badge can no longer be issued; ask the issuer", err)
		} else if err != nil {
			return oid4vci.CredentialResponse{}, err
		}
		resp.Credentials = append(resp.Credentials, oid4vci.IssuedCredential{Credential: rec.Credential})
		ids = append(ids, rec.ID)
	}
	nid := randomToken(16)
	if err := o.putJSON(ctx, tokNotification, secretKey(nid), notificationRecord{OfferID: sc.OfferID, CredentialIDs: ids}, o.cfg.OfferTTL); err != nil {
		return oid4vci.CredentialResponse{}, fmt.Errorf("notification id: %w", err)
	}
	resp.NotificationID = nid
	o.log.InfoContext(ctx, "credentials issued over OpenID4VCI", logctx.KeyOfferID, sc.OfferID, "configuration", configID, "count", len(ids))
	return resp, nil
}

// Deferred handles a Deferred Credential Request (§9): the credentials once
// the offer is approved (or its approveAfter delay has passed), else the
// transaction_id again with the polling interval.
func (o *OID4VCI) Deferred(ctx context.Context, accessToken string, req oid4vci.DeferredRequest) (oid4vci.CredentialResponse, error) {
	acc, err := o.access(ctx, accessToken)
	if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	if req.ResponseEncryption != nil {
		return oid4vci.CredentialResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidEncryptionParameters, "credential response encryption is not supported by this issuer")
	}
	txKey := secretKey(req.TransactionID)
	var rec deferredRecord
	err = o.getJSON(ctx, tokDeferred, txKey, &rec)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Scope.OfferID != acc.Scope.OfferID) {
		return oid4vci.CredentialResponse{}, oid4vci.Errorf(oid4vci.CodeInvalidTransactionID, "the transaction_id is unknown, expired or already delivered")
	} else if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	ready := !rec.ReadyAt.IsZero() && !o.now().Before(rec.ReadyAt)
	if !ready {
		if _, err := o.cfg.Store.GetToken(ctx, tokApproved, rec.Scope.OfferID); err == nil {
			ready = true
		} else if !errors.Is(err, store.ErrNotFound) {
			return oid4vci.CredentialResponse{}, err
		}
	}
	if !ready {
		if rec.Shape != oid4vci.ShapeFinal {
			// Draft 13 §9.3: pending is the issuance_pending error.
			e := oid4vci.Errorf(oid4vci.CodeIssuancePending, "the credential is not ready yet: poll again after interval seconds")
			e.Interval = o.interval()
			return oid4vci.CredentialResponse{}, e
		}
		return oid4vci.CredentialResponse{TransactionID: req.TransactionID, Interval: o.interval()}, nil
	}
	// Issuing is idempotent (reserved credential ids): concurrent polls
	// get the same credentials, and a failed one leaves the transaction
	// for the next poll. It ends only once the credentials are delivered.
	resp, err := o.issue(ctx, rec.Scope, rec.ConfigID, rec.HolderDIDs)
	if err != nil {
		return oid4vci.CredentialResponse{}, err
	}
	if _, err := o.cfg.Store.TakeToken(ctx, tokDeferred, txKey); err != nil && !errors.Is(err, store.ErrNotFound) {
		return oid4vci.CredentialResponse{}, fmt.Errorf("end deferred transaction: %w", err)
	}
	if resp.Shape = rec.Shape; resp.Shape != oid4vci.ShapeFinal {
		if n, err := o.Nonce(ctx); err == nil {
			resp.CNonce, resp.CNonceExpiresIn = n, o.nonceExpiresIn()
		}
	}
	return resp, nil
}

// --- notifications ----------------------------------------------------------

// Notification is a wallet's event about an issued credential.
type Notification struct {
	Event       string    `json:"event"`
	Description string    `json:"description,omitempty"`
	Received    time.Time `json:"received"`
}

// Notify records a Notification Request (§11) on each credential the
// notification_id names. Repeating a notification changes nothing.
func (o *OID4VCI) Notify(ctx context.Context, accessToken string, req oid4vci.NotificationRequest) error {
	acc, err := o.access(ctx, accessToken)
	if err != nil {
		return err
	}
	var rec notificationRecord
	err = o.getJSON(ctx, tokNotification, secretKey(req.NotificationID), &rec)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rec.OfferID != acc.Scope.OfferID) {
		return oid4vci.Errorf(oid4vci.CodeInvalidNotificationID, "the notification_id is unknown or expired")
	} else if err != nil {
		return err
	}
	n := Notification{Event: req.Event, Description: req.EventDescription, Received: o.now()}
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	id := secretKey(req.NotificationID)[:16] + ":" + req.Event
	for _, cid := range rec.CredentialIDs {
		err := o.cfg.Store.Create(ctx, collNotificationsPrefix+storageKey(cid), id, raw)
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("record notification: %w", err)
		}
	}
	o.log.InfoContext(ctx, "wallet notification", logctx.KeyOfferID, rec.OfferID, "event", req.Event, "credentials", len(rec.CredentialIDs))
	return nil
}

// Notifications lists the wallet events recorded on a credential, oldest
// first. A credential without events has none; an unknown credential is
// store.ErrNotFound.
func (o *OID4VCI) Notifications(ctx context.Context, credentialID string) ([]Notification, error) {
	if _, err := o.cfg.Issuer.Credential(ctx, credentialID); err != nil {
		return nil, err
	}
	out := []Notification{}
	after := ""
	for {
		page, err := o.cfg.Store.List(ctx, collNotificationsPrefix+storageKey(credentialID), after, 100)
		if err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		for _, r := range page.Records {
			var n Notification
			if err := json.Unmarshal(r.Value, &n); err != nil {
				return nil, fmt.Errorf("notifications: %s: %w", r.ID, err)
			}
			out = append(out, n)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Received.Before(out[j].Received) })
	return out, nil
}
