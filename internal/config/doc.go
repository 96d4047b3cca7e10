// Package config owns Accolade's single Config struct: its defaults, loading
// from flags and ACCOLADE_* environment variables, and validation.
//
// One table (settings) declares each setting once: flag name, environment
// name, usage text, default and the field it sets, so the three cannot drift.
// Precedence is flags, then environment, then defaults. Nothing outside this
// package reads the environment. It imports only the standard library.
package config
