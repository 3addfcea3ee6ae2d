package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestLoadBuildStep(t *testing.T) {
	const src = `version: "1.0"
indicators:
  - defaults: &defaults
      type: build
      tag_policy: original
      build_arguments:
        GO: "1.26"
steps:
  clone:
    type: git-clone
    repo: acme/app
  app:
    <<: *defaults
    title: App
    stage: build
    image-name: acme/app
    working-directory: ./src
    tag: ${{CF_BRANCH_TAG_NORMALIZED}}
    tags: [v1, "1.0"]
    registry: prod
    no_cache: true
    target: runtime
    buildx: true
    platform: linux/amd64,linux/arm64
    metadata:
      set:
        - qa: pending
        - owner=team
    dockerfile:
      content: |-
        FROM scratch
  nested:
    type: build
    arguments:
      image_name: acme/nested
      disable_push: true
      build_arguments:
        - A=1
        - B=x=y
`
	p, err := Load(strings.NewReader(src), "codefresh.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(p.Steps), 3; got != want {
		t.Fatalf("Load() = %d steps, want %d", got, want)
	}
	if p.Steps[0].Type != "git-clone" || p.Steps[0].Build != nil {
		t.Errorf("step clone = %+v, want a git-clone step with no build", p.Steps[0])
	}
	want := &BuildStep{
		ImageName: "acme/app", WorkingDirectory: "./src", DockerfileContent: "FROM scratch",
		Tag: "${{CF_BRANCH_TAG_NORMALIZED}}", Tags: []string{"v1", "1.0"}, TagPolicy: "original",
		Registry: "prod", NoCache: true, BuildArguments: []string{"GO=1.26"}, Target: "runtime",
		Platform: "linux/amd64,linux/arm64", Metadata: []string{"qa=pending", "owner=team"},
	}
	if diff := cmp.Diff(want, p.Steps[1].Build, cmpopts.IgnoreFields(BuildStep{}, "Lines")); diff != "" {
		t.Errorf("step app (-want +got):\n%s", diff)
	}
	if got := p.Steps[1].Build.Lines["image_name"]; got != 16 {
		t.Errorf("image_name line = %d, want 16", got)
	}
	if p.Steps[1].Title != "App" || p.Steps[1].Stage != "build" {
		t.Errorf("title, stage = %q, %q; want App, build", p.Steps[1].Title, p.Steps[1].Stage)
	}
	nested := p.Steps[2].Build
	if nested.ImageName != "acme/nested" || !nested.DisablePush || !cmp.Equal(nested.BuildArguments, []string{"A=1", "B=x=y"}) {
		t.Errorf("step nested = %+v", nested)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"empty", "", "f.yml: the file is empty"},
		{"not-a-mapping", "- a\n", "f.yml:1:1: the top level must be a mapping of version, stages and steps"},
		{"no-steps", "version: '1.0'\n", "f.yml:1:1: steps: missing: a pipeline needs steps"},
		{"step-not-mapping", "steps:\n  a: 3\n", "f.yml:2:3: steps.a: a step must be a mapping, got \"3\""},
		{"duplicate-step", "steps:\n  a: {type: build, image_name: x}\n  a: {type: build, image_name: y}\n", "f.yml:3:3: steps.a: step defined twice (first on line 2)"},
		{"unknown-field", "steps:\n  a:\n    type: build\n    image_name: x\n    tagss: [1]\n", "f.yml:5:5: steps.a.tagss: unknown field (did you mean tags?)"},
		{"unknown-far", "steps:\n  a:\n    type: build\n    image_name: x\n    zzzzzzzz: 1\n", "f.yml:5:5: steps.a.zzzzzzzz: unknown field"},
		{"build-arg-scalar", "steps:\n  a:\n    type: build\n    image_name: x\n    build_arguments: FOO\n", "f.yml:5:22: steps.a.build_arguments: entry \"FOO\" must be KEY=VALUE"},
		{"secret-in-anchor", "steps:\n  a:\n    type: build\n    image_name: *Sup3rSecret\n", "f.yml: invalid YAML: unknown anchor a value referenced"},
		{"push-no-candidate", "steps:\n  p:\n    type: push\n    tag: v1\n", "f.yml:3:5: steps.p.candidate: required for a push step"},
		{"push-unknown-field", "steps:\n  p:\n    type: push\n    candidate: x\n    registy: a\n", "f.yml:5:5: steps.p.registy: unknown field (did you mean registry?)"},
		{"push-credentials-half", "steps:\n  p:\n    type: push\n    candidate: x\n    credentials:\n      username: u\n", "f.yml:6:7: steps.p.credentials: needs both username and password"},
		{"push-credentials-secret", "steps:\n  p:\n    type: push\n    candidate: x\n    credentials:\n      username: u\n      password: [S3cret]\n", "f.yml:7:17: steps.p.credentials.password: must be a string"},
		{"timeout-bad", "steps:\n  a:\n    type: build\n    image_name: x\n    timeout: soon\n", "f.yml:5:14: steps.a.timeout: must be a duration such as 30s, 10m or 1h, got \"soon\""},
		{"retry-attempts", "steps:\n  a:\n    type: build\n    image_name: x\n    retry:\n      maxAttempts: 0\n", "f.yml:6:20: steps.a.retry.maxAttempts: must be a whole number of at least 1, got 0"},
		{"retry-field", "steps:\n  a:\n    type: build\n    image_name: x\n    retry:\n      tries: 2\n", "f.yml:6:7: steps.a.retry.tries: unknown field (retry takes maxAttempts, delay and exponentialFactor)"},
		{"when-steps-unknown", "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      steps:\n        - name: tests\n", "f.yml:7:17: steps.a.when.steps: no step is named \"tests\""},
		{"when-steps-cycle", "mode: parallel\nsteps:\n  a:\n    type: build\n    image_name: x\n    when:\n      steps:\n        - name: c\n  b:\n    type: parallel\n    steps:\n      c:\n        type: build\n        image_name: y\n        when:\n          steps:\n            - name: a\n", "f.yml:8:17: steps.a.when.steps: steps wait for each other, so none can start: a waits for b waits for a"},
		{"name-twice-across-depths", "steps:\n  a:\n    type: build\n    image_name: x\n  p:\n    type: parallel\n    steps:\n      a:\n        type: build\n        image_name: y\n", "f.yml:8: steps.a: step name used twice (first on line 2); step names are unique across the pipeline"},
		{"when-steps-any-bad", "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      steps:\n        some: []\n", "f.yml:7:9: steps.a.when.steps.some: unknown field (when.steps takes all: or any:)"},
		{"mode-bad", "mode: fast\nsteps: {}\n", "f.yml:1:7: mode: must be sequential or parallel, got \"fast\""},
		{"tag-policy", "steps:\n  a:\n    type: build\n    image_name: x\n    tag_policy: upper\n", "f.yml:5:17: steps.a.tag_policy: must be lowercase or original, got \"upper\""},
		{"tags-mapping", "steps:\n  a:\n    type: build\n    image_name: x\n    tags: {a: b}\n", "f.yml:5:11: steps.a.tags: must be a list of strings, got a mapping"},
		{"build-arg-no-equals", "steps:\n  a:\n    type: build\n    image_name: x\n    build_arguments: [A]\n", "f.yml:5:23: steps.a.build_arguments: entry \"A\" must be KEY=VALUE"},
		{"image-name-empty", "steps:\n  a:\n    type: build\n    image_name: ''\n", "f.yml:4:5: steps.a.image_name: required for a build step"},
		{"dockerfile-bad-key", "steps:\n  a:\n    type: build\n    image_name: x\n    dockerfile: {path: x}\n", "f.yml:5:18: steps.a.dockerfile.path: unknown field (dockerfile takes a path or content:)"},
		{"metadata-bad", "steps:\n  a:\n    type: build\n    image_name: x\n    metadata: {get: []}\n", "f.yml:5:16: steps.a.metadata.get: unknown field (metadata takes set:)"},
		{"when-steps-state", "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      steps:\n        - name: b\n          on: [done]\n", "f.yml:8:15: steps.a.when.steps.on: unknown state \"done\" (want success, failure, finished or skipped)"},
		{"when-condition-list", "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      condition:\n        all: ['true']\n", "f.yml:7:14: steps.a.when.condition.all: must be a mapping of names to expressions"},
		{"when-bad-regex", "steps:\n  a:\n    type: build\n    image_name: x\n    when:\n      branch:\n        only: ['/(/']\n", "f.yml:7:16: steps.a.when.branch.only: invalid regex /(/: error parsing regexp: missing closing ): `(`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.src), "f.yml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("Load() error = %v, want %s", err, tc.want)
			}
		})
	}
}

