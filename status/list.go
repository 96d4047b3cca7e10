package status

import (
	"strconv"
	"time"

	"github.com/accolade-badges/accolade/credential"
)

// Status purposes (Bitstring Status List v1.0 §2.1 statusPurpose). Only
// revocation and suspension make Checker fail a credential.
const (
	// PurposeRevocation cancels a credential for good.
	PurposeRevocation = credential.StatusPurposeRevocation
	// PurposeSuspension puts a credential on a reversible hold.
	PurposeSuspension = credential.StatusPurposeSuspension
	// PurposeRefresh says a newer credential is available through the
	// credential's refreshService; the credential stays valid.
	PurposeRefresh = "refresh"
	// PurposeMessage conveys the statusMessage of the entry's value.
	PurposeMessage = "message"
)

// Type names of the status methods Checker reads.
const (
	// Bitstring Status List v1.0 §2.1 and §2.2.
	TypeBitstringStatusListEntry      = credential.TypeBitstringStatusListEntry
	TypeBitstringStatusListCredential = "BitstringStatusListCredential"
	TypeBitstringStatusList           = "BitstringStatusList"

	// W3C CCG Status List 2021, used with VCDM 1.1 credentials.
	TypeStatusList2021Entry      = "StatusList2021Entry"
	TypeStatusList2021Credential = "StatusList2021Credential"
	TypeStatusList2021           = "StatusList2021"

	// 1EdTech Revocation List 1.0 (Open Badges 3.0 §9.1).
	Type1EdTechRevocationList = credential.Type1EdTechRevocationList
)

// ListCredential returns the unsigned BitstringStatusListCredential
// published at id (Bitstring Status List v1.0 §2.2): @context the VCDM 2.0
// base context only (it defines every term), type VerifiableCredential and
// BitstringStatusListCredential, and a credentialSubject with id
// id+"#list", type BitstringStatusList, statusPurpose purpose and
// encodedList (from Encode). Zero validFrom or validUntil and a ttl of zero
// or less are left out; ttl is written in milliseconds. Times are written
// in UTC to the second.
//
// The result holds only encoding/json types (strings, float64, []any,
// map[string]any), so it can be signed as is.
func ListCredential(id, issuer, purpose string, encodedList string, validFrom, validUntil time.Time, ttl time.Duration) map[string]any {
	subject := map[string]any{
		"id":            id + "#list",
		"type":          TypeBitstringStatusList,
		"statusPurpose": purpose,
		"encodedList":   encodedList,
	}
	if ttl > 0 {
		subject["ttl"] = float64(ttl.Milliseconds())
	}
	cred := map[string]any{
		"@context":          []any{credential.ContextVCv2},
		"id":                id,
		"type":              []any{credential.TypeVerifiableCredential, TypeBitstringStatusListCredential},
		"issuer":            issuer,
		"credentialSubject": subject,
	}
	if !validFrom.IsZero() {
		cred["validFrom"] = validFrom.UTC().Format(time.RFC3339)
	}
	if !validUntil.IsZero() {
		cred["validUntil"] = validUntil.UTC().Format(time.RFC3339)
	}
	return cred
}

// Entry returns the credentialStatus entry for index in the list published
// at listURL (Bitstring Status List v1.0 §2.1): id listURL#index (Open
// Badges 3.0 requires an id and the Recommendation forbids the list URL
// itself), type BitstringStatusListEntry, statusPurpose purpose,
// statusListIndex as a string of decimal digits and statusListCredential
// listURL. The index should be chosen at random, not in sequence, so that
// it does not reveal issuance order.
func Entry(listURL string, index int, purpose string) map[string]any {
	i := strconv.Itoa(index)
	return map[string]any{
		"id":                   listURL + "#" + i,
		"type":                 TypeBitstringStatusListEntry,
		"statusPurpose":        purpose,
		"statusListIndex":      i,
		"statusListCredential": listURL,
	}
}
