package commands

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestParallelScaleWhenFailFast: a parallel block of two builds, a scaled
// push of one of them to two registries, a step skipped by its branch
// condition, and a failing step with fail_fast: false that the next step
// survives.
func TestParallelScaleWhenFailFast(t *testing.T) {
	needStack(t)
	t.Setenv("HOIST_STORE", t.TempDir())
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nARG NAME\nFROM ${BASE}\nRUN echo ${NAME} > /name.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  builds:
    type: parallel
    steps:
      build_api:
        type: build
        image_name: par/api
        tag: v1
        disable_push: true
        build_arguments:
          - BASE=${{BASE}}
          - NAME=api
      build_web:
        type: build
        image_name: par/web
        tag: v1
        registry: a
        build_arguments:
          - BASE=${{BASE}}
          - NAME=web
  push_api:
    type: push
    candidate: ${{build_api}}
    tag: "1.0"
    scale:
      api_to_a:
        registry: a
      api_to_b:
        registry: b
  only_release:
    type: build
    image_name: par/release
    when:
      branch:
        only: [release]
  broken:
    type: build
    image_name: par/broken
    fail_fast: false
    build_arguments:
      - BASE=${{BASE}}
    dockerfile:
      content: |
        ARG BASE
        FROM ${BASE}
        RUN exit 3
  after:
    type: build
    image_name: par/after
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - NAME=after
  on_broken:
    type: build
    image_name: par/on-broken
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - NAME=on-broken
    when:
      steps:
        - name: broken
          on: [failure]
  if_broken_passed:
    type: build
    image_name: par/never
    when:
      steps:
        - name: broken
`,
	})
	r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: b\n"), "--builder", bk.Addr,
		"--progress", "auto", "--var", "BASE="+baseImage, "--var", "CF_BRANCH=main")

	m := regexp.MustCompile(`step build_api: no push[^\n]*\n  par/api:v1\n  digest (sha256:[0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout does not show build_api's digest:\n%s", r.stdout)
	}
	for _, ref := range []string{regA.Host + "/team-a/par/api:1.0", regB.Host + "/team-b/par/api:1.0"} {
		if got := digestOf(t, ref, nil); got != m[1] {
			t.Errorf("%s = %q, want build_api's %s", ref, got, m[1])
		}
	}
	if digestOf(t, regA.Host+"/team-a/par/web:v1", nil) == "" {
		t.Error("build_web was not pushed to a")
	}
	for _, want := range []string{
		"step builds: parallel: build_api, build_web\n",
		"step push_api: parallel: api_to_a, api_to_b\n",
		"step only_release: skipped: branch \"main\" is not in when.branch.only [release]\n",
		"step broken failed: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3; it has fail_fast: false, so the pipeline goes on\n",
		"step after: push to \"b\" (rule 5: the account's default registry)\n",
		"step on_broken: push to \"b\" (rule 5: the account's default registry)\n",
		"step if_broken_passed: skipped: when.steps: step broken ended failure, not success\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if digestOf(t, regB.Host+"/team-b/par/on-broken:v1", nil) == "" {
		t.Error("the step waiting for broken's failure did not run")
	}
	if digestOf(t, regB.Host+"/team-b/par/after:v1", nil) == "" {
		t.Error("the step after the failed one did not run")
	}
	if !regexp.MustCompile(`#\d+ \[build_api\] `).MatchString(r.stderr) || !regexp.MustCompile(`#\d+ \[build_web\] `).MatchString(r.stderr) {
		t.Errorf("parallel progress is not kept apart by step name:\n%s", r.stderr)
	}
}

// TestRetryAndTimeout: a push step whose registry refuses it once is tried
// again and succeeds; a build that outlives its timeout fails saying so.
func TestRetryAndTimeout(t *testing.T) {
	needStack(t)
	var refused atomic.Bool
	proxy := stack.StartProxy(regB.Host, func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") && refused.CompareAndSwap(false, true) {
			return http.StatusForbidden // permanent for the registry client: only the step's retry helps
		}
		return 0
	})
	defer proxy.Close()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN sleep 5\n",
		"codefresh.yml": `version: "1.0"
steps:
  push_flaky:
    type: push
    candidate: ${{BASE}}
    image_name: retry/base
    tag: r1
    registry: flaky
    retry:
      maxAttempts: 3
      delay: 0.1
      exponentialFactor: 2
  slow:
    type: build
    image_name: retry/slow
    disable_push: true
    timeout: 1s
    build_arguments:
      - BASE=${{BASE}}
`,
	})
	regs := registriesFile(t, "  - name: flaky\n    domain: "+proxy.Host+"\n    insecure: true\n")
	r := hoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE="+baseImage)
	if !strings.Contains(r.stdout, "  attempt 1 of 3 failed: ") || !strings.Contains(r.stdout, "trying again in 100ms\n") {
		t.Errorf("stdout does not report the retry:\n%s", r.stdout)
	}
	if got, want := digestOf(t, proxy.Host+"/retry/base:r1", nil), digestOf(t, baseImage, nil); got != want {
		t.Errorf("after the retry the registry holds %q, want %s", got, want)
	}
	if want := "hoist: step slow: timed out after 1s\n"; r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 1, %q", r.code, r.stderr, want)
	}
}

