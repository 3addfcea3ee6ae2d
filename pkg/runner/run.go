package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/registries"
)

// Builder builds one image; *build.Builder is one.
type Builder interface {
	Build(ctx context.Context, req build.Request) (*build.Result, error)
}

// Exec says how steps are executed.
type Exec struct {
	// Builder builds images; unused on a dry run.
	Builder Builder
	// Credentials are the registry credentials for pushes and pulls.
	Credentials *registries.Credentials
	// DryRun plans every step without building or pushing.
	DryRun bool
	// Progress is BuildKit's display mode; ProgressOut where it goes.
	Progress    string
	ProgressOut io.Writer
	// Out receives one block per step: decision, references and digest.
	Out io.Writer
	// LocalStore is the OCI layout folder that builds with no push are
	// also written to, for later push steps; none when empty.
	LocalStore string
}

// StepResult is what a step produced.
type StepResult struct {
	*StepPlan
	Digest string
	// ConfigDigest is the image ID.
	ConfigDigest string
	Duration     time.Duration
	// LocalStore is where a build with no push was written.
	LocalStore string
	// Pushed are a push step's per-target results.
	Pushed []*distribute.Result
	// Err is why the step failed, if it did.
	Err error
}

// Run plans and runs every step of p in order. It stops at the first
// failing step.
func Run(ctx context.Context, p *pipeline.Pipeline, opts Options, ex Exec) ([]*StepResult, error) {
	if ex.Out == nil {
		ex.Out = io.Discard
	}
	if ex.ProgressOut == nil {
		ex.ProgressOut = os.Stderr
	}
	info := gitinfo.Read(ctx, p.Dir)
	root := info.TopLevel
	if root == "" {
		root = p.Dir
	}
	base := initialVars(info, p, opts)
	defaultBranch := base["HOIST_DEFAULT_BRANCH"]
	if defaultBranch == "" {
		defaultBranch = info.DefaultBranch
	}
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	newPlanner := func() *planner {
		vars := pipeline.Vars{}
		for k, v := range base {
			vars[k] = v
		}
		pl := &planner{p: p, opts: opts, vars: vars, source: gitinfo.SourceURL(info.Origin), repoRoot: root, defaultBranch: defaultBranch}
		if !p.Defines(pipeline.ImplicitClone) {
			// Codefresh clones the repository first, as main_clone, when a
			// pipeline does not: hoist runs in that checkout.
			if _, set := vars[pipeline.ImplicitClone]; !set {
				vars[pipeline.ImplicitClone] = root
			}
			pl.state = map[string]string{pipeline.ImplicitClone: "success"}
		}
		return pl
	}
	if !ex.DryRun {
		// Check every step before building any, so a mistake in a later
		// step leaves nothing half done.
		steps := p.Steps
		if p.Mode == pipeline.ModeParallel {
			steps = graphOrder(p.Steps, p.Waits())
		}
		if err := newPlanner().check(steps); err != nil {
			return nil, err
		}
	}
	pl := newPlanner()
	if p.Mode == pipeline.ModeParallel {
		return pl.runGraph(ctx, p, ex)
	}
	var results []*StepResult
	for _, s := range p.Steps {
		rs, err := pl.runStep(ctx, s, ex)
		results = append(results, rs...)
		for _, r := range rs {
			pl.ended(r)
		}
		if err != nil && !goesOn(s, err, ex.Out) {
			return results, err
		}
	}
	return results, nil
}

// goesOn reports whether the pipeline goes on after step s failed with
// err, and if so says why: only a step with fail_fast: false does, and
// never after a mistake in the pipeline file.
func goesOn(s *pipeline.Step, err error, out io.Writer) bool {
	if s.FailFast == nil || *s.FailFast || errors.Is(err, errs.ErrInput) {
		return false
	}
	reason := strings.TrimPrefix(err.Error(), "step "+s.Name+": ")
	fmt.Fprintf(out, "step %s failed: %s; it has fail_fast: false, so the pipeline goes on\n", s.Name, reason)
	return true
}

