package wallet

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accolade-badges/accolade/store"
)

// MaxShares caps the share links of one holder, live and expired; the cap
// holds under concurrent requests, also across nodes (store.CappedBatcher).
const MaxShares = 1000

// Share is a public link to one credential.
type Share struct {
	// ID names the link in listings and revocations. It is the keyed hash
	// of the token under which the link is stored; it opens nothing.
	ID string `json:"id"`
	// Token is the link's secret part: whoever has it can read the
	// credential until the link is revoked or expires. The store keeps
	// only its keyed hash, so Token (and URL) are returned once, when the
	// link is made, and never listed.
	Token string `json:"token,omitempty"`
	// URL is the public link, PublicURL + "/share/" + Token.
	URL string `json:"url,omitempty"`
	// CredentialID is the wallet ID of the shared credential.
	CredentialID string    `json:"credentialId"`
	Created      time.Time `json:"created"`
	// Expires is when the link stops working; zero means never.
	Expires time.Time `json:"expires,omitzero"`
	// Expired reports whether Expires has passed.
	Expired  bool   `json:"expired"`
	HolderID string `json:"-"`
}

// shareRecord is a share link at rest, stored under the keyed hash of its
// token (shareID). Records written before keyed hashing are stored under
// the token itself and hold it in Token; they keep working.
type shareRecord struct {
	Token        string    `json:"token,omitempty"`
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

// share is the listing of the record stored under id: no token.
func (s *Service) share(id string, r shareRecord) Share {
	return Share{ID: id, CredentialID: r.CredentialID,
		Created: r.Created, Expires: r.Expires, Expired: !r.Expires.IsZero() && !s.now().Before(r.Expires), HolderID: r.HolderID}
}

// shareID is the store key of a share token: its keyed hash.
func (s *Service) shareID(token string) string { return s.secrets.Sum("share link", token) }

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
	full := invalid(&FieldError{"share", fmt.Sprintf("a holder has at most %d share links; revoke some", MaxShares)})
	token := randomToken()
	id := s.shareID(token)
	rec := shareRecord{HolderID: holderID, CredentialID: credentialID, Created: now, Expires: req.Expires.UTC()}
	raw, _ := json.Marshal(rec)
	writes := []store.Write{
		{Collection: collShareIndex + holderID, ID: id, Value: []byte{}, Create: true},
		{Collection: collShares, ID: id, Value: raw, Create: true},
	}
	// The count and the writes are one atomic step, so concurrent requests
	// cannot exceed the cap; a store without that capability gets a
	// count-then-write, which can.
	var err error
	if cb, ok := s.cfg.Store.(store.CappedBatcher); ok {
		err = cb.ApplyCapped(ctx, collShareIndex+holderID, MaxShares, writes)
	} else {
		var n int
		if n, err = s.cfg.Store.Count(ctx, collShareIndex+holderID); err == nil && n >= MaxShares {
			err = store.ErrLimit
		}
		if err == nil {
			err = s.apply(ctx, writes)
		}
	}
	if errors.Is(err, store.ErrLimit) {
		return Share{}, full
	} else if err != nil {
		return Share{}, fmt.Errorf("share: %w", err)
	}
	s.log.InfoContext(ctx, "share link made", "holder_id", holderID, "wallet_credential_id", credentialID, "share", tokenRef(token))
	sh := s.share(id, rec)
	sh.Token, sh.URL = token, s.cfg.PublicURL+"/share/"+token
	return sh, nil
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
		out = append(out, s.share(r.ID, rec))
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list share links: %w", err)
	}
	return out, nil
}

// RevokeShare deletes one of the holder's share links, named by its token
// or by its ID; the link then answers "not found". Another holder's link
// is store.ErrNotFound.
func (s *Service) RevokeShare(ctx context.Context, holderID, tokenOrID string) error {
	if tokenOrID == "" || len(tokenOrID) > 128 {
		return fmt.Errorf("share link: %w", store.ErrNotFound)
	}
	var rec shareRecord
	id := s.shareID(tokenOrID)
	err := s.getJSON(ctx, collShares, id, &rec)
	if errors.Is(err, store.ErrNotFound) {
		// An ID, or the token of a link stored before keyed hashing.
		id = tokenOrID
		err = s.getJSON(ctx, collShares, id, &rec)
	}
	if err != nil {
		return fmt.Errorf("share link: %w", err)
	}
	if rec.HolderID != holderID {
		return fmt.Errorf("share link: %w", store.ErrNotFound)
	}
	if err := s.cfg.Store.Delete(ctx, collShares, id); err != nil {
		return fmt.Errorf("revoke share link: %w", err)
	}
	if err := s.cfg.Store.Delete(ctx, collShareIndex+holderID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("revoke share link: %w", err)
	}
	s.log.InfoContext(ctx, "share link revoked", "holder_id", holderID, "share", tokenRef(id))
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
	err := s.getJSON(ctx, collShares, s.shareID(token), &rec)
	if errors.Is(err, store.ErrNotFound) {
		// A link stored before keyed hashing, under its token.
		err = s.getJSON(ctx, collShares, token, &rec)
		if err == nil && subtle.ConstantTimeCompare([]byte(rec.Token), []byte(token)) != 1 {
			err = store.ErrNotFound
		}
	}
	if err != nil {
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
