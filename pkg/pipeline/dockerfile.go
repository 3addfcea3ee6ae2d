package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/gitinfo"
)

// InsideRepository returns an error when the Dockerfile df lies outside
// the repository of the build context dir: the git checkout that holds
// dir, or dir itself outside one. Symbolic links are followed, so a
// pipeline cannot make hoist read any file of the host (hoist often runs
// as root). A df that does not exist is left to the reader.
func InsideRepository(df, dir string) error {
	real, err := filepath.EvalSymlinks(df)
	if err != nil {
		return nil
	}
	root := gitinfo.TopLevel(dir)
	if root == "" {
		if root, err = filepath.EvalSymlinks(dir); err != nil {
			return nil // the planner reports a context that is not a folder
		}
	}
	if root, err = filepath.Abs(root); err != nil {
		return err
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("Dockerfile %s is outside the build context's repository: a pipeline builds only its own files (hoist build -f may name any file)", df)
	}
	return nil
}

// checkDockerfiles checks, for build steps whose working_directory and
// dockerfile name no variable, that the Dockerfile lies inside the
// repository, as the run will: validate finds it too.
func (p *Pipeline) checkDockerfiles() []error {
	var problems []error
	for _, s := range p.Steps {
		s.Walk(func(d *Step) {
			b := d.Build
			if b == nil || b.Dockerfile == "" || b.DockerfileAnywhere || strings.Contains(b.WorkingDirectory+b.Dockerfile, "${{") {
				return
			}
			dir := p.Dir
			if b.WorkingDirectory != "" {
				dir = b.WorkingDirectory
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(p.Dir, dir)
				}
			}
			df := b.Dockerfile
			if !filepath.IsAbs(df) {
				df = filepath.Join(dir, df)
			}
			if err := InsideRepository(df, dir); err != nil {
				problems = append(problems, &errs.InputError{File: p.File, Line: b.Lines["dockerfile"], Field: "steps." + d.Name + ".dockerfile", Err: err})
			}
		})
	}
	return problems
}
