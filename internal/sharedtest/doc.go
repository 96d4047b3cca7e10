// Package sharedtest locates the third-party test suites (W3C JSON-LD and
// RDF canonicalization suites, test vectors, the OB 3.0 JSON Schemas and
// examples) that tests read but the repository never copies, and is the one
// place that decides what happens when they are not here.
//
// The suites are found through $ACCOLADE_TESTDATA_DIR (and the shared
// contexts through the first entry of $ACCOLADE_CONTEXTS_DIR), else in a
// shared/ folder beside the checkout or above it. When a suite is missing,
// Missing skips the test with a message naming the suite and how to run it,
// prints that once per test binary, and appends the suite to the file named
// by $ACCOLADE_TESTDATA_REPORT, which `make test` prints once at the end.
// With CI=true a missing suite fails the test instead: CI runs every suite.
//
// Services and programs follow the same rule: Redis ($ACCOLADE_TEST_REDIS_URL,
// which must answer PING), Node (node on PATH, and the npm packages that
// `make interop-deps` installs), Chromium ($ACCOLADE_CHROMIUM or chromium on
// PATH) and Program (any other program, such as redis-server). A test that
// needs one calls its helper first.
//
// JSON-LD contexts are not a suite: tests load them from the contexts bundled
// into the binary (ldcontext.Config.Bundled, `make contexts`), with the
// shared contexts directory as an optional extra (LoaderDirs).
//
// Only tests import it.
package sharedtest
