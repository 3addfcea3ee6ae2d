package commands

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/images"
	"github.com/hoist-build/hoist/pkg/trace"
)

// TestImagesMetadataPipeline: a pipeline's on_success sets qa: passed on
// the image it built, in a registry that refuses _catalog and has no
// referrers API (distribution 2.8): the artifact is at the registry under
// the sha256-<hex> fallback tag, the image's digest is unchanged, hoist
// images finds it from the pipeline file and from repositories:, and
// --filter qa=passed lists it; hoist promote carries the metadata to
// another registry.
func TestImagesMetadataPipeline(t *testing.T) {
	needStack(t)
	t.Setenv("HOIST_STORE", t.TempDir())
	proxy := stack.StartProxy(regA.Host, func(r *http.Request) int {
		if strings.HasPrefix(r.URL.Path, "/v2/_catalog") {
			return http.StatusNotFound
		}
		return 0
	})
	defer proxy.Close()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo meta > /m.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  build:
    type: build
    image_name: app
    tag: v1
    registry: nocat
    build_arguments:
      - BASE=${{BASE}}
    on_success:
      metadata:
        set:
          - ${{build.imageId}}:
              - qa: passed
              - suite: "${{CF_BRANCH}}-smoke"
`,
	})
	file := filepath.Join(dir, "codefresh.yml")
	nocat := "  - name: nocat\n    domain: " + proxy.Host + "\n    insecure: true\n    prefix: meta\n"
	regs := registriesFile(t, nocat)
	r := mustHoist(t, "run", "-f", file, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE="+baseImage, "--var", "CF_BRANCH=main")
	m := regexp.MustCompile(`digest (sha256:[0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout does not show the build's digest:\n%s", r.stdout)
	}
	built := m[1]
	if !strings.Contains(r.stdout, "  metadata qa=passed,suite=main-smoke: pushed ") {
		t.Errorf("stdout does not report the metadata:\n%s", r.stdout)
	}
	ref := proxy.Host + "/meta/app:v1"
	if got := digestOf(t, ref, nil); got != built {
		t.Errorf("%s = %s after the metadata, want the built %s", ref, got, built)
	}
	// Checked at the registry itself, with go-containerregistry.
	checkMetadata := func(repo string) {
		t.Helper()
		rp, _ := name.NewRepository(repo, name.Insecure)
		idx, err := remote.Referrers(rp.Digest(built))
		if err != nil {
			t.Fatalf("referrers of %s: %v", rp.Digest(built), err)
		}
		im, _ := idx.IndexManifest()
		if len(im.Manifests) != 1 || im.Manifests[0].ArtifactType != trace.MetadataArtifactType || im.Manifests[0].Annotations["qa"] != "passed" {
			t.Errorf("referrers of %s = %+v, want one metadata artifact with qa=passed", repo, im.Manifests)
		}
		if _, err := remote.Head(rp.Tag(strings.Replace(built, ":", "-", 1))); err != nil {
			t.Errorf("%s has no referrers fallback tag: %v", repo, err)
		}
	}
	checkMetadata(regA.Host + "/meta/app")

	list := func(regs string, args ...string) []*images.Image {
		t.Helper()
		r := mustHoist(t, append([]string{"images", "--registries", regs, "-o", "json"}, args...)...)
		var got struct{ Images []*images.Image }
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("images %s: %v\n%s", args, err, r.stdout)
		}
		return got.Images
	}
	// Without the pipeline, nocat lists nothing and says why.
	if r := hoist(t, "images", "--registries", regs, "--registry", "nocat"); r.code != 1 || !strings.Contains(r.stderr, "does not list its repositories") {
		t.Errorf("images --registry nocat: exit %d, stderr %q", r.code, r.stderr)
	}
	withRepos := registriesFile(t, nocat+"    repositories: [app, absent]\n")
	for _, tc := range []struct {
		name, regs string
		args       []string
	}{
		{"pipeline", regs, []string{"-f", file}},
		{"repositories", withRepos, nil},
	} {
		got := list(tc.regs, append(tc.args, "--registry", "nocat", "--filter", "qa=passed")...)
		if len(got) != 1 || got[0].Digest != built || got[0].Metadata["qa"] != "passed" || got[0].Metadata["suite"] != "main-smoke" {
			t.Errorf("%s: images --filter qa=passed = %+v, want %s with its metadata", tc.name, got, built)
		}
		if got := list(tc.regs, append(tc.args, "--registry", "nocat", "--filter", "qa=failed")...); len(got) != 0 {
			t.Errorf("%s: images --filter qa=failed = %d images, want none", tc.name, len(got))
		}
	}

	table := mustHoist(t, "images", "--registries", withRepos, "--registry", "nocat", "--column", "qa", "--column", "suite").stdout
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 2 || !strings.HasSuffix(strings.Join(strings.Fields(lines[0]), " "), "BRANCH QA SUITE") ||
		!strings.HasSuffix(strings.Join(strings.Fields(lines[1]), " "), "passed main-smoke") {
		t.Errorf("images --column qa --column suite:\n%s", table)
	}

	mustHoist(t, "promote", ref, "--to", "b", "--registries", regs)
	checkMetadata(regB.Host + "/team-b/app")
	got := list(regs, "--registry", "b", "--filter", "qa=passed")
	if len(got) != 1 || got[0].Digest != built {
		t.Errorf("images --registry b --filter qa=passed = %+v, want %s", got, built)
	}
	in := mustHoist(t, "images", "inspect", built, "--registries", withRepos).stdout
	if !strings.Contains(in, "qa=passed  (in b, nocat)") {
		t.Errorf("inspect does not show the metadata in both registries:\n%s", in)
	}
}

