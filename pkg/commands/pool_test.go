package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// startBuilder starts one more buildkitd for a test and stops it after.
func startBuilder(t *testing.T, args ...string) *stack.Buildkitd {
	t.Helper()
	b, err := stack.StartBuildkitdWith(context.Background(), stack.BuildkitdOptions{Args: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	return b
}

// stepBuilders reads which builder built each step from a metadata file.
func stepBuilders(t *testing.T, path string) map[string]string {
	t.Helper()
	var m struct {
		Steps []struct{ Step, Builder string }
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &m) != nil {
		t.Fatalf("metadata file: %v\n%s", err, data)
	}
	out := map[string]string{}
	for _, s := range m.Steps {
		out[s.Step] = s.Builder
	}
	return out
}

// TestBuilderPool: four parallel builds on a pool of two buildkitd
// processes use both, each step's builder recorded; with one builder down
// before the run, all four build on the other after one warning line.
func TestBuilderPool(t *testing.T) {
	needStack(t)
	one, two := startBuilder(t), startBuilder(t)
	steps := ""
	for i := 1; i <= 4; i++ {
		steps += fmt.Sprintf("      b%d:\n        type: build\n        image_name: pool/app%d\n        tag: v1\n        registry: a\n        build_arguments: ['N=%d', 'BASE=${{BASE}}']\n", i, i, i)
	}
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "ARG BASE\nFROM ${BASE}\nARG N\nRUN sleep 1 && echo $N > /n\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  all:\n    type: parallel\n    steps:\n" + steps,
	})
	regs := registriesFile(t, "")
	run := func(meta string, builders ...string) result {
		args := []string{"run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--progress", "quiet",
			"--var", "BASE=" + baseImage, "--var", "CF_BRANCH=main", "--metadata-file", meta}
		for _, b := range builders {
			args = append(args, "--builder", b)
		}
		return hoist(t, args...)
	}
	meta := filepath.Join(t.TempDir(), "meta.json")
	if r := run(meta, one.Addr, two.Addr); r.code != 0 {
		t.Fatalf("pool of two: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	used := map[string]int{}
	for step, b := range stepBuilders(t, meta) {
		if step != "all" {
			used[b]++
		}
	}
	if used[one.Addr] == 0 || used[two.Addr] == 0 {
		t.Errorf("builders used = %v, want both %s and %s", used, one.Addr, two.Addr)
	}
	for i := 1; i <= 4; i++ {
		if digestOf(t, fmt.Sprintf("%s/team-a/pool/app%d:v1", regA.Host, i), nil) == "" {
			t.Errorf("pool/app%d was not pushed", i)
		}
	}

	down := "unix://" + filepath.Join(t.TempDir(), "down.sock")
	meta = filepath.Join(t.TempDir(), "meta.json")
	r := run(meta, one.Addr, down)
	want := "hoist: warning: builder " + down + " is not reachable: "
	if r.code != 0 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, "; building on the others\n") {
		t.Fatalf("one builder down: exit %d, stderr %q; want exit 0 and one warning starting %q", r.code, r.stderr, want)
	}
	for step, b := range stepBuilders(t, meta) {
		if step != "all" && b != one.Addr {
			t.Errorf("step %s built on %q, want %s (the only one up)", step, b, one.Addr)
		}
	}
}

// TestNativeNodes: two buildkitd processes, each offering one platform
// (--oci-worker-platform), build one multi-platform image, each its own
// platform; hoist assembles the index by digest and pushes it to two
// registries with one digest.
func TestNativeNodes(t *testing.T) {
	needStack(t)
	base := regA.Host + "/base/busybox:multi"
	if _, err := stack.PushBusyboxIndex(base); err != nil {
		t.Fatal(err)
	}
	amd := startBuilder(t, "--oci-worker-platform", "linux/amd64")
	arm := startBuilder(t, "--oci-worker-platform", "linux/arm64")
	builders := writeFiles(t, map[string]string{"builders.yaml": fmt.Sprintf("builders:\n  - name: amd\n    address: %s\n  - name: arm\n    address: %s\n", amd.Addr, arm.Addr)})
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN uname -m > /arch\n"})
	meta := filepath.Join(t.TempDir(), "meta.json")
	mustHoist(t, "build", dir, "--image-name", "native/app", "--tag", "v1", "--registry", "a", "--registry", "b",
		"--platform", "linux/amd64,linux/arm64", "--build-arg", "BASE="+base, "--registries", registriesFile(t, ""),
		"--builders", filepath.Join(builders, "builders.yaml"), "--progress", "quiet", "--metadata-file", meta)
	if got, want := stepBuilders(t, meta)["build"], "amd (linux/amd64), arm (linux/arm64)"; got != want {
		t.Errorf("builder = %q, want %q", got, want)
	}
	da := digestOf(t, regA.Host+"/team-a/native/app:v1", nil)
	db := digestOf(t, regB.Host+"/team-b/native/app:v1", nil)
	if da == "" || da != db {
		t.Fatalf("digests a %q, b %q; want one index in both", da, db)
	}
	ref, _ := name.ParseReference(regB.Host + "/team-b/native/app:v1")
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	var got []string
	for _, m := range im.Manifests {
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Platform.Architecture+"="+strings.TrimSpace(fileIn(t, img, "arch")))
	}
	sort.Strings(got)
	if want := []string{"amd64=x86_64", "arm64=aarch64"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("children = %v, want %v", got, want)
	}
}

// TestBuilderPoolPlan: a dry run with a pool says where a build step will
// go, without reaching the builders.
func TestBuilderPoolPlan(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	r := mustHoist(t, "build", dir, "--image-name", "plan/app", "--tag", "v1", "--no-push", "--dry-run",
		"--builder", "tcp://127.0.0.1:1234", "--builder", "kube-pod://buildkitd-0")
	if want := "  builder: the least busy of tcp://127.0.0.1:1234, kube-pod://buildkitd-0\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("plan = %q, want it to say %q", r.stdout, want)
	}
}
