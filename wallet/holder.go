package wallet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// Password length bounds, in characters (NIST SP 800-63B §5.1.1.2 asks for
// at least 8 and at least 64 allowed).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// Holder is a wallet user.
type Holder struct {
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
	// DefaultDID is the holder DID presentations are signed with when the
	// request names none: the did:key made at sign-up.
	DefaultDID string `json:"defaultDid"`
}

// LogValue keeps the email address out of logs.
func (h Holder) LogValue() slog.Value { return slog.StringValue(h.ID) }

type holderRecord struct {
	Holder
	PasswordHash string `json:"passwordHash"`
}

type emailRecord struct {
	HolderID string `json:"holderId"`
}

// Session is a signed-in holder's bearer token.
type Session struct {
	// Token is the opaque bearer token; the store keeps only its keyed hash (HMAC-SHA256).
	Token    string    `json:"token"`
	HolderID string    `json:"holderId"`
	Expires  time.Time `json:"expires"`
}

type sessionRecord struct {
	HolderID string    `json:"holderId"`
	Created  time.Time `json:"created"`
}

// Credentials is what a holder signs up and signs in with. ClientIP, set by
// the edge, keys the per-IP rate limit.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	ClientIP string `json:"-"`
}

// LogValue keeps the address and password out of logs.
func (c Credentials) LogValue() slog.Value { return slog.StringValue("[credentials]") }

// emailKey is the storage key of an address: the SHA-256 of its normalized
// form, so store keys do not spell addresses out.
func emailKey(email string) string {
	h := sha256.Sum256([]byte(credential.NormalizeEmail(email)))
	return hex.EncodeToString(h[:])
}

// sessionKey is the store key of a session token: its keyed hash.
func (s *Service) sessionKey(token string) string { return s.secrets.Sum("session", token) }

// legacySessionKey is the unkeyed SHA-256 key of sessions made before
// keyed hashing; they are still honoured until they expire.
func legacySessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (c *Credentials) validate() error {
	var p []*FieldError
	c.Email = strings.TrimSpace(c.Email)
	if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 254 {
		p = append(p, &FieldError{"email", "is not an email address"})
	}
	switch n := utf8.RuneCountInString(c.Password); {
	case n < MinPasswordLen:
		p = append(p, &FieldError{"password", fmt.Sprintf("must have at least %d characters", MinPasswordLen)})
	case n > MaxPasswordLen:
		p = append(p, &FieldError{"password", fmt.Sprintf("must have at most %d characters", MaxPasswordLen)})
	}
	return invalid(p...)
}

// limit applies the sign-in limits for ip and, when set, email.
func (s *Service) limit(ip, email string) error {
	if ok, wait := s.byIP.Allow("ip:" + ip); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	if email != "" {
		if ok, wait := s.byEmail.Allow("email:" + emailKey(email)); !ok {
			return &RateLimitError{RetryAfter: wait}
		}
	}
	return nil
}

// hash runs a password hash under the concurrency bound.
func (s *Service) hash(ctx context.Context, f func()) error {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashing }()
	f()
	return nil
}

// Mailer delivers the mail that confirms a sign-up. Send is called once
// per sign-up, synchronously; the body holds a secret link, so a Mailer
// must not log it.
type Mailer interface {
	SendMail(ctx context.Context, to, subject, body string) error
}

// signUpRecord is a sign-up waiting for its confirmation link, kept as a
// single-use token.
type signUpRecord struct {
	Email        string    `json:"email"`
	PasswordHash string    `json:"passwordHash"`
	Created      time.Time `json:"created"`
}

// SignUpPath is the path of the sign-up confirmation link; its token query
// parameter is the secret.
const SignUpPath = "/wallet/v1/signup/verify"

