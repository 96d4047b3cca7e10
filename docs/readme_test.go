// Package docs holds the README's examples (examples.sh) and the test that
// keeps README.md's copies of them equal.
package docs

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's example blocks from examples.sh (make readme)")

// exampleBlocks reads the blocks of examples.sh: NAME -> its lines between
// "# example: NAME" and "# end".
func exampleBlocks(b []byte) (names []string, blocks map[string]string, err error) {
	blocks = map[string]string{}
	var name string
	var body strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# example: "):
			if name != "" {
				return nil, nil, fmt.Errorf("examples.sh:%d: example %s starts inside %s", n, line[11:], name)
			}
			name = strings.TrimSpace(line[len("# example: "):])
			if _, dup := blocks[name]; dup {
				return nil, nil, fmt.Errorf("examples.sh:%d: example %s twice", n, name)
			}
			body.Reset()
		case line == "# end" && name != "":
			blocks[name] = body.String()
			names = append(names, name)
			name = ""
		case name != "":
			body.WriteString(line + "\n")
		}
	}
	if name != "" {
		return nil, nil, fmt.Errorf("examples.sh: example %s has no # end", name)
	}
	return names, blocks, sc.Err()
}

// readmeBlock matches a marked block of README.md.
var readmeBlock = regexp.MustCompile("(?s)<!-- example: ([a-z0-9-]+) -->\n```sh\n(.*?)```\n")

// TestREADMEExamples: every block of examples.sh is in README.md, in the
// same order, after its marker, and equal to it, so the README shows what
// scripts/fresh-clone-check runs. go test ./docs -update (make readme)
// copies them over.
func TestREADMEExamples(t *testing.T) {
	ex, err := os.ReadFile("examples.sh")
	if err != nil {
		t.Fatal(err)
	}
	names, blocks, err := exampleBlocks(ex)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("examples.sh holds no examples")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		out := readmeBlock.ReplaceAllFunc(readme, func(m []byte) []byte {
			name := string(readmeBlock.FindSubmatch(m)[1])
			body, ok := blocks[name]
			if !ok {
				return m
			}
			return []byte("<!-- example: " + name + " -->\n```sh\n" + body + "```\n")
		})
		if !bytes.Equal(out, readme) {
			if err := os.WriteFile("../README.md", out, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Log("README.md updated from examples.sh")
		}
		readme = out
	}
	var inReadme []string
	for _, m := range readmeBlock.FindAllSubmatch(readme, -1) {
		name, body := string(m[1]), string(m[2])
		inReadme = append(inReadme, name)
		want, ok := blocks[name]
		if !ok {
			t.Errorf("README.md marks example %s, which examples.sh does not have", name)
			continue
		}
		if body != want {
			t.Errorf("README.md's example %s differs from examples.sh (run make readme):\nREADME:\n%s\nexamples.sh:\n%s", name, body, want)
		}
	}
	if strings.Join(inReadme, " ") != strings.Join(names, " ") {
		t.Errorf("README.md has examples %q, examples.sh %q: each once, in the same order", inReadme, names)
	}
}
