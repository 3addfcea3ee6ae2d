package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/policy"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/trace"
)

// Options configure a run.
type Options struct {
	// Vars are --var values; they win over the environment.
	Vars map[string]string
	// Env is the process environment as a map.
	Env map[string]string
	// Pipeline is the pipeline's own auto-push setting (policy rule 3).
	Pipeline policy.Pipeline
	// Registries is the account's registry config; nil means none.
	Registries *registries.Config
	// StepRegistries, when set, replace the registry of every build step
	// (hoist build --registry).
	StepRegistries []string
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
	// mu guards vars, built and state while steps run at the same time.
	mu sync.Mutex
}

// planStep plans one step with the variables known so far.
func (pl *planner) planStep(s *pipeline.Step) (*StepPlan, error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	sp, err := pl.planOne(s)
	if sp != nil {
		sp.Retry, sp.Timeout = s.Retry, s.Timeout
	}
	return sp, err
}

func (pl *planner) planOne(s *pipeline.Step) (*StepPlan, error) {
	sp := &StepPlan{Name: s.Name, Type: s.Type}
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
		if _, set := pl.vars[s.Name]; s.Type == "git-clone" && !set {
			// As in Codefresh, ${{clone_step}} is the cloned repository's
			// folder: hoist runs in that checkout either way.
			pl.vars[s.Name] = pl.repoRoot
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
	path := "steps." + s.Name
	b, err := s.Build.Expand(pl.p.File, path, pl.vars)
	if err != nil {
		return nil, err
	}
	at := func(field, format string, args ...any) error {
		line := b.Lines[field]
		if line == 0 {
			line = s.Line
		}
		return &errs.InputError{File: pl.p.File, Line: line, Field: path + "." + field, Err: fmt.Errorf(format, args...)}
	}
	sp.Image = strings.Trim(b.ImageName, "/")
	sp.Tags = tags(b, pl.vars)

	regs := pl.opts.StepRegistries
	if len(regs) == 0 && b.Registry != "" {
		regs = []string{b.Registry}
	}
	for _, name := range regs {
		if _, err := pl.opts.Registries.Lookup(name); err != nil {
			return nil, at("registry", "%w", err)
		}
	}
	sp.Decision, err = policy.Decide(policy.Step{Name: s.Name, DisablePush: b.DisablePush, Registries: regs}, pl.opts.Pipeline, pl.opts.Registries)
	if errors.Is(err, policy.ErrUndecided) {
		return nil, &errs.InputError{File: pl.p.File, Line: s.Line, Field: path, Msg: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	for _, t := range sp.Tags {
		if _, err := name.NewTag("hoist.invalid/x:"+t, name.StrictValidation); err != nil {
			return nil, at("tag", "invalid tag %q: tags are up to 128 letters, digits, _, . and -, not starting with . or -", t)
		}
	}
	if sp.Refs, err = refs(sp); err != nil {
		return nil, at("image_name", "%w", err)
	}
	dir := pl.p.Dir
	if b.WorkingDirectory != "" {
		dir = b.WorkingDirectory
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(pl.p.Dir, dir)
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, at("working_directory", "build context %s is not a folder", dir)
	}
	req := build.Request{
		ContextDir:        dir,
		DockerfileContent: b.DockerfileContent,
		BuildArgs:         b.BuildArguments,
		Target:            b.Target,
		NoCache:           b.NoCache,
		Names:             sp.Refs,
	}
	if req.DockerfileContent == "" {
		df := b.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		if !filepath.IsAbs(df) {
			df = filepath.Join(dir, df)
		}
		if st, err := os.Stat(df); err != nil || st.IsDir() {
			return nil, at("dockerfile", "Dockerfile %s not found", df)
		}
		req.Dockerfile = df
	}
	for _, p := range strings.Split(b.Platform, ",") {
		if p = strings.TrimSpace(p); p != "" {
			req.Platforms = append(req.Platforms, p)
		}
	}
	req.TraceLabels = pl.trace(sp)
	req.Annotations = map[string]string{}
	for k, v := range req.TraceLabels {
		req.Annotations[k] = v
	}
	if len(b.Metadata) > 0 {
		req.Labels = map[string]string{}
		for _, kv := range b.Metadata {
			k, v, _ := strings.Cut(kv, "=")
			req.Labels[strings.TrimSpace(k)] = v
			req.Annotations[strings.TrimSpace(k)] = v
		}
	}
	if !b.NoCache {
		sp.CacheFrom = b.CacheFrom
		if err := pl.cache(sp, &req, b); err != nil {
			return nil, at("image_name", "%w", err)
		}
	}
	sp.Request = req
	return sp, nil
}

// tags applies Codefresh's tag rules: tag (default: the normalized branch,
// or latest), then tags, without repeats, lowercased unless tag_policy is
// original.
func tags(b *pipeline.BuildStep, vars pipeline.Vars) []string {
	first := b.Tag
	if first == "" {
		first = vars["CF_BRANCH_TAG_NORMALIZED"]
	}
	if first == "" {
		first = "latest"
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range append([]string{first}, b.Tags...) {
		if b.TagPolicy != "original" {
			t = strings.ToLower(t)
		}
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// refs lists the references a step writes: every tag in every registry, or
// the local image:tag names when nothing is pushed.
func refs(sp *StepPlan) ([]string, error) {
	var out []string
	if !sp.Decision.Push() {
		for _, t := range sp.Tags {
			ref, err := name.NewTag(sp.Image + ":" + t)
			if err != nil {
				return nil, fmt.Errorf("image name %q: %w", sp.Image, err)
			}
			out = append(out, ref.Repository.RepositoryStr()+":"+t)
		}
		return out, nil
	}
	for _, r := range sp.Decision.Registries {
		for _, t := range sp.Tags {
			ref, err := r.Tag(sp.Image, t)
			if err != nil {
				return nil, err
			}
			out = append(out, ref.String())
		}
	}
	return out, nil
}

// trace returns the traceability metadata of a build: OCI labels and
// annotations from the CF_* variables, plus hoist's branch, pipeline and
// build id.
func (pl *planner) trace(sp *StepPlan) map[string]string {
	v := pl.vars
	return trace.Metadata(v["CF_REVISION"], pl.source, v["CF_BUILD_TIMESTAMP"], sp.Tags[0], v["CF_BRANCH"], v["CF_PIPELINE_NAME"], v["CF_BUILD_ID"])
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
