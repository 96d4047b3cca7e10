package main

import "time"

// eventually asks cond every 100ms until it holds (true) or within has
// passed (false). Tests use it for what shows up after a server-side TTL,
// so that their result does not depend on the machine's speed.
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
