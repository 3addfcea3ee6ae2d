package commands

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFieldsNotActedOn: a build step field hoist accepts but does not act
// on loads, and gets one warning line naming its file, line and field and
// why; fields Codefresh's validator knows (cosign, region, squash) load
// too, so a file Codefresh runs plans in hoist. validate reports them as
// run and explain do.
func TestFieldsNotActedOn(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM scratch\n",
		"codefresh.yml": `version: '1.0'
steps:
  app:
    type: build
    image_name: acme/app
    disable_push: true
    buildx:
      builder:
        driver: docker-container
    cosign:
      sign: true
    region: us-east-1
    squash: true
    annotations:
      set:
        - entity_type: build
          annotations: [ready: true]
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	want := []string{
		"hoist: warning: " + file + ":7:5: steps.app.buildx: hoist talks to BuildKit directly: buildx's builder settings do not apply (use --builder)",
		"hoist: warning: " + file + ":10:5: steps.app.cosign: hoist does not sign images: sign the pushed digest with cosign afterwards",
		"hoist: warning: " + file + ":12:5: steps.app.region: the ECR login comes from the registry integration (provider: ecr, region in the registries file)",
		"hoist: warning: " + file + ":13:5: steps.app.squash: BuildKit does not squash layers: the image keeps its layers",
		"hoist: notice: " + file + ":14:5: steps.app.annotations: Codefresh's build annotations annotate the pipeline run, not the image: hoist records them in the metadata file (--metadata-file)",
	}
	for _, args := range [][]string{{"explain", "-f", file, "--var", "CF_BRANCH=main"}, {"validate", "-f", file}} {
		r := mustHoist(t, args...)
		if got := strings.TrimSpace(r.stderr); got != strings.Join(want, "\n") {
			t.Errorf("hoist %s: stderr\n%s\nwant\n%s", args[0], got, strings.Join(want, "\n"))
		}
	}
}
