// Package docs holds the README's examples (examples.sh) and the test that
// keeps the README's example blocks equal to them. It has no code of its
// own; `make readme` copies the examples into README.md.
package docs
