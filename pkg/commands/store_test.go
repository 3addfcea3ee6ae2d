package commands

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// storeImages writes a local store of n random images and returns its
// folder.
func storeImages(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		img, err := random.Image(128, 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(img); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// storeCount returns how many images and blobs the store in dir holds.
func storeCount(t *testing.T, dir string) (images, blobs int) {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	return len(m.Manifests), len(entries)
}

// TestStorePrune: hoist store prune keeps the newest --keep images
// ($HOIST_STORE_KEEP, 20 by default) of $HOIST_STORE and the blobs they
// use; --all keeps none.
func TestStorePrune(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		keepEnv    string
		images     int
		wantImages int
	}{
		{"default", nil, "", 22, 20},
		{"keep", []string{"--keep", "3"}, "", 5, 3},
		{"keep-env", nil, "2", 5, 2},
		{"keep-over-env", []string{"--keep", "4"}, "2", 5, 4},
		{"all", []string{"--all"}, "2", 5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := storeImages(t, tc.images)
			t.Setenv("HOIST_STORE", dir)
			if tc.keepEnv != "" {
				t.Setenv("HOIST_STORE_KEEP", tc.keepEnv)
			}
			r := mustHoist(t, append([]string{"store", "prune"}, tc.args...)...)
			images, blobs := storeCount(t, dir)
			// Each random image has a manifest, a config and two layers.
			if images != tc.wantImages || blobs != 4*tc.wantImages {
				t.Errorf("after hoist store prune %s: %d images, %d blobs; want %d and %d", strings.Join(tc.args, " "), images, blobs, tc.wantImages, 4*tc.wantImages)
			}
			removed := tc.images - tc.wantImages
			want := dir + ": removed " + strconv.Itoa(removed) + " images and " + strconv.Itoa(4*removed) + " blobs ("
			if !strings.HasPrefix(r.stdout, want) || !strings.HasSuffix(r.stdout, "; kept "+strconv.Itoa(tc.wantImages)+" images\n") {
				t.Errorf("stdout = %q, want %q...", r.stdout, want)
			}
		})
	}
}

// TestStoreKeepBad: a bad number of images to keep is bad input, on the
// command line and in $HOIST_STORE_KEEP, before hoist reaches for a
// builder.
func TestStoreKeepBad(t *testing.T) {
	t.Setenv("HOIST_STORE", t.TempDir())
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	if r := hoist(t, "store", "prune", "--keep", "-1"); r.code != ExitBadInput || r.stderr != "hoist: --keep -1: want 0 or more\n" {
		t.Errorf("hoist store prune --keep -1: exit %d, stderr %q", r.code, r.stderr)
	}
	t.Setenv("HOIST_STORE_KEEP", "many")
	r := hoist(t, "build", dir, "--image-name", "x", "--no-push", "--builder", "unix:///nonexistent.sock", "--progress", "quiet")
	if want := "hoist: $HOIST_STORE_KEEP=many: want a number of images, 0 or more\n"; r.code != ExitBadInput || r.stderr != want {
		t.Errorf("HOIST_STORE_KEEP=many hoist build: exit %d, stderr %q; want 2, %q", r.code, r.stderr, want)
	}
}

// TestStoreAutoPrune: after each build, a store over $HOIST_STORE_KEEP
// images is pruned to the newest, which stay whole.
func TestStoreAutoPrune(t *testing.T) {
	needStack(t)
	store := filepath.Join(t.TempDir(), "store")
	t.Setenv("HOIST_STORE", store)
	t.Setenv("HOIST_STORE_KEEP", "2")
	for _, n := range []string{"1", "2", "3"} {
		dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo " + n + " > /n.txt\n"})
		mustHoist(t, "build", dir, "--image-name", "e2e/prune", "--tag", "v"+n, "--no-push", "--build-arg", "BASE="+baseImage,
			"--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet")
	}
	p, err := layout.FromPath(store)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range m.Manifests {
		names = append(names, d.Annotations["org.opencontainers.image.ref.name"])
	}
	if want := []string{"e2e/prune:v2", "e2e/prune:v3"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("the store holds %q, want %q", names, want)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("the pruned store does not validate: %v", err)
	}
}
