// Package sharedtest locates the shared, third-party test data (official
// JSON-LD contexts, schemas and test vectors) that tests read but the
// repository never copies: $ACCOLADE_TESTDATA_DIR and $ACCOLADE_CONTEXTS_DIR
// when set, else the shared/ folder found beside or above the checkout.
// Only tests import it.
package sharedtest
