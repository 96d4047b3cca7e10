// Package status implements W3C Bitstring Status List v1.0 (REC 2025-05-15):
// the bitstring codec, index allocation policy, the status list credential
// and checking an entry. Its features arrive with the status issue; today it
// holds only this package comment.
//
// It imports no HTTP framework and no storage driver.
package status