// TestModeParallel: in mode: parallel, steps start when the steps they wait
// for have ended; a push waits for its build and gets its digest.
func TestModeParallel(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nARG NAME\nFROM ${BASE}\nRUN echo ${NAME} > /name.txt\n",
		"codefresh.yml": `version: "1.0"
mode: parallel
steps:
  push_a:
    type: push
    candidate: ${{build_a}}
    tag: released
    registry: b
    when:
      steps:
        - name: smoke_a
          on: [success]
  smoke_a:
    image: ${{build_a}}
    commands: [/smoke.sh]
    when:
      steps:
        - name: build_a
  unit_tests:
    type: freestyle
    image: busybox
    commands: [make test]
    when:
      steps:
        - name: main_clone
  build_a:
    type: build
    image_name: dag/a
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - NAME=a
    when:
      steps:
        - name: unit_tests
          on: [success]
  variants:
    type: parallel
    when:
      steps:
        - name: build_a
    steps:
      variant_x:
        type: build
        image_name: dag/x
        tag: v1
        build_arguments: ["BASE=${{BASE}}", NAME=x]
      more_variants:
        type: parallel
        steps:
          variant_y:
            type: build
            image_name: dag/y
            tag: v1
            build_arguments: ["BASE=${{BASE}}", NAME=y]
  build_b:
    type: build
    image_name: dag/b
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - NAME=b
  after_both:
    type: build
    image_name: dag/c
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - NAME=c
    when:
      steps:
        - name: build_a
        - name: build_b
`,
	})
	r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr,
		"--progress", "plain", "--var", "BASE="+baseImage)
	built := digestOf(t, regA.Host+"/team-a/dag/a:v1", nil)
	if built == "" || digestOf(t, regB.Host+"/team-b/dag/a:released", nil) != built {
		t.Errorf("push_a did not push build_a's digest %q:\n%s", built, r.stdout)
	}
	for _, ref := range []string{regA.Host + "/team-a/dag/b:v1", regA.Host + "/team-a/dag/c:v1", regA.Host + "/team-a/dag/x:v1", regA.Host + "/team-a/dag/y:v1"} {
		if digestOf(t, ref, nil) == "" {
			t.Errorf("%s was not pushed:\n%s", ref, r.stdout)
		}
	}
	// Blocks print as steps end: after_both and push_a come after build_a.
	if ia, ip, ic := strings.Index(r.stdout, "step build_a:"), strings.Index(r.stdout, "step push_a:"), strings.Index(r.stdout, "step after_both:"); ia < 0 || ip < ia || ic < ia {
		t.Errorf("step order in stdout is wrong:\n%s", r.stdout)
	}
	if iv := strings.Index(r.stdout, "step variants: parallel: variant_x, more_variants\n"); iv < strings.Index(r.stdout, "step build_a:") {
		t.Errorf("the parallel block did not wait for build_a:\n%s", r.stdout)
	}
	// A step hoist does not run counts as a success for those waiting on it.
	if !strings.Contains(r.stdout, "step unit_tests: skipped: freestyle steps are not run by hoist") {
		t.Errorf("unit_tests is not listed as skipped:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "step more_variants: parallel: variant_y\n") {
		t.Errorf("the nested block is not in the plan:\n%s", r.stdout)
	}
	// One display: every vertex carries its step's name, a nested block's
	// both names.
	for _, re := range []string{`#\d+ \[build_b\] `, `#\d+ \[variant_x\] `, `#\d+ \[more_variants\] \[variant_y\] `} {
		if !regexp.MustCompile(re).MatchString(r.stderr) {
			t.Errorf("progress lines do not match %s", re)
		}
	}
	if t.Failed() {
		t.Errorf("progress lines do not carry step names:\n%s", r.stderr)
	}
}