// SignUp starts a sign-up: it mails a confirmation link (valid for
// SignUpTTL) to the address, and the wallet exists only once the link is
// followed (VerifySignUp), so nobody can hold an address they cannot read.
// The answer is the same whether or not the address already has a wallet,
// and takes as long (the password is hashed either way): an address that
// has one gets a mail saying so instead of a link. The per-IP sign-in limit
// applies; invalid input is ErrInvalid.
func (s *Service) SignUp(ctx context.Context, c Credentials) error {
	if err := s.limit(c.ClientIP, ""); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	rec := signUpRecord{Email: c.Email, Created: s.now()}
	if err := s.hash(ctx, func() { rec.PasswordHash = hashPassword(c.Password, s.cfg.Argon2) }); err != nil {
		return err
	}
	_, err := s.cfg.Store.Get(ctx, collEmails, emailKey(c.Email))
	switch {
	case err == nil:
		return s.mail(ctx, c.Email, "Your Accolade wallet",
			"Someone, perhaps you, asked to create an Accolade wallet for this address at "+s.cfg.PublicURL+
				".\r\nThis address already has a wallet: sign in with its password. If it was not you, ignore this mail.")
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("sign up: %w", err)
	}
	tok := randomToken()
	raw, _ := json.Marshal(rec)
	if err := s.cfg.Store.PutToken(ctx, tokenSignUp, s.secrets.Sum("signup", tok), raw, s.cfg.SignUpTTL); err != nil {
		return fmt.Errorf("sign up: %w", err)
	}
	link := s.cfg.PublicURL + SignUpPath + "?token=" + tok
	return s.mail(ctx, c.Email, "Confirm your Accolade wallet",
		"Open this link to confirm your address and create your Accolade wallet at "+s.cfg.PublicURL+":\r\n\r\n"+link+
			"\r\n\r\nThe link works once, for "+s.cfg.SignUpTTL.String()+". If you did not sign up, ignore this mail.")
}

func (s *Service) mail(ctx context.Context, to, subject, body string) error {
	if s.cfg.Mailer == nil {
		s.log.WarnContext(ctx, "sign-up mail not sent: no mailer configured")
		return nil
	}
	if err := s.cfg.Mailer.SendMail(ctx, to, subject, body); err != nil {
		return fmt.Errorf("sign up: mail: %w", err)
	}
	return nil
}

// VerifySignUp follows a sign-up confirmation link: it creates the holder,
// with a did:key (Ed25519) holder DID, and returns it. The token works
// once; an unknown, used or expired one is ErrVerificationInvalid. If the
// address got a wallet since (two sign-ups confirmed), the second is
// ErrEmailTaken.
func (s *Service) VerifySignUp(ctx context.Context, token string) (Holder, error) {
	if token == "" || len(token) > 128 {
		return Holder{}, ErrVerificationInvalid
	}
	raw, err := s.cfg.Store.TakeToken(ctx, tokenSignUp, s.secrets.Sum("signup", token))
	if errors.Is(err, store.ErrNotFound) {
		return Holder{}, ErrVerificationInvalid
	} else if err != nil {
		return Holder{}, fmt.Errorf("confirm sign-up: %w", err)
	}
	var rec signUpRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Holder{}, fmt.Errorf("confirm sign-up: %w", err)
	}
	h := holderRecord{Holder: Holder{ID: uuid.Must(uuid.NewV7()).String(), Email: rec.Email, Created: s.now()}, PasswordHash: rec.PasswordHash}
	d, err := s.newDID(h.ID, MethodKey, "", true)
	if err != nil {
		return Holder{}, fmt.Errorf("confirm sign-up: %w", err)
	}
	h.DefaultDID = d.DID.DID
	holderRaw, _ := json.Marshal(h)
	emailRaw, _ := json.Marshal(emailRecord{HolderID: h.ID})
	didRaw, _ := json.Marshal(d)
	err = s.apply(ctx, []store.Write{
		{Collection: collEmails, ID: emailKey(rec.Email), Value: emailRaw, Create: true},
		{Collection: collHolders, ID: h.ID, Value: holderRaw, Create: true},
		{Collection: collDIDs + h.ID, ID: d.ID, Value: didRaw, Create: true},
	})
	if errors.Is(err, store.ErrConflict) {
		return Holder{}, ErrEmailTaken
	} else if err != nil {
		return Holder{}, fmt.Errorf("confirm sign-up: %w", err)
	}
	s.log.InfoContext(ctx, "holder signed up", "holder_id", h.ID, "holder_did", h.DefaultDID)
	return h.Holder, nil
}

