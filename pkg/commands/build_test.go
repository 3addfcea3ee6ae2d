package commands

import (
	"archive/tar"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const appDockerfile = `ARG BASE
FROM ${BASE} AS builder
ARG GREETING=hi
WORKDIR /src
COPY message.txt .
RUN echo "$GREETING from hoist" > greeting.txt && cat message.txt >> greeting.txt

FROM ${BASE} AS app
LABEL org.example.team="images"
COPY --from=builder /src/greeting.txt /app/greeting.txt
CMD ["cat", "/app/greeting.txt"]

FROM app AS debug
RUN echo debug > /app/debug.txt
`

// fileInImage returns the content of path in img's filesystem, and whether
// it exists.
func fileInImage(t *testing.T, img v1.Image, path string) (string, bool) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	content, found := "", false
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimPrefix(h.Name, "./") == strings.TrimPrefix(path, "/") {
				b, _ := io.ReadAll(tr)
				content, found = string(b), true
			}
		}
		rc.Close()
	}
	return content, found
}

// TestRunBuildsDockerfile builds a multi-stage Dockerfile with RUN, COPY, a
// build argument and a target, and checks the pushed image's layers, files,
// labels and config in the registry.
func TestRunBuildsDockerfile(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile":  appDockerfile,
		"message.txt": "from the test\n",
		"codefresh.yml": `version: "1.0"
steps:
  build_app:
    type: build
    image_name: e2e/app
    tag: v1
    tags: [Stable]
    target: app
    build_arguments:
      - GREETING=bonjour
      - BASE=${{BASE}}
    metadata:
      set:
        - qa: pending
`,
	})
	regs := registriesFile(t, "default: a\n")
	r := mustHoist(t, "run", "-f", dir+"/codefresh.yml", "--registries", regs, "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE="+baseImage)

	ref := regA.Host + "/team-a/e2e/app:v1"
	digest := digestOf(t, ref, nil)
	if digest == "" {
		t.Fatalf("%s not in registry a; hoist printed:\n%s", ref, r.stdout)
	}
	if !strings.Contains(r.stdout, "digest "+digest) {
		t.Errorf("stdout does not print the pushed digest %s:\n%s", digest, r.stdout)
	}
	// tag_policy lowercase: Stable becomes stable, and it is the same image.
	if got := digestOf(t, regA.Host+"/team-a/e2e/app:stable", nil); got != digest {
		t.Errorf("digest of tag stable = %q, want %q", got, digest)
	}

	img := image(t, ref)
	greeting, ok := fileInImage(t, img, "/app/greeting.txt")
	if !ok {
		t.Fatal("/app/greeting.txt is not in the image")
	}
	if want := "bonjour from hoist\nfrom the test\n"; greeting != want {
		t.Errorf("/app/greeting.txt = %q, want %q", greeting, want)
	}
	if _, ok := fileInImage(t, img, "/app/debug.txt"); ok {
		t.Error("/app/debug.txt is in the image: the debug stage was built, not target app")
	}
	if _, ok := fileInImage(t, img, "/bin/busybox"); !ok {
		t.Error("the base image's /bin/busybox is missing")
	}
	layers, _ := img.Layers()
	if len(layers) != 2 {
		t.Errorf("image has %d layers, want 2 (busybox and the COPY)", len(layers))
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cat", "/app/greeting.txt"}, cf.Config.Cmd); diff != "" {
		t.Errorf("config Cmd (-want +got):\n%s", diff)
	}
	if cf.Architecture != "amd64" || cf.OS != "linux" {
		t.Errorf("config platform = %s/%s, want linux/amd64", cf.OS, cf.Architecture)
	}
	for k, want := range map[string]string{"org.example.team": "images", "qa": "pending"} {
		if got := cf.Config.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
}

// TestBuildTwoRegistriesSameDigest pushes one build to two registries with
// tag and tags: every reference exists, under each registry's prefix, with
// one digest.
func TestBuildTwoRegistriesSameDigest(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo two > /two.txt\n"})
	regs := registriesFile(t, "")
	r := mustHoist(t, "build", dir, "--image-name", "e2e/two", "--tag", "1.0", "--tag", "prod", "--registry", "a", "--registry", "b",
		"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "plain")
	var digests []string
	for _, ref := range []string{
		regA.Host + "/team-a/e2e/two:1.0", regA.Host + "/team-a/e2e/two:prod",
		regB.Host + "/team-b/e2e/two:1.0", regB.Host + "/team-b/e2e/two:prod",
	} {
		d := digestOf(t, ref, nil)
		if d == "" {
			t.Errorf("%s was not pushed", ref)
		}
		if !strings.Contains(r.stdout, ref) {
			t.Errorf("stdout does not list %s:\n%s", ref, r.stdout)
		}
		digests = append(digests, d)
	}
	for _, d := range digests[1:] {
		if d != digests[0] {
			t.Errorf("digests differ across registries: %v", digests)
		}
	}
	for _, repo := range []string{regA.Host + "/team-a/e2e/two@", regB.Host + "/team-b/e2e/two@"} {
		if !strings.Contains(r.stdout, "  pushed "+repo+digests[0]+" tags 1.0,prod") {
			t.Errorf("stdout does not report the copy to %s:\n%s", repo, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, `push to "a", "b" (rule 2: the step's registry)`) {
		t.Errorf("stdout does not explain the decision:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "RUN echo two") {
		t.Errorf("plain progress does not show the RUN step on stderr:\n%s", r.stderr)
	}
}
