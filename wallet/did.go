package wallet

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/did"
	"github.com/accolade-badges/accolade/internal/public"
	"github.com/accolade-badges/accolade/keys"
	"github.com/accolade-badges/accolade/store"
	"github.com/google/uuid"
)

// Holder DID methods.
const (
	MethodKey = "key" // did:key, Ed25519 by default
	MethodJWK = "jwk" // did:jwk, P-256 by default
)

// MaxDIDs caps the holder DIDs of one holder.
const MaxDIDs = 20

// DID is a holder DID and the key it names, without private material.
type DID struct {
	DID    string   `json:"did"`
	Method string   `json:"method"`
	Alg    keys.Alg `json:"alg"`
	// VerificationMethod is the DID URL of the key, the kid and
	// verificationMethod of presentations.
	VerificationMethod string    `json:"verificationMethod"`
	Default            bool      `json:"default"`
	Created            time.Time `json:"created"`
}

// didRecord is a DID as stored, with its sealed private key.
type didRecord struct {
	ID string `json:"id"`
	DID
	Sealed keys.Sealed `json:"sealed"`
}

// AddDIDRequest asks for a new holder DID.
type AddDIDRequest struct {
	// Method is "jwk" (the default) or "key".
	Method string `json:"method,omitempty"`
	// Alg is "ES256" (P-256, the default for did:jwk) or "EdDSA" (Ed25519,
	// the default for did:key).
	Alg string `json:"alg,omitempty"`
}

// newDID generates a key, derives its DID and seals the key.
func (s *Service) newDID(holderID, method, alg string, isDefault bool) (didRecord, error) {
	a := keys.Alg(alg)
	if a == "" {
		a = keys.EdDSA
		if method == MethodJWK {
			a = keys.ES256
		}
	}
	k, err := keys.Generate(a, rand.Reader)
	if err != nil {
		return didRecord{}, err
	}
	var d, vm string
	switch method {
	case MethodKey:
		d, err = did.KeyDID(k.Public())
		vm = d + "#" + strings.TrimPrefix(d, "did:key:")
	case MethodJWK:
		d, err = did.JWKDID(k.Public())
		vm = d + "#0"
	default:
		return didRecord{}, public.Errorf("%w: DID method %q", ErrUnsupported, method)
	}
	if err != nil {
		return didRecord{}, err
	}
	k.ID, k.Created = vm, s.now()
	sealed, err := keys.Seal(s.cfg.KEK, k)
	if err != nil {
		return didRecord{}, err
	}
	return didRecord{
		ID:     uuid.Must(uuid.NewV7()).String(),
		DID:    DID{DID: d, Method: method, Alg: a, VerificationMethod: vm, Default: isDefault, Created: k.Created},
		Sealed: sealed,
	}, nil
}

// AddDID makes a new holder DID with a fresh key sealed at rest.
func (s *Service) AddDID(ctx context.Context, holderID string, req AddDIDRequest) (DID, error) {
	if req.Method == "" {
		req.Method = MethodJWK
	}
	var p []*FieldError
	if req.Method != MethodJWK && req.Method != MethodKey {
		p = append(p, &FieldError{"method", `must be "jwk" or "key"`})
	}
	if req.Alg != "" && req.Alg != string(keys.ES256) && req.Alg != string(keys.EdDSA) {
		p = append(p, &FieldError{"alg", `must be "ES256" or "EdDSA"`})
	}
	if err := invalid(p...); err != nil {
		return DID{}, err
	}
	n, err := s.cfg.Store.Count(ctx, collDIDs+holderID)
	if err != nil {
		return DID{}, fmt.Errorf("add holder DID: %w", err)
	}
	if n >= MaxDIDs {
		return DID{}, invalid(&FieldError{"did", fmt.Sprintf("a holder has at most %d DIDs", MaxDIDs)})
	}
	rec, err := s.newDID(holderID, req.Method, req.Alg, false)
	if err != nil {
		return DID{}, fmt.Errorf("add holder DID: %w", err)
	}
	raw, _ := json.Marshal(rec)
	if err := s.cfg.Store.Create(ctx, collDIDs+holderID, rec.ID, raw); err != nil {
		return DID{}, fmt.Errorf("add holder DID: %w", err)
	}
	s.log.InfoContext(ctx, "holder DID added", "holder_id", holderID, "holder_did", rec.DID.DID)
	return rec.DID, nil
}

// DIDs lists a holder's DIDs, oldest first.
func (s *Service) DIDs(ctx context.Context, holderID string) ([]DID, error) {
	recs, err := s.didRecords(ctx, holderID)
	if err != nil {
		return nil, err
	}
	out := make([]DID, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.DID)
	}
	return out, nil
}

func (s *Service) didRecords(ctx context.Context, holderID string) ([]didRecord, error) {
	var out []didRecord
	err := s.each(ctx, collDIDs+holderID, func(r store.Record) (bool, error) {
		var d didRecord
		if err := json.Unmarshal(r.Value, &d); err != nil {
			return false, fmt.Errorf("holder DID %s: %w", r.ID, err)
		}
		out = append(out, d)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list holder DIDs: %w", err)
	}
	return out, nil
}

// signingKey returns the holder's DID named d ("" for the default DID) and
// its opened key. A DID the holder does not have is store.ErrNotFound.
func (s *Service) signingKey(ctx context.Context, holderID, d string) (DID, *keys.Key, error) {
	recs, err := s.didRecords(ctx, holderID)
	if err != nil {
		return DID{}, nil, err
	}
	for _, r := range recs {
		if (d == "" && r.Default) || r.DID.DID == d {
			k, err := keys.Open(s.cfg.KEK, r.Sealed)
			if err != nil {
				return DID{}, nil, fmt.Errorf("open holder key: %w", err)
			}
			return r.DID, k, nil
		}
	}
	return DID{}, nil, fmt.Errorf("holder DID: %w", store.ErrNotFound)
}
