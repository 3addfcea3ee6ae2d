package runner

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/policy"
	"github.com/hoist-build/hoist/pkg/registries"
)

// Options configure a run.
type Options struct {
	// Vars are --var values; they win over the environment.
	Vars map[string]string
	// Masked names the variables whose values never show: BuildKit's
	// progress and errors show *** in their place (--var-file's
	// encrypted: true).
	Masked []string
	// Env is the process environment as a map.
	Env map[string]string
	// Pipeline is the pipeline's own auto-push setting (policy rule 3).
	Pipeline policy.Pipeline
	// Registries is the account's registry config; nil means none.
	Registries *registries.Config
	// StepRegistries, when set, replace the registry of every build step
	// (hoist build --registry).
	StepRegistries []string
	// StepRefs are full references hoist build's -t gives: every build
	// step's image is pushed to each as written, besides its decision's
	// registries.
	StepRefs []string
	// StepRefsOnly sends the image to StepRefs only: the auto-push policy
	// is not asked (hoist build -t with only full references).
	StepRefsOnly bool
	// Outputs are where every build step's image is also written
	// (hoist build --output); OutputStdout receives one with dest=-.
	Outputs      []build.Output
	OutputStdout io.Writer
	// Git is what git says of the pipeline's checkout; read from p.Dir
	// when nil. Set it to read git once for Check and Run.
	Git *gitinfo.Info
	// Branch and Revision, when set, are the branch and commit the run is
	// for (codefresh run -b, --sha), over git's and the CI's.
	Branch, Revision string
	// NoCache turns every build step's cache off (no_cache: true on each);
	// NoCFCache the caching registry (no_cf_cache: true on each).
	NoCache, NoCFCache bool
	// Skip and Only name steps to leave out, or the only ones to run
	// (codefresh run --skip, --only).
	Skip, Only []string
}

// StepPlan is what hoist will do for one step.
type StepPlan struct {
	Name string
	Type pipeline.StepType
	// Skipped says why the step does not run; empty when it runs.
	Skipped string
	// PassedOver marks a step of a type hoist does not run (freestyle,
	// git-clone, ...): the steps that wait for it see it as a success.
	PassedOver bool
	// Decision is the auto-push decision of a build step.
	Decision policy.Decision
	// Image is the image name; Tags its tags after tag_policy.
	Image string
	Tags  []string
	// Refs are the full references written (pushed) or, with no push, the
	// local names of the image.
	Refs []string
	// Exact are the full references the image is pushed to as written
	// (Options.StepRefs), besides the decision's registries.
	Exact []string
	// Request is the BuildKit build, without credentials or progress.
	Request build.Request
	// Push is set for push steps.
	Push *PushPlan
	// Cache is the caching registry the build imports and exports
	// BuildKit's cache from and to; nil when none.
	Cache *registries.Integration
	// CacheFrom are the step's own cache_from imports.
	CacheFrom []string
	// Retry and Timeout are the step's own.
	Retry   *pipeline.Retry
	Timeout time.Duration
	// EntityAnnotations are the build step's annotations: entries, for
	// the metadata file.
	EntityAnnotations []EntityAnnotations
	// Hooks are the step's on_success, on_fail and on_finish metadata.
	Hooks []*pipeline.MetadataHook
}

// planner turns steps into StepPlans.
type planner struct {
	p    *pipeline.Pipeline
	opts Options
	vars pipeline.Vars
	// source is the repository's URL, without credentials.
	source string
	// repoRoot is the checkout's top folder, what git-clone steps stand for.
	repoRoot string
	// built holds the build steps done so far, by name.
	built map[string]*StepResult
	// defaultBranch keys the cache a new branch starts from.
	defaultBranch string
	// state holds how each step that ran ended: success, failure or skipped.
	state map[string]pipeline.State
	// unresolved holds, for steps hoist does not run, why their
	// working_directory (what ${{step}} names) could not be resolved.
	unresolved map[string]error
	// left are the steps --skip or --only leave out, with the reason.
	left map[*pipeline.Step]string
	// mu guards vars, built and state while steps run at the same time.
	mu sync.Mutex
}

// planStep plans one step with the variables known so far.
func (pl *planner) planStep(s *pipeline.Step) (*StepPlan, error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.stepName(s)
	sp, err := pl.planOne(s)
	if sp != nil {
		sp.Retry, sp.Timeout, sp.Hooks = s.Retry, s.Timeout, s.Hooks
	}
	return sp, err
}

