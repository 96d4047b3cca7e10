package credential

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// IdentityHash returns the OB 3.0 IdentityHash of identifier with salt:
// "sha256$" followed by the lowercase hex SHA-256 of the UTF-8 bytes of
// identifier immediately followed by those of salt (no separator), as the
// IdentityHash derived type defines it. The identifier is hashed as given;
// normalize it first (NormalizeEmail for email addresses).
func IdentityHash(identifier, salt string) string {
	h := sha256.New()
	h.Write([]byte(identifier))
	h.Write([]byte(salt))
	return "sha256$" + hex.EncodeToString(h.Sum(nil))
}

// NormalizeEmail is the normalization Accolade applies to an email address
// before hashing or comparing it: surrounding white space is trimmed and the
// whole address is lower-cased (Unicode simple case mapping). OB 3.0
// specifies no normalization, so issuer and verifier must agree; lower-casing
// the local part too is a deliberate choice, because recipients type
// addresses inconsistently and mainstream providers treat local parts
// case-insensitively although RFC 5321 allows otherwise. Nothing else is
// changed: no Unicode normalization, no removal of dots or "+tag"
// sub-addresses, no IDNA conversion of the domain.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// NewIdentityObject returns a hashed emailAddress IdentityObject for email,
// normalized by NormalizeEmail and hashed with salt by IdentityHash. The salt
// should be fresh random text per credential: without it the hash of a known
// address is a dictionary lookup away.
func NewIdentityObject(email, salt string) IdentityObject {
	return IdentityObject{
		Type:         TypeIdentityObject,
		Hashed:       true,
		IdentityHash: IdentityHash(NormalizeEmail(email), salt),
		IdentityType: IdentityTypeEmailAddress,
		Salt:         salt,
	}
}

// Matches reports whether o identifies identifier, as OB 3.0 "Verify
// the Recipient Using an Identifier" does: a hashed object is compared with
// the hash of identifier and o.Salt (sha256 only, hex in either case), a
// plain one with identifier itself. The caller checks IdentityType and
// normalizes identifier the way the issuer did.
func (o IdentityObject) Matches(identifier string) bool {
	if !o.Hashed {
		return subtle.ConstantTimeCompare([]byte(o.IdentityHash), []byte(identifier)) == 1
	}
	got, ok := strings.CutPrefix(o.IdentityHash, "sha256$")
	if !ok {
		return false
	}
	want := strings.TrimPrefix(IdentityHash(identifier, o.Salt), "sha256$")
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}
