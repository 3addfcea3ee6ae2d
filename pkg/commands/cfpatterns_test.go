package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScaleEntriesSharedNames: two push steps whose scale: entries have
// the same names plan (Codefresh runs such files); each entry is named
// step/entry in the plan and the metadata file, so no name is used twice,
// and an entry only one step has keeps its name.
func TestScaleEntriesSharedNames(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM scratch\n",
		"codefresh.yml": `version: "1.0"
steps:
  build:
    type: build
    image_name: acme/app
    disable_push: true
  push_dev:
    type: push
    candidate: ${{build}}
    tag: dev
    scale:
      push_a:
        registry: a
      push_b:
        registry: b
  push_release:
    type: push
    candidate: ${{build}}
    tag: "1.0"
    scale:
      push_a:
        registry: a
      push_b:
        registry: b
`})
	meta := filepath.Join(t.TempDir(), "meta.json")
	r := mustHoist(t, "explain", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", planRegistriesFile(t, ""), "--var", "CF_BRANCH=main", "--metadata-file", meta)
	for _, line := range []string{
		"step push_dev: parallel: push_dev/push_a, push_dev/push_b\n",
		"step push_dev/push_a: push to \"a\" (push steps always push), from step build\n  " + planA + "/team-a/acme/app:dev\n",
		"step push_release/push_b: push to \"b\" (push steps always push), from step build\n  " + planB + "/team-b/acme/app:1.0\n",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("the plan lacks %q:\n%s", line, r.stdout)
		}
	}
	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Steps []struct{ Step string } `json:"steps"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range m.Steps {
		names = append(names, s.Step)
	}
	want := []string{"build", "push_dev/push_a", "push_dev/push_b", "push_release/push_a", "push_release/push_b"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("metadata steps (-want +got):\n%s", diff)
	}

	// A reference to the shared name is one error naming both places;
	// validate finds it too.
	os.WriteFile(filepath.Join(dir, "codefresh.yml"), []byte(strings.Replace(string(must(os.ReadFile(filepath.Join(dir, "codefresh.yml")))), "    candidate: ${{build}}\n    tag: \"1.0\"", "    candidate: ${{push_a}}\n    tag: \"1.0\"", 1)), 0o644)
	v := hoist(t, "validate", "-f", filepath.Join(dir, "codefresh.yml"))
	wantErr := filepath.Join(dir, "codefresh.yml") + ":18: steps.push_release.candidate: ${{push_a}} is ambiguous: steps at " +
		filepath.Join(dir, "codefresh.yml") + ":12 (in push_dev.scale) and " + filepath.Join(dir, "codefresh.yml") + ":21 (in push_release.scale) have that name; scale entries are named within their step, so refer to one whose name is unique\n"
	if v.code != 2 || !strings.HasPrefix(v.stderr, wantErr) {
		t.Errorf("hoist validate: exit %d\n%s\nwant exit 2 and\n%s", v.code, v.stderr, wantErr)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