func TestWhenAllows(t *testing.T) {
	w := &When{BranchOnly: []string{"main", "/^release-.*/i"}, BranchIgnore: []string{"release-old"}}
	for branch, want := range map[string]bool{"main": true, "RELEASE-1": true, "release-old": false, "feature": false} {
		if got, why, err := w.Allows("f.yml", "steps.a", Vars{"CF_BRANCH": branch}); err != nil || got != want {
			t.Errorf("Allows(%q) = %v (%s), want %v", branch, got, why, want)
		}
	}
}

func TestWhenConditions(t *testing.T) {
	p, err := Load(strings.NewReader(`steps:
  a:
    type: build
    image_name: x
    when:
      condition:
        all:
          onMain: '"${{CF_BRANCH}}" == "main"'
          noSkip: 'includes("${{CF_COMMIT_MESSAGE}}", "[skip ci]") == false'
        any:
          release: "'${{RELEASE}}' == 'true'"
          forced: "'${{FORCE}}' == 'yes'"
`), "f.yml")
	if err != nil {
		t.Fatal(err)
	}
	w := p.Steps[0].When
	for _, tc := range []struct {
		vars Vars
		want bool
		why  string
	}{
		{Vars{"CF_BRANCH": "main", "CF_COMMIT_MESSAGE": "fix", "RELEASE": "true"}, true, ""},
		{Vars{"CF_BRANCH": "dev", "CF_COMMIT_MESSAGE": "fix", "RELEASE": "true"}, false, "when.condition.all.onMain is false"},
		{Vars{"CF_BRANCH": "main", "CF_COMMIT_MESSAGE": "wip [skip ci]", "RELEASE": "true"}, false, "when.condition.all.noSkip is false"},
		{Vars{"CF_BRANCH": "main", "CF_COMMIT_MESSAGE": "fix"}, false, "no when.condition.any expression is true"},
		{Vars{"CF_BRANCH": "main", "CF_COMMIT_MESSAGE": "fix", "FORCE": "yes"}, true, ""},
	} {
		got, why, err := w.Allows("f.yml", "steps.a", tc.vars)
		if err != nil || got != tc.want || why != tc.why {
			t.Errorf("Allows(%v) = %v, %q, %v; want %v, %q", tc.vars, got, why, err, tc.want, tc.why)
		}
	}
	// An expression hoist cannot evaluate is found when the file loads,
	// so validate reports what run would.
	_, err = Load(strings.NewReader("steps:\n  b:\n    type: build\n    image_name: y\n    when:\n      condition:\n        all:\n          broken: 'main == true'\n"), "f.yml")
	want := `f.yml:8:19: steps.b.when.condition.all.broken: cannot evaluate "main == true": unknown name "main" at 0 (strings need quotes)`
	if err == nil || err.Error() != want {
		t.Errorf("Load(broken condition) error = %v, want %s", err, want)
	}
}

