package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/registries"
)

// TestCacheOptions: NoCFCache leaves the caching registry out of every
// build's request, as no_cf_cache: true does, keeping cache_from;
// NoCache turns BuildKit's cache off and imports nothing.
func TestCacheOptions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: acme/app\n    tag: v1\n    cache_from:\n      - mirror.test/acme/app:cache\n"
	p, err := pipeline.Load(strings.NewReader(src), filepath.Join(dir, "codefresh.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p.Dir = dir
	cfg, err := registries.Load(strings.NewReader("registries:\n  - name: a\n    domain: a.test\n  - name: cache\n    domain: cache.test\ndefault: a\ncaching: cache\n"), "registries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name               string
		noCache, noCFCache bool
		imports            []string
		export             string
	}{
		{"default", false, false, []string{"cache.test/acme/app:cache-main", "mirror.test/acme/app:cache"}, "cache.test/acme/app:cache-main"},
		{"no-cf-cache", false, true, []string{"mirror.test/acme/app:cache"}, ""},
		{"no-cache", true, false, nil, ""},
	} {
		opts := Options{Registries: cfg, Branch: "main", NoCache: tc.noCache, NoCFCache: tc.noCFCache}
		results, err := Run(context.Background(), p, opts, Exec{DryRun: true})
		if err != nil || len(results) != 1 {
			t.Fatalf("%s: Run() = %d results, %v", tc.name, len(results), err)
		}
		req := results[0].Request
		if diff := cmp.Diff(tc.imports, req.CacheImports); diff != "" || req.CacheExport != tc.export || req.NoCache != tc.noCache {
			t.Errorf("%s: cache imports (-want +got):\n%s\nexport %q (want %q), NoCache %v (want %v)", tc.name, diff, req.CacheExport, tc.export, req.NoCache, tc.noCache)
		}
	}
}
