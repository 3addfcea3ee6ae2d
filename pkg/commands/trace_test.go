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
)

// TestTraceability: a built image carries the OCI labels and manifest
// annotations from the CF_* variables, keeps a label its Dockerfile sets,
// and the metadata file records the same.
func TestTraceability(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nLABEL org.opencontainers.image.version=from-dockerfile\nRUN echo trace > /t.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: e2e/trace
    tags: [extra]
    build_arguments:
      - BASE=${{BASE}}
    metadata:
      set:
        - qa: pending
`,
	})
	meta := filepath.Join(t.TempDir(), "out.json")
	mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr,
		"--progress", "quiet", "--metadata-file", meta, "--var", "BASE="+baseImage,
		"--var", "CF_BRANCH=Feature/Login", "--var", "CF_REVISION=0123456789abcdef0123456789abcdef01234567",
		"--var", "CF_BUILD_ID=build-42", "--var", "CF_PIPELINE_NAME=acme/app", "--var", "CF_BUILD_TIMESTAMP=2026-11-23T10:00:00Z")

	ref := regA.Host + "/team-a/e2e/trace:feature_login"
	want := map[string]string{
		"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.created":  "2026-11-23T10:00:00Z",
		"org.opencontainers.image.ref.name": "feature_login",
		"io.hoist.branch":                   "Feature/Login",
		"io.hoist.pipeline":                 "acme/app",
		"io.hoist.build-id":                 "build-42",
		"qa":                                "pending",
	}
	cf, err := image(t, ref).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got := cf.Config.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
	}
	if got := cf.Config.Labels["org.opencontainers.image.version"]; got != "from-dockerfile" {
		t.Errorf("label org.opencontainers.image.version = %q, want the Dockerfile's from-dockerfile", got)
	}

	r, _ := name.ParseReference(ref)
	desc, err := remote.Get(r)
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(desc.Manifest, &manifest); err != nil {
		t.Fatal(err)
	}
	want["org.opencontainers.image.version"] = "feature_login"
	for k, v := range want {
		if got := manifest.Annotations[k]; got != v {
			t.Errorf("manifest annotation %s = %q, want %q", k, got, v)
		}
	}

	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Steps []struct {
			Step, Status, Digest string
			References           []string
			Labels               map[string]string
		}
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("metadata file is not JSON: %v\n%s", err, data)
	}
	if len(got.Steps) != 1 || got.Steps[0].Status != "pushed" || got.Steps[0].Digest != desc.Digest.String() {
		t.Fatalf("metadata file = %s\nwant one pushed step with digest %s", data, desc.Digest)
	}
	if diff := cmp.Diff([]string{ref, regA.Host + "/team-a/e2e/trace:extra"}, got.Steps[0].References); diff != "" {
		t.Errorf("metadata references (-want +got):\n%s", diff)
	}
	if got.Steps[0].Labels["io.hoist.build-id"] != "build-42" {
		t.Errorf("metadata labels = %v", got.Steps[0].Labels)
	}

	// hoist images inspect says when this pipeline built the image, even
	// when BuildKit's cache kept an older config time.
	ins := mustHoist(t, "images", "inspect", ref, "--registries", registriesFile(t, "default: a\n"))
	if !strings.Contains(ins.stdout, "created:    2026-11-23 10:00\n") {
		t.Errorf("inspect does not show the build time:\n%s", ins.stdout)
	}
}
