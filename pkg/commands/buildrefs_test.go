package commands

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// tagsIn lists the tags repo holds in its registry; none when it holds no
// such repository.
func tagsIn(t *testing.T, repo string) []string {
	t.Helper()
	r, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	tags, _ := remote.List(r)
	return tags
}

// printedDigest is the digest hoist printed for the build step.
func printedDigest(t *testing.T, stdout string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  digest (sha256:[0-9a-f]{64})$`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("hoist printed no digest:\n%s", stdout)
	}
	return m[1]
}

// TestBuildFullReference: -t with a full reference pushes to that exact
// reference, as buildx does, and nowhere else (the account's default
// registry is not asked); with --registry and --image-name, the image goes
// both to the integration, under its prefix with the plain tags, and to
// the reference.
func TestBuildFullReference(t *testing.T) {
	needStack(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo refs > /refs.txt\n"})
	regs := registriesFile(t, "default: a\n")
	common := []string{"--build-arg", "BASE=" + baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet"}

	ref := regA.Host + "/x/app:1"
	r := mustHoist(t, append([]string{"build", dir, "-t", ref}, common...)...)
	digest := printedDigest(t, r.stdout)
	if got := tagsIn(t, regA.Host+"/x/app"); !cmp.Equal(got, []string{"1"}) { // before the others below
		t.Errorf("tags of %s/x/app = %v, want [1]", regA.Host, got)
	}
	if got := digestOf(t, ref, nil); got != digest {
		t.Errorf("digest of %s = %q, want the printed %s", ref, got, digest)
	}
	if got := tagsIn(t, regA.Host+"/team-a/x/app"); len(got) > 0 {
		t.Errorf("the default registry got team-a/x/app:%v; -t with only full references pushes there only", got)
	}
	if !strings.Contains(r.stdout, "step build: push to the full references given with -t\n  "+ref+"\n") {
		t.Errorf("the plan does not say where the image goes:\n%s", r.stdout)
	}

	// buildx's other spelling: the image output's name=, and push=false
	// keeps the image home.
	named := regA.Host + "/x/app:3"
	r = mustHoist(t, append([]string{"build", dir, "-o", "type=registry,name=" + named}, common...)...)
	if got := digestOf(t, named, nil); got != printedDigest(t, r.stdout) {
		t.Errorf("-o type=registry,name=%s: the registry holds %q", named, got)
	}
	kept := regA.Host + "/x/app:kept"
	mustHoist(t, append([]string{"build", dir, "-t", kept, "-o", "type=image,push=false"}, common...)...)
	if got := digestOf(t, kept, nil); got != "" {
		t.Errorf("-o type=image,push=false pushed %s", kept)
	}

	both := regA.Host + "/x/app:2"
	r = mustHoist(t, append([]string{"build", dir, "--image-name", "x/app", "-t", both, "-t", "2", "--registry", "b"}, common...)...)
	digest = printedDigest(t, r.stdout)
	for _, want := range []string{both, regB.Host + "/team-b/x/app:2"} {
		if got := digestOf(t, want, nil); got != digest {
			t.Errorf("digest of %s = %q, want %s", want, got, digest)
		}
	}
}

// TestBuildTagsRefused: -t values that cannot say where the image goes are
// one line, exit 2, before anything is built.
func TestBuildTagsRefused(t *testing.T) {
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-t", planA + "/x/app:1", "-t", "latest"},
			"hoist: -t latest: a plain tag next to full references; write it in full (" + planA + "/x/app:latest) or give --image-name or --registry to say where it goes\n"},
		{[]string{"-t", planA + "/x/app@sha256:" + strings.Repeat("a", 64)},
			"hoist: -t " + planA + "/x/app@sha256:" + strings.Repeat("a", 64) + ": names a digest; -t takes a tag or a reference with a tag\n"},
		{[]string{"-t", "1.2"},
			"hoist: --image-name: required, unless -t gives a full reference such as registry.example.com/acme/app:1.2\n"},
		{[]string{"-t", planA + "/x/App:1"},
			"hoist: -t " + planA + "/x/App:1: not a tag or an image reference: invalid reference format: repository name (x/App) must be lowercase\n"},
	} {
		r := hoist(t, append([]string{"build", dir, "--dry-run"}, tc.args...)...)
		if r.code != 2 || r.stderr != tc.want {
			t.Errorf("hoist build %v: exit %d, stderr %q; want exit 2, %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// A plain tag with --image-name stays a tag; a full reference without
	// a registry is Docker Hub's, as docker reads it.
	r := mustHoist(t, "build", dir, "--image-name", "acme/app", "-t", "1.2", "-t", "acme/app:1.3", "--no-push", "--dry-run")
	if want := "  acme/app:1.2\n  docker.io/acme/app:1.3\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("plan:\n%s\nwant the local names %q", r.stdout, want)
	}
}
