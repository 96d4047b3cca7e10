package did

import (
	"context"
	"crypto"
	"crypto/ecdh"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/keys"
)

// KeyResolver resolves did:key DIDs (did:key Method v0.7) without any I/O.
// Documents use the Multikey form: contexts DID v1 and Multikey v1, one
// verification method whose fragment is the full multibase value, listed
// under authentication, assertionMethod, capabilityInvocation and
// capabilityDelegation. Ed25519, P-256 and P-384 keys are supported; an
// X25519 key yields a keyAgreement-only document. Encryption-key derivation
// (enableEncryptionKeyDerivation) is not performed.
type KeyResolver struct{}

var _ Resolver = KeyResolver{}

// KeyDID returns the did:key of pub: ed25519.PublicKey, or *ecdsa.PublicKey
// on P-256 or P-384 (or an X25519 *ecdh.PublicKey).
func KeyDID(pub crypto.PublicKey) (string, error) {
	mb, err := keys.EncodeMultikey(pub)
	if err != nil {
		return "", fmt.Errorf("did:key: %w", err)
	}
	return "did:key:" + mb, nil
}

// Resolve builds the document of a did:key. A malformed identifier, an
// unsupported key type or an invalid key fails with ErrInvalidDID (also
// wrapping the keys error, e.g. keys.ErrUnsupportedKeyType).
func (KeyResolver) Resolve(_ context.Context, did string) (*Document, error) {
	d, err := Parse(did)
	if err != nil {
		return nil, fmt.Errorf("resolve did:key: %w", err)
	}
	if d.Method != "key" {
		return nil, fmt.Errorf("resolve did:key: %w: did:%s", ErrMethodNotSupported, d.Method)
	}
	// did:key v0.7 §3.1.2: did:key:[<version>:]<multibaseValue>, version 1.
	mb := d.ID
	if v, rest, ok := strings.Cut(mb, ":"); ok {
		if v != "1" {
			return nil, fmt.Errorf("resolve did:key: %w: unsupported version %q", ErrInvalidDID, v)
		}
		mb = rest
	}
	if !strings.HasPrefix(mb, "z") {
		return nil, fmt.Errorf("resolve did:key: %w: identifier must be base58btc multibase ('z')", ErrInvalidDID)
	}
	pub, err := keys.DecodeMultikey(mb)
	if err != nil {
		return nil, fmt.Errorf("resolve did:key: %w: %w", ErrInvalidDID, err)
	}
	vmID := did + "#" + mb
	doc := &Document{
		Context: Context{ContextDIDv1, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID: vmID, Type: TypeMultikey, Controller: did, PublicKeyMultibase: mb,
		}},
	}
	if _, ok := pub.(*ecdh.PublicKey); ok {
		// X25519 cannot sign: key agreement only (did:key v0.7 §3.1.3).
		doc.KeyAgreement = []Relationship{{Ref: vmID}}
		return doc, nil
	}
	rels := []Relationship{{Ref: vmID}, {Ref: vmID}, {Ref: vmID}, {Ref: vmID}}
	doc.Authentication = rels[0:1:1]
	doc.AssertionMethod = rels[1:2:2]
	doc.CapabilityInvocation = rels[2:3:3]
	doc.CapabilityDelegation = rels[3:4:4]
	return doc, nil
}