// SignIn checks an email address and password and starts a session.
// Attempts are rate-limited per address and per client IP
// (*RateLimitError); a wrong address or password is ErrBadCredentials.
func (s *Service) SignIn(ctx context.Context, c Credentials) (Session, error) {
	if err := s.limit(c.ClientIP, c.Email); err != nil {
		s.log.WarnContext(ctx, "sign-in rate limited")
		return Session{}, err
	}
	if len(c.Password) > 4*MaxPasswordLen || len(c.Email) > 254 {
		return Session{}, ErrBadCredentials
	}
	var h holderRecord
	var er emailRecord
	err := s.getJSON(ctx, collEmails, emailKey(c.Email), &er)
	if err == nil {
		err = s.getJSON(ctx, collHolders, er.HolderID, &h)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	encoded := h.PasswordHash
	if encoded == "" {
		encoded = s.dummyHash()
	}
	var ok bool
	var cerr error
	if err := s.hash(ctx, func() { ok, cerr = checkPassword(c.Password, encoded) }); err != nil {
		return Session{}, err
	}
	if cerr != nil {
		return Session{}, fmt.Errorf("sign in: holder %s: %w", h.ID, cerr)
	}
	if !ok || h.ID == "" {
		return Session{}, ErrBadCredentials
	}
	tok := randomToken()
	now := s.now()
	raw, _ := json.Marshal(sessionRecord{HolderID: h.ID, Created: now})
	if err := s.cfg.Store.PutToken(ctx, tokenSession, s.sessionKey(tok), raw, s.cfg.SessionTTL); err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	s.log.InfoContext(ctx, "holder signed in", "holder_id", h.ID)
	return Session{Token: tok, HolderID: h.ID, Expires: now.Add(s.cfg.SessionTTL)}, nil
}

// SignOut ends the session of token. An unknown or expired token is
// ErrUnauthorized.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return ErrUnauthorized
	}
	_, err := s.cfg.Store.TakeToken(ctx, tokenSession, s.sessionKey(token))
	if errors.Is(err, store.ErrNotFound) {
		_, err = s.cfg.Store.TakeToken(ctx, tokenSession, legacySessionKey(token))
	}
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnauthorized
	} else if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// Authenticate returns the holder signed in with token, or
// ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (Holder, error) {
	if token == "" || len(token) > 128 {
		return Holder{}, ErrUnauthorized
	}
	var sr sessionRecord
	raw, err := s.cfg.Store.GetToken(ctx, tokenSession, s.sessionKey(token))
	if errors.Is(err, store.ErrNotFound) {
		raw, err = s.cfg.Store.GetToken(ctx, tokenSession, legacySessionKey(token))
	}
	if errors.Is(err, store.ErrNotFound) {
		return Holder{}, ErrUnauthorized
	} else if err != nil {
		return Holder{}, fmt.Errorf("authenticate: %w", err)
	}
	if err := json.Unmarshal(raw, &sr); err != nil {
		return Holder{}, fmt.Errorf("authenticate: %w", err)
	}
	h, err := s.Holder(ctx, sr.HolderID)
	if errors.Is(err, store.ErrNotFound) {
		return Holder{}, ErrUnauthorized
	}
	return h, err
}

// Holder returns a holder by ID.
func (s *Service) Holder(ctx context.Context, holderID string) (Holder, error) {
	var h holderRecord
	if err := s.getJSON(ctx, collHolders, holderID, &h); err != nil {
		return Holder{}, fmt.Errorf("holder: %w", err)
	}
	return h.Holder, nil
}
