// Package archtest holds tests of the module's shape: the import rules of
// STYLE.md §1 and the package comment every package must have (§8). It has no
// code of its own. Run it with: go test ./internal/archtest/
package archtest
