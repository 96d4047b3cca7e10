package bake_test

import (
	"fmt"

	"github.com/accolade-badges/accolade/bake"
)

// A VC-JWT baked into an SVG goes in the verify attribute of an
// openbadges:credential element right after the root start tag.
func ExampleBakeSVG() {
	art := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>`)
	baked, err := bake.BakeSVG(art, []byte("eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln"))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(baked))
	payload, kind, _ := bake.Unbake(baked)
	fmt.Println(kind, string(payload))
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
	// <openbadges:credential verify="eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln"></openbadges:credential><circle r="4"/></svg>
	// svg eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln
}
