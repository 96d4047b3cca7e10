// Package status owns credential status for Accolade: the W3C Bitstring
// Status List v1.0 (Recommendation 2025-05-15) bitstring codec (Encode,
// Decode, Get, Set), the shape of the status list credential and of the
// credentialStatus entry an issuer writes (ListCredential, Entry), and the
// verifier side of checking an entry (Checker).
//
// The Checker reads three kinds of credentialStatus entry:
//
//   - BitstringStatusListEntry (Bitstring Status List v1.0 §3.2): the list
//     credential is fetched, its proof verified, its type, issuer, validity
//     period and purposes checked, the list decoded and the entry's value
//     read. Errors carry the Recommendation's codes (STATUS_RETRIEVAL_ERROR,
//     STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR, RANGE_ERROR,
//     MALFORMED_VALUE_ERROR) as ProblemDetails types.
//   - StatusList2021Entry (W3C CCG Status List 2021, found on VCDM 1.1
//     credentials): the same flow with the older type names and an
//     encodedList with or without the multibase "u" prefix.
//   - 1EdTechRevocationList (1EdTech Revocation List 1.0, named by Open
//     Badges 3.0 §9.1): a JSON document listing revoked credential ids under
//     revokedCredential (what 1EdTech's validator reads) or
//     revokedCredentials.
//
// Policy beyond the specifications: the list's issuer must be the
// credential's issuer (the Recommendation leaves trust in the list issuer to
// the verifier); a status that cannot be determined is always an error,
// never a silent pass (also for 1EdTechRevocationList, where 1EdTech's
// validator only warns); and a set value fails the credential only for the
// purposes revocation and suspension. A set value for refresh, message or
// any other purpose is not a failure: CheckStatus returns handled and no
// error, and Check returns it in Result for callers that want to show it.
//
// *Checker satisfies verifier.StatusChecker structurally; status cannot
// import verifier (the verifier depends on this package's checker through
// that interface), so the compile-time assertion lives in cmd.
//
// The package imports only the standard library and credential. It has no
// HTTP client, framework or storage of its own: lists arrive through the
// injected CheckerConfig.Fetch (the cmd passes the guarded client of
// internal/httpguard) and their proofs are checked by the injected
// CheckerConfig.VerifyList. It must not import store, api, issuer, wallet or
// verifier.
package status
