package commands

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBuildxFlagsExample runs the commands of examples/buildx-flags's
// README, as written, on the test registry (its host for 127.0.0.1:5000)
// and the test buildkitd: -t pushes the exact reference, -o type=oci
// writes a layout holding the printed digest and pushes nothing, and a
// cold builder given the exported cache folder shows the slow RUN CACHED.
func TestBuildxFlagsExample(t *testing.T) {
	needStack(t)
	const example = "../../examples/buildx-flags"
	readme, err := os.ReadFile(filepath.Join(example, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("examples/buildx-flags/README.md has no sh block")
	}
	var commands [][]string
	for _, l := range strings.Split(string(block[1]), "\n") {
		if strings.HasPrefix(l, "hoist ") {
			commands = append(commands, strings.Fields(strings.ReplaceAll(l, "127.0.0.1:5000", regA.Host))[1:])
		}
	}
	if len(commands) != 3 {
		t.Fatalf("the README's sh block has %d hoist commands, want 3", len(commands))
	}
	// A copy of the example with the test registry's host where the
	// example names the demo's (the Dockerfile's BASE, registries.yaml).
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", "message.txt", "registries.yaml"} {
		b, err := os.ReadFile(filepath.Join(example, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(strings.ReplaceAll(string(b), "127.0.0.1:5000", regA.Host)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	run := func(args []string, builder string) result {
		t.Helper()
		return mustHoist(t, append(args, "--builder", builder, "--progress", "plain")...)
	}

	pushed := run(commands[0], bk.Addr)
	if got, want := digestOf(t, regA.Host+"/demo/hello:1.0", nil), printedDigest(t, pushed.stdout); got != want {
		t.Errorf("%s/demo/hello:1.0 is %s, want the printed %s", regA.Host, got, want)
	}

	oci := run(commands[1], bk.Addr)
	digest := printedDigest(t, oci.stdout)
	if !strings.Contains(oci.stdout, "no push") {
		t.Errorf("-o type=oci pushes nothing; plan:\n%s", oci.stdout)
	}
	if _, im := ociTar(t, "hello.tar"); len(im.Manifests) != 1 || im.Manifests[0].Digest.String() != digest {
		t.Errorf("hello.tar's index.json: %v; want one manifest, the printed %s", im, digest)
	}
	if _, err := os.Stat(".buildcache/index.json"); err != nil {
		t.Errorf("--cache-to type=local wrote no cache: %v", err)
	}

	cached := run(commands[2], coldBuilder(t).Addr)
	m := regexp.MustCompile(`#(\d+) \[2/3\] RUN sleep 3`).FindStringSubmatch(cached.stderr)
	if m == nil || !strings.Contains(cached.stderr, "#"+m[1]+" CACHED\n") {
		t.Errorf("the cold builder with --cache-from ran the slow RUN again:\n%s", cached.stderr)
	}
}