// check plans steps, and the children of parallel blocks, as a dry run
// would, to find every mistake before anything runs.
func (pl *planner) check(steps []*pipeline.Step) error {
	for _, s := range steps {
		sp, err := pl.planStep(s)
		if err != nil {
			return err
		}
		res := &StepResult{StepPlan: sp}
		if s.Type == pipeline.TypeParallel && sp.Skipped == "" {
			if err := pl.check(s.Children); err != nil {
				return err
			}
		}
		pl.builtOutputs(res, true)
		pl.ended(res)
	}
	return nil
}

// runStep plans and runs one step, or a parallel block's children at the
// same time, and returns their results.
func (pl *planner) runStep(ctx context.Context, s *pipeline.Step, ex Exec) ([]*StepResult, error) {
	if s.Type != pipeline.TypeParallel {
		sp, err := pl.planStep(s)
		if err != nil {
			return nil, err
		}
		res := &StepResult{StepPlan: sp}
		return []*StepResult{res}, pl.exec(ctx, res, ex)
	}
	block, err := pl.planStep(s)
	if err != nil {
		return nil, err
	}
	if block.Skipped != "" {
		fmt.Fprintf(ex.Out, "step %s: skipped: %s\n", s.Name, block.Skipped)
		results := []*StepResult{{StepPlan: block}}
		for _, c := range s.Children {
			c.Walk(func(d *pipeline.Step) {
				results = append(results, &StepResult{StepPlan: &StepPlan{Name: d.Name, Type: d.Type, Skipped: "its parallel block " + s.Name + " is skipped"}})
			})
		}
		return results, nil
	}
	// Plan every child before any starts; a nested block plans its own
	// children when it starts.
	plans := make([]*StepResult, len(s.Children))
	for i, c := range s.Children {
		if c.Type == pipeline.TypeParallel {
			continue
		}
		sp, err := pl.planStep(c)
		if err != nil {
			return nil, err
		}
		plans[i] = &StepResult{StepPlan: sp}
	}
	names := make([]string, len(s.Children))
	for i, c := range s.Children {
		names[i] = c.Name
	}
	fmt.Fprintf(ex.Out, "step %s: parallel: %s\n", s.Name, strings.Join(names, ", "))
	outs := make([]bytes.Buffer, len(s.Children))
	errs := make([]error, len(s.Children))
	nested := make([][]*StepResult, len(s.Children))
	var progressMu sync.Mutex
	var wg sync.WaitGroup
	for i, c := range s.Children {
		cex := ex
		cex.Out = &outs[i]
		if ex.Progress != "quiet" && ex.Progress != "rawjson" {
			// Builds at the same time share stderr: plain lines, each
			// with its step's name.
			cex.Progress = "plain"
			cex.ProgressOut = &linePrefixer{w: ex.ProgressOut, prefix: "[" + c.Name + "] ", mu: &progressMu}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if plans[i] == nil {
				nested[i], errs[i] = pl.runStep(ctx, c, cex)
				for _, r := range nested[i] {
					pl.ended(r)
				}
				return
			}
			errs[i] = pl.execConcurrent(ctx, plans[i], cex)
		}()
	}
	wg.Wait()
	var results []*StepResult
	var first error
	for i, c := range s.Children {
		ex.Out.Write(outs[i].Bytes())
		if res := plans[i]; res != nil {
			results = append(results, res)
			if errs[i] != nil {
				res.Err = errs[i]
			} else {
				pl.builtOutputs(res, ex.DryRun)
			}
		} else {
			results = append(results, nested[i]...)
		}
		if errs[i] != nil && !goesOn(c, errs[i], ex.Out) && first == nil {
			first = errs[i]
		}
	}
	// Steps may wait for the block itself: it fails when a child fails
	// without fail_fast: false.
	pl.ended(&StepResult{StepPlan: block, Err: first})
	return results, first
}

// exec runs one planned step and prints its block.
func (pl *planner) exec(ctx context.Context, res *StepResult, ex Exec) error {
	if err := pl.execConcurrent(ctx, res, ex); err != nil {
		res.Err = err
		return err
	}
	pl.builtOutputs(res, ex.DryRun)
	return nil
}

