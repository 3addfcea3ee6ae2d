package commands

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ciKeys are the variables by which package ci knows a CI runs the build;
// each test case clears them all, then sets its own.
var ciKeys = []string{"GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BITBUCKET_BUILD_NUMBER", "TF_BUILD", "CIRCLECI", "CF_BRANCH", "CF_REVISION", "CF_BUILD_ID", "GITHUB_HEAD_REF", "GITHUB_REF_TYPE"}

// gitCheckout makes a git repository with one commit in a new folder and
// returns the folder and the commit.
func gitCheckout(t *testing.T, files map[string]string, detach bool) (string, string) {
	t.Helper()
	dir := writeFiles(t, files)
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	if detach {
		git("checkout", "-q", "--detach")
	}
	return dir, git("rev-parse", "HEAD")
}

// TestCIEnvironments: on a detached-HEAD checkout (as GitHub Actions and
// GitLab make) and outside any checkout, the branch or tag, revision and
// build id come from each CI's own variables; with none, one notice says
// the tag falls back to latest.
func TestCIEnvironments(t *testing.T) {
	files := map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: app\n    registry: a\n",
	}
	detached, sha := gitCheckout(t, files, true)
	plain := writeFiles(t, files)
	regs := planRegistriesFile(t, "")
	const ciSHA = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name      string
		dir       string
		env       map[string]string
		tag, rev  string
		buildID   string
		wantNotes bool
	}{
		{"github push", detached, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "feature/x", "GITHUB_REF_TYPE": "branch", "GITHUB_SHA": sha, "GITHUB_RUN_ID": "42"}, "feature_x", sha, "42", false},
		{"github pull request", detached, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "7/merge", "GITHUB_HEAD_REF": "fix-1", "GITHUB_SHA": sha, "GITHUB_RUN_ID": "43"}, "fix-1", sha, "43", false},
		{"github tag", detached, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "v1.2.0", "GITHUB_REF_TYPE": "tag", "GITHUB_SHA": sha, "GITHUB_RUN_ID": "44"}, "v1.2.0", sha, "44", false},
		{"gitlab branch", detached, map[string]string{"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": sha, "CI_PIPELINE_ID": "77"}, "main", sha, "77", false},
		{"gitlab tag", detached, map[string]string{"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "v2", "CI_COMMIT_TAG": "v2", "CI_COMMIT_SHA": sha, "CI_PIPELINE_ID": "78"}, "v2", sha, "78", false},
		{"jenkins", detached, map[string]string{"JENKINS_URL": "http://jenkins.invalid/", "BRANCH_NAME": "release-1", "GIT_COMMIT": sha, "BUILD_ID": "9"}, "release-1", sha, "9", false},
		{"bitbucket", detached, map[string]string{"BITBUCKET_BUILD_NUMBER": "5", "BITBUCKET_BRANCH": "dev", "BITBUCKET_COMMIT": sha}, "dev", sha, "5", false},
		{"azure", detached, map[string]string{"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/heads/azure/b", "BUILD_SOURCEVERSION": sha, "BUILD_BUILDID": "11"}, "azure_b", sha, "11", false},
		{"circleci", detached, map[string]string{"CIRCLECI": "true", "CIRCLE_BRANCH": "circle", "CIRCLE_SHA1": sha, "CIRCLE_BUILD_NUM": "12"}, "circle", sha, "12", false},
		{"codefresh", detached, map[string]string{"CF_BRANCH": "cf-branch", "CF_BUILD_ID": "cf1"}, "cf-branch", sha, "cf1", false},
		{"github, no checkout", plain, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "main", "GITHUB_SHA": ciSHA, "GITHUB_RUN_ID": "45"}, "main", ciSHA, "45", false},
		{"no ci", detached, map[string]string{}, "latest", sha, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range ciKeys {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			meta := filepath.Join(t.TempDir(), "meta.json")
			r := mustHoist(t, "explain", "-f", filepath.Join(tc.dir, "codefresh.yml"), "--registries", regs, "--metadata-file", meta)
			var m struct {
				Steps []struct {
					References []string
					Labels     map[string]string
				}
			}
			data, err := os.ReadFile(meta)
			if err != nil || json.Unmarshal(data, &m) != nil || len(m.Steps) != 1 {
				t.Fatalf("metadata file: %v\n%s", err, data)
			}
			s := m.Steps[0]
			if len(s.References) == 0 || !strings.HasSuffix(s.References[0], "/app:"+tc.tag) {
				t.Errorf("references = %v, want the tag %s", s.References, tc.tag)
			}
			if got := s.Labels["org.opencontainers.image.revision"]; got != tc.rev {
				t.Errorf("revision = %q, want %q", got, tc.rev)
			}
			if tc.buildID != "" && s.Labels["io.hoist.build-id"] != tc.buildID {
				t.Errorf("build id = %q, want %q", s.Labels["io.hoist.build-id"], tc.buildID)
			}
			notice := "hoist: notice: HEAD is detached and no CI variable names the branch, so build steps without a tag are tagged latest (set CF_BRANCH to name the branch)\n"
			if got := r.stderr == notice; got != tc.wantNotes {
				t.Errorf("stderr = %q, want the notice: %v", r.stderr, tc.wantNotes)
			}
		})
	}
}

// TestGitHubOutputs: under GitHub Actions, a real build's digest and image
// ID reach $GITHUB_OUTPUT, the metadata as well, and a table the job
// summary; the digest is the one the registry holds.
func TestGitHubOutputs(t *testing.T) {
	needStack(t)
	for _, k := range ciKeys {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	out, summary := filepath.Join(t.TempDir(), "output"), filepath.Join(t.TempDir(), "summary")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_OUTPUT", out)
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	t.Setenv("GITHUB_REF_NAME", "gh-branch")
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo gh > /gh.txt\n"})
	mustHoist(t, "build", dir, "--image-name", "ci/github", "--registry", "a",
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet")
	digest := digestOf(t, regA.Host+"/team-a/ci/github:gh-branch", nil)
	if digest == "" {
		t.Fatal("the image is not in registry a under the branch from GITHUB_REF_NAME")
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i+2 < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			j := i + 1
			for j < len(lines) && lines[j] != delim {
				j++
			}
			outputs[name] = strings.Join(lines[i+1:j], "\n")
			i = j
		}
	}
	if outputs["digest"] != digest || !strings.HasPrefix(outputs["imageid"], "sha256:") || !strings.Contains(outputs["metadata"], digest) {
		t.Errorf("$GITHUB_OUTPUT = %q; want digest %s, an imageid and metadata naming the digest", data, digest)
	}
	if s, _ := os.ReadFile(summary); !strings.Contains(string(s), "| build | pushed | "+digest+" |") {
		t.Errorf("$GITHUB_STEP_SUMMARY = %q, want a row for the build", s)
	}
}