// TestConditionErrorsHideValues: a condition that fails to evaluate names
// its variables, never their values.
func TestConditionErrorsHideValues(t *testing.T) {
	const secret = "s3cr3t-CANARY-value"
	for _, tc := range []struct {
		expr string
		vars Vars
		want string
	}{
		{`${{TOKEN}} == 'main'`, Vars{"TOKEN": secret},
			`cannot evaluate "${{TOKEN}} == 'main'": the value of ${{TOKEN}} is not a value hoist can compare (quote the variable to compare it as text: '${{TOKEN}}') (values of TOKEN not shown)`},
		{`${{TOKEN}} == 'main'`, Vars{},
			`cannot evaluate "${{TOKEN}} == 'main'": ${{TOKEN}} has no value (outside quotes a variable must be defined) (values of TOKEN not shown)`},
		{`'${{TOKEN}}' && '${{CF_BRANCH}}' == 'main'`, Vars{"TOKEN": secret, "CF_BRANCH": "main"},
			`cannot evaluate "'${{TOKEN}}' && '${{CF_BRANCH}}' == 'main'": && needs true or false on both sides, got a string from '${{TOKEN}}' and a boolean from '${{CF_BRANCH}}' == 'main' (values of TOKEN, CF_BRANCH not shown)`},
		{`lower('${{TOKEN}}') > 3`, Vars{"TOKEN": secret},
			`cannot evaluate "lower('${{TOKEN}}') > 3": > compares numbers, got a string from lower('${{TOKEN}}') and 3 (values of TOKEN not shown)`},
		{`match('x', '${{TOKEN}}(', false)`, Vars{"TOKEN": secret},
			`cannot evaluate "match('x', '${{TOKEN}}(', false)": match: bad regex from '${{TOKEN}}(': missing closing ) (values of TOKEN not shown)`},
		{`!upper('${{TOKEN}}')`, Vars{"TOKEN": secret},
			`cannot evaluate "!upper('${{TOKEN}}')": ! needs true or false, got a string from upper('${{TOKEN}}') (values of TOKEN not shown)`},
		{`trim('${{TOKEN}}')`, Vars{"TOKEN": secret},
			`cannot evaluate "trim('${{TOKEN}}')": the expression gives a string from trim('${{TOKEN}}'), not true or false (values of TOKEN not shown)`},
		{`${{TOKEN}}`, Vars{"TOKEN": "'" + secret + "' == '" + secret + "' && ("},
			`cannot evaluate "${{TOKEN}}": the value of ${{TOKEN}} is not a value hoist can compare (quote the variable to compare it as text: '${{TOKEN}}') (values of TOKEN not shown)`},
	} {
		expr, err := ParseExpr(tc.expr)
		if err != nil {
			t.Fatalf("ParseExpr(%q) = %v", tc.expr, err)
		}
		w := &When{All: []Condition{{Name: "c", Expr: tc.expr, Line: 3, parsed: expr}}}
		_, _, err = w.Allows("f.yml", "steps.a", tc.vars)
		want := "f.yml:3: steps.a.when.condition.all.c: " + tc.want
		if err == nil || err.Error() != want {
			t.Errorf("Allows(%s) error =\n%v\nwant\n%s", tc.expr, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "CANARY") {
			t.Errorf("Allows(%s) error shows the value: %v", tc.expr, err)
		}
	}
}

// TestLoadOtherStepsAndScaleArguments: fields of steps hoist does not run
// keep their own shapes, and scale: entries may nest their fields under
// arguments: as the parent does.
func TestLoadOtherStepsAndScaleArguments(t *testing.T) {
	p, err := Load(strings.NewReader(`version: "1.0"
steps:
  approve:
    type: pending-approval
    timeout: {duration: 2, finalState: denied}
    retry: forever
  push:
    type: push
    arguments:
      candidate: acme/app:1
    scale:
      to_quay:
        arguments:
          registry: quay
          tags: [a, b]
      to_hub:
        registry: hub
        arguments:
          timeout: 5m
`), "f.yml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps[0].Timeout != 0 || p.Steps[0].Retry != nil {
		t.Errorf("approve step got timeout %v retry %v; want none", p.Steps[0].Timeout, p.Steps[0].Retry)
	}
	kids := p.Steps[1].Children
	if len(kids) != 2 {
		t.Fatalf("scale gave %d children, want 2", len(kids))
	}
	if q := kids[0].Push; q.Candidate != "acme/app:1" || q.Registry != "quay" || strings.Join(q.Tags, ",") != "a,b" {
		t.Errorf("to_quay = %+v", q)
	}
	if h := kids[1]; h.Push.Registry != "hub" || h.Push.Candidate != "acme/app:1" || h.Timeout != 5*time.Minute {
		t.Errorf("to_hub = %+v, timeout %v", h.Push, h.Timeout)
	}
}

// TestWhenStepsAllAny: when.steps as a list, or as {all, any}, the form of
// Codefresh's parallel mode.
func TestWhenStepsAllAny(t *testing.T) {
	p, err := Load(strings.NewReader(`mode: parallel
steps:
  a: {type: build, image_name: x}
  b: {type: build, image_name: y}
  c:
    type: push
    candidate: ${{a}}
    when:
      steps:
        all:
          - name: a
        any:
          - name: b
            on: [success]
          - name: b
            on: [failure]
`), "f.yml")
	if err != nil {
		t.Fatal(err)
	}
	w := p.Steps[2].When
	for _, tc := range []struct {
		state map[string]State
		ok    bool
		why   string
	}{
		{map[string]State{"a": "success", "b": "failure"}, true, ""},
		{map[string]State{"a": "failure", "b": "success"}, false, "when.steps: step a ended failure, not success"},
		{map[string]State{"a": "success", "b": "skipped"}, false, "when.steps.any: step b ended skipped, not success; step b ended skipped, not failure"},
	} {
		ok, why := w.AllowsAfter(tc.state)
		if ok != tc.ok || why != tc.why {
			t.Errorf("AllowsAfter(%v) = %v, %q; want %v, %q", tc.state, ok, why, tc.ok, tc.why)
		}
	}
	if got := p.Waits()["c"]; strings.Join(got, ",") != "a,b" {
		t.Errorf("Waits()[c] = %v, want [a b]", got)
	}
}

// TestOtherStepsConditionsLeftAlone: the conditions of a step hoist does
// not run are not parsed (they may use forms hoist does not evaluate), and
// its branch rules still hold.
func TestOtherStepsConditionsLeftAlone(t *testing.T) {
	p, err := Load(strings.NewReader(`steps:
  notify:
    type: freestyle
    when:
      branch:
        only: [main]
      condition:
        all:
          scanned: steps.scan.result == 'success'
`), "f.yml")
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Steps[0].When; w == nil || len(w.BranchOnly) != 1 || len(w.All) != 0 {
		t.Errorf("notify's when = %+v; want its branch rule and no conditions", w)
	}
}

// TestLoadHooks: on_success, on_fail and on_finish metadata.set entries are
// read as Codefresh writes them, on the steps hoist runs and on the others.
func TestLoadHooks(t *testing.T) {
	t.Parallel()
	p, err := Load(strings.NewReader(`version: "1.0"
steps:
  build:
    type: build
    image_name: app
    on_success:
      metadata:
        set:
          - ${{build.imageId}}:
              - qa: passed
              - CF_QUALITY=good
    on_finish:
      annotations:
        set: []
      metadata:
        set:
          - ${{build}}:
              - done: "yes"
  test:
    image: ${{build}}
    on_fail:
      metadata:
        set:
          - ${{build.imageId}}:
              - qa: failed
`), "codefresh.yml")
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	type hook struct {
		On    State
		Image string
		Set   []string
	}
	var got []hook
	for _, s := range p.Steps {
		for _, h := range s.Hooks {
			got = append(got, hook{h.On, h.Image, h.Set})
		}
	}
	want := []hook{
		{StateSuccess, "${{build.imageId}}", []string{"qa=passed", "CF_QUALITY=good"}},
		{StateFinished, "${{build}}", []string{"done=yes"}},
		{StateFailure, "${{build.imageId}}", []string{"qa=failed"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load() hooks (-want +got):\n%s", diff)
	}
	_, err = Load(strings.NewReader("version: \"1.0\"\nsteps:\n  b:\n    type: build\n    image_name: app\n    on_success:\n      metadata:\n        set:\n          - ${{b}}: passed\n"), "codefresh.yml")
	if want := "codefresh.yml:9:"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load(set: IMAGE: string) error = %v, want one at %s", err, want)
	}
}
