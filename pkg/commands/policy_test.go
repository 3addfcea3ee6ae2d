package commands

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyRules runs one build step under each rule of the auto-push
// policy and checks, in the registries themselves, where the image went.
func TestPolicyRules(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	cases := []struct {
		name     string
		step     string // extra build step YAML
		account  string // extra registries.yaml
		noRegs   bool   // run without a registries file
		flags    []string
		wantIn   []string // registries (a, b) that must hold the image
		wantRule string
	}{
		{name: "disable-push", step: "disable_push: true\n    registry: a", account: "default: a", wantRule: "no push (rule 1: the step sets disable_push)"},
		{name: "step-registry", step: "registry: b", account: "default: a", wantIn: []string{"b"}, wantRule: `push to "b" (rule 2: the step's registry)`},
		{name: "pipeline-registry", account: "default: a", flags: []string{"--auto-push-registry", "b"}, wantIn: []string{"b"}, wantRule: `push to "b" (rule 3: the pipeline's auto-push setting)`},
		{name: "pipeline-no-push", account: "default: a", flags: []string{"--no-auto-push"}, wantRule: "no push (rule 3: the pipeline's auto-push setting)"},
		{name: "account-auto-push-registry", account: "default: a\nauto_push:\n  mode: default\n  registry: b", wantIn: []string{"b"}, wantRule: `push to "b" (rule 4: the account's auto_push)`},
		{name: "account-auto-push-never", account: "default: a\nauto_push:\n  mode: never", wantRule: "no push (rule 4: the account's auto_push)"},
		{name: "account-never-step-registry", step: "registry: a", account: "auto_push:\n  mode: never", wantIn: []string{"a"}, wantRule: `push to "a" (rule 2: the step's registry)`},
		{name: "account-default", account: "default: b", wantIn: []string{"b"}, wantRule: `push to "b" (rule 5: the account's default registry)`},
		{name: "first-is-default", wantIn: []string{"a"}, wantRule: `push to "a" (rule 5: the account's default registry)`},
		{name: "no-registries", noRegs: true, wantRule: "no push (rule 6: no registries are configured)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			imageName := "policy/" + tc.name
			dir := writeFiles(t, map[string]string{
				"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo policy > /policy.txt\n",
				"codefresh.yml": fmt.Sprintf(`version: "1.0"
steps:
  app:
    type: build
    image_name: %s
    tag: t1
    build_arguments: [BASE=%s]
    %s
`, imageName, baseImage, tc.step),
			})
			args := []string{"run", "-f", filepath.Join(dir, "codefresh.yml"), "--builder", bk.Addr, "--progress", "quiet"}
			if !tc.noRegs {
				args = append(args, "--registries", registriesFile(t, tc.account))
			}
			args = append(args, tc.flags...)

			dry := mustHoist(t, append(args, "--dry-run")...)
			if !strings.Contains(dry.stdout, "step app: "+tc.wantRule) {
				t.Errorf("dry run does not explain %q:\n%s", tc.wantRule, dry.stdout)
			}
			for _, reg := range []string{regA.Host + "/team-a/", regB.Host + "/team-b/"} {
				if d := digestOf(t, reg+imageName+":t1", nil); d != "" {
					t.Fatalf("the dry run pushed %s%s:t1", reg, imageName)
				}
			}

			r := mustHoist(t, args...)
			if !strings.Contains(r.stdout, "step app: "+tc.wantRule) {
				t.Errorf("run does not explain %q:\n%s", tc.wantRule, r.stdout)
			}
			for name, reg := range map[string]string{"a": regA.Host + "/team-a/", "b": regB.Host + "/team-b/"} {
				want := false
				for _, w := range tc.wantIn {
					want = want || w == name
				}
				got := digestOf(t, reg+imageName+":t1", nil) != ""
				if got != want {
					t.Errorf("registry %s holds %s:t1 = %v, want %v", name, imageName, got, want)
				}
			}
		})
	}
}

// TestPolicyUsersDecide: with the account in users-decide mode, a build
// step that sets neither registry nor disable_push is refused before any
// build.
func TestPolicyUsersDecide(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: policy/users-decide\n",
	})
	regs := registriesFile(t, "auto_push:\n  mode: users-decide\n")
	r := hoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr)
	want := "hoist: " + filepath.Join(dir, "codefresh.yml") + ":3: steps.app: the account's auto_push mode is users-decide, so the step must set registry or disable_push\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
}
