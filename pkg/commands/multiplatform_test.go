package commands

import (
	"archive/tar"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// fileIn returns the content of path in img's filesystem ("" when absent).
func fileIn(t *testing.T, img v1.Image, path string) string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			return ""
		}
		if h.Name == path {
			b, _ := io.ReadAll(tr)
			return string(b)
		}
	}
}

// TestMultiPlatformOneBuilder: platform linux/amd64,linux/arm64 on one
// builder gives one index with both children; each child's RUN ran on its
// own platform (arm64 under qemu), as the file uname -m wrote says; the
// index carries hoist's trace annotations.
func TestMultiPlatformOneBuilder(t *testing.T) {
	needStack(t)
	base := regA.Host + "/base/busybox:multi"
	if _, err := stack.PushBusyboxIndex(base); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "ARG BASE\nFROM ${BASE}\nRUN uname -m > /arch\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  multi:\n    type: build\n    image_name: multi/app\n    tag: v1\n    registry: a\n    buildx: true\n    platform: linux/amd64,linux/arm64\n    build_arguments:\n      - BASE=" + base + "\n",
	})
	mustHoist(t, "run", "-f", dir+"/codefresh.yml", "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet", "--var", "CF_BRANCH=main")
	ref, err := name.ParseReference(regA.Host + "/team-a/multi/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatalf("%s is not an index: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"amd64": "x86_64\n", "arm64": "aarch64\n"}
	got := map[string]string{}
	for _, m := range im.Manifests {
		if m.Platform == nil || m.Platform.OS != "linux" {
			continue // attestations carry no linux platform
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		got[m.Platform.Architecture] = fileIn(t, img, "arch")
	}
	for arch, w := range want {
		if got[arch] != w {
			t.Errorf("linux/%s child: /arch = %q, want %q (children: %v)", arch, got[arch], w, got)
		}
	}
	if im.Annotations["io.hoist.branch"] != "main" || im.Annotations["org.opencontainers.image.version"] != "v1" {
		t.Errorf("index annotations = %v, want hoist's trace annotations", im.Annotations)
	}
}
