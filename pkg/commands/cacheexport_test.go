package commands

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestCacheExportOnlyWhenNew: with a caching registry, a build that runs a
// step exports its cache (the cache image then holds the new layer); the
// same build again on the warm builder, fully cached, pushes nothing to the
// cache (no PUT, the cache tag's digest unchanged) and reads no cache
// manifest or blob; a fully cached build on
// a new branch exports that branch's cache, which the registry lacked, and
// so does a fully cached build after the registry lost its cache.
func TestCacheExportOnlyWhenNew(t *testing.T) {
	needStack(t)
	proxy := stack.StartProxy(regB.Host, nil)
	defer proxy.Close()
	regs := registriesFile(t, fmt.Sprintf("  - name: cache\n    domain: %s\n    insecure: true\n    prefix: cache\ndefault: a\ncaching: cache\n", proxy.Host))
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nARG V\nRUN echo $V > /v.txt\n"})
	// A value no other run has built: the first build runs its RUN step.
	token := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	build := func(v, branch string) result {
		return mustHoist(t, "build", dir, "--image-name", "e2e/cache-export", "--tag", "v1", "--build-arg", "BASE="+baseImage, "--build-arg", "V="+v,
			"--registries", regs, "--builder", bk.Addr, "--progress", "plain", "--var", "CF_BRANCH="+branch, "--var", "HOIST_DEFAULT_BRANCH=main")
	}
	cacheMain := regB.Host + "/cache/e2e/cache-export:cache-main"
	puts := func() int { return len(proxy.Requests("PUT /v2/cache/e2e/cache-export/")) }

	build(token+"-1", "main")
	first := digestOf(t, cacheMain, nil)
	if first == "" {
		t.Fatalf("the first build exported no %s", cacheMain)
	}

	before, reads := puts(), len(proxy.Requests("/v2/cache/e2e/cache-export/"))
	r := build(token+"-1", "main")
	if !strings.Contains(r.stderr, "CACHED") {
		t.Errorf("the second build ran its step again:\n%s", r.stderr)
	}
	if got := puts() - before; got != 0 {
		t.Errorf("the fully cached build sent %d PUT requests to the cache repository, want 0: %v", got, proxy.Requests("PUT /v2/cache/"))
	}
	// Nor did it read the cache: no manifest or blob fetched, only the
	// push check's upload start and cancel, and one HEAD of the cache tag.
	for _, req := range proxy.Requests("/v2/cache/e2e/cache-export/")[reads:] {
		if strings.HasPrefix(req, "GET ") || strings.Contains(req, "/blobs/sha256:") {
			t.Errorf("the fully cached build sent %s, want no cache read", req)
		}
	}
	if got := digestOf(t, cacheMain, nil); got != first {
		t.Errorf("after the fully cached build %s = %s, want it unchanged at %s", cacheMain, got, first)
	}

	build(token+"-2", "main")
	second := digestOf(t, cacheMain, nil)
	if second == "" || second == first {
		t.Fatalf("after a build that ran its step %s = %q, want a new digest (was %s)", cacheMain, second, first)
	}
	img := image(t, regA.Host+"/team-a/e2e/cache-export:v1")
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	top, err := layers[len(layers)-1].Digest()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cacheLayers(t, cacheMain), top.String()) {
		t.Errorf("the cache image %s does not hold the new RUN layer %s", cacheMain, top)
	}

	build(token+"-2", "feature/x")
	if digestOf(t, regB.Host+"/cache/e2e/cache-export:cache-feature_x", nil) == "" {
		t.Error("a fully cached build on branch feature/x exported no cache-feature_x")
	}

	// The registry loses cache-main: the next fully cached build puts it
	// back.
	gone, err := name.ParseReference(regB.Host + "/cache/e2e/cache-export@" + second)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(gone); err != nil {
		t.Fatal(err)
	}
	if got := digestOf(t, cacheMain, nil); got != "" {
		t.Fatalf("after deleting it, %s = %s", cacheMain, got)
	}
	r = build(token+"-2", "main")
	if !strings.Contains(r.stderr, "CACHED") {
		t.Errorf("the build after the cache's deletion ran its step again:\n%s", r.stderr)
	}
	if got := digestOf(t, cacheMain, nil); got == "" {
		t.Errorf("a fully cached build did not export %s, which the registry had lost", cacheMain)
	}
}

// cacheLayers lists the layer digests of the cache image ref (BuildKit's
// registry cache, image-manifest form).
func cacheLayers(t *testing.T, ref string) []string {
	t.Helper()
	m, err := image(t, ref).Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Digest.String())
	}
	return out
}
