package commands

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// slowRun is a Dockerfile of the cache tests: a RUN step slow enough that
// running it again shows, marked so each test's step is its own.
func slowRun(mark string) string {
	return "ARG BASE\nFROM ${BASE}\nRUN sleep 3 && date > /t && echo " + mark + " > /mark\n"
}

// runCached reports whether plain progress shows the slow RUN step CACHED.
func runCached(progress string) bool {
	m := regexp.MustCompile(`#(\d+) \[2/2\] RUN sleep 3 && date > /t`).FindStringSubmatch(progress)
	return m != nil && strings.Contains(progress, "#"+m[1]+" CACHED\n")
}

// lastLayer is the digest of the top layer of ref's image: the slow RUN's.
func lastLayer(t *testing.T, ref string) string {
	t.Helper()
	layers, err := image(t, ref).Layers()
	if err != nil || len(layers) == 0 {
		t.Fatalf("layers of %s: %v", ref, err)
	}
	d, err := layers[len(layers)-1].Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// coldBuilder starts a buildkitd with an empty state folder, stopped when
// the test ends.
func coldBuilder(t *testing.T) *stack.Buildkitd {
	t.Helper()
	cold, err := stack.StartBuildkitd(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cold.Stop)
	return cold
}

// TestBuildCacheLocal: --cache-to type=local,dest=DIR writes BuildKit's
// cache to a folder; a cold builder with --cache-from type=local,src=DIR
// shows the slow RUN CACHED and gives the same layer.
func TestBuildCacheLocal(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": slowRun("flags")})
	t.Chdir(t.TempDir())
	regs := registriesFile(t, "")
	build := func(builder, tag string, cache ...string) result {
		return mustHoist(t, append([]string{"build", dir, "-t", regA.Host + "/cache/local:" + tag, "--build-arg", "BASE=" + baseImage,
			"--registries", regs, "--builder", builder, "--progress", "plain"}, cache...)...)
	}
	first := build(bk.Addr, "1", "--cache-to", "type=local,dest=cache,mode=max")
	if runCached(first.stderr) {
		t.Fatalf("the first build found the RUN step cached already:\n%s", first.stderr)
	}
	again := build(coldBuilder(t).Addr, "2", "--cache-from", "type=local,src=cache")
	if !runCached(again.stderr) {
		t.Errorf("the cold builder ran the RUN step again:\n%s", again.stderr)
	}
	if a, b := lastLayer(t, regA.Host+"/cache/local:1"), lastLayer(t, regA.Host+"/cache/local:2"); a != b {
		t.Errorf("the RUN layer is %s from the cache, want the first build's %s", b, a)
	}
}

// TestPipelineCacheTo: a build step's cache_to and cache_from, as a
// Codefresh user writes them, export and import the cache: a cold builder
// shows the slow RUN CACHED.
func TestPipelineCacheTo(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": slowRun("pipeline"),
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: cache/pipeline
    tag: ${{TAG}}
    build_arguments:
      - BASE=${{BASE}}
    cache_from:
      - type=local,src=cache
    cache_to:
      - type=local,dest=cache,mode=max
`,
	})
	regs := registriesFile(t, "default: a\n")
	run := func(builder, tag string) result {
		return mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", builder, "--progress", "plain",
			"--var", "BASE="+baseImage, "--var", "TAG="+tag)
	}
	first := run(bk.Addr, "1")
	if !strings.Contains(first.stderr, "hoist: warning: step app: cache "+filepath.Join(dir, "cache")+" holds no cache yet; building without it\n") {
		t.Errorf("the first run does not warn that the cache folder is empty:\n%s", first.stderr)
	}
	if runCached(first.stderr) {
		t.Fatalf("the first run found the RUN step cached already:\n%s", first.stderr)
	}
	again := run(coldBuilder(t).Addr, "2")
	if !runCached(again.stderr) {
		t.Errorf("the cold builder ran the RUN step again:\n%s", again.stderr)
	}
	if a, b := lastLayer(t, regA.Host+"/team-a/cache/pipeline:1"), lastLayer(t, regA.Host+"/team-a/cache/pipeline:2"); a != b {
		t.Errorf("the RUN layer is %s from the cache, want the first run's %s", b, a)
	}
}
