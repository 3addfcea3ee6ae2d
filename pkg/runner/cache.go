package runner

import (
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// userCache sets the step's own cache imports and exports, as buildx
// reads --cache-from and --cache-to: a bare reference or
// type=registry,ref=REF with nothing else is a registry import that goes
// through the account's pull rules (fallbacks: see build.Preflight), any
// other import and every export is handed to BuildKit as written. A
// registry cache on an insecure integration's host gets plain HTTP. With
// no_cache the step imports nothing, and still exports what it asks for.
// Relative local folders are taken from the pipeline file's folder.
func (pl *planner) userCache(sp *StepPlan, req *build.Request, b *pipeline.BuildStep, at func(field, format string, args ...any) error) error {
	from, err := build.ParseCacheFrom(b.CacheFrom, pl.p.Dir)
	if err != nil {
		return at("cache_from", "%w", err)
	}
	to, err := build.ParseCacheTo(b.CacheTo, pl.p.Dir)
	if err != nil {
		return at("cache_to", "%w", err)
	}
	if !b.NoCache {
		for _, e := range from {
			if ref := build.CacheRef(e); ref != "" && len(e.Attrs) == 1 {
				sp.CacheFrom = append(sp.CacheFrom, ref)
				continue
			}
			req.CacheFrom = append(req.CacheFrom, pl.cacheEntry(e))
		}
	}
	for _, e := range to {
		req.CacheTo = append(req.CacheTo, pl.cacheEntry(e))
	}
	return nil
}

// cacheEntry returns e with registry.insecure set when its registry is an
// integration the registries file marks insecure.
func (pl *planner) cacheEntry(e client.CacheOptionsEntry) client.CacheOptionsEntry {
	ref, err := name.ParseReference(build.CacheRef(e))
	if err != nil || pl.opts.Registries == nil {
		return e
	}
	if i := pl.opts.Registries.For(ref.Context()); i != nil && i.Insecure {
		if _, set := e.Attrs["registry.insecure"]; !set {
			e.Attrs = maps.Clone(e.Attrs)
			e.Attrs["registry.insecure"] = "true"
		}
	}
	return e
}

// printOutputs prints where the step writes its image and cache besides
// the registries: each --output and each cache export.
func printOutputs(w io.Writer, sp *StepPlan) {
	for _, o := range sp.Request.Outputs {
		dest := o.Dest
		if o.Stdout() {
			dest = "stdout"
		}
		fmt.Fprintf(w, "  output %s to %s\n", o.Type, dest)
	}
	for _, e := range sp.Request.CacheTo {
		where := e.Attrs["ref"]
		if e.Type == "local" {
			where = e.Attrs["dest"]
		}
		if where == "" {
			fmt.Fprintf(w, "  cache to %s\n", e.Type)
			continue
		}
		fmt.Fprintf(w, "  cache to %s %s (mode=%s)\n", e.Type, where, e.Attrs["mode"])
	}
}

// cache sets the registry cache of a build: with a caching registry (and
// no no_cf_cache), import and export <caching>/<prefix>/<image>:cache-<branch>,
// and import the default branch's cache too; cache_from entries are imported
// as well.
func (pl *planner) cache(sp *StepPlan, req *build.Request, b *pipeline.BuildStep) error {
	cfg := pl.opts.Registries
	if cfg != nil && cfg.Caching != "" && !b.NoCFCache {
		c, _ := cfg.Get(cfg.Caching)
		repo, err := c.Repository(sp.Image)
		if err != nil {
			return err
		}
		key := func(branch string) string {
			t := "cache-" + strings.ToLower(pipeline.NormalizeTag(branch))
			if len(t) > 128 {
				t = t[:128]
			}
			return repo.Tag(t).String()
		}
		branch := pl.vars["CF_BRANCH"]
		if branch == "" {
			branch = pl.defaultBranch
		}
		sp.Cache = c
		req.CacheExport = key(branch)
		req.CacheImports = append(req.CacheImports, req.CacheExport)
		if def := key(pl.defaultBranch); def != req.CacheExport {
			req.CacheImports = append(req.CacheImports, def)
		}
		req.CacheInsecure = c.Insecure
	}
	req.CacheImports = append(req.CacheImports, sp.CacheFrom...)
	return nil
}
