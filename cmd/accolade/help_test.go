package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// commandPaths lists every command and subcommand, found the way a user
// finds them: from accolade --help and each group's --help.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	var paths [][]string
	for _, c := range commands() {
		env, out, _ := testEnv(nil)
		if code := run(context.Background(), env, []string{c.name, "--help"}); code != 0 {
			t.Fatalf("accolade %s --help: exit %d", c.name, code)
		}
		subs := regexp.MustCompile(`(?m)^  ([a-z]+) `).FindAllStringSubmatch(strings.SplitN(out.String(), "Commands:\n", 2)[len(strings.SplitN(out.String(), "Commands:\n", 2))-1], -1)
		if !strings.Contains(out.String(), "Commands:\n") {
			subs = nil
		}
		if len(subs) == 0 {
			paths = append(paths, []string{c.name})
			continue
		}
		for _, s := range subs {
			paths = append(paths, []string{c.name, s[1]})
		}
	}
	return paths
}

// Every command's --help exits 0, starts with its own usage line and lists
// only flags the command takes: each one it lists is accepted, and the
// server's settings do not leak into client commands.
func TestHelpOfEveryCommand(t *testing.T) {
	flagRE := regexp.MustCompile(`(?m)^\s+--([a-z][a-z0-9-]*)`)
	paths := commandPaths(t)
	if len(paths) < 25 {
		t.Fatalf("found %d commands, want every subcommand: %q", len(paths), paths)
	}
	for _, path := range paths {
		name := strings.Join(path, " ")
		t.Run(name, func(t *testing.T) {
			env, out, errb := testEnv(nil)
			if code := run(context.Background(), env, append(append([]string{}, path...), "--help")); code != 0 {
				t.Fatalf("exit %d\nstderr: %s", code, errb)
			}
			help := out.String()
			if !strings.HasPrefix(help, "Usage: accolade "+name) {
				t.Errorf("help does not start with its usage line %q:\n%s", "Usage: accolade "+name, help)
			}
			if name != "serve" {
				for _, serverOnly := range []string{"--status-list-size", "--wallet-signin-window", "--oid4vci-batch-size", "--max-body-bytes"} {
					if strings.Contains(help, serverOnly) {
						t.Errorf("help lists the server setting %s", serverOnly)
					}
				}
			}
			for _, m := range flagRE.FindAllStringSubmatch(help, -1) {
				env, out, errb := testEnv(nil)
				run(context.Background(), env, append(append(append([]string{}, path...), "--"+m[1]+"=1"), "--help"))
				if strings.Contains(errb.String()+out.String(), "not defined") {
					t.Errorf("help lists --%s, which the command refuses:\n%s", m[1], errb)
				}
			}
		})
	}
}

func TestHelpListsOwnFlags(t *testing.T) {
	tests := []struct {
		path []string
		want []string
		not  []string
	}{
		{[]string{"verify"}, []string{"--json", "--checks", "--contexts-dir", "--offline", "--server"}, []string{"--token-file", "--issuer-name", "--kek-file"}},
		{[]string{"bake"}, []string{"--in", "--credential", "--out"}, []string{"Settings", "--data-dir"}},
		{[]string{"wallet", "list"}, []string{"--server", "--token", "--token-file"}, []string{"--data-dir", "--store", "--kek-file"}},
		{[]string{"issue", "bulk"}, []string{"--csv", "--achievement", "--format", "--server", "--admin-token"}, []string{"--store", "--token-file"}},
		{[]string{"keys", "list"}, []string{"--data-dir", "--store", "--server"}, []string{"--token-file", "--offer-ttl"}},
		{[]string{"serve"}, []string{"--addr", "--public-url", "--status-list-size"}, []string{"--token-file"}},
		{[]string{"migrate"}, []string{"--from", "--to", "--force", "--verify-only", "--redis-prefix"}, []string{"--addr"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.path, " "), func(t *testing.T) {
			env, out, _ := testEnv(nil)
			run(context.Background(), env, append(tc.path, "--help"))
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("help lacks %s:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out.String(), w) {
					t.Errorf("help shows %s:\n%s", w, out)
				}
			}
		})
	}
}

// A command with a missing argument says which, in words, and exits 2.
func TestMissingArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "missing argument FILE|-"},
		{[]string{"unbake"}, "missing argument FILE"},
		{[]string{"status", "show"}, "missing argument LIST"},
		{[]string{"contexts", "import"}, "missing argument DIR"},
		{[]string{"did", "resolve"}, "missing argument DID"},
		{[]string{"wallet", "import"}, "missing argument FILE"},
		{[]string{"wallet", "show"}, "missing argument ID"},
		{[]string{"wallet", "present"}, "missing argument ID..."},
		{[]string{"wallet", "receive"}, "missing argument OFFER"},
		{[]string{"wallet", "answer"}, "missing argument REQUEST"},
		{[]string{"bake"}, "--in, --credential and --out are required"},
		{[]string{"migrate"}, "--from and --to are both required"},
		{[]string{"keys"}, "missing command: list, rotate"},
		{[]string{"wallet"}, "missing command: signup, confirm, signin"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			env, _, errb := testEnv(nil)
			if code := run(context.Background(), env, tc.args); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, errb)
			}
		})
	}
}
