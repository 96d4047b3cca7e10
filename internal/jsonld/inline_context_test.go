package jsonld_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accolade-badges/accolade/internal/jsonld"
)

// TestInlineContextWrapper: a local context that is a map holding an
// @context entry is a context definition with the keyword @context as a
// term, a "keyword redefinition" (JSON-LD 1.1 API §4.1.2 step 5.4 and
// §4.2.2 step 5; W3C test expand/er56). Only a remote context document is
// unwrapped to its @context (step 5.2.5). jsonld.js and json-gold unwrap a
// local one too; proof/di pins that difference.
func TestInlineContextWrapper(t *testing.T) {
	t.Parallel()
	const def = `{"p": "https://e.org/p"}`
	p := jsonld.New(jsonld.Config{Loader: mapLoader{"https://e.org/ctx": `{"@context": ` + def + `}`}})
	refused := map[string]string{
		"object (er56)":     `{"@context": {"@context": ` + def + `}, "@id": "urn:x", "p": "v"}`,
		"array entry":       `{"@context": ["https://e.org/ctx", {"@context": ` + def + `}], "@id": "urn:x", "p": "v"}`,
		"embedded in node":  `{"@context": "https://e.org/ctx", "@id": "urn:x", "p": {"@context": [{"@context": {"q": "https://e.org/q"}}], "q": "v"}}`,
		"wrapper with more": `{"@context": [{"@context": ` + def + `, "q": "https://e.org/q"}], "@id": "urn:x", "p": "v"}`,
	}
	// In a scoped context the error is reported as such (§4.2.2 step 21.3).
	const scoped = `{"@context": {"t": {"@id": "https://e.org/t", "@context": {"@context": ` + def + `}}}, "@id": "urn:x", "t": {"p": "v"}}`
	var jerr *jsonld.Error
	if _, err := p.ToRDF(context.Background(), parse(t, scoped), jsonld.Options{Strict: true}); !errors.As(err, &jerr) || jerr.Code != "invalid scoped context" {
		t.Errorf("scoped context: error %v, want invalid scoped context", err)
	}
	for name, doc := range refused {
		t.Run("refused/"+name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				_, err := p.ToRDF(context.Background(), parse(t, doc), jsonld.Options{Strict: strict})
				var jerr *jsonld.Error
				if !errors.As(err, &jerr) || jerr.Code != "keyword redefinition" {
					t.Errorf("strict %v: error %v, want keyword redefinition", strict, err)
				}
			}
		})
	}
	accepted := map[string]string{
		"remote document wrapper": `{"@context": "https://e.org/ctx", "@id": "urn:x", "p": "v"}`,
		"plain inline definition": `{"@context": ["https://e.org/ctx", {"q": "https://e.org/q"}], "@id": "urn:x", "p": "v", "q": "w"}`,
		"scoped context":          `{"@context": {"t": {"@id": "https://e.org/t", "@context": ` + def + `}}, "@id": "urn:x", "t": {"p": "v"}}`,
	}
	for name, doc := range accepted {
		t.Run("accepted/"+name, func(t *testing.T) {
			if _, err := p.ToRDF(context.Background(), parse(t, doc), jsonld.Options{Strict: true}); err != nil {
				t.Error(err)
			}
		})
	}
}
