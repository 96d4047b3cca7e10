// Package ratelimit is a keyed token bucket for the per-client limits of the
// HTTP edge and the wallet (sign-in and sign-up attempts, DID resolution):
// each key (a client IP, an email hash) may make a burst of attempts, then
// one per refill interval. It is per process: with several nodes each
// allows its own share. It imports only the standard library.
package ratelimit
