package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// selectPipeline has a build, a parallel block, a step that waits for one
// of the block's children, and a push step scaled to two registries.
const selectPipeline = `version: "1.0"
steps:
  app:
    type: build
    image_name: acme/app
    tag: v1
  checks:
    type: parallel
    steps:
      unit:
        type: build
        image_name: acme/unit
        tag: v1
      lint:
        type: build
        image_name: acme/lint
        tag: v1
  docs:
    type: build
    image_name: acme/docs
    tag: v1
    when:
      steps:
        - name: unit
          on: [success]
  release:
    type: push
    candidate: ${{app}}
    tag: v1
    scale:
      to_a:
        registry: a
      to_b:
        registry: b
`

// TestRunSkipOnly: --skip and --only leave steps out at any depth, the
// plan says which and why, a step that a step still run waits for is kept
// with a notice, and a name no step has is exit 2 listing the names.
func TestRunSkipOnly(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": selectPipeline})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	app := "step app: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/app:v1\n"
	unit := "step unit: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/unit:v1\n"
	lint := "step lint: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/lint:v1\n"
	docs := "step docs: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/docs:v1\n"
	toA := "step to_a: push to \"a\" (push steps always push), from step app\n  " + planA + "/team-a/acme/app:v1\n"
	toB := "step to_b: push to \"b\" (push steps always push), from step app\n  " + planB + "/team-b/acme/app:v1\n"
	for _, tc := range []struct {
		name   string
		args   []string
		stdout string
		stderr string
	}{
		{"skip-child", []string{"--skip", "lint"},
			app + "step checks: parallel: unit, lint\n" + unit + "step lint: skipped: left out by --skip\n" + docs + "step release: parallel: to_a, to_b\n" + toA + toB, ""},
		{"skip-scale-entry-and-step", []string{"--skip", "to_a", "--skip", "docs"},
			app + "step checks: parallel: unit, lint\n" + unit + lint + "step docs: skipped: left out by --skip\nstep release: parallel: to_a, to_b\nstep to_a: skipped: left out by --skip\n" + toB, ""},
		{"skip-block-kept-for-waiter", []string{"--skip", "checks"},
			app + "step checks: parallel: unit, lint\n" + unit + "step lint: skipped: left out by --skip\n" + docs + "step release: parallel: to_a, to_b\n" + toA + toB,
			"hoist: notice: step unit is run though it is left out by --skip: step docs waits for it\n"},
		{"only-waits", []string{"--only", "docs"},
			"step app: skipped: not named by --only\nstep checks: parallel: unit, lint\n" + unit + "step lint: skipped: not named by --only\n" + docs + "step release: skipped: not named by --only\n",
			"hoist: notice: step unit is run though it is not named by --only: step docs waits for it\n"},
		{"only-scale-entry-keeps-candidate", []string{"--only", "to_b"},
			app + "step checks: skipped: not named by --only\nstep docs: skipped: not named by --only\nstep release: parallel: to_a, to_b\nstep to_a: skipped: not named by --only\n" + toB,
			"hoist: notice: step app is run though it is not named by --only: step to_b waits for it\n"},
		{"only-and-skip", []string{"--only", "checks", "--only", "app", "--skip", "unit"},
			app + "step checks: parallel: unit, lint\nstep unit: skipped: left out by --skip\n" + lint + "step docs: skipped: not named by --only\nstep release: skipped: not named by --only\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, cmd := range []string{"run", "explain"} {
				args := append([]string{cmd, "-f", file, "--registries", regs}, tc.args...)
				if cmd == "run" {
					args = append(args, "--dry-run")
				}
				r := mustHoist(t, args...)
				if r.stdout != tc.stdout || r.stderr != tc.stderr {
					t.Errorf("hoist %s:\nstdout:\n%s\nwant:\n%s\nstderr %q, want %q", strings.Join(args, " "), r.stdout, tc.stdout, r.stderr, tc.stderr)
				}
			}
		})
	}

	// The metadata file records the steps left out as skipped, with the
	// reason, as when: skips are.
	meta := filepath.Join(t.TempDir(), "m.json")
	mustHoist(t, "run", "-f", file, "--registries", regs, "--dry-run", "--skip", "release", "--skip", "lint", "--metadata-file", meta)
	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Steps []struct{ Step, Status, Reason string }
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range m.Steps {
		got[s.Step] = s.Status + ": " + s.Reason
	}
	want := map[string]string{
		"app": "planned: ", "unit": "planned: ", "docs": "planned: ", "lint": "skipped: left out by --skip",
		"release": "skipped: left out by --skip", "to_a": "skipped: its parallel block release is skipped", "to_b": "skipped: its parallel block release is skipped",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metadata steps (-want +got):\n%s", diff)
	}
}

// TestRunSkipOnlyBadNames: a name no step has, or an empty one, is one
// line and exit 2, before anything is planned.
func TestRunSkipOnlyBadNames(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": selectPipeline})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--skip", "nope"}, "hoist: --skip nope: no step is named so; the steps are app, checks, docs, lint, release, to_a, to_b, unit\n"},
		{[]string{"--only", "app", "--only", "Unit"}, "hoist: --only Unit: no step is named so; the steps are app, checks, docs, lint, release, to_a, to_b, unit\n"},
		{[]string{"--skip", " "}, "hoist: --skip: want a step name\n"},
	} {
		for _, cmd := range [][]string{{"run", "--dry-run"}, {"explain"}} {
			args := append(append(cmd, "-f", file, "--registries", regs), tc.args...)
			r := hoist(t, args...)
			if r.code != ExitBadInput || r.stderr != tc.want || r.stdout != "" {
				t.Errorf("hoist %s: exit %d, stdout %q, stderr %q; want exit 2, %q", strings.Join(args, " "), r.code, r.stdout, r.stderr, tc.want)
			}
		}
	}
}

