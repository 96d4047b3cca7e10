package di

import (
	"crypto/ed25519"
	"fmt"

	"github.com/mr-tron/base58"
)

// maxProofValueLen bounds the proofValue decoded: base58 decoding is
// quadratic, and 64 bytes take at most 88 characters.
const maxProofValueLen = 100

// encodeProofValue returns the Multibase base58-btc form of sig ("z" +
// base58btc), the proofValue of every suite here.
func encodeProofValue(sig []byte) string {
	return "z" + base58.Encode(sig)
}

// decodeProofValue parses a proofValue into a 64-byte Ed25519 signature.
func decodeProofValue(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: proofValue is not multibase base58-btc ('z' prefix)", ErrMalformedProof)
	}
	if len(s) > maxProofValueLen {
		return nil, fmt.Errorf("%w: proofValue of %d characters", ErrMalformedProof, len(s))
	}
	sig, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: proofValue: %v", ErrMalformedProof, err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: proofValue decodes to %d bytes, want %d", ErrMalformedProof, len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}
