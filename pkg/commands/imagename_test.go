package commands

import (
	"path/filepath"
	"testing"
)

// TestImageNamesStayInPrefix: image names with an empty, "." or ".."
// path component are refused before anything runs, from the command
// line, a pipeline (at load, or once variables are expanded: the error
// shows the field as written, not the variable's value) and a registries
// file's prefix.
func TestImageNamesStayInPrefix(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":     "FROM scratch\n",
		"var.yml":        "steps:\n  app:\n    type: build\n    image_name: ${{NAME}}\n",
		"push.yml":       "steps:\n  release:\n    type: push\n    candidate: ${{SRC}}\n    image_name: ${{NAME}}\n",
		"registries.yml": "registries:\n  - name: a\n    domain: 127.0.0.1:1\n    prefix: team-a/../team-b\n",
	})
	regs := planRegistriesFile(t, "")
	varFile, pushFile := filepath.Join(dir, "var.yml"), filepath.Join(dir, "push.yml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", dir, "--image-name", "app/../../other", "--dry-run", "--registries", regs},
			`--image-name: image name "app/../../other" has a ".." path component`},
		{[]string{"build", dir, "--image-name", "a//b", "--dry-run", "--registries", regs},
			`--image-name: image name "a//b" has an empty path component (//)`},
		{[]string{"explain", "-f", varFile, "--registries", regs, "--var", "NAME=x/../../admin/app"},
			varFile + `:4: steps.app.image_name: image name "${{NAME}}" has a ".." path component`},
		{[]string{"explain", "-f", pushFile, "--registries", regs, "--var", "SRC=127.0.0.1:1/a/./b:1", "--var", "NAME=ok"},
			pushFile + `:4: steps.release.candidate: image reference "${{SRC}}" has a "." path component`},
		{[]string{"explain", "-f", pushFile, "--registries", regs, "--var", "SRC=127.0.0.1:1/a/b:1", "--var", "NAME=../b"},
			pushFile + `:5: steps.release.image_name: image name "${{NAME}}" has a ".." path component`},
		{[]string{"explain", "-f", varFile, "--registries", filepath.Join(dir, "registries.yml"), "--var", "NAME=app"},
			filepath.Join(dir, "registries.yml") + `:2: registries[0].prefix: "team-a/../team-b": path component ".." is not lowercase letters and digits joined by ., _, __ or -`},
	} {
		r := hoist(t, tc.args...)
		if want := "hoist: " + tc.want + "\n"; r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Errorf("hoist %v: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", tc.args, r.code, r.stdout, r.stderr, want)
		}
	}
}
