package wallet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// MaxShares caps the live share links of one holder.
const MaxShares = 1000

// Share is a public link to one credential.
type Share struct {
	// Token is the link's secret part: whoever has it can read the
	// credential until the link is revoked or expires.
	Token string `json:"token"`
	// URL is the public link, PublicURL + "/share/" + Token.
	URL string `json:"url"`
	// CredentialID is the wallet ID of the shared credential.
	CredentialID string    `json:"credentialId"`
	Created      time.Time `json:"created"`
	// Expires is when the link stops working; zero means never.
	Expires time.Time `json:"expires,omitzero"`
	// Expired reports whether Expires has passed.
	Expired  bool   `json:"expired"`
	HolderID string `json:"-"`
}

type shareRecord struct {
	Token        string    `json:"token"`
	HolderID     string    `json:"holderId"`
	CredentialID string    `json:"credentialId"`
	Created      time.Time `json:"created"`
	Expires      time.Time `json:"expires,omitzero"`
}

// ShareRequest asks for a share link.
type ShareRequest struct {
	// Expires, when set, must be in the future.
	Expires time.Time `json:"expires,omitzero"`
}

func (s *Service) share(r shareRecord) Share {
	return Share{Token: r.Token, URL: s.cfg.PublicURL + "/share/" + r.Token, CredentialID: r.CredentialID,
		Created: r.Created, Expires: r.Expires, Expired: !r.Expires.IsZero() && !s.now().Before(r.Expires), HolderID: r.HolderID}
}

// tokenRef names a share token in logs without revealing it.
func tokenRef(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:4])
}

// Share makes a public link to one of the holder's credentials.
func (s *Service) Share(ctx context.Context, holderID, credentialID string, req ShareRequest) (Share, error) {
	if _, err := s.record(ctx, holderID, credentialID); err != nil {
		return Share{}, err
	}
	now := s.now()
	if !req.Expires.IsZero() && !req.Expires.After(now) {
		return Share{}, invalid(&FieldError{"expires", "must be in the future"})
	}
	n, err := s.cfg.Store.Count(ctx, collShareIndex+holderID)
	if err != nil {
		return Share{}, fmt.Errorf("share: %w", err)
	}
	if n >= MaxShares {
		return Share{}, invalid(&FieldError{"share", fmt.Sprintf("a holder has at most %d share links; revoke some", MaxShares)})
	}
	rec := shareRecord{Token: randomToken(), HolderID: holderID, CredentialID: credentialID, Created: now, Expires: req.Expires.UTC()}
	raw, _ := json.Marshal(rec)
	err = s.apply(ctx, []store.Write{
		{Collection: collShareIndex + holderID, ID: rec.Token, Value: []byte{}, Create: true},
		{Collection: collShares, ID: rec.Token, Value: raw, Create: true},
	})
	if err != nil {
		return Share{}, fmt.Errorf("share: %w", err)
	}
	s.log.InfoContext(ctx, "share link made", "holder_id", holderID, "wallet_credential_id", credentialID, "share", tokenRef(rec.Token))
	return s.share(rec), nil
}

// Shares lists the holder's share links, live and expired.
func (s *Service) Shares(ctx context.Context, holderID string) ([]Share, error) {
	out := []Share{}
	err := s.each(ctx, collShareIndex+holderID, func(r store.Record) (bool, error) {
		var rec shareRecord
		err := s.getJSON(ctx, collShares, r.ID, &rec)
		if errors.Is(err, store.ErrNotFound) {
			return true, nil // revoked half-way
		} else if err != nil {
			return false, err
		}
		out = append(out, s.share(rec))
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list share links: %w", err)
	}
	return out, nil
}

// RevokeShare deletes one of the holder's share links; the link then
// answers "not found". Another holder's token is store.ErrNotFound.
func (s *Service) RevokeShare(ctx context.Context, holderID, token string) error {
	var rec shareRecord
	if token == "" {
		return fmt.Errorf("share link: %w", store.ErrNotFound)
	}
	if err := s.getJSON(ctx, collShares, token, &rec); err != nil {
		return fmt.Errorf("share link: %w", err)
	}
	if rec.HolderID != holderID {
		return fmt.Errorf("share link: %w", store.ErrNotFound)
	}
	if err := s.cfg.Store.Delete(ctx, collShares, token); err != nil {
		return fmt.Errorf("revoke share link: %w", err)
	}
	if err := s.cfg.Store.Delete(ctx, collShareIndex+holderID, token); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("revoke share link: %w", err)
	}
	s.log.InfoContext(ctx, "share link revoked", "holder_id", holderID, "share", tokenRef(token))
	return nil
}

// Shared is what a share link shows.
type Shared struct {
	Format string `json:"format"`
	// Credential is the credential: a JSON object, or a JSON string holding
	// the compact JWT.
	Credential json.RawMessage `json:"credential"`
}

// SharedCredential returns the credential behind a share link. An unknown
// or revoked token, or a link whose credential was deleted, is
// store.ErrNotFound; an expired link is ErrShareExpired.
func (s *Service) SharedCredential(ctx context.Context, token string) (Shared, error) {
	var rec shareRecord
	if token == "" || len(token) > 128 {
		return Shared{}, fmt.Errorf("share link: %w", store.ErrNotFound)
	}
	if err := s.getJSON(ctx, collShares, token, &rec); err != nil {
		return Shared{}, fmt.Errorf("share link: %w", err)
	}
	if !rec.Expires.IsZero() && !s.now().Before(rec.Expires) {
		return Shared{}, ErrShareExpired
	}
	c, err := s.record(ctx, rec.HolderID, rec.CredentialID)
	if err != nil {
		return Shared{}, err
	}
	return Shared{Format: c.Format, Credential: c.Credential}, nil
}