// builtOutputs sets a build step's outputs once it has run; a dry run's
// stand in for the digest and image ID.
func (pl *planner) builtOutputs(res *StepResult, dryRun bool) {
	if res.Skipped != "" || res.Type != pipeline.TypeBuild {
		return
	}
	if dryRun {
		pl.setOutputs(res, "<digest of "+res.Name+">", "<image id of "+res.Name+">")
	} else {
		pl.setOutputs(res, res.Digest, res.ConfigDigest)
	}
}

// execConcurrent runs one planned step without touching the planner's
// state, so steps of a parallel block can run it at the same time.
func (pl *planner) execConcurrent(ctx context.Context, res *StepResult, ex Exec) error {
	sp := res.StepPlan
	switch {
	case sp.Skipped != "":
		fmt.Fprintf(ex.Out, "step %s: skipped: %s\n", sp.Name, sp.Skipped)
		return nil
	case sp.Type == pipeline.TypePush:
		printPush(ex.Out, sp)
		if ex.DryRun {
			return nil
		}
		if err := withRetry(ctx, sp, ex.Out, func(ctx context.Context) error { return pl.runPush(ctx, res, ex) }); err != nil {
			return fmt.Errorf("step %s: %w", sp.Name, err)
		}
		return nil
	}
	printPlan(ex.Out, sp)
	if ex.DryRun {
		return nil
	}
	if err := withRetry(ctx, sp, ex.Out, func(ctx context.Context) error { return pl.runBuild(ctx, res, ex) }); err != nil {
		return fmt.Errorf("step %s: %w", sp.Name, err)
	}
	fmt.Fprintf(ex.Out, "  digest %s\n", res.Digest)
	return nil
}

// linePrefixer writes whole lines, each with a prefix, to a shared writer.
type linePrefixer struct {
	w      io.Writer
	prefix string
	mu     *sync.Mutex
	buf    []byte
}

func (l *linePrefixer) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.mu.Lock()
		_, err := fmt.Fprintf(l.w, "%s%s", l.prefix, l.buf[:i+1])
		l.mu.Unlock()
		l.buf = l.buf[i+1:]
		if err != nil {
			return len(b), err
		}
	}
}

func printPlan(w io.Writer, sp *StepPlan) {
	fmt.Fprintf(w, "step %s: %s\n", sp.Name, sp.Decision)
	for _, r := range sp.Refs {
		fmt.Fprintf(w, "  %s\n", r)
	}
	if sp.Cache != nil {
		fmt.Fprintf(w, "  cache %s in %q\n", sp.Request.CacheExport, sp.Cache.Name)
	}
}