// TestRunSkipOnlyEnv: $HOIST_ONLY and $HOIST_SKIP take comma-separated
// step names.
func TestRunSkipOnlyEnv(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": selectPipeline})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "default: a\n")
	t.Setenv("HOIST_ONLY", "app, to_a")
	t.Setenv("HOIST_SKIP", "to_a")
	r := mustHoist(t, "run", "-f", file, "--registries", regs, "--dry-run")
	want := "step app: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/app:v1\n" +
		"step checks: skipped: not named by --only\nstep docs: skipped: not named by --only\nstep release: parallel: to_a, to_b\n" +
		"step to_a: skipped: left out by --skip\nstep to_b: skipped: not named by --only\n"
	if r.stdout != want || r.stderr != "" {
		t.Errorf("HOIST_ONLY=app,to_a HOIST_SKIP=to_a: stdout:\n%s\nwant:\n%s\nstderr %q", r.stdout, want, r.stderr)
	}
}

// TestRunNoCFCache: --no-cf-cache takes the caching registry out of the
// plan, as no_cf_cache: true does; so does --no-cache, with every other
// cache import (package runner checks the request BuildKit gets).
func TestRunNoCFCache(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM scratch\n",
		"codefresh.yml": "version: \"1.0\"\nsteps:\n  app:\n    type: build\n    image_name: acme/app\n    tag: v1\n",
	})
	file := filepath.Join(dir, "codefresh.yml")
	regs := planRegistriesFile(t, "  - name: cache\n    provider: other\n    domain: "+planB+"\n    prefix: cache\ndefault: a\ncaching: cache\n")
	plan := "step app: push to \"a\" (rule 5: the account's default registry)\n  " + planA + "/team-a/acme/app:v1\n"
	cacheLine := "  cache " + planB + "/cache/acme/app:cache-main in \"cache\"\n"
	for _, tc := range []struct {
		args   []string
		stdout string
	}{
		{nil, plan + cacheLine},
		{[]string{"--no-cf-cache"}, plan},
		{[]string{"--ncfc"}, plan},
		{[]string{"--no-cache"}, plan},
		{[]string{"--nc"}, plan},
	} {
		args := append([]string{"run", "-f", file, "--registries", regs, "--dry-run", "-b", "main"}, tc.args...)
		r := mustHoist(t, args...)
		if r.stdout != tc.stdout || r.stderr != "" {
			t.Errorf("hoist %s: stdout:\n%s\nwant:\n%s\nstderr %q", strings.Join(args, " "), r.stdout, tc.stdout, r.stderr)
		}
	}
}

// TestRunNoCacheRebuilds: on a builder that holds the layers of an
// earlier run, a second run takes its RUN step from the cache (CACHED, the
// same digest); with --no-cache the RUN step runs again and writes a new
// layer, so the image's digest changes.
func TestRunNoCacheRebuilds(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN cat /proc/sys/kernel/random/uuid > /stamp\n",
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: e2e/nocache
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
      - SOURCE_DATE_EPOCH=0
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	regs := registriesFile(t, "default: a\n")
	ref := regA.Host + "/team-a/e2e/nocache:v1"
	run := func(extra ...string) (result, string) {
		r := mustHoist(t, append([]string{"run", "-f", file, "--registries", regs, "--builder", bk.Addr, "--progress", "plain",
			"--var", "BASE=" + baseImage, "--var", "CF_BUILD_ID=b1", "--var", "CF_BUILD_TIMESTAMP=2026-11-23T00:00:00Z", "--sha", "abc1234"}, extra...)...)
		return r, digestOf(t, ref, nil)
	}
	// cached reports whether BuildKit's progress shows the RUN step CACHED.
	cached := func(progress string) bool {
		m := regexp.MustCompile(`#(\d+) \[2/2\] RUN cat`).FindStringSubmatch(progress)
		return m != nil && strings.Contains(progress, "#"+m[1]+" CACHED")
	}
	_, first := run()
	again, second := run()
	if !cached(again.stderr) || second != first || first == "" {
		t.Fatalf("second run: RUN not CACHED or digest %q != %q: the builder does not keep its cache, so --no-cache cannot be told apart:\n%s", second, first, again.stderr)
	}
	fresh, third := run("--no-cache")
	if cached(fresh.stderr) {
		t.Errorf("--no-cache: the RUN step was taken from the cache:\n%s", fresh.stderr)
	}
	if !regexp.MustCompile(`#\d+ \[2/2\] RUN cat`).MatchString(fresh.stderr) {
		t.Errorf("--no-cache: no RUN step in the progress:\n%s", fresh.stderr)
	}
	if third == "" || third == first {
		t.Errorf("--no-cache pushed %q; want a new digest, not the cached build's %q:\n%s\n%s", third, first, fresh.stdout, fresh.stderr)
	}
}
