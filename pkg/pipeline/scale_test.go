package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scaleSrc has two push steps whose scale: entries share two names, as
// real pipelines push a dev and a release candidate to the same
// registries; push_gcr is an entry name only one step has.
const scaleSrc = `version: "1.0"
steps:
  build:
    type: build
    image_name: acme/app
  push_dev:
    type: push
    candidate: ${{build}}
    tag: dev
    scale:
      push_quay:
        registry: quay
      push_hub:
        registry: hub
  push_release:
    type: push
    candidate: ${{build}}
    tag: latest
    scale:
      push_quay:
        registry: quay
      push_hub:
        registry: hub
      push_gcr:
        registry: gcr
`

func TestScaleEntriesScopedByStep(t *testing.T) {
	t.Parallel()
	p, err := Load(strings.NewReader(scaleSrc+`  after_gcr:
    type: push
    candidate: ${{build}}
    tag: ${{steps.push_gcr.imageRepoDigest}}
    when:
      steps:
        - name: push_gcr
`), "codefresh.yml")
	if err != nil {
		t.Fatalf("Load() = %v, want the file to load: scale entry names are scoped by their step", err)
	}
	var names, entries []string
	for _, s := range p.Steps {
		s.Walk(func(d *Step) {
			names = append(names, d.Name)
			entries = append(entries, d.Entry())
		})
	}
	want := []string{"build", "push_dev", "push_dev/push_quay", "push_dev/push_hub", "push_release", "push_release/push_quay", "push_release/push_hub", "push_gcr", "after_gcr"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("step names (-want +got):\n%s", diff)
	}
	if entries[2] != "push_quay" || entries[5] != "push_quay" || entries[7] != "push_gcr" {
		t.Errorf("Entry() = %v, want the names as written", entries)
	}
}

func TestScaleAmbiguousReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, step, want string }{
		{"candidate", `  deploy:
    type: push
    candidate: ${{push_quay}}
`, "codefresh.yml:28: steps.deploy.candidate: ${{push_quay}} is ambiguous: steps at codefresh.yml:11 (in push_dev.scale) and codefresh.yml:20 (in push_release.scale) have that name; scale entries are named within their step, so refer to one whose name is unique"},
		{"member", `  deploy:
    type: build
    image_name: acme/x
    tag: ${{steps.push_hub.imageRepoDigest}}
`, "codefresh.yml:29: steps.deploy.tag: ${{push_hub}} is ambiguous: steps at codefresh.yml:13 (in push_dev.scale) and codefresh.yml:22 (in push_release.scale) have that name; scale entries are named within their step, so refer to one whose name is unique"},
		{"when.steps", `  deploy:
    type: build
    image_name: acme/x
    when:
      steps:
        - name: push_hub
`, "codefresh.yml:31: steps.deploy.when.steps: step \"push_hub\" is ambiguous: steps at codefresh.yml:13 (in push_dev.scale) and codefresh.yml:22 (in push_release.scale) have that name; scale entries are named within their step, so refer to one whose name is unique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(scaleSrc+tc.step), "codefresh.yml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("Load() = %v\nwant %s", err, tc.want)
			}
		})
	}
}

// A step name used twice outside scale: is still refused.
func TestScaleDoesNotHideDuplicateSteps(t *testing.T) {
	t.Parallel()
	_, err := Load(strings.NewReader(scaleSrc+`  p:
    type: parallel
    steps:
      build:
        type: build
        image_name: acme/y
`), "codefresh.yml")
	want := "codefresh.yml:29: steps.build: step name used twice (first on line 3); step names are unique across the pipeline"
	if err == nil || err.Error() != want {
		t.Errorf("Load() = %v, want %s", err, want)
	}
}
