package jsonld_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/accolade-badges/accolade/internal/jsonld"
	"github.com/accolade-badges/accolade/internal/rdfc"
)

func ExampleProcessor_ToRDF() {
	loader := staticLoader{"https://example.org/context": map[string]any{"@context": map[string]any{
		"@protected": true,
		"name":       "https://schema.org/name",
		"Badge":      "https://example.org/Badge",
	}}}
	p := jsonld.New(jsonld.Config{Loader: loader})
	doc := map[string]any{"@context": "https://example.org/context", "@id": "urn:uuid:1", "@type": "Badge", "name": "Teamwork"}
	ds, err := p.ToRDF(context.Background(), doc, jsonld.Options{Strict: true})
	if err != nil {
		panic(err)
	}
	out, err := rdfc.Canonicalize(ds, rdfc.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))

	// Strict mode refuses what plain JSON-LD would drop unsigned.
	doc["colour"] = "green"
	_, err = p.ToRDF(context.Background(), doc, jsonld.Options{Strict: true})
	fmt.Println(errors.Is(err, jsonld.ErrDropped))
	// Output:
	// <urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/Badge> .
	// <urn:uuid:1> <https://schema.org/name> "Teamwork" .
	// true
}
