package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// CodefreshVolume is where Codefresh mounts a pipeline's shared volume
// (CF_VOLUME_PATH) and clones the repository, into <volume>/<CF_REPO_NAME>.
const CodefreshVolume = "/codefresh/volume"

// volumeHere reports whether Codefresh's volume is on this machine (hoist
// runs in a Codefresh step): its paths are then used as they are.
var volumeHere = func() bool {
	st, err := os.Stat(CodefreshVolume)
	return err == nil && st.IsDir()
}

// local maps a path under Codefresh's volume to the folder it stands for
// here: /codefresh/volume/<CF_REPO_NAME>[/sub] to the checkout hoist runs
// in (${{main_clone}}), and /codefresh/volume[/other] to CF_VOLUME_PATH
// (the folder that holds the checkout). Other paths, and every path when
// the volume is on this machine, stay as they are.
func (pl *planner) local(p string) string {
	rest, ok := under(p, CodefreshVolume)
	if !ok || volumeHere() {
		return p
	}
	if repo := pl.vars["CF_REPO_NAME"]; repo != "" {
		if sub, ok := under(rest, "/"+repo); ok {
			return filepath.Join(pl.abs(pl.checkout()), sub)
		}
	}
	return filepath.Join(pl.abs(pl.vars["CF_VOLUME_PATH"]), rest)
}

// checkout is the folder ${{main_clone}} names, the checkout hoist runs
// in when nothing defines it.
func (pl *planner) checkout() string {
	if clone, set := pl.vars[pipeline.ImplicitClone]; set {
		return clone
	}
	return pl.repoRoot
}

// abs resolves p against the pipeline file's folder.
func (pl *planner) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(pl.p.Dir, p)
}

// under reports whether p is root or inside it, and what follows root.
func under(p, root string) (string, bool) {
	p = filepath.Clean(p)
	if p == root {
		return "", true
	}
	if rest, ok := strings.CutPrefix(p, root+"/"); ok {
		return "/" + rest, true
	}
	return "", false
}

// passedOver defines ${{step}} and ${{steps.step.workingDirectory}} for a
// step hoist does not run (freestyle, composition, ...): as in Codefresh,
// the folder it worked in, its own working_directory or, by default, the
// checkout (${{main_clone}}). A working_directory that names a variable
// hoist does not know leaves ${{step}} undefined; why is kept for the error.
func (pl *planner) passedOver(s *pipeline.Step) {
	if _, set := pl.vars[s.Name]; set {
		return
	}
	dir := s.WorkingDirectory
	if dir == "" {
		dir = pl.checkout()
	} else {
		var err error
		if dir, err = pl.vars.Expand(dir); err != nil {
			if pl.unresolved == nil {
				pl.unresolved = map[string]error{}
			}
			pl.unresolved[s.Name] = err
			return
		}
	}
	pl.vars[s.Name] = dir
	pl.vars["steps."+s.Name+".workingDirectory"] = dir
}

// explain adds, to an undefined variable error that names a step whose
// working directory could not be resolved, why.
func (pl *planner) explain(err error) error {
	var ie *errs.InputError
	if !errors.As(err, &ie) {
		return err
	}
	for name, why := range pl.unresolved {
		if strings.Contains(ie.Msg, "${{"+name+"}}") {
			ie.Msg += " (step " + name + " is not run by hoist, and its working_directory has " + why.Error() + ")"
			return err
		}
	}
	return err
}

// stepName sets CF_STEP_NAME to the step's name, unless the environment or
// --var sets it.
func (pl *planner) stepName(s *pipeline.Step) {
	if _, ok := pl.opts.Env["CF_STEP_NAME"]; ok {
		return
	}
	if _, ok := pl.opts.Vars["CF_STEP_NAME"]; ok {
		return
	}
	pl.vars["CF_STEP_NAME"] = s.Entry()
}
