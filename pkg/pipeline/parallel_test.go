package pipeline

import (
	"strings"
	"testing"
)

// TestParallelStepsList loads a type: parallel step whose steps: is a list,
// as Codefresh runs it: the entries are named by their index, keep their
// titles and lines, and a build among them is a build step another step
// can push.
func TestParallelStepsList(t *testing.T) {
	src := `version: "1.0"
steps:
  checks:
    title: Running checks
    type: parallel
    steps:
      - title: Linting
        image: node:22
        commands: [npm run lint]
      - title: Image
        type: build
        image_name: acme/web
        tag: v1
        disable_push: true
  push:
    type: push
    candidate: ${{1}}
    registry: dockerhub
    when:
      steps:
        - name: "1"
          on: [success]
`
	p, err := Load(strings.NewReader(src), "f.yml")
	if err != nil {
		t.Fatal(err)
	}
	checks := p.Steps[0]
	if checks.Type != TypeParallel || len(checks.Children) != 2 {
		t.Fatalf("checks = %+v, want a parallel step with 2 children", checks)
	}
	lint, image := checks.Children[0], checks.Children[1]
	if lint.Name != "0" || lint.Title != "Linting" || lint.Line != 7 || lint.Type != "freestyle" {
		t.Errorf("first entry = name %q title %q line %d type %q, want 0, Linting, 7, freestyle", lint.Name, lint.Title, lint.Line, lint.Type)
	}
	if image.Name != "1" || image.Title != "Image" || image.Line != 10 || image.Build == nil || image.Build.ImageName != "acme/web" || !image.Build.DisablePush {
		t.Errorf("second entry = %+v (build %+v), want build step 1 of acme/web on line 10", image, image.Build)
	}
	if p.Steps[1].Push == nil || p.Steps[1].Push.Candidate != "${{1}}" {
		t.Errorf("push = %+v, want candidate ${{1}}", p.Steps[1].Push)
	}
}

func TestParallelStepsListErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"entry-error", "steps:\n  checks:\n    type: parallel\n    steps:\n      - type: build\n        tag: v1\n      - type: build\n        image_name: a\n        tags: [1]\n",
			"f.yml:5:9: steps.checks.steps.0.image_name: required for a build step\n" +
				"f.yml:9:16: steps.checks.steps.1.tags: must be a string, got the number 1 (quote it: \"1\")"},
		{"entry-scalar", "steps:\n  checks:\n    type: parallel\n    steps:\n      - lint\n",
			"f.yml:5:9: steps.checks.steps.0: a step must be a mapping, got \"lint\""},
		{"named-entry", "steps:\n  checks:\n    type: parallel\n    steps:\n      - lint:\n          image: node\n          commands: [x]\n",
			"f.yml:5:9: steps.checks.steps.0: a list entry is a step itself, not a name over a step: write the named steps as a mapping (lint: ...) or drop the name"},
		{"two-lists", "steps:\n  a:\n    type: parallel\n    steps:\n      - image: node\n  b:\n    type: parallel\n    steps:\n      - image: node\n",
			"f.yml:9:7: steps.b.steps: a second parallel step whose steps are a list (the first is steps.a.steps, line 5): list entries are named by their index (0, 1, ...), so the names clash; write one of them as a mapping of names to steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadProblems(t, tc.src); got != tc.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
