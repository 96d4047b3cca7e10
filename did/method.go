package did

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/keys"
	"github.com/mr-tron/base58"
)

// PublicKey returns the Go public key of m: ed25519.PublicKey,
// *ecdsa.PublicKey, *rsa.PublicKey or *ecdh.PublicKey (X25519), depending on
// the key. Types handled: Multikey and Ed25519VerificationKey2020
// (publicKeyMultibase), Ed25519VerificationKey2018 (publicKeyBase58),
// JsonWebKey2020 and JsonWebKey (publicKeyJwk). Other types fail with an
// error wrapping keys.ErrUnsupportedKeyType; a missing or malformed key
// wraps keys.ErrInvalidPublicKey or keys.ErrInvalidMultibase.
func (m *VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	switch m.Type {
	case TypeMultikey:
		if m.PublicKeyMultibase == "" {
			return nil, fmt.Errorf("verification method %s: %w: no publicKeyMultibase", m.ID, keys.ErrInvalidPublicKey)
		}
		pub, err := keys.DecodeMultikey(m.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("verification method %s: %w", m.ID, err)
		}
		return pub, nil
	case TypeEd25519VerificationKey2020:
		if m.PublicKeyMultibase == "" {
			return nil, fmt.Errorf("verification method %s: %w: no publicKeyMultibase", m.ID, keys.ErrInvalidPublicKey)
		}
		pub, err := keys.DecodeMultikey(m.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("verification method %s: %w", m.ID, err)
		}
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("verification method %s: %w: %s holds a %T", m.ID, keys.ErrInvalidPublicKey, m.Type, pub)
		}
		return pub, nil
	case TypeEd25519VerificationKey2018:
		if m.PublicKeyBase58 == "" {
			return nil, fmt.Errorf("verification method %s: %w: no publicKeyBase58", m.ID, keys.ErrInvalidPublicKey)
		}
		raw, err := base58.Decode(m.PublicKeyBase58)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("verification method %s: %w: publicKeyBase58 is not a 32-byte base58 value", m.ID, keys.ErrInvalidPublicKey)
		}
		return ed25519.PublicKey(raw), nil
	case TypeJSONWebKey2020, TypeJSONWebKey:
		if m.PublicKeyJwk == nil {
			return nil, fmt.Errorf("verification method %s: %w: no publicKeyJwk", m.ID, keys.ErrInvalidPublicKey)
		}
		pub, err := m.PublicKeyJwk.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("verification method %s: %w", m.ID, err)
		}
		return pub, nil
	default:
		return nil, fmt.Errorf("verification method %s: %w: type %q", m.ID, keys.ErrUnsupportedKeyType, m.Type)
	}
}

// Method finds the verification method didURL names in d and checks that it
// may be used for relationship (AssertionMethod, Authentication, ...; ""
// skips the relationship check).
//
// didURL is absolute, or a relative "#fragment" resolved against d.ID; its
// DID must be d.ID. Relative method ids inside the document are resolved the
// same way. The method must be controlled by d.ID. An embedded method counts
// only for the relationship that embeds it (DID Core §5.3).
//
// It fails with ErrKeyNotFound when no such method exists and with
// ErrNotAuthorized when the method exists but may not be used as asked.
// The returned method is a copy.
func (d *Document) Method(didURL, relationship string) (*VerificationMethod, error) {
	target := d.abs(didURL)
	if rest, ok := strings.CutPrefix(target, d.ID); !ok || d.ID == "" || rest == "" || !strings.ContainsRune("#/?", rune(rest[0])) {
		return nil, fmt.Errorf("verification method %s: %w: not a DID URL of %s", didURL, ErrKeyNotFound, d.ID)
	}
	var rels []Relationship
	if relationship != "" {
		var ok bool
		if rels, ok = d.relationship(relationship); !ok {
			return nil, fmt.Errorf("verification method %s: %w: unknown relationship %q", didURL, ErrNotAuthorized, relationship)
		}
	}

	var found *VerificationMethod
	listed := relationship == ""
	for _, r := range rels {
		if !d.sameID(r.ID(), target) {
			continue
		}
		listed = true
		if r.Embedded != nil {
			found = r.Embedded
		}
		break
	}
	if found == nil {
		found = d.findMethod(target)
	}
	if found == nil {
		return nil, fmt.Errorf("verification method %s: %w", didURL, ErrKeyNotFound)
	}
	if !listed {
		return nil, fmt.Errorf("verification method %s: %w: not listed under %s", didURL, ErrNotAuthorized, relationship)
	}
	if found.Controller != d.ID {
		return nil, fmt.Errorf("verification method %s: %w: controller is %q, not %s", didURL, ErrNotAuthorized, found.Controller, d.ID)
	}
	m := found.clone()
	m.ID = target
	return &m, nil
}

// findMethod looks for target in verificationMethod, then among methods
// embedded in any relationship (those exist, but are not authorized for a
// relationship that does not embed or reference them).
func (d *Document) findMethod(target string) *VerificationMethod {
	for i := range d.VerificationMethod {
		if d.sameID(d.VerificationMethod[i].ID, target) {
			return &d.VerificationMethod[i]
		}
	}
	for _, rels := range [...][]Relationship{d.Authentication, d.AssertionMethod, d.KeyAgreement, d.CapabilityInvocation, d.CapabilityDelegation} {
		for _, r := range rels {
			if r.Embedded != nil && d.sameID(r.Embedded.ID, target) {
				return r.Embedded
			}
		}
	}
	return nil
}

func (d *Document) relationship(name string) ([]Relationship, bool) {
	switch name {
	case Authentication:
		return d.Authentication, true
	case AssertionMethod:
		return d.AssertionMethod, true
	case KeyAgreement:
		return d.KeyAgreement, true
	case CapabilityInvocation:
		return d.CapabilityInvocation, true
	case CapabilityDelegation:
		return d.CapabilityDelegation, true
	}
	return nil, false
}

// abs resolves a relative "#fragment" DID URL against d.ID.
func (d *Document) abs(id string) string {
	if strings.HasPrefix(id, "#") {
		return d.ID + id
	}
	return id
}

// sameID reports whether id, absolute or relative to d.ID, is the absolute
// DID URL target.
func (d *Document) sameID(id, target string) bool {
	if strings.HasPrefix(id, "#") {
		return len(target) == len(d.ID)+len(id) && strings.HasPrefix(target, d.ID) && strings.HasSuffix(target, id)
	}
	return id == target
}

// ResolveMethod resolves the DID of didURL with r and returns the
// verification method it names, checked as Document.Method does.
func ResolveMethod(ctx context.Context, r Resolver, didURL, relationship string) (*VerificationMethod, error) {
	u, err := ParseURL(didURL)
	if err != nil {
		return nil, fmt.Errorf("resolve verification method: %w", err)
	}
	doc, err := r.Resolve(ctx, didURL[:len("did:")+len(u.DID.Method)+1+len(u.DID.ID)])
	if err != nil {
		return nil, fmt.Errorf("resolve verification method: %w", err)
	}
	return doc.Method(didURL, relationship)
}
