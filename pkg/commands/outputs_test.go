package commands

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// untar writes the tar file's entries under dir.
func untar(t *testing.T, r io.Reader, dir string) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimPrefix(h.Name, "./"))
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(p), 0o755)
			b, _ := io.ReadAll(tr)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// ociTar unpacks the OCI layout tar at path and returns the layout and
// its index.json.
func ociTar(t *testing.T, path string) (layout.Path, *v1.IndexManifest) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lay := t.TempDir()
	untar(t, f, lay)
	p, err := layout.FromPath(lay)
	if err != nil {
		t.Fatalf("%s is not an OCI layout: %v", path, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("%s's index.json: %v", path, err)
	}
	return p, im
}

// TestBuildOutputOCI: --output type=oci,dest=app.tar writes an OCI layout
// tar holding the image hoist reports, by digest; --iidfile holds its image
// ID; an output that is not an image pushes nothing, though the account has
// a default registry.
func TestBuildOutputOCI(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo oci > /oci.txt\n"})
	t.Chdir(t.TempDir())
	r := mustHoist(t, "build", dir, "--image-name", "out/app", "-t", "v1", "--output", "type=oci,dest=out/app.tar", "--iidfile", "iid",
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, "default: a\n"), "--builder", bk.Addr, "--progress", "quiet")
	digest := printedDigest(t, r.stdout)
	if !strings.HasPrefix(r.stdout, "step build: no push (rule 1: the step sets disable_push)\n") {
		t.Errorf("an oci output pushes nothing; plan:\n%s", r.stdout)
	}
	if got := tagsIn(t, regA.Host+"/team-a/out/app"); len(got) > 0 {
		t.Errorf("the default registry got out/app:%v", got)
	}
	p, im := ociTar(t, "out/app.tar")
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json: %d manifests, want 1", len(im.Manifests))
	}
	if got := im.Manifests[0].Digest.String(); got != digest {
		t.Errorf("app.tar holds %s, want the printed digest %s", got, digest)
	}
	img, err := p.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := fileInImage(t, img, "/oci.txt"); !ok || got != "oci\n" {
		t.Errorf("/oci.txt in app.tar's image = %q, %v", got, ok)
	}
	cfg, _ := img.ConfigName()
	if b, err := os.ReadFile("iid"); err != nil || string(b) != cfg.String() {
		t.Errorf("--iidfile holds %q (%v), want the config digest %s", b, err, cfg)
	}
}

// TestBuildOutputKinds: type=docker writes an archive docker load reads
// (read here with go-containerregistry's tarball, which reads docker save's
// format), type=tar to stdout the filesystem, type=local a folder; a
// failed build leaves no file behind.
func TestBuildOutputKinds(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo kinds > /kinds.txt\n"})
	t.Chdir(t.TempDir())
	common := []string{"--image-name", "out/kinds", "-t", "v1", "--build-arg", "BASE=" + baseImage, "--builder", bk.Addr, "--progress", "quiet"}
	r := mustHoist(t, append([]string{"build", dir, "-o", "type=docker,dest=docker.tar", "-o", "type=tar,dest=-", "-o", "type=local,dest=rootfs"}, common...)...)

	img, err := tarball.ImageFromPath("docker.tar", nil)
	if err != nil {
		t.Fatalf("docker.tar is not a docker archive: %v", err)
	}
	if got, ok := fileInImage(t, img, "/kinds.txt"); !ok || got != "kinds\n" {
		t.Errorf("/kinds.txt in docker.tar = %q, %v", got, ok)
	}
	if names := untar(t, bytes.NewReader([]byte(r.stdout)), t.TempDir()); !containsName(names, "kinds.txt") || !containsName(names, "bin/busybox") {
		t.Errorf("type=tar,dest=- wrote %d entries to stdout, without kinds.txt or bin/busybox", len(names))
	}
	if strings.Contains(r.stdout, "step build") || !strings.Contains(r.stderr, "step build: no push") {
		t.Errorf("with a tar on stdout the step block goes to stderr; stderr:\n%s", r.stderr)
	}
	if b, err := os.ReadFile("rootfs/kinds.txt"); err != nil || string(b) != "kinds\n" {
		t.Errorf("type=local: rootfs/kinds.txt = %q, %v", b, err)
	}

	bad := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo half > /half.txt && false\n"})
	if r := hoist(t, append([]string{"build", bad, "-o", "type=oci,dest=failed/app.tar", "-o", "type=local,dest=failed/rootfs"}, common...)...); r.code != 1 {
		t.Fatalf("a failing RUN: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir("failed"); len(entries) > 0 {
		t.Errorf("a failed build left %d entries in the outputs' folder (%s)", len(entries), entries[0].Name())
	}
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// TestBuildOutputRefused: outputs hoist cannot write are one line, exit 2.
func TestBuildOutputRefused(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "type=cacheonly"}, `hoist: --output "type=cacheonly": type=cacheonly: hoist writes image, registry, oci, docker, tar or local outputs` + "\n"},
		{[]string{"-o", "type=oci"}, `hoist: --output "type=oci": type=oci needs dest=` + "\n"},
		{[]string{"-o", "type=registry", "--no-push"}, "hoist: --output type=registry pushes the image, and --no-push says not to\n"},
		{[]string{"-o", "type=tar,dest=-", "-q"}, "hoist: --output dest=- and --quiet both write to stdout\n"},
		{[]string{"--cache-to", "type=gha"}, `hoist: --cache-to "type=gha": type=gha: hoist takes registry, local or inline caches` + "\n"},
		{[]string{"--cache-from", "type=local"}, `hoist: --cache-from "type=local": type=local needs src=` + "\n"},
		{[]string{"--cache-to", "type=registry,ref=x/y,mode=all"}, `hoist: --cache-to "type=registry,ref=x/y,mode=all": mode=all: must be min or max` + "\n"},
	} {
		r := hoist(t, append([]string{"build", dir, "--image-name", "acme/app", "--dry-run"}, tc.args...)...)
		if r.code != 2 || r.stderr != tc.want {
			t.Errorf("hoist build %v: exit %d, stderr %q; want exit 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
