package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzCommands are the commands FuzzFlags runs: none builds, pushes or
// reaches a server (run and build always get --dry-run last).
var fuzzCommands = [][]string{{"validate"}, {"explain"}, {"run", "--dry-run"}, {"build", "--dry-run"}}

// FuzzFlags runs the real command tree with fuzzed arguments: FILE, REGS,
// DIR and DF stand for a pipeline, a registries file, a build context and
// a Dockerfile that exist. hoist must exit 0, 1 or 2, never panic, end a
// failure with one "hoist: " line, and never show the secret the
// environment holds.
func FuzzFlags(f *testing.F) {
	dir := f.TempDir()
	for name, content := range map[string]string{
		"Dockerfile": "ARG BASE=scratch\nFROM ${BASE}\nARG NPM_TOKEN\n",
		"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: fuzz/app\n    build_arguments:\n      - NPM_TOKEN=${{FUZZ_TOKEN}}\n" +
			"    when:\n      condition:\n        any:\n          a: \"'${{FUZZ_TOKEN}}' == '${{WHO}}'\"\n          b: \"${{WHO}} == 'x'\"\n" +
			"  push:\n    type: push\n    candidate: ${{app}}\n    tag: ${{TAG}}\n    credentials:\n      username: u\n      password: ${{FUZZ_TOKEN}}\n",
		"registries.yaml": "registries:\n  - name: a\n    domain: 127.0.0.1:1\n    prefix: team\n    username: u\n    password_env: FUZZ_TOKEN\ndefault: a\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	f.Setenv("FUZZ_TOKEN", "fuzzCanary-Qm4z")
	for _, s := range []struct {
		cmd  uint8
		args string
	}{
		{0, "-f FILE"}, {1, "-f FILE --registries REGS"}, {2, "-f FILE --registries REGS --var WHO=x --var TAG=v1"},
		{2, "-f FILE --registries REGS --var WHO='a' --var TAG=../x"}, {3, "DIR --image-name a/b -f DF --registries REGS --build-arg NPM_TOKEN=x"},
		{3, "DIR --image-name a/../b"}, {1, "-f FILE --no-auto-push --auto-push-registry a"}, {0, "-f /dev/zero"}, {1, "--progress tty"},
		{3, "DIR --image-name x --registry a --no-push"}, {2, "-f FILE --var"}, {1, "-f FILE --registries REGS --var WHO=${{WHO}}"},
	} {
		f.Add(s.cmd, s.args)
	}
	repl := strings.NewReplacer("FILE", filepath.Join(dir, "codefresh.yml"), "REGS", filepath.Join(dir, "registries.yaml"), "DIR", dir, "DF", filepath.Join(dir, "Dockerfile"))
	f.Fuzz(func(t *testing.T, cmd uint8, line string) {
		args := []string{}
		for _, a := range strings.Fields(line) {
			// Nothing may turn the dry run off, end the flags (a later
			// --dry-run would be an argument), or write a file.
			if a == "--" || strings.Contains(a, "dry") || strings.Contains(a, "metadata") || strings.Contains(a, "builder") {
				return
			}
			args = append(args, repl.Replace(a))
		}
		c := fuzzCommands[int(cmd)%len(fuzzCommands)]
		args = append(append([]string{c[0]}, args...), c[1:]...)
		r := hoist(t, args...)
		if r.code != ExitOK && r.code != ExitFailed && r.code != ExitBadInput {
			t.Fatalf("hoist %q: exit %d", args, r.code)
		}
		if r.code != ExitOK {
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "hoist: ") {
				t.Fatalf("hoist %q: exit %d, stderr does not end in one hoist: line:\n%s", args, r.code, r.stderr)
			}
		}
		if !strings.Contains(line, "fuzzCanary") && strings.Contains(r.stdout+r.stderr, "fuzzCanary") {
			t.Fatalf("hoist %q shows the secret:\n%s%s", args, r.stdout, r.stderr)
		}
	})
}
