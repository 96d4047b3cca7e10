package did

import (
	"context"
	"fmt"
)

// Resolver resolves a DID to its DID document (DID Core §7.1).
//
// did is a DID, not a DID URL. The returned document belongs to the caller.
// Errors wrap ErrInvalidDID (malformed DID or method-specific id),
// ErrMethodNotSupported, ErrNotFound or ErrInvalidDocument; other errors
// (network, context cancellation) are passed through wrapped. Implementations
// are safe for concurrent use and honour ctx cancellation.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*Document, error)
}

// Multi dispatches to a Resolver by DID method name ("key", "jwk", "web").
// A method with no entry fails with ErrMethodNotSupported.
//
//	r := did.Multi{
//		"key": did.KeyResolver{},
//		"jwk": did.JWKResolver{},
//		"web": did.NewCache(did.WebResolver{Client: client}, 5*time.Minute, 1000, nil),
//	}
type Multi map[string]Resolver

var _ Resolver = Multi(nil)

// Resolve parses did and hands it to the resolver registered for its method.
func (m Multi) Resolve(ctx context.Context, did string) (*Document, error) {
	d, err := Parse(did)
	if err != nil {
		return nil, fmt.Errorf("resolve: %w", err)
	}
	r, ok := m[d.Method]
	if !ok || r == nil {
		return nil, fmt.Errorf("resolve did:%s: %w", d.Method, ErrMethodNotSupported)
	}
	return r.Resolve(ctx, did)
}
