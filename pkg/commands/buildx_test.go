package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestBuildxHabits: flags a buildx user writes do what they do in buildx,
// or are refused: an --image-name with a registry in it is one line, exit
// 2 (it was doubled into domain/prefix/domain/...); -f is relative to the
// current folder.
func TestBuildxHabits(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app/main.txt": "x\n", "docker/Dockerfile.prod": "FROM scratch\n"})
	for _, host := range []string{"ghcr.io", "127.0.0.1:5000", "localhost"} {
		r := hoist(t, "build", filepath.Join(dir, "app"), "--image-name", host+"/acme/app", "--tag", "1.2", "--dry-run")
		want := "hoist: --image-name " + host + "/acme/app: names the registry " + host + "; give the image name without it (the registry comes from --registry or the auto-push policy), or the full reference with -t\n"
		if r.code != 2 || r.stderr != want {
			t.Errorf("--image-name with a registry: exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
		}
	}
	t.Chdir(dir)
	r := mustHoist(t, "build", "app", "-f", "docker/Dockerfile.prod", "--image-name", "acme/app", "--tag", "1.2", "--no-push", "--dry-run")
	if !strings.Contains(r.stdout, "acme/app:1.2") {
		t.Errorf("-f docker/Dockerfile.prod from the parent folder: plan %q", r.stdout)
	}
	if r := hoist(t, "build", "app", "-f", "Dockerfile.prod", "--image-name", "acme/app", "--no-push", "--dry-run"); r.code != 2 || !strings.Contains(r.stderr, filepath.Join(dir, "Dockerfile.prod")+" not found") {
		t.Errorf("-f is read from the current folder, not the context: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBuildxPlatformsAndArgs: --platform repeats (and takes comma lists)
// into one multi-platform index; --build-arg K takes K's value from the
// environment.
func TestBuildxPlatformsAndArgs(t *testing.T) {
	needStack(t)
	t.Setenv("HOIST_TEST_FROM_ENV", "from-the-environment")
	base := regA.Host + "/base/busybox:multi"
	if _, err := stack.PushBusyboxIndex(base); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nARG HOIST_TEST_FROM_ENV\nRUN echo $HOIST_TEST_FROM_ENV > /arg\n"})
	mustHoist(t, "build", dir, "--image-name", "buildx/app", "--tag", "v1", "--registry", "a",
		"--platform", "linux/amd64", "--platform", "linux/arm64", "--build-arg", "HOIST_TEST_FROM_ENV", "--build-arg", "BASE="+base,
		"--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet")
	ref, _ := name.ParseReference(regA.Host + "/team-a/buildx/app:v1")
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatalf("two --platform flags: %s is not an index: %v", ref, err)
	}
	im, _ := idx.IndexManifest()
	var archs []string
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.OS == "linux" {
			archs = append(archs, m.Platform.Architecture)
			img, _ := idx.Image(m.Digest)
			if got := fileIn(t, img, "arg"); got != "from-the-environment\n" {
				t.Errorf("%s: /arg = %q, want the environment's value", m.Platform.Architecture, got)
			}
		}
	}
	if strings.Join(archs, ",") != "amd64,arm64" {
		t.Errorf("platforms = %v, want amd64 and arm64", archs)
	}
}

// TestBuildxOutputs: --quiet prints only the digest (the one the registry
// holds), --iidfile holds the image ID (the config digest), and the
// metadata file carries buildx's keys for scripts written for buildx.
func TestBuildxOutputs(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo quiet > /q\n"})
	iid, meta := filepath.Join(t.TempDir(), "iid"), filepath.Join(t.TempDir(), "meta.json")
	r := mustHoist(t, "build", dir, "--image-name", "buildx/quiet", "--tag", "v1", "--registry", "a", "--quiet",
		"--iidfile", iid, "--metadata-file", meta, "--build-arg", "BASE="+baseImage,
		"--registries", registriesFile(t, ""), "--builder", bk.Addr)
	ref := regA.Host + "/team-a/buildx/quiet:v1"
	digest := digestOf(t, ref, nil)
	if r.stdout != digest+"\n" || r.stderr != "" {
		t.Errorf("--quiet: stdout %q, stderr %q; want only %s", r.stdout, r.stderr, digest)
	}
	cfg, _ := image(t, ref).ConfigName()
	if got, _ := os.ReadFile(iid); string(got) != cfg.String() {
		t.Errorf("--iidfile = %q, want the config digest %s", got, cfg)
	}
	var m map[string]any
	data, _ := os.ReadFile(meta)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["containerimage.digest"] != digest || m["containerimage.config.digest"] != cfg.String() || m["image.name"] != ref || !strings.HasPrefix(m["buildx.build.ref"].(string), "hoist/build/") {
		t.Errorf("metadata buildx keys = %v %v %v %v", m["containerimage.digest"], m["containerimage.config.digest"], m["image.name"], m["buildx.build.ref"])
	}
}

// TestBuildxAnnotations: --annotation puts OCI annotations where buildx
// does: on each image manifest by default, on the index with index:; a
// malformed one is exit 2 before anything builds.
func TestBuildxAnnotations(t *testing.T) {
	needStack(t)
	base := regA.Host + "/base/busybox:multi"
	if _, err := stack.PushBusyboxIndex(base); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo a > /a\n"})
	regs := registriesFile(t, "")
	mustHoist(t, "build", dir, "--image-name", "buildx/annotated", "--tag", "v1", "--registry", "a",
		"--platform", "linux/amd64,linux/arm64", "--annotation", "index:org.example.team=core", "--annotation", "org.example.tier=gold",
		"--build-arg", "BASE="+base, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	ref, _ := name.ParseReference(regA.Host + "/team-a/buildx/annotated:v1")
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if im.Annotations["org.example.team"] != "core" {
		t.Errorf("index annotations = %v, want org.example.team=core", im.Annotations)
	}
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS != "linux" {
			continue
		}
		img, _ := idx.Image(d.Digest)
		m, _ := img.Manifest()
		if m.Annotations["org.example.tier"] != "gold" {
			t.Errorf("%s manifest annotations = %v, want org.example.tier=gold", d.Platform.Architecture, m.Annotations)
		}
	}
	r := hoist(t, "build", dir, "--image-name", "buildx/bad", "--annotation", "layer:k=v", "--registries", regs, "--builder", bk.Addr)
	want := "hoist: --annotation: annotation \"layer:k=v\": \"layer\" is not manifest, index, manifest-descriptor or index-descriptor\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("bad annotation: exit %d, stderr %q; want exit 2, %q", r.code, r.stderr, want)
	}
}
