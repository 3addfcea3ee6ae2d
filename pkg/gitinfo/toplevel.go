package gitinfo

import (
	"os"
	"path/filepath"
)

// TopLevel returns the top folder of the git checkout that holds dir (the
// nearest folder, dir included, with a .git folder or file, as worktrees
// and submodules have), with symbolic links resolved; "" when dir is in
// none. It runs no git command.
func TopLevel(dir string) string {
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return ""
	}
	if d, err = filepath.Abs(d); err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
