package rdfc

// Work runs the canonicalization of d and returns the Hash N-Degree Quads
// work it spent (for TestPoisonWork).
func Work(d *Dataset, opts Options) (int, error) {
	var c canonicalizer
	err := c.run(d, opts)
	return c.work, err
}
