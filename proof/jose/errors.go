package jose

import (
	"errors"
	"fmt"

	"github.com/accolade-badges/accolade/keys"
)

// Sentinel errors. Callers branch on them with errors.Is; the wrapping
// message names the detail.
var (
	// ErrMalformed reports a token that is not a well-formed compact JWS
	// carrying a JSON object, or a header this package refuses (an unknown
	// typ, crit, both kid and jwk, a private jwk).
	ErrMalformed = errors.New("malformed jwt")
	// ErrAlgNotAllowed reports a JWS alg outside the allow-list, such as
	// "none" or an HMAC algorithm, which are never allowed.
	ErrAlgNotAllowed = errors.New("jws algorithm not allowed")
	// ErrBadSignature reports a signature that does not verify under the
	// resolved key, or a key that does not suit the alg. It wraps
	// keys.ErrBadSignature.
	ErrBadSignature = fmt.Errorf("jws: %w", keys.ErrBadSignature)
	// ErrClaimMismatch reports a JWT claim that disagrees with the
	// credential or presentation it secures. The error is a *ClaimError
	// naming the claim.
	ErrClaimMismatch = errors.New("jwt claim does not match credential")
	// ErrTokenExpired reports a token whose exp is past (beyond the clock
	// skew).
	ErrTokenExpired = errors.New("jwt expired")
	// ErrTokenNotYetValid reports a token whose nbf (or, for presentations,
	// iat) is in the future (beyond the clock skew).
	ErrTokenNotYetValid = errors.New("jwt not yet valid")
	// ErrMissingSubject reports a credential without a single
	// credentialSubject.id to put in the required sub claim (OB 3.0 §8.2.3).
	ErrMissingSubject = errors.New("credential has no credentialSubject.id for the sub claim")
	// ErrInvalidCredential reports a credential that cannot be signed as a
	// VC-JWT: no issuer id, no id, or a missing or unparsable validFrom.
	ErrInvalidCredential = errors.New("credential cannot be secured as a jwt")
	// ErrKeyNotFound reports that no key is known for the token's kid and
	// issuer. A KeyResolver returns it (possibly wrapped); Verify also
	// returns it when there is no resolver or the resolver returns no key.
	ErrKeyNotFound = errors.New("jws key not found")
	// ErrAudience reports a presentation not addressed to this verifier.
	ErrAudience = errors.New("jwt audience mismatch")
	// ErrNonce reports a presentation whose nonce is missing or is not the
	// one the verifier issued.
	ErrNonce = errors.New("jwt nonce mismatch")
)

// ClaimError reports which JWT claim disagrees with the credential or
// presentation. It matches ErrClaimMismatch under errors.Is. Its message
// names the claim and the property only, never their values, which may
// identify the recipient.
type ClaimError struct {
	// Claim is the JWT claim name: "iss", "sub", "jti", "nbf" or "exp"
	// (or "holder" for a presentation).
	Claim string
	// Reason says what is wrong, e.g. "does not match issuer.id".
	Reason string
}

func (e *ClaimError) Error() string {
	return ErrClaimMismatch.Error() + ": " + e.Claim + " " + e.Reason
}

// Unwrap makes errors.Is(err, ErrClaimMismatch) hold.
func (e *ClaimError) Unwrap() error { return ErrClaimMismatch }

func claimErr(claim, reason string) error { return &ClaimError{Claim: claim, Reason: reason} }
