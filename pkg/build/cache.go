package build

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/buildkit/client"
)

// CacheCheck checks, while a build runs, that its caching registry takes
// the cache export, and whether the registry holds the export already: a
// build does not wait for the caching registry before it starts.
type CacheCheck struct {
	// Check returns why the registry cache cannot be used; nil when it can.
	Check func(ctx context.Context) error
	// Present reports whether the registry holds the cache export's
	// reference (Request.CacheExport).
	Present func(ctx context.Context) bool
	// Without are the cache imports the build keeps without the registry
	// cache (the step's cache_from).
	Without []string
	// Step names the build step in warnings.
	Step string
	// Warn gets one line when the build goes on without the registry
	// cache, or when its export fails.
	Warn io.Writer
}

// Causes that stop a solve so that another one runs in its place.
var (
	errCacheDropped = errors.New("the caching registry failed its check")
	errStepRuns     = errors.New("a step runs: the cache imports are needed")
)

// solveBuild solves the build and exports its cache:
//   - with cache imports, on a builder that has built with them before
//     (builtHere), the build first runs on the builder's own cache alone,
//     and stops at the first step that would run (nothing is lost: what it
//     did is in the builder's cache). A build fully cached on the builder
//     needs no cache manifest from a registry, and exports its cache only
//     when the registry lacks it (exportCache);
//     A build with cache imports or exports of the user's own
//     (--cache-from, --cache-to, cache_from, cache_to) never takes this
//     path: each of them is used and written as asked;
//   - otherwise, or then, it runs with the imports and exports its cache
//     in the same solve, while the caching registry is checked
//     (solveChecked).
func (b *Builder) solveBuild(ctx context.Context, req *Request, opt client.SolveOpt) (*client.SolveResponse, error) {
	chk := startChecks(ctx, req.CacheCheck)
	own := len(req.CacheFrom) > 0 || len(req.CacheTo) > 0
	warm := !own && len(opt.CacheImports) > 0 && b.builtHere(*req)
	if warm {
		local := opt
		local.CacheImports, local.CacheExports = nil, nil
		lctx, cancel := context.WithCancelCause(ctx)
		resp, err := b.solve(lctx, *req, local, newVertexLog(showLocalFirst, func() { cancel(errStepRuns) }))
		cancel(nil)
		if err == nil {
			b.exportCache(ctx, *req, opt, chk)
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	mark := *req // before a failed check drops the registry cache
	resp, err := b.solveChecked(ctx, req, opt, chk)
	if err != nil {
		return nil, err
	}
	if !warm {
		b.noteBuilt(mark) // a warm builder's note is there already
	}
	if req.CacheExport != "" && chk.wait(ctx) != nil {
		chk.warn() // the export, which ignores errors, went nowhere
	}
	return resp, nil
}

// solve runs one solve of opt, its statuses shown on the step's display
// as log's mode says, with secret build arguments hidden.
func (b *Builder) solve(ctx context.Context, req Request, opt client.SolveOpt, log *vertexLog) (*client.SolveResponse, error) {
	display, shown := req.Progress.Status()
	// Secret-named build arguments' values never reach the display or an
	// error: BuildKit names a RUN vertex with its arguments expanded.
	red := newRedactor(req.BuildArgs, req.Mask)
	if red != nil && display != nil {
		in := make(chan *client.SolveStatus, 16)
		go red.forward(in, display)
		display = in
	}
	ch := make(chan *client.SolveStatus, 16)
	done := make(chan struct{})
	go func() { defer close(done); log.forward(ch, display) }()
	resp, err := b.client.Solve(ctx, nil, opt, ch)
	<-done
	if display != nil {
		if err == nil {
			log.flush(display)
		}
		close(display)
	}
	<-shown
	return resp, red.err(err)
}

// solveChecked solves the build with its cache imports while the caching
// registry's check runs; when the check fails before the solve has
// finished, the solve stops and runs again without the registry cache,
// and req loses it.
func (b *Builder) solveChecked(ctx context.Context, req *Request, opt client.SolveOpt, chk *checks) (*client.SolveResponse, error) {
	if chk.failed() {
		return b.solveWithout(ctx, req, opt, chk)
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		if chk.wait(sctx) != nil && sctx.Err() == nil {
			cancel(errCacheDropped)
		}
	}()
	resp, err := b.solve(sctx, *req, opt, newVertexLog(showAll, nil))
	if err == nil || !errors.Is(context.Cause(sctx), errCacheDropped) {
		return resp, err
	}
	return b.solveWithout(ctx, req, opt, chk)
}

// solveWithout solves the build without the registry cache, which failed
// its check, and says so.
func (b *Builder) solveWithout(ctx context.Context, req *Request, opt client.SolveOpt, chk *checks) (*client.SolveResponse, error) {
	chk.warn()
	req.CacheExport, req.CacheImports = "", req.CacheCheck.Without
	opt.CacheImports, opt.CacheExports = cacheOptions(*req)
	return b.solve(ctx, *req, opt, newVertexLog(showAll, nil))
}

// exportCache exports the cache of a build that ran no step, in a solve
// of its own, when the caching registry lacks it (a new branch's, say);
// when the registry holds it, it holds what the build used. A caching
// registry that failed its check gets nothing; a failed export is a
// warning.
func (b *Builder) exportCache(ctx context.Context, req Request, opt client.SolveOpt, chk *checks) {
	if req.CacheExport == "" || len(opt.CacheExports) == 0 {
		return
	}
	if chk.wait(ctx) != nil {
		chk.warn()
		return
	}
	if chk.present(ctx) {
		return
	}
	opt.Exports = nil
	_, err := b.solve(ctx, req, opt, newVertexLog(showExport, nil))
	if err != nil && req.CacheCheck != nil {
		fmt.Fprintf(req.CacheCheck.Warn, "hoist: warning: step %s: exporting the build's cache to %s: %v\n", req.CacheCheck.Step, req.CacheExport, err)
	}
}

// checks are a CacheCheck under way.
type checks struct {
	c *CacheCheck
	// checked closes once err, the check's answer, is set; looked once
	// isPresent, the registry's.
	checked, looked chan struct{}
	err             error
	isPresent       bool
	warned          bool
}

// startChecks starts c's checks; nil c checks nothing and passes.
func startChecks(ctx context.Context, c *CacheCheck) *checks {
	k := &checks{c: c, checked: make(chan struct{}), looked: make(chan struct{})}
	if c == nil || c.Check == nil {
		close(k.checked)
	} else {
		go func() { k.err = c.Check(ctx); close(k.checked) }()
	}
	if c == nil || c.Present == nil {
		close(k.looked)
	} else {
		go func() { k.isPresent = c.Present(ctx); close(k.looked) }()
	}
	return k
}

// wait returns the check's answer, or ctx's error when it ends first.
func (k *checks) wait(ctx context.Context) error {
	select {
	case <-k.checked:
		return k.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed reports whether the check has answered with an error.
func (k *checks) failed() bool {
	select {
	case <-k.checked:
		return k.err != nil
	default:
		return false
	}
}

// present reports whether the registry holds the cache export already.
func (k *checks) present(ctx context.Context) bool {
	select {
	case <-k.looked:
		return k.isPresent
	case <-ctx.Done():
		return false
	}
}

// warn writes, once, why the build goes without the registry cache.
func (k *checks) warn() {
	if k.warned || k.c == nil {
		return
	}
	k.warned = true
	<-k.checked
	fmt.Fprintf(k.c.Warn, "hoist: warning: step %s: %v; building without the registry cache\n", k.c.Step, k.err)
}
