package commands

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// policyCases put one build step under each rule of the auto-push policy.
var policyCases = []struct {
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

// policyPipeline is the pipeline of one policy case, built FROM base.
func policyPipeline(t *testing.T, name, step, base string) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo policy > /policy.txt\n",
		"codefresh.yml": fmt.Sprintf(`version: "1.0"
steps:
  app:
    type: build
    image_name: %s
    tag: t1
    build_arguments: [BASE=%s]
    %s
`, "policy/"+name, base, step),
	}), "codefresh.yml")
}

// TestPolicyPlans: the dry run of each policy case explains the decision
// and the rule that made it.
func TestPolicyPlans(t *testing.T) {
	t.Parallel()
	for _, tc := range policyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"run", "-f", policyPipeline(t, tc.name, tc.step, planA+"/base/busybox:stable"), "--dry-run"}
			if !tc.noRegs {
				args = append(args, "--registries", planRegistriesFile(t, tc.account))
			}
			dry := mustHoist(t, append(args, tc.flags...)...)
			if !strings.Contains(dry.stdout, "step app: "+tc.wantRule) {
				t.Errorf("dry run does not explain %q:\n%s", tc.wantRule, dry.stdout)
			}
		})
	}
}

// TestPolicyRules runs one build step under each rule of the auto-push
// policy and checks, in the registries themselves, where the image went.
func TestPolicyRules(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	for _, tc := range policyCases {
		t.Run(tc.name, func(t *testing.T) {
			imageName := "policy/" + tc.name
			args := []string{"run", "-f", policyPipeline(t, tc.name, tc.step, baseImage), "--builder", bk.Addr, "--progress", "quiet"}
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
// It is checked in a dry run, which needs no servers, and in a real run
// with the stack's buildkitd.
func TestPolicyUsersDecide(t *testing.T) {
	check := func(t *testing.T, regs string, args ...string) {
		dir := writeFiles(t, map[string]string{
			"Dockerfile":    "FROM scratch\n",
			"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: policy/users-decide\n",
		})
		r := hoist(t, append([]string{"run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs}, args...)...)
		want := "hoist: " + filepath.Join(dir, "codefresh.yml") + ":3: steps.app: the account's auto_push mode is users-decide, so the step must set registry or disable_push\n"
		if r.code != 2 || r.stderr != want {
			t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
		}
	}
	const account = "auto_push:\n  mode: users-decide\n"
	t.Run("dry-run", func(t *testing.T) {
		t.Parallel()
		check(t, planRegistriesFile(t, account), "--dry-run")
	})
	t.Run("run", func(t *testing.T) {
		needStack(t)
		check(t, registriesFile(t, account), "--builder", bk.Addr)
	})
}
