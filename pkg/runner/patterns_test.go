package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// planIn writes files under root (each path relative to it), loads the
// pipeline at root/pipe and plans it on a dry run, as hoist explain does,
// with git saying the checkout is root/checkout.
func planIn(t *testing.T, root, pipe string, files map[string]string, vars, env map[string]string) ([]*StepResult, string, error) {
	t.Helper()
	for n, c := range files {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := pipeline.LoadFile(filepath.Join(root, pipe))
	if err != nil {
		t.Fatal(err)
	}
	if env == nil {
		env = map[string]string{}
	}
	opts := Options{Env: env, Vars: vars, Git: &gitinfo.Info{Branch: "main", Revision: "4f2a9c1e0b7d", TopLevel: filepath.Join(root, "checkout")}}
	var out, log bytes.Buffer
	res, err := Run(context.Background(), p, opts, Exec{DryRun: true, Out: &out, Log: &log})
	return res, log.String(), err
}

func contexts(res []*StepResult) map[string]string {
	m := map[string]string{}
	for _, r := range res {
		if r.Type == pipeline.TypeBuild && r.Skipped == "" {
			m[r.Name] = r.Request.ContextDir + " " + r.Request.Dockerfile
		}
	}
	return m
}

// TestFreestyleWorkingDirectory: ${{step}} of a freestyle step is the
// folder it worked in: its working_directory, else the checkout.
func TestFreestyleWorkingDirectory(t *testing.T) {
	root := t.TempDir()
	co := filepath.Join(root, "checkout")
	res, _, err := planIn(t, root, "checkout/codefresh.yml", map[string]string{
		"checkout/.git/HEAD": "ref: refs/heads/main\n", "checkout/Dockerfile": "FROM scratch\n", "checkout/app/Dockerfile": "FROM scratch\n",
		"checkout/codefresh.yml": `version: "1.0"
steps:
  prepare:
    image: node:20
    working_directory: ${{main_clone}}/app
    commands: [yarn build]
  checks:
    image: alpine
    commands: [ls]
  build_app:
    type: build
    image_name: acme/app
    working_directory: ${{prepare}}
  build_root:
    type: build
    image_name: acme/root
    working-directory: ${{checks}}
  build_member:
    type: build
    image_name: acme/member
    working_directory: ${{steps.prepare.workingDirectory}}
`}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"build_app":    filepath.Join(co, "app") + " " + filepath.Join(co, "app", "Dockerfile"),
		"build_root":   co + " " + filepath.Join(co, "Dockerfile"),
		"build_member": filepath.Join(co, "app") + " " + filepath.Join(co, "app", "Dockerfile"),
	}
	if diff := cmp.Diff(want, contexts(res)); diff != "" {
		t.Errorf("build contexts (-want +got):\n%s", diff)
	}
}

func TestFreestyleWorkingDirectoryUnresolved(t *testing.T) {
	root := t.TempDir()
	_, _, err := planIn(t, root, "checkout/codefresh.yml", map[string]string{
		"checkout/codefresh.yml": `version: "1.0"
steps:
  prepare:
    image: node:20
    working_directory: ${{WORKSPACE}}/app
    commands: [yarn build]
  build_app:
    type: build
    image_name: acme/app
    working_directory: ${{prepare}}
`}, nil, nil)
	want := filepath.Join(root, "checkout", "codefresh.yml") + ":10: steps.build_app.working_directory: undefined variable ${{prepare}} (step prepare is not run by hoist, and its working_directory has undefined variable ${{WORKSPACE}})"
	if err == nil || err.Error() != want {
		t.Errorf("Run() = %v\nwant %s", err, want)
	}
}

// TestVolumePaths: /codefresh/volume/<CF_REPO_NAME>[/sub] is the checkout,
// /codefresh/volume[/other] and ${{CF_VOLUME_PATH}} the folder holding it.
func TestVolumePaths(t *testing.T) {
	if volumeHere() {
		t.Skip("/codefresh/volume exists on this machine: its paths are used as they are")
	}
	root := t.TempDir()
	co := filepath.Join(root, "checkout")
	files := map[string]string{
		"checkout/.git/HEAD": "ref: refs/heads/main\n", "checkout/sub/Dockerfile": "FROM scratch\n", "checkout/Dockerfile": "FROM scratch\n",
		"shared/ctx/Dockerfile": "FROM scratch\n",
		"checkout/codefresh.yml": `version: "1.0"
steps:
  repo_sub:
    type: build
    image_name: acme/sub
    working_directory: /codefresh/volume/shop/sub
  volume_other:
    type: build
    image_name: acme/other
    working_directory: /codefresh/volume/shared/ctx
  volume_var:
    type: build
    image_name: acme/var
    working_directory: ${{CF_VOLUME_PATH}}/shared/ctx
  repo_dockerfile:
    type: build
    image_name: acme/df
    working_directory: /codefresh/volume/shop
    dockerfile: /codefresh/volume/shop/sub/Dockerfile
`}
	res, _, err := planIn(t, root, "checkout/codefresh.yml", files, map[string]string{"CF_REPO_NAME": "shop"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(root, "shared", "ctx")
	want := map[string]string{
		"repo_sub":        filepath.Join(co, "sub") + " " + filepath.Join(co, "sub", "Dockerfile"),
		"volume_other":    shared + " " + filepath.Join(shared, "Dockerfile"),
		"volume_var":      shared + " " + filepath.Join(shared, "Dockerfile"),
		"repo_dockerfile": co + " " + filepath.Join(co, "sub", "Dockerfile"),
	}
	if diff := cmp.Diff(want, contexts(res)); diff != "" {
		t.Errorf("build contexts (-want +got):\n%s", diff)
	}

	files["checkout/codefresh.yml"] = "steps:\n  gone:\n    type: build\n    image_name: acme/gone\n    working_directory: /codefresh/volume/shop/missing\n"
	_, _, err = planIn(t, root, "checkout/codefresh.yml", files, map[string]string{"CF_REPO_NAME": "shop"}, nil)
	wantErr := filepath.Join(co, "codefresh.yml") + ":5: steps.gone.working_directory: build context /codefresh/volume/shop/missing (" + filepath.Join(co, "missing") + " here) is not a folder"
	if err == nil || err.Error() != wantErr {
		t.Errorf("Run() = %v\nwant %s", err, wantErr)
	}
}

// TestExportedVariables: ${CF_VOLUME_PATH}/env_vars_to_export, as
// cf_export leaves it, resolves variables; it wins over the environment,
// --var over it; a malformed line is one warning naming file:line.
func TestExportedVariables(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"checkout/.git/HEAD": "ref: refs/heads/main\n", "checkout/Dockerfile": "FROM scratch\n",
		"env_vars_to_export": "VERSION=1.4.2\nIMAGE=acme/exported\nBUILD_DATE=\"2026-11-23\"\nline two of a value\nCHANNEL=beta\n",
		"checkout/codefresh.yml": `version: "1.0"
steps:
  build:
    type: build
    image_name: ${{IMAGE}}
    tag: ${{VERSION}}
    tags: ["${{CHANNEL}}", "${{BUILD_DATE}}"]
`}
	res, log, err := planIn(t, root, "checkout/codefresh.yml", files, map[string]string{"CHANNEL": "stable"}, map[string]string{"IMAGE": "acme/env", "VERSION": "0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res[len(res)-1].Image+":"+strings.Join(res[len(res)-1].Tags, ","), "acme/exported:1.4.2,stable,2026-11-23"; got != want {
		t.Errorf("plan = %s, want %s", got, want)
	}
	wantLog := "hoist: warning: " + filepath.Join(root, "env_vars_to_export") + ":4: not NAME=VALUE, so no variable is read from this line (a multi-line value? cf_export keeps one line: encode it, e.g. with base64)\n"
	if log != wantLog {
		t.Errorf("log = %q, want %q", log, wantLog)
	}
	// CF_VOLUME_PATH from the environment says where the file is.
	elsewhere := t.TempDir()
	os.WriteFile(filepath.Join(elsewhere, "env_vars_to_export"), []byte("IMAGE=acme/volume\nVERSION=2\nCHANNEL=x\nBUILD_DATE=d\n"), 0o644)
	res, _, err = planIn(t, root, "checkout/codefresh.yml", nil, nil, map[string]string{"CF_VOLUME_PATH": elsewhere})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res[len(res)-1].Image+":"+res[len(res)-1].Tags[0], "acme/volume:2"; got != want {
		t.Errorf("plan with $CF_VOLUME_PATH = %s, want %s", got, want)
	}
}

// TestStepNameVariable: CF_STEP_NAME is each step's own name.
func TestStepNameVariable(t *testing.T) {
	root := t.TempDir()
	res, _, err := planIn(t, root, "checkout/codefresh.yml", map[string]string{
		"checkout/Dockerfile": "FROM scratch\n",
		"checkout/codefresh.yml": `steps:
  api:
    type: build
    image_name: acme/${{CF_STEP_NAME}}
  web:
    type: build
    image_name: acme/${{CF_STEP_NAME}}
`}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Image != "acme/api" || res[1].Image != "acme/web" {
		t.Errorf("images = %s, %s; want acme/api, acme/web", res[0].Image, res[1].Image)
	}
}
