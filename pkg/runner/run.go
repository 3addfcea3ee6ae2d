package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/progress"
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
	// Publisher writes every image that leaves hoist: builds and push
	// steps alike. distribute.Registries() when nil.
	Publisher distribute.Publisher
	// Account is the registries, their clients and the credentials.
	Account *registries.Account
	// DryRun plans every step without building or pushing.
	DryRun bool
	// Progress is the run's one progress display, where builds, pushes
	// and retries show; nil shows nothing.
	Progress *progress.Step
	// Log receives warnings, one line each; os.Stderr when nil.
	Log io.Writer
	// Out receives one block per step: decision, references and digest.
	Out io.Writer
	// Pool names the builders of a pool, for a dry run's plan.
	Pool []string
	// LocalStore is the OCI layout folder builds are written to before
	// they are published, and where builds with no push stay for later
	// push steps; a temporary folder for each build when empty.
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
	// Builder names the builder of a pool that built the step.
	Builder string
	// Pushed are the per-target results of what the step published.
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
	if ex.Log == nil {
		ex.Log = os.Stderr
	}
	// Steps running at the same time share it: whole lines.
	ex.Log = &lockedWriter{w: ex.Log}
	if ex.Publisher == nil {
		ex.Publisher = distribute.Registries()
	}
	if ex.Account == nil {
		ex.Account = registries.NewAccount(opts.Registries, "")
	}
	if opts.Git == nil {
		info := gitinfo.Read(ctx, p.Dir)
		opts.Git = &info
	}
	newPlanner, notices, err := planners(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	if n := pipeline.BranchNotice(*opts.Git, given(opts)); n != "" && opts.Branch == "" {
		fmt.Fprintln(ex.Log, n)
	}
	for _, n := range notices {
		fmt.Fprintln(ex.Log, n)
	}
	if !ex.DryRun {
		// Check every step before building any, so a mistake in a later
		// step leaves nothing half done.
		if err := check(newPlanner(), p); err != nil {
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
	return pl.runBlock(ctx, s, ex)
}

// runBlock runs a parallel block: its children at the same time, each
// under its own name in the progress display, their step blocks printed
// whole in file order.
func (pl *planner) runBlock(ctx context.Context, s *pipeline.Step, ex Exec) ([]*StepResult, error) {
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
	var wg sync.WaitGroup
	for i, c := range s.Children {
		cex := ex
		cex.Out = &outs[i]
		cex.Progress = ex.Progress.Child(c.Name)
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
		if sp.PassedOver && len(sp.Hooks) > 0 && !ex.DryRun {
			fmt.Fprintf(ex.Out, "  metadata of on_success/on_fail/on_finish not set: the step did not run\n")
		}
		return nil
	case sp.Type == pipeline.TypePush:
		printPush(ex.Out, sp)
		if ex.DryRun {
			return nil
		}
		err := withRetry(ctx, sp, ex, func(ctx context.Context) error { return pl.runPush(ctx, res, ex) })
		pl.runHooks(ctx, res, ex, err)
		if err != nil {
			return fmt.Errorf("step %s: %w", sp.Name, err)
		}
		return nil
	}
	printPlan(ex.Out, sp)
	for _, k := range build.SecretArgs(sp.Request.BuildArgs) {
		// As docker build warns: a build argument's value is kept in the
		// image's history. The value is never printed.
		fmt.Fprintf(ex.Log, "hoist: warning: step %s: build argument %s looks like a secret, and build arguments stay in the image's history; pass it as a build secret (RUN --mount=type=secret) instead\n", sp.Name, k)
	}
	if ex.DryRun {
		if len(ex.Pool) > 1 {
			fmt.Fprintf(ex.Out, "  builder: the least busy of %s\n", strings.Join(ex.Pool, ", "))
		}
		return nil
	}
	err := withRetry(ctx, sp, ex, func(ctx context.Context) error { return pl.runBuild(ctx, res, ex) })
	if err == nil {
		fmt.Fprintf(ex.Out, "  digest %s\n", res.Digest)
	}
	pl.runHooks(ctx, res, ex, err)
	if err != nil {
		return fmt.Errorf("step %s: %w", sp.Name, err)
	}
	return nil
}