// runBuild builds one step. While BuildKit builds, hoist logs in to every
// target registry and checks push access, so a wrong password ends the
// build at once with one clear line, at no cost to a good build.
func (pl *planner) runBuild(ctx context.Context, res *StepResult, ex Exec) error {
	req := res.Request
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	checked := make(chan error, 1)
	go func() {
		var err error
		if req.Push {
			for _, r := range res.Decision.Registries {
				var repo name.Repository
				if repo, err = r.Repository(res.Image); err == nil {
					err = ex.Credentials.CheckPush(ctx, r, repo)
				}
				if err != nil {
					cancel(err)
					break
				}
			}
		}
		checked <- err
	}()
	if err := pl.resolveBases(ctx, res, &req, ex); err != nil {
		return err
	}
	if res.Cache != nil {
		if err := checkCache(ctx, res, ex); err != nil {
			fmt.Fprintf(ex.ProgressOut, "hoist: warning: step %s: %v; building without the registry cache\n", res.Name, err)
			req.CacheExport, req.CacheImports = "", res.CacheFrom
		}
	}
	// Several registries: BuildKit writes the image to the local store, and
	// hoist copies it by digest to all of them, tags last (BuildKit would
	// push and tag one registry after the other).
	multi := len(res.Decision.Registries) > 1
	if multi {
		req.Push = false
	}
	if !req.Push {
		req.LocalStore = ex.LocalStore
		if req.LocalStore == "" {
			tmp, err := os.MkdirTemp("", "hoist-store-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			req.LocalStore = tmp
		}
		if !multi {
			res.LocalStore = req.LocalStore
		}
	}
	req.Auth = ex.Credentials.LookupScopes
	req.Progress, req.ProgressOut = ex.Progress, ex.ProgressOut
	if ex.Builder == nil {
		return errors.New("no BuildKit builder is connected")
	}
	out, err := ex.Builder.Build(ctx, req)
	if cerr := <-checked; cerr != nil {
		return cerr
	}
	if err != nil {
		if berr := explainBases(ctx, req, ex); berr != nil {
			return berr
		}
		return err
	}
	res.Digest, res.ConfigDigest, res.Duration = out.Digest, out.ConfigDigest, out.Duration
	if multi {
		return pl.distributeBuild(ctx, res, req.LocalStore, ex)
	}
	return nil
}

// distributeBuild copies a build from the local store to every registry
// of its decision, by digest, tags last.
func (pl *planner) distributeBuild(ctx context.Context, res *StepResult, store string, ex Exec) error {
	h, err := v1.NewHash(res.Digest)
	if err != nil {
		return fmt.Errorf("the build returned no digest: %w", err)
	}
	src, err := distribute.OpenLayout(store, h)
	if err != nil {
		return err
	}
	return pl.copyTo(ctx, src, res, ex)
}

// copyTo copies src, by digest, to every registry of the step's decision
// under the step's image name and tags, and prints each target's outcome.
func (pl *planner) copyTo(ctx context.Context, src *distribute.Source, res *StepResult, ex Exec) error {
	loc := distribute.Locator{Config: pl.opts.Registries, Credentials: ex.Credentials}
	var targets []distribute.Target
	for _, r := range res.Decision.Registries {
		repo, err := r.Repository(res.Image)
		if err != nil {
			return err
		}
		t, err := loc.Target(repo, res.Tags)
		if err != nil {
			return err
		}
		t.Registry = r.Name
		if res.Push != nil && res.Push.Username != "" {
			t.Keychain = stepKeychain{host: repo.RegistryStr(), user: res.Push.Username, pass: res.Push.Password, next: ex.Credentials}
		}
		targets = append(targets, t)
	}
	results, err := distribute.Copy(ctx, src, targets)
	for _, r := range results {
		fmt.Fprintf(ex.Out, "  %s\n", r)
	}
	res.Pushed = results
	return err
}

// initialVars are the CF_* variables from git and the environment, with
// --var values over them.
func initialVars(info gitinfo.Info, p *pipeline.Pipeline, opts Options) pipeline.Vars {
	given := map[string]string{}
	for k, val := range opts.Env {
		given[k] = val
	}
	for k, val := range opts.Vars {
		given[k] = val
	}
	v := pipeline.SystemVars(info, given, time.Now())
	if _, ok := v["CF_PIPELINE_NAME"]; !ok {
		v["CF_PIPELINE_NAME"] = filepath.Base(p.Dir) + "/" + strings.TrimSuffix(filepath.Base(p.File), filepath.Ext(p.File))
	}
	return v
}

// setOutputs makes a built step's outputs available to later steps, as
// Codefresh does: ${{step}} and ${{steps.step.*}}.
func (pl *planner) setOutputs(res *StepResult, digest, imageID string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	n := res.Name
	if pl.built == nil {
		pl.built = map[string]*StepResult{}
	}
	pl.built[n] = res
	first := res.Refs[0]
	repo := first
	if ref, err := name.ParseReference(first); err == nil {
		repo = ref.Context().Name()
	}
	pl.vars[n] = first
	pl.vars["steps."+n+".imageName"] = repo
	pl.vars["steps."+n+".imageTagName"] = res.Tags[0]
	pl.vars["steps."+n+".imageId"] = imageID
	pl.vars["steps."+n+".imageRepoDigest"] = repo + "@" + digest
	if len(res.Decision.Registries) > 0 {
		pl.vars["steps."+n+".registry"] = res.Decision.Registries[0].Name
	} else {
		pl.vars["steps."+n+".registry"] = ""
	}
}

// Environ returns the process environment as a map.
func Environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// checkCache checks that the caching registry takes pushes to the cache
// repository.
func checkCache(ctx context.Context, res *StepResult, ex Exec) error {
	ref, err := name.ParseReference(res.Request.CacheExport)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return ex.Credentials.CheckPush(ctx, res.Cache, ref.Context())
}

// resolveBases checks the images the Dockerfile pulls from the account's
// registries; one whose registry fails is pulled from its fallback, and the
// step's output says so.
func (pl *planner) resolveBases(ctx context.Context, res *StepResult, req *build.Request, ex Exec) error {
	if !ex.Credentials.AnyFallback() {
		return nil // nothing could come from elsewhere
	}
	df, err := req.DockerfileText()
	if err != nil {
		return err
	}
	bases, err := build.BaseImages(df, req.BuildArgs)
	if err != nil {
		return nil // BuildKit reports Dockerfile mistakes itself
	}
	// Only images with somewhere else to come from are checked before the
	// build; a failure elsewhere is explained after it (explainBases).
	bases = slices.DeleteFunc(bases, func(b string) bool { return !ex.Credentials.HasFallback(b) })
	pulls := make([]registries.Pull, len(bases))
	eg, ectx := errgroup.WithContext(ctx)
	for i, b := range bases {
		eg.Go(func() error {
			var err error
			pulls[i], err = ex.Credentials.ResolvePull(ectx, b)
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	// cache_from sources follow the same rules, but a cache that cannot be
	// had is a warning, never a failed build.
	for i, ref := range req.CacheImports {
		if !slices.Contains(res.CacheFrom, ref) {
			continue
		}
		p, err := ex.Credentials.ResolvePull(ctx, ref)
		switch {
		case err != nil:
			fmt.Fprintf(ex.ProgressOut, "hoist: warning: step %s: cache_from %v; building without it\n", res.Name, err)
			req.CacheImports[i] = ""
		case p.Fallback != nil:
			req.CacheImports[i] = p.From
			fmt.Fprintf(ex.Out, "  cache_from %s from fallback %q: %s (%s)\n", ref, p.Fallback.Name, p.From, p.Reason)
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
		fmt.Fprintf(ex.Out, "  base image %s from fallback %q: %s (%s)\n", p.Ref, p.Fallback.Name, p.From, p.Reason)
	}
	return nil
}

// explainBases, after a failed build, checks the images the Dockerfile
// pulls from the account's registries and returns one clear error for the
// first that cannot be pulled; nil when they all can.
func explainBases(ctx context.Context, req build.Request, ex Exec) error {
	df, err := req.DockerfileText()
	if err != nil {
		return nil
	}
	bases, err := build.BaseImages(df, req.BuildArgs)
	if err != nil {
		return nil
	}
	for _, b := range bases {
		if _, ok := req.Replace[b]; ok {
			continue
		}
		if _, err := ex.Credentials.ResolvePull(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// withRetry runs a step under its timeout, and again after a failure as
// its retry: block allows, waiting delay, then delay times the factor, and
// so on. A user mistake is never retried.
func withRetry(ctx context.Context, sp *StepPlan, out io.Writer, run func(context.Context) error) error {
	attempts, delay, factor := 1, time.Duration(0), 1.0
	if sp.Retry != nil {
		attempts, delay, factor = sp.Retry.MaxAttempts, sp.Retry.Delay, sp.Retry.ExponentialFactor
	}
	for i := 1; ; i++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if sp.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, sp.Timeout)
		}
		err := run(actx)
		if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s", sp.Timeout)
		}
		cancel()
		if err == nil || i >= attempts || ctx.Err() != nil || errors.Is(err, errs.ErrInput) {
			return err
		}
		fmt.Fprintf(out, "  attempt %d of %d failed: %s; trying again in %s\n", i, attempts, strings.Join(strings.Fields(err.Error()), " "), delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = time.Duration(float64(delay) * factor)
	}
}
