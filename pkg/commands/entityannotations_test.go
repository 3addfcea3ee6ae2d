package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/runner"
)

// TestPipelineAnnotations: a build step's annotations: as Codefresh
// writes them. Those of the build (the default entity) and of other
// entities land in the metadata file, variables resolved, evaluate:
// evaluated and file: read, with one notice naming the line; those of
// entity_type image set (and unset) the image's OCI manifest annotations.
func TestPipelineAnnotations(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo annotated > /a\n",
		"NOTES.txt":  "release notes\n",
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: e2e/annotated
    tag: v1
    build_arguments:
      - BASE=${{BASE}}
    metadata:
      set:
        - qa: pending
    annotations:
      set:
        - annotations:
            - coverage: 80
            - empty_one
            - branch: ${{CF_BRANCH}}
            - is_main:
                evaluate: "'${{CF_BRANCH}}' == 'main'"
            - notes: "file:NOTES.txt"
            - missing: "file:nowhere.txt"
          display: coverage
        - entity_type: image
          annotations:
            - tier: gold
        - entity_type: pipeline
          entity_id: acme/${{CF_BRANCH}}
          annotations: [owner: core]
      unset:
        - entity_type: image
          annotations: [qa]
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	meta := filepath.Join(t.TempDir(), "meta.json")
	r := mustHoist(t, "run", "-f", file, "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr,
		"--progress", "quiet", "--metadata-file", meta, "--var", "BASE="+baseImage, "--var", "CF_BRANCH=main")
	notice := "hoist: notice: " + file + ":12:5: steps.app.annotations: Codefresh's build annotations annotate the pipeline run, not the image: hoist records them in the metadata file (--metadata-file); entity_type: image annotations are set on the image as OCI manifest annotations\n"
	if strings.Count(r.stderr, "hoist: notice: ") != 1 || !strings.Contains(r.stderr, notice) {
		t.Errorf("stderr:\n%s\nwant the one notice\n%s", r.stderr, notice)
	}

	ref, _ := name.ParseReference(regA.Host + "/team-a/e2e/annotated:v1")
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(desc.Manifest, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Annotations["tier"] != "gold" {
		t.Errorf("manifest annotations = %v, want tier=gold from entity_type: image", manifest.Annotations)
	}
	for _, k := range []string{"qa", "coverage", "owner"} {
		if v, ok := manifest.Annotations[k]; ok {
			t.Errorf("manifest annotation %s=%q: want it absent (unset on the image, or not the image's)", k, v)
		}
	}
	cf, _ := image(t, ref.String()).ConfigFile()
	if cf.Config.Labels["qa"] != "pending" {
		t.Errorf("label qa = %q: unsetting the annotation keeps metadata's label", cf.Config.Labels["qa"])
	}

	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Steps []struct {
			EntityAnnotations []runner.EntityAnnotations `json:"entity_annotations"`
		}
	}
	if err := json.Unmarshal(data, &got); err != nil || len(got.Steps) != 1 {
		t.Fatalf("metadata file: %v\n%s", err, data)
	}
	want := []runner.EntityAnnotations{
		{Operation: "set", EntityType: "build", Display: "coverage", Annotations: map[string]string{
			"coverage": "80", "empty_one": "", "branch": "main", "is_main": "true", "notes": "release notes\n", "missing": "file:nowhere.txt",
		}},
		{Operation: "set", EntityType: "image", Image: true, Annotations: map[string]string{"tier": "gold"}},
		{Operation: "set", EntityType: "pipeline", EntityID: "acme/main", Annotations: map[string]string{"owner": "core"}},
		{Operation: "unset", EntityType: "image", Image: true, Names: []string{"qa"}},
	}
	if diff := cmp.Diff(want, got.Steps[0].EntityAnnotations); diff != "" {
		t.Errorf("metadata entity_annotations (-want +got):\n%s", diff)
	}
}