// TestModeParallelFailure: in mode: parallel, a failed step without
// fail_fast: false starts nothing new; the steps already running end.
func TestModeParallelFailure(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile":     "ARG BASE\nFROM ${BASE}\nARG NAME\nRUN echo ${NAME} > /name.txt\n",
		"bad.Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN exit 3\n",
		"codefresh.yml": `version: "1.0"
mode: parallel
steps:
  bad:
    type: build
    image_name: dagfail/bad
    dockerfile: bad.Dockerfile
    build_arguments: ["BASE=${{BASE}}"]
  independent:
    type: build
    image_name: dagfail/independent
    tag: v1
    build_arguments: ["BASE=${{BASE}}", NAME=independent]
  after_bad:
    type: build
    image_name: dagfail/after
    tag: v1
    build_arguments: ["BASE=${{BASE}}", NAME=after]
    when:
      steps:
        - name: bad
          on: [finished]
`,
	})
	r := hoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr,
		"--progress", "quiet", "--var", "BASE="+baseImage)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "step after_bad: not started: a step failed\n") {
		t.Errorf("after_bad was not held back:\n%s", r.stdout)
	}
	if digestOf(t, regA.Host+"/team-a/dagfail/after:v1", nil) != "" {
		t.Error("after_bad was pushed after bad failed")
	}
	if digestOf(t, regA.Host+"/team-a/dagfail/independent:v1", nil) == "" {
		t.Errorf("independent, already running, was not pushed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "hoist: step bad: ") {
		t.Errorf("stderr does not name the failed step:\n%s", r.stderr)
	}
}

// TestModeParallelChecksFirst: in mode: parallel every step is checked, in
// the order the steps will run, before any builds, even a step the file
// lists before the step it waits for.
func TestModeParallelChecksFirst(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\n",
		"codefresh.yml": `version: "1.0"
mode: parallel
steps:
  late:
    type: build
    image_name: dagcheck/late
    dockerfile: missing.Dockerfile
    when:
      steps:
        - name: early
  early:
    type: build
    image_name: dagcheck/early
    tag: v1
    build_arguments: ["BASE=${{BASE}}"]
`,
	})
	r := hoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr,
		"--progress", "quiet", "--var", "BASE="+baseImage)
	want := "hoist: " + filepath.Join(dir, "codefresh.yml") + ":7: steps.late.dockerfile: Dockerfile " + filepath.Join(dir, "missing.Dockerfile") + " not found\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
	if digestOf(t, regA.Host+"/team-a/dagcheck/early:v1", nil) != "" {
		t.Error("early was built and pushed before late's mistake was found")
	}
}
