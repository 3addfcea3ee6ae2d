package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/policy"
	"github.com/hoist-build/hoist/pkg/trace"
)

// masked returns the values of the variables whose values never show
// (Options.Masked), as the planner knows them now.
func (pl *planner) masked() []string {
	var out []string
	for _, k := range pl.opts.Masked {
		if v := pl.vars[k]; v != "" {
			out = append(out, v)
		}
	}
	return out
}

// planBuild plans a build step: image name, tags, the auto-push decision,
// references, and the BuildKit request.
func (pl *planner) planBuild(s *pipeline.Step, sp *StepPlan) (*StepPlan, error) {
	path := "steps." + s.Name
	b, err := s.Build.Expand(pl.p.File, path, pl.vars)
	if err != nil {
		return nil, pl.explain(err)
	}
	// --no-cache and --no-cf-cache act as the fields on every build step.
	b.NoCache = b.NoCache || pl.opts.NoCache
	b.NoCFCache = b.NoCFCache || pl.opts.NoCFCache
	at := func(field, format string, args ...any) error {
		line := b.Lines[field]
		if line == 0 {
			line = s.Line
		}
		return &errs.InputError{File: pl.p.File, Line: line, Field: path + "." + field, Err: hideValues(fmt.Errorf(format, args...), buildExpansions(s.Build, b))}
	}
	if err := pipeline.CheckImageName(b.ImageName); err != nil {
		return nil, at("image_name", "%w", err)
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
	if pl.opts.StepRefsOnly && !b.DisablePush {
		sp.Decision = policy.Decision{} // the references say where: see exactRefs
	} else {
		sp.Decision, err = policy.Decide(policy.Step{Name: s.Name, DisablePush: b.DisablePush, Registries: regs}, pl.opts.Pipeline, pl.opts.Registries)
	}
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
	if err := pl.exactRefs(sp, b.DisablePush); err != nil {
		return nil, at("tag", "%w", err)
	}
	req, err := pl.request(b, sp, at)
	if err != nil {
		return nil, err
	}
	if err := pl.userCache(sp, req, b, at); err != nil {
		return nil, err
	}
	if !b.NoCache {
		if err := pl.cache(sp, req, b); err != nil {
			return nil, at("image_name", "%w", err)
		}
	}
	sp.Request = *req
	return sp, nil
}

// request turns an expanded build step into BuildKit's request: context,
// Dockerfile, arguments, platforms, and the labels and annotations.
func (pl *planner) request(b *pipeline.BuildStep, sp *StepPlan, at func(field, format string, args ...any) error) (*build.Request, error) {
	dir := pl.p.Dir
	if b.WorkingDirectory != "" {
		dir = pl.local(b.WorkingDirectory)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(pl.p.Dir, dir)
		}
	}
	remote := b.Flags.RemoteContext != ""
	if st, err := os.Stat(dir); !remote && (err != nil || !st.IsDir()) {
		if dir != b.WorkingDirectory && filepath.IsAbs(b.WorkingDirectory) {
			return nil, at("working_directory", "build context %s (%s here) is not a folder", b.WorkingDirectory, dir)
		}
		return nil, at("working_directory", "build context %s is not a folder", dir)
	}
	req := &build.Request{
		ContextDir:        dir,
		DockerfileContent: b.DockerfileContent,
		BuildArgs:         b.BuildArguments,
		Target:            b.Target,
		NoCache:           b.NoCache,
		Names:             sp.Refs,
		SSH:               b.SSH,
		BuildxOptions:     buildxOptions(b.Flags),
		Outputs:           pl.opts.Outputs,
		Mask:              pl.masked(),
	}
	secrets, err := pl.secrets(b.Secrets, at)
	if err != nil {
		return nil, err
	}
	req.Secrets = secrets
	remoteDF := remote && req.DockerfileContent == "" && !filepath.IsAbs(b.Dockerfile)
	if remote {
		// The builder fetches the context, and the Dockerfile from it
		// unless it is inline or an absolute path.
		req.ContextDir, req.RemoteDockerfile = "", b.Dockerfile
	}
	if req.DockerfileContent == "" && !remoteDF {
		df := b.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		if !filepath.IsAbs(df) {
			df = filepath.Join(dir, df)
		} else {
			df = pl.local(df)
		}
		if err := readDockerfile(df, dir, b.DockerfileAnywhere); err != nil {
			return nil, at("dockerfile", "%w", err)
		}
		req.Dockerfile = df
	} else if req.DockerfileContent == "" {
		// The builder reads the Dockerfile from the remote context.
	} else if err := build.CheckDockerfile([]byte(req.DockerfileContent)); err != nil {
		return nil, at("dockerfile", "the inline Dockerfile: %w", err)
	}
	for _, p := range strings.Split(b.Platform, ",") {
		if p = strings.TrimSpace(p); p != "" {
			req.Platforms = append(req.Platforms, p)
		}
	}
	req.TraceLabels = pl.trace(sp)
	if remote {
		remoteTrace(req)
	}
	req.Annotations = map[string]string{}
	for k, v := range req.TraceLabels {
		req.Annotations[k] = v
	}
	if remoteDF {
		req.TraceLabels = nil // which the Dockerfile sets itself cannot be told: annotations only
	}
	if len(b.Annotations) > 0 {
		attrs, err := build.ParseAnnotations(b.Annotations)
		if err != nil {
			return nil, at("annotations", "%w", err)
		}
		req.ExportAnnotations = attrs
	}
	if len(b.Metadata) > 0 {
		req.Labels = map[string]string{}
		for _, kv := range b.Metadata {
			k, v, _ := strings.Cut(kv, "=")
			req.Labels[strings.TrimSpace(k)] = v
			req.Annotations[strings.TrimSpace(k)] = v
		}
	}
	if sp.EntityAnnotations, err = pl.entityAnnotations("steps."+sp.Name, b, req); err != nil {
		return nil, err
	}
	if req.Attests, err = build.ParseAttests(b.Attests); err != nil {
		return nil, at("attest", "%w", err)
	}
	return req, nil
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

// secrets resolves each secret's src against the pipeline file's folder
// (the command line's own folder for hoist build) and checks that the
// file is there, or that an env secret's variable is set, naming the
// secret's id, never its value.
func (pl *planner) secrets(in []string, at func(field, format string, args ...any) error) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, s := range in {
		var id, src, env string
		var fields []string
		for _, f := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(f, "=")
			switch strings.ToLower(k) {
			case "id":
				id = v
			case "src", "source":
				if v != "" && !filepath.IsAbs(v) {
					v = filepath.Join(pl.p.Dir, v)
				} else {
					v = pl.local(v)
				}
				src = v
				f = k + "=" + v
			case "env":
				env = v
			}
			fields = append(fields, f)
		}
		if id == "" {
			return nil, at("secrets", "a secret has no id")
		}
		if src == "" && env == "" {
			src = filepath.Join(pl.p.Dir, id) // buildctl's default: a file named as the id
			fields = append(fields, "src="+src)
		}
		if src != "" {
			if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
				return nil, at("secrets", "secret %s: %s is not a readable file", id, src)
			}
		}
		if env != "" {
			if _, ok := os.LookupEnv(env); !ok {
				return nil, at("secrets", "secret %s: $%s is not set", id, env)
			}
		}
		out = append(out, strings.Join(fields, ","))
	}
	return out, nil
}
