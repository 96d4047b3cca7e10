package sharedtest

import (
	"os"
	"testing"
)

// TestMain keeps this package's own tests, which make needs go missing on
// purpose, out of the run's report of needs that were not here: a test that
// checks the report sets its own file.
func TestMain(m *testing.M) {
	os.Unsetenv(EnvReport)
	os.Exit(m.Run())
}