// TestImagesProviderAPIs: registries that refuse _catalog, as Docker Hub
// and GHCR do, are listed from the stand-in Docker Hub namespace API and
// GitHub packages API, read page by page; the password shows nowhere.
func TestImagesProviderAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip(needsRegistries)
	}
	reg, err := stack.StartRegistry(stack.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Stop()
	proxy := stack.StartProxy(reg.Host, func(r *http.Request) int {
		if strings.HasPrefix(r.URL.Path, "/v2/_catalog") {
			return http.StatusUnauthorized
		}
		return 0
	})
	defer proxy.Close()
	names := []string{"api", "billing", "cart", "web", "worker"}
	for _, n := range names {
		put(t, labelled(t, "r-"+n, "main"), authn.Anonymous, reg.Host+"/acme/"+n+":1.0")
	}
	const canary = "canary-hub-Pa55-3c2e"
	hub := stack.StartProviderAPI("acme", "acmebot", canary, names, 2)
	defer hub.Close()
	gh := stack.StartProviderAPI("acme", "acmebot", canary, names, 2)
	defer gh.Close()
	regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": `registries:
  - name: hub
    provider: dockerhub
    domain: ` + proxy.Host + `
    insecure: true
    prefix: acme
    username: acmebot
    password_env: HUB_TOKEN
    api: ` + hub.URL + `
  - name: ghcr
    provider: ghcr
    domain: ` + proxy.Host + `
    insecure: true
    prefix: acme
    username: acmebot
    password_env: HUB_TOKEN
    api: ` + gh.URL + `
`}), "r.yaml")
	t.Setenv("HUB_TOKEN", canary)
	r := mustHoist(t, "images", "--registries", regs, "-o", "json")
	var got struct{ Images []*images.Image }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, im := range got.Images {
		listed = append(listed, im.Name+"@"+strings.Join(im.Registries(), ","))
	}
	want := "api@ghcr,hub billing@ghcr,hub cart@ghcr,hub web@ghcr,hub worker@ghcr,hub"
	if strings.Join(listed, " ") != want || r.stderr != "" {
		t.Errorf("images = %s, stderr %q; want %s", listed, r.stderr, want)
	}
	if h, g := hub.HubPages.Load(), gh.GitHubPages.Load(); h != 3 || g != 3 {
		t.Errorf("API pages read: Docker Hub %d, GitHub %d; want 3 each (5 repositories, 2 a page)", h, g)
	}
	t.Setenv("HUB_TOKEN", canary+"-wrong")
	r = hoist(t, "images", "--registries", regs)
	if r.code != 1 || !strings.Contains(r.stderr, "HTTP 401") || strings.Contains(r.stderr+r.stdout, canary) {
		t.Errorf("with a wrong password: exit %d, stderr %q; want exit 1, HTTP 401 and no password", r.code, r.stderr)
	}
}
