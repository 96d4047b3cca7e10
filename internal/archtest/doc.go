// Package archtest holds tests of the module's shape: the import rules of
// STYLE.md §1 (what no package may depend on, and the allowlists of the
// packages at the bottom, which are the only import tests of the module)
// and the package comment every package must have (§8). It has no
// code of its own. Run it with: go test ./internal/archtest/
package archtest
