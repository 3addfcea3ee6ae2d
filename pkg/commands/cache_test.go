package commands

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestCachingRegistry: a build exports BuildKit's cache to the caching
// registry; a cold builder then skips the slow RUN step (CACHED) and pushes
// the same digest; a new branch starts from the default branch's cache, and
// a disable_push build still exports its cache.
func TestCachingRegistry(t *testing.T) {
	needStack(t)
	pipeline := func(noPush string) string {
		return `version: "1.0"
steps:
  app:
    type: build
    image_name: e2e/cached
    tag: v1
    disable_push: ` + noPush + `
    build_arguments:
      - BASE=${{BASE}}
      - SOURCE_DATE_EPOCH=0
`
	}
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN sleep 2 && echo slow > /slow.txt\n",
		"push.yml":   pipeline("false"),
		"nopush.yml": pipeline("true"),
	})
	regs := registriesFile(t, fmt.Sprintf("  - name: cache\n    domain: %s\n    insecure: true\n    prefix: cache\ndefault: a\ncaching: cache\n", regB.Host))
	run := func(builder, branch, noPush string) result {
		file := map[string]string{"false": "push.yml", "true": "nopush.yml"}[noPush]
		return mustHoist(t, "run", "-f", filepath.Join(dir, file), "--registries", regs, "--builder", builder, "--progress", "plain",
			"--var", "BASE="+baseImage, "--var", "CF_BRANCH="+branch, "--var", "HOIST_DEFAULT_BRANCH=main",
			"--var", "CF_BUILD_ID=b1", "--var", "CF_BUILD_TIMESTAMP=2026-11-23T00:00:00Z", "--var", "CF_REVISION=abc")
	}
	// notRun reports whether the slow RUN step did not execute: BuildKit
	// shows it CACHED, or done in well under its 2 s sleep when it only
	// fetched the cached layer.
	notRun := func(progress string) bool {
		m := regexp.MustCompile(`#(\d+) \[2/2\] RUN sleep 2`).FindStringSubmatch(progress)
		if m == nil {
			return false
		}
		if strings.Contains(progress, "#"+m[1]+" CACHED") {
			return true
		}
		d := regexp.MustCompile(`#` + m[1] + ` DONE (\d+\.\d+)s`).FindStringSubmatch(progress)
		if d == nil {
			return false
		}
		secs, err := strconv.ParseFloat(d[1], 64)
		return err == nil && secs < 1.0
	}

	first := run(bk.Addr, "main", "false")
	if !strings.Contains(first.stdout, `  cache `+regB.Host+`/cache/e2e/cached:cache-main in "cache"`) {
		t.Errorf("stdout does not show the cache reference:\n%s", first.stdout)
	}
	built := digestOf(t, regA.Host+"/team-a/e2e/cached:v1", nil)
	if built == "" || digestOf(t, regB.Host+"/cache/e2e/cached:cache-main", nil) == "" {
		t.Fatalf("after the first build: image %q, cache-main missing or present?\n%s", built, first.stderr)
	}

	for _, tc := range []struct {
		branch, noPush string
	}{{"main", "false"}, {"feature/New", "true"}} {
		cold, err := stack.StartBuildkitd(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r := run(cold.Addr, tc.branch, tc.noPush)
		cold.Stop()
		if !notRun(r.stderr) {
			t.Errorf("branch %s on a cold builder: the RUN step ran again:\n%s", tc.branch, r.stderr)
		}
		if tc.noPush == "false" {
			if got := digestOf(t, regA.Host+"/team-a/e2e/cached:v1", nil); got != built {
				t.Errorf("cold rebuild pushed %s, want the first build's %s", got, built)
			}
		}
	}
	if digestOf(t, regB.Host+"/cache/e2e/cached:cache-feature_new", nil) == "" {
		t.Error("the disable_push build on feature/New exported no cache-feature_new")
	}
}

// TestCachingRegistryDown: a caching registry that is down is one warning
// line; the build and its push succeed.
func TestCachingRegistryDown(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo nocache > /n.txt\n"})
	regs := registriesFile(t, "  - name: cache\n    domain: 127.0.0.1:1\ndefault: a\ncaching: cache\n")
	r := mustHoist(t, "build", dir, "--image-name", "e2e/cache-down", "--tag", "v1", "--build-arg", "BASE="+baseImage,
		"--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	want := `hoist: warning: step build: registry "cache" (127.0.0.1:1): not reachable:`
	if !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, "; building without the registry cache\n") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one warning line starting %q", r.stderr, want)
	}
	if digestOf(t, regA.Host+"/team-a/e2e/cache-down:v1", nil) == "" {
		t.Error("the image was not pushed")
	}
}
