package runner

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// initialVars are the CF_* variables from git and the environment, with
// --var values over them.
func initialVars(info gitinfo.Info, p *pipeline.Pipeline, opts Options) pipeline.Vars {
	v := pipeline.SystemVars(info, given(opts), time.Now())
	if _, ok := v["CF_PIPELINE_NAME"]; !ok {
		v["CF_PIPELINE_NAME"] = filepath.Base(p.Dir) + "/" + strings.TrimSuffix(filepath.Base(p.File), filepath.Ext(p.File))
	}
	return v
}

// exported sets CF_VOLUME_PATH, when nothing else does, to the folder
// that holds the checkout (root), and reads the variables earlier steps
// exported into ${CF_VOLUME_PATH}/env_vars_to_export: they win over the
// environment, --var over them. It returns the warnings reading gave.
func exported(base pipeline.Vars, root string, p *pipeline.Pipeline, opts Options) []string {
	if _, ok := base["CF_VOLUME_PATH"]; !ok {
		base["CF_VOLUME_PATH"] = filepath.Dir(root)
	}
	vol := base["CF_VOLUME_PATH"]
	if !filepath.IsAbs(vol) {
		vol = filepath.Join(p.Dir, vol)
	}
	vars, warnings := pipeline.ReadExports(filepath.Join(vol, pipeline.ExportsFile))
	// --branch and --sha win over an exported CF_BRANCH or CF_REVISION,
	// as over the environment's.
	withoutOverridden(vars, opts)
	for k, v := range vars {
		if _, isVar := opts.Vars[k]; !isVar {
			base[k] = v
		}
	}
	return warnings
}

// given is the environment, less what --branch and --sha decide, with
// --var values over it.
func given(opts Options) map[string]string {
	m := map[string]string{}
	for k, val := range opts.Env {
		m[k] = val
	}
	withoutOverridden(m, opts)
	for k, val := range opts.Vars {
		m[k] = val
	}
	return m
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
