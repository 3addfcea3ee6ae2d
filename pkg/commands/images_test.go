package commands

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/images"
)

// needsRegistries is why the tests here that start registries of their own
// skip under -short. pkg/images tests the same logic against in-process
// registries.
const needsRegistries = "needs real registries (docker-registry): run without -short"

// labelled returns the busybox image with trace labels.
func labelled(t *testing.T, revision, branch string) v1.Image {
	t.Helper()
	base, err := stack.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := base.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{"org.opencontainers.image.revision": revision, "io.hoist.branch": branch}
	img, err := mutate.ConfigFile(base, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func put(t *testing.T, img v1.Image, auth authn.Authenticator, refs ...string) string {
	t.Helper()
	for _, ref := range refs {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img, remote.WithAuth(auth)); err != nil {
			t.Fatalf("writing %s: %v", ref, err)
		}
	}
	d, _ := img.Digest()
	return d.String()
}

// TestImages lists two registries (one with auth) and one that is down: the
// same digest in both is one image with every tag and both registries, a
// repository with 250 tags lists them all, the dead registry is one warning
// line, and inspect finds an image by digest everywhere it is stored.
func TestImages(t *testing.T) {
	if testing.Short() {
		t.Skip(needsRegistries)
	}
	one, err := stack.StartRegistry(stack.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Stop()
	two, err := stack.StartRegistry(stack.RegistryOptions{Username: "viewer", Password: "view-Pa55"})
	if err != nil {
		t.Fatal(err)
	}
	defer two.Stop()
	auth := &authn.Basic{Username: "viewer", Password: "view-Pa55"}
	x, y, z := labelled(t, "aaaaaaa1111", "main"), labelled(t, "bbbbbbb2222", "old"), labelled(t, "ccc", "many")
	dx := put(t, x, authn.Anonymous, one.Host+"/team/app:v1", one.Host+"/team/app:latest")
	put(t, x, auth, two.Host+"/app:prod")
	dy := put(t, y, authn.Anonymous, one.Host+"/team/app:old")
	var many []string
	for i := 0; i < 250; i++ {
		many = append(many, fmt.Sprintf("%s/team/many:t%03d", one.Host, i))
	}
	put(t, z, authn.Anonymous, many...)
	put(t, y, authn.Anonymous, one.Host+"/outside/prefix:x") // not under the prefix: not listed

	t.Setenv("VIEW_PASSWORD", "view-Pa55")
	regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": fmt.Sprintf(`registries:
  - name: one
    domain: %s
    insecure: true
    prefix: team
  - name: two
    domain: %s
    insecure: true
    username: viewer
    password_env: VIEW_PASSWORD
  - name: down
    domain: 127.0.0.1:1
`, one.Host, two.Host)}), "r.yaml")

	r := mustHoist(t, "images", "--registries", regs, "-o", "json")
	wantWarning := `hoist: warning: registry "down" (127.0.0.1:1): not reachable:`
	if !strings.HasPrefix(r.stderr, wantWarning) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line starting %q", r.stderr, wantWarning)
	}
	var got struct{ Images []*images.Image }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	byDigest := map[string]*images.Image{}
	for _, im := range got.Images {
		byDigest[im.Name+"@"+im.Digest] = im
	}
	if len(got.Images) != 3 {
		t.Errorf("listed %d images, want 3 (app x, app y, many)", len(got.Images))
	}
	wantX := []images.Location{
		{Registry: "one", Repository: one.Host + "/team/app", Tags: []string{"latest", "v1"}},
		{Registry: "two", Repository: two.Host + "/app", Tags: []string{"prod"}},
	}
	if diff := cmp.Diff(wantX, byDigest["app@"+dx].Locations); diff != "" {
		t.Errorf("locations of app@x (-want +got):\n%s", diff)
	}
	if im := byDigest["app@"+dx]; im.Revision() != "aaaaaaa1111" || im.Branch() != "main" || im.Size == 0 {
		t.Errorf("app@x revision, branch, size = %q, %q, %d", im.Revision(), im.Branch(), im.Size)
	}
	if got := byDigest["app@"+dy].Tags(); !cmp.Equal(got, []string{"old"}) {
		t.Errorf("tags of app@y = %v, want [old]", got)
	}
	for _, im := range got.Images {
		if im.Name == "many" && len(im.Tags()) != 250 {
			t.Errorf("many has %d tags, want 250", len(im.Tags()))
		}
	}

	table := mustHoist(t, "images", "app", "--registries", regs).stdout
	rowX := fmt.Sprintf("app latest,prod,v1 %s one,two - 1.1 MB aaaaaaa main", strings.TrimPrefix(dx, "sha256:")[:12])
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		rows = append(rows, strings.Join(strings.Fields(line), " "))
	}
	if len(rows) != 3 || rows[1] != rowX {
		t.Errorf("table rows = %q, want the header, %q and app@y", rows, rowX)
	}
	if strings.Contains(table, "many") {
		t.Errorf("images app lists other repositories:\n%s", table)
	}

	for _, ref := range []string{dx, "app:prod", one.Host + "/team/app:v1"} {
		in := mustHoist(t, "images", "inspect", ref, "--registries", regs, "-o", "json")
		var im images.Image
		if err := json.Unmarshal([]byte(in.stdout), &im); err != nil {
			t.Fatalf("inspect %s: %v\n%s", ref, err, in.stdout)
		}
		if im.Digest != dx || !cmp.Equal(im.Registries(), []string{"one", "two"}) {
			t.Errorf("inspect %s = digest %s in %v, want %s in [one two]", ref, im.Digest, im.Registries(), dx)
		}
	}
	miss := hoist(t, "images", "inspect", "nothing:here", "--registries", regs)
	if miss.code != 1 || !strings.HasSuffix(miss.stderr, "hoist: image not found: nothing:here is in none of the registries\n") {
		t.Errorf("inspect of a missing image: exit %d, stderr %q", miss.code, miss.stderr)
	}
}

// TestImagesCatalogRefusedAndPaged: a registry that refuses _catalog gets a
// message that asks for a REPO, and a named repository of 250 tags is read
// in pages that follow the registry's Link headers. (Debian's distribution
// 2.8 sends every tag at once, so the proxy in front of it pages them.)
func TestImagesCatalogRefusedAndPaged(t *testing.T) {
	if testing.Short() {
		t.Skip(needsRegistries)
	}
	reg, err := stack.StartRegistry(stack.RegistryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Stop()
	proxy := stack.StartPagingProxy(reg.Host, func(r *http.Request) int {
		if strings.HasPrefix(r.URL.Path, "/v2/_catalog") {
			return http.StatusNotFound
		}
		return 0
	})
	defer proxy.Close()
	var refs []string
	for i := 0; i < 250; i++ {
		refs = append(refs, fmt.Sprintf("%s/paged:t%03d", reg.Host, i))
	}
	put(t, labelled(t, "ddd", "paged"), authn.Anonymous, refs...)
	regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": "registries:\n  - name: nocat\n    domain: " + proxy.Host + "\n    insecure: true\n"}), "r.yaml")

	r := hoist(t, "images", "--registries", regs)
	want := `hoist: warning: registry "nocat" (` + proxy.Host + `) does not list its repositories (_catalog: HTTP 404); name a REPO to list, give the pipelines (-f), or set its repositories:`
	if r.code != 1 || !strings.HasPrefix(r.stderr, want+"\n") {
		t.Errorf("exit %d, stderr %q; want exit 1 and a first line %q", r.code, r.stderr, want)
	}

	r = mustHoist(t, "images", "paged", "--registries", regs, "-o", "json")
	var got struct{ Images []*images.Image }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Images) != 1 || len(got.Images[0].Tags()) != 250 {
		t.Fatalf("images paged = %s, want one image with 250 tags", r.stdout)
	}
	if pages := proxy.Requests("/v2/paged/tags/list"); len(pages) != 3 {
		t.Errorf("tag list requests = %v, want 3 pages of at most 100", pages)
	}
}
