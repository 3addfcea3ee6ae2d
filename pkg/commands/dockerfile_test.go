package commands

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDockerfileOutsideRepository: a pipeline's dockerfile must lie in the
// build context's repository (symbolic links followed), hoist build -f may
// name any file, and a file that does not parse as a Dockerfile is refused
// with its line, never its text. All before anything is built.
func TestDockerfileOutsideRepository(t *testing.T) {
	t.Parallel()
	const login = `{"auths":{"registry.example":{"auth":"Q0FOQVJZLWxvZ2luOnMzY3JldA=="}}}`
	outside := writeFiles(t, map[string]string{".docker/config.json": login + "\n", "Dockerfile": "FROM scratch\n"})
	config := filepath.Join(outside, ".docker", "config.json")
	plain := writeFiles(t, map[string]string{
		"Dockerfile":  "FROM scratch\n",
		"config.json": login + "\n",
		"abs.yml":     "steps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: " + config + "\n",
		"var.yml":     "steps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: ${{DF}}\n",
		"link.yml":    "steps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: innocent.Dockerfile\n",
		"json.yml":    "steps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: config.json\n",
	})
	if err := os.Symlink(config, filepath.Join(plain, "innocent.Dockerfile")); err != nil {
		t.Fatal(err)
	}
	// In a checkout, a Dockerfile elsewhere in the same repository is fine.
	repo := writeFiles(t, map[string]string{
		".git/HEAD":         "ref: refs/heads/main\n",
		"docker/Dockerfile": "FROM scratch\n",
		"app/codefresh.yml": "steps:\n  app:\n    type: build\n    image_name: x\n    dockerfile: ../docker/Dockerfile\n",
		"app/outside.yml":   "steps:\n  app:\n    type: build\n    image_name: x\n    working_directory: " + outside + "\n",
	})
	regs := planRegistriesFile(t, "")
	refused := func(file string, line int) string {
		return "hoist: " + file + ":" + strconv.Itoa(line) + ": steps.app.dockerfile: Dockerfile "
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // stderr's start
	}{
		{"absolute", []string{"explain", "-f", filepath.Join(plain, "abs.yml")}, 2, refused(filepath.Join(plain, "abs.yml"), 5) + config + " is outside the build context's repository"},
		{"variable", []string{"explain", "-f", filepath.Join(plain, "var.yml"), "--var", "DF=" + config}, 2, refused(filepath.Join(plain, "var.yml"), 5) + config + " is outside the build context's repository"},
		{"symlink", []string{"explain", "-f", filepath.Join(plain, "link.yml")}, 2, refused(filepath.Join(plain, "link.yml"), 5) + filepath.Join(plain, "innocent.Dockerfile") + " is outside the build context's repository"},
		{"not-a-dockerfile", []string{"explain", "-f", filepath.Join(plain, "json.yml")}, 2, refused(filepath.Join(plain, "json.yml"), 5) + filepath.Join(plain, "config.json") + ": line 1: unknown instruction (the text is not shown)\n"},
		{"same-repository", []string{"explain", "-f", filepath.Join(repo, "app", "codefresh.yml")}, 0, ""},
		{"context-elsewhere", []string{"explain", "-f", filepath.Join(repo, "app", "outside.yml")}, 0, ""},
		{"build-f", []string{"build", plain, "--image-name", "x", "-f", filepath.Join(outside, "Dockerfile"), "--dry-run"}, 0, ""},
		{"build-f-not-a-dockerfile", []string{"build", plain, "--image-name", "x", "-f", config, "--dry-run"}, 2, "hoist: command line: steps.build.dockerfile: Dockerfile " + config + ": line 1: unknown instruction (the text is not shown)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := hoist(t, append(tc.args, "--registries", regs)...)
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.want) || tc.code == 0 && r.stderr != "" {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr starting %q", r.code, r.stderr, tc.code, tc.want)
			}
			if strings.Contains(r.stdout+r.stderr, "Q0FO") {
				t.Errorf("the output shows the file's text:\n%s%s", r.stdout, r.stderr)
			}
		})
	}
}
