package archtest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/accolade-badges/accolade"

type pkg struct {
	ImportPath string
	Dir        string
	Name       string
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
