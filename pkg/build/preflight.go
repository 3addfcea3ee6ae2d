package build

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/pkg/registries"
)

// Preflight readies a build's registry pulls and cache before it starts:
//   - base images (FROM, COPY --from) in an integration that has a
//     fallback are checked, and one whose registry fails is pulled from
//     the fallback instead (req.Replace); notices gets one line each;
//   - cache_from imports (cacheFrom) go through the same rules, but one
//     that cannot be had is a warning (to warn), never a failed build;
//   - a caching registry (cache, nil when none) is checked while the build
//     runs (req.CacheCheck): one that refuses pushes is a warning, and the
//     build goes on with only the step's own cache_from; and whether it
//     holds the build's cache export already.
func Preflight(ctx context.Context, acct *registries.Account, req *Request, cache *registries.Integration, cacheFrom []string, step string, notices, warn io.Writer) error {
	if cache != nil && req.CacheExport != "" {
		export := req.CacheExport
		// The registry cache's own imports: what is not the step's cache_from.
		own := slices.DeleteFunc(slices.Clone(req.CacheImports), func(s string) bool { return slices.Contains(cacheFrom, s) })
		req.CacheCheck = &CacheCheck{
			Check:   func(ctx context.Context) error { return checkCache(ctx, acct, cache, export) },
			Present: func(ctx context.Context) bool { return cachePresent(ctx, acct, cache, export) },
			Step:    step, Warn: warn,
		}
		defer func() {
			req.CacheCheck.Without = slices.DeleteFunc(slices.Clone(req.CacheImports), func(s string) bool { return slices.Contains(own, s) })
		}()
	}
	if !acct.AnyFallback() || req.dockerfileRemote() {
		return nil // nothing could come from elsewhere, or the builder reads the Dockerfile
	}
	df, err := req.DockerfileText()
	if err != nil {
		return err
	}
	bases, err := BaseImages(df, req.BuildArgs)
	if err != nil {
		return nil // BuildKit reports Dockerfile mistakes itself
	}
	// Only images with somewhere else to come from are checked before the
	// build; a failure elsewhere is explained after it (ExplainFailure).
	bases = slices.DeleteFunc(bases, func(b string) bool { return !acct.HasFallback(b) })
	pulls := make([]registries.Pull, len(bases))
	eg, ectx := errgroup.WithContext(ctx)
	for i, b := range bases {
		eg.Go(func() error {
			var err error
			pulls[i], err = acct.ResolvePull(ectx, b)
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	for i, ref := range req.CacheImports {
		if !slices.Contains(cacheFrom, ref) {
			continue
		}
		p, err := acct.ResolvePull(ctx, ref)
		switch {
		case err != nil:
			fmt.Fprintf(warn, "hoist: warning: step %s: cache_from %v; building without it\n", step, err)
			req.CacheImports[i] = ""
		case p.Fallback != nil:
			req.CacheImports[i] = p.From
			fmt.Fprintf(notices, "  cache_from %s from fallback %q: %s (%s)\n", ref, p.Fallback.Name, p.From, p.Reason)
		}
	}
	req.CacheImports = slices.DeleteFunc(req.CacheImports, func(s string) bool { return s == "" })
	for _, p := range pulls {
		if p.Fallback == nil {
			continue
		}
		if req.Replace == nil {
			req.Replace = map[string]string{}
		}
		req.Replace[p.Ref] = p.From
		fmt.Fprintf(notices, "  base image %s from fallback %q: %s (%s)\n", p.Ref, p.Fallback.Name, p.From, p.Reason)
	}
	return nil
}

// checkCache checks that the caching registry takes pushes to the cache
// repository.
func checkCache(ctx context.Context, acct *registries.Account, cache *registries.Integration, export string) error {
	ref, err := name.ParseReference(export)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return acct.Client(cache).CheckPush(ctx, ref.Context())
}

// cachePresent reports whether the caching registry holds the cache
// export's reference, from one request.
func cachePresent(ctx context.Context, acct *registries.Account, cache *registries.Integration, export string) bool {
	ref, err := name.ParseReference(export)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return acct.Client(cache).Head(ctx, ref, remote.Backoff{Steps: 1}) == nil
}

// ExplainFailure, after a failed build, checks the images the Dockerfile
// pulls from the account's registries and returns one clear error for the
// first that cannot be pulled; nil when they all can.
func ExplainFailure(ctx context.Context, acct *registries.Account, req Request) error {
	df, err := req.DockerfileText()
	if err != nil {
		return nil
	}
	bases, err := BaseImages(df, req.BuildArgs)
	if err != nil {
		return nil
	}
	for _, b := range bases {
		if _, ok := req.Replace[b]; ok {
			continue
		}
		if _, err := acct.ResolvePull(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
