package archtest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/accolade-badges/accolade"

type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rule forbids packages matching who from depending (directly or not) on
// anything with prefix what, with the reason from STYLE.md.
type rule struct {
	who    func(path string) bool
	what   string
	direct bool
	reason string
}

func under(prefixes ...string) func(string) bool {
	return func(p string) bool {
		rel := strings.TrimPrefix(p, module)
		for _, pre := range prefixes {
			if rel == pre || strings.HasPrefix(rel, pre+"/") {
				return true
			}
		}
		return false
	}
}

func not(f func(string) bool) func(string) bool { return func(p string) bool { return !f(p) } }

func TestImportRules(t *testing.T) {
	domain := under("/credential", "/proof", "/did", "/status", "/keys", "/oid4vci", "/ldcontext")
	rules := []rule{
		{not(under("/api", "/cmd")), "github.com/gin-gonic/gin", false, "only api imports gin"},
		{domain, "go.etcd.io/bbolt", false, "domain packages import no storage driver"},
		{domain, "github.com/redis/go-redis", false, "domain packages import no storage driver"},
		{domain, module + "/store", false, "domain packages import no storage"},
		{not(under("/cmd")), module + "/store/bolt", false, "only cmd picks a store implementation"},
		{not(under("/cmd")), module + "/store/redis", false, "only cmd picks a store implementation"},
		{not(under("/cmd")), module + "/store/mem", false, "only cmd and tests pick a store implementation"},
		{not(under("/cmd")), module + "/api", false, "nothing imports api but cmd"},
		{domain, module + "/issuer", false, "the services sit above the domain packages"},
		{domain, module + "/wallet", false, "the services sit above the domain packages"},
		{domain, module + "/verifier", false, "the services sit above the domain packages"},
		{under("/verifier"), module + "/issuer", false, "verifier never imports issuer"},
		{under("/verifier"), module + "/wallet", false, "verifier never imports wallet"},
		{not(under("/cmd", "/internal/archtest")), module + "/internal/sharedtest", true, "sharedtest is for tests only"},
	}
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !r.who(p.ImportPath) {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if d == r.what || strings.HasPrefix(d, r.what+"/") {
					t.Errorf("%s depends on %s: %s", p.ImportPath, d, r.reason)
				}
			}
		}
	}
}

// standard reports whether an import path is in the standard library: its
// first element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// matches reports whether path is one of list; an entry ending in "/"
// matches every path below it.
func matches(path string, list []string) bool {
	for _, l := range list {
		if path == l || strings.HasSuffix(l, "/") && strings.HasPrefix(path, l) {
			return true
		}
	}
	return false
}

// allowlists name, for the packages at the bottom of the layering, all they
// may use outside the standard library, and standard packages they must not
// use: what each package comment promises.
var allowlists = []struct {
	pkg          string   // path below the module, exactly this package
	transitive   bool     // check every dependency, not only direct imports
	allowed      []string // non-standard paths; a trailing "/" allows a tree
	forbiddenStd []string // standard packages; a trailing "/" forbids a tree
	reason       string
}{
	{"/credential", false, []string{"github.com/santhosh-tekuri/jsonschema/v6"}, nil,
		"credential is the model: the standard library and the JSON Schema validator only, never ldcontext or any other package of this module"},
	{"/internal/jcs", false, nil, nil, "jcs uses the standard library only"},
	{"/internal/rdfc", false, nil, []string{"net/http"}, "rdfc uses the standard library only"},
	{"/internal/jsonld", false, []string{module + "/internal/rdfc", module + "/internal/jcs"}, []string{"net/"},
		"jsonld uses the standard library, internal/rdfc and internal/jcs only: no HTTP, no storage"},
	{"/internal/public", false, nil, nil, "every service imports public: the standard library only"},
	{"/ldcontext", false, []string{module + "/internal/jcs"}, nil,
		"ldcontext uses the standard library and internal/jcs only, so that neither credential nor storage nor an HTTP framework creeps in"},
	{"/keys", true, []string{"github.com/mr-tron/base58", "golang.org/x/crypto/"}, []string{"net/http"},
		"keys uses the standard library, base58 and x/crypto only: no storage, no network I/O, nothing above it"},
	{"/proof", true, nil, nil, "proof holds only the vocabulary its subpackages share: the standard library only"},
	{"/proof/jose", true, []string{module + "/keys", "github.com/mr-tron/base58", "golang.org/x/crypto/"}, []string{"net/http"},
		"proof/jose uses the standard library and keys only and makes no network calls; jwx is for the interop test only"},
}

// fileImports confine an allowed import to the files that need it.
var fileImports = []struct {
	pkg, path string
	files     []string
}{
	{"/credential", "github.com/santhosh-tekuri/jsonschema/v6", []string{"schema.go", "schemafast.go"}},
}

func TestAllowlists(t *testing.T) {
	pkgs := map[string]pkg{}
	for _, p := range listPackages(t) {
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	for _, a := range allowlists {
		p, ok := pkgs[a.pkg]
		if !ok {
			t.Errorf("%s: no such package; update the allowlist", a.pkg)
			continue
		}
		deps := p.Imports
		if a.transitive {
			deps = p.Deps
		}
		for _, d := range deps {
			if standard(d) && matches(d, a.forbiddenStd) || !standard(d) && !matches(d, a.allowed) {
				t.Errorf("%s depends on %s: %s", p.ImportPath, d, a.reason)
			}
		}
	}
	for _, fi := range fileImports {
		p := pkgs[fi.pkg]
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if path := strings.Trim(imp.Path.Value, `"`); path == fi.path && !slices.Contains(fi.files, name) {
					t.Errorf("%s/%s imports %s; only %v may", p.ImportPath, name, path, fi.files)
				}
			}
		}
	}
}

func TestEveryPackageHasDocGo(t *testing.T) {
	for _, p := range listPackages(t) {
		path := filepath.Join(p.Dir, "doc.go")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s has no doc.go", p.ImportPath)
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil || f.Doc == nil {
			t.Errorf("%s: doc.go has no package comment", p.ImportPath)
			continue
		}
		want := "Package " + p.Name + " "
		if p.Name == "main" {
			want = "Command "
		}
		if !strings.HasPrefix(f.Doc.Text(), want) {
			t.Errorf("%s: package comment should start %q", p.ImportPath, want)
		}
		entries, _ := os.ReadDir(p.Dir)
		for _, e := range entries {
			name := e.Name()
			if name == "doc.go" || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			g, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ParseComments|parser.PackageClauseOnly)
			if err == nil && g.Doc != nil && strings.HasPrefix(g.Doc.Text(), "Package ") {
				t.Errorf("%s: %s has a second package comment; keep it in doc.go", p.ImportPath, name)
			}
		}
	}
}
