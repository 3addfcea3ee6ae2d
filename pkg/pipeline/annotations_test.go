package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestBuildStepAnnotations loads a build step's annotations: as
// Codefresh's documentation writes them, and says what hoist does with
// them in one notice.
func TestBuildStepAnnotations(t *testing.T) {
	t.Parallel()
	p, err := Load(strings.NewReader(`version: '1.0'
steps:
  MyAppDockerImage:
    type: build
    image_name: my-app-image
    annotations:
      set:
        - annotations:
          - my_number_annotation: 9999
          - my_empty_annotation
          - my_docker_file: "file:Dockerfile"
          - is_main:
              evaluate: "'${{CF_BRANCH}}' == 'main'"
          display: my_number_annotation
        - entity_id: my-project/my-basic-pipeline
          entity_type: pipeline
          annotations:
          - my_string_annotation: Hello World
      unset:
        - entity_type: image
          annotations:
          - old_one
`), "codefresh.yml")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Steps[0].Build.EntityAnnotations
	want := []EntityAnnotations{
		{EntityType: "build", Display: "my_number_annotation", Line: 8, Values: []AnnotationValue{
			{Name: "my_number_annotation", Value: "9999", Line: 9}, {Name: "my_empty_annotation", Line: 10},
			{Name: "my_docker_file", Value: "file:Dockerfile", Line: 11}, {Name: "is_main", Line: 12},
		}},
		{EntityType: "pipeline", EntityID: "my-project/my-basic-pipeline", Line: 15, Values: []AnnotationValue{{Name: "my_string_annotation", Value: "Hello World", Line: 18}}},
		{Unset: true, EntityType: "image", Line: 20, Values: []AnnotationValue{{Name: "old_one", Line: 22}}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(AnnotationValue{}, "Evaluate")); diff != "" {
		t.Errorf("EntityAnnotations (-want +got):\n%s", diff)
	}
	if e := got[0].Values[3].Evaluate; e == nil || len(e.Vars()) != 1 || e.Vars()[0] != "CF_BRANCH" {
		t.Errorf("is_main's evaluate: was not parsed: %+v", e)
	}
	if got[2].ForImage() != true || got[1].ForImage() {
		t.Errorf("ForImage: unset image entry %v, pipeline entry %v", got[2].ForImage(), got[1].ForImage())
	}
	wantNotice := "codefresh.yml:6:5: steps.MyAppDockerImage.annotations: Codefresh's build annotations annotate the pipeline run, not the image: hoist records them in the metadata file (--metadata-file); entity_type: image annotations are set on the image as OCI manifest annotations"
	if len(p.Notices) != 1 || p.Notices[0] != wantNotice || len(p.Warnings) != 0 {
		t.Errorf("notices %q, warnings %q; want the one notice %q", p.Notices, p.Warnings, wantNotice)
	}
}