// planOne plans a step by its type; build steps in planBuild, push steps
// in planPush.
func (pl *planner) planOne(s *pipeline.Step) (*StepPlan, error) {
	sp := &StepPlan{Name: s.Name, Type: s.Type}
	if why, left := pl.left[s]; left {
		if _, set := pl.vars[s.Name]; s.Type == pipeline.TypeGitClone && !set {
			pl.vars[s.Name] = pl.repoRoot // as below: the checkout is there either way
		}
		sp.Skipped = why
		return sp, nil
	}
	if s.Type == pipeline.TypePush {
		if ok, why, err := pl.allows(s); err != nil || !ok {
			sp.Skipped = why
			return sp, err
		}
		return pl.planPush(s)
	}
	if s.Type == pipeline.TypeParallel {
		// A block's plan says only whether its when: lets it run.
		ok, why, err := pl.allows(s)
		if !ok {
			sp.Skipped = why
		}
		return sp, err
	}
	if s.Type != pipeline.TypeBuild {
		// A step hoist does not run still honours its branch rules and the
		// steps it waits for, so the steps waiting on it see the state
		// Codefresh would give it.
		if _, set := pl.vars[s.Name]; s.Type == pipeline.TypeGitClone && !set {
			// As in Codefresh, ${{clone_step}} is the cloned repository's
			// folder: hoist runs in that checkout either way.
			pl.vars[s.Name] = pl.repoRoot
		}
		if s.Type != pipeline.TypeGitClone {
			pl.passedOver(s)
		}
		if ok, why, err := pl.allows(s); err != nil || !ok {
			sp.Skipped = why
			return sp, err
		}
		sp.Skipped = fmt.Sprintf("%s steps are not run by hoist", s.Type)
		sp.PassedOver = true
		return sp, nil
	}
	if ok, why, err := pl.allows(s); err != nil || !ok {
		sp.Skipped = why
		return sp, err
	}
	return pl.planBuild(s, sp)
}

// allows applies a step's when: clause: branch, conditions, and the states
// of the steps it waits for.
func (pl *planner) allows(s *pipeline.Step) (bool, string, error) {
	ok, why, err := s.When.Allows(pl.p.File, "steps."+s.Name, pl.vars)
	if err != nil || !ok {
		return ok, why, err
	}
	ok, why = s.When.AllowsAfter(pl.state)
	return ok, why, nil
}

// ended records how a step ended, for later steps' when.steps.
func (pl *planner) ended(res *StepResult) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.state == nil {
		pl.state = map[string]pipeline.State{}
	}
	switch {
	case res.PassedOver:
		pl.state[res.Name] = pipeline.StateSuccess
	case res.Skipped != "":
		pl.state[res.Name] = pipeline.StateSkipped
	case res.Err != nil:
		pl.state[res.Name] = pipeline.StateFailure
	default:
		pl.state[res.Name] = pipeline.StateSuccess
	}
}

// Check plans every step of p as a run would, without building or
// pushing, and returns the first mistake: callers check before they
// connect to BuildKit, so a user's mistake is never hidden behind an
// unreachable builder. Run checks too.
func Check(ctx context.Context, p *pipeline.Pipeline, opts Options) error {
	newPlanner, _, err := planners(ctx, p, opts)
	if err != nil {
		return err
	}
	return check(newPlanner(), p)
}

func check(pl *planner, p *pipeline.Pipeline) error {
	steps := p.Steps
	if p.Mode == pipeline.ModeParallel {
		steps = graphOrder(p.Steps, p.Waits())
	}
	return pl.check(steps)
}

// planners returns a function that makes a planner for p, with the
// planners returns a function that makes a planner for p, with the
// variables git, the environment, earlier steps' cf_export and --var
// give, the implicit main_clone step when p defines none, and the steps
// --skip and --only leave out; and the lines to show: the warnings
// reading the exported variables gave, and the notices about the steps
// --skip and --only keep.
func planners(ctx context.Context, p *pipeline.Pipeline, opts Options) (func() *planner, []string, error) {
	if opts.Git == nil {
		info := gitinfo.Read(ctx, p.Dir)
		opts.Git = &info
	}
	sel, err := selectSteps(p, opts.Skip, opts.Only)
	if err != nil {
		return nil, nil, err
	}
	info, notice := commitFor(ctx, *opts.Git, p.Dir, opts)
	if notice != "" {
		sel.notices = append([]string{notice}, sel.notices...)
	}
	root := info.TopLevel
	if root == "" {
		root = p.Dir
	}
	base := initialVars(info, p, opts)
	warnings := exported(base, root, p, opts)
	defaultBranch := base["HOIST_DEFAULT_BRANCH"]
	if defaultBranch == "" {
		defaultBranch = info.DefaultBranch
	}
	if defaultBranch == "" {
		defaultBranch = "main"
	}
	return func() *planner {
		vars := pipeline.Vars{}
		for k, v := range base {
			vars[k] = v
		}
		pl := &planner{p: p, opts: opts, vars: vars, source: gitinfo.SourceURL(info.Origin), repoRoot: root, defaultBranch: defaultBranch, left: sel.out}
		if !p.Defines(pipeline.ImplicitClone) {
			// Codefresh clones the repository first, as main_clone, when a
			// pipeline does not: hoist runs in that checkout.
			if _, set := vars[pipeline.ImplicitClone]; !set {
				vars[pipeline.ImplicitClone] = root
			}
			pl.state = map[string]pipeline.State{pipeline.ImplicitClone: pipeline.StateSuccess}
		}
		return pl
	}, append(warnings, sel.notices...), nil
}
