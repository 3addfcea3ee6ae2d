package images

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// listed is the row List gives for img: one platform, its size, config
// time and labels, stored at locs.
func listed(t *testing.T, img v1.Image, imageName string, locs ...Location) *Image {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	mt, err := img.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return &Image{Name: imageName, Digest: d.String(), MediaType: string(mt), Platforms: []string{"linux/amd64"},
		Created: cf.Created.Time, Size: sizeOf(t, img), Locations: locs, Labels: cf.Config.Labels}
}

// TestList lists two registries, one with a prefix and one with auth: one
// row per image name and digest, with every registry and tag that holds
// it, newest first, and the revision and branch from its labels.
func TestList(t *testing.T) {
	t.Parallel()
	one, two := serve(t, nil), serve(t, basicAuth("viewer", "view-Pa55"))
	viewer := &authn.Basic{Username: "viewer", Password: "view-Pa55"}
	newer, older := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	x := labelled(t, newer, traceLabels("aaaaaaa1111", "main"))
	y := labelled(t, older, traceLabels("bbbbbbb2222", "old"))
	z := labelled(t, older, nil)
	push(t, x, authn.Anonymous, one+"/team/app:v1", one+"/team/app:latest")
	push(t, x, viewer, two+"/app:prod")
	push(t, y, authn.Anonymous, one+"/team/app:old")
	push(t, z, viewer, two+"/tools/lint:1", two+"/tools/lint:2")
	push(t, y, authn.Anonymous, one+"/outside/prefix:x") // not under the prefix: not listed
	acct := account(t, fmt.Sprintf(`registries:
  - name: one
    domain: %s
    insecure: true
    prefix: team
  - name: two
    domain: %s
    insecure: true
    username: viewer
    password: view-Pa55
`, one, two))

	got, err := List(t.Context(), acct, Options{})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	want := &Listing{Images: []*Image{
		listed(t, x, "app",
			Location{Registry: "one", Repository: one + "/team/app", Tags: []string{"latest", "v1"}},
			Location{Registry: "two", Repository: two + "/app", Tags: []string{"prod"}}),
		listed(t, y, "app", Location{Registry: "one", Repository: one + "/team/app", Tags: []string{"old"}}),
		listed(t, z, "tools/lint", Location{Registry: "two", Repository: two + "/tools/lint", Tags: []string{"1", "2"}}),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() (-want +got):\n%s", diff)
	}

	type row struct{ Name, Tags, Registries, Revision, Branch string }
	var rows []row
	for _, im := range got.Images {
		rows = append(rows, row{im.Name, strings.Join(im.Tags(), ","), strings.Join(im.Registries(), ","), im.Revision(), im.Branch()})
	}
	wantRows := []row{
		{"app", "latest,v1,prod", "one,two", "aaaaaaa1111", "main"},
		{"app", "old", "one", "bbbbbbb2222", "old"},
		{"tools/lint", "1,2", "two", "", ""},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("List() rows (-want +got):\n%s", diff)
	}
}

// TestListSelect: named repositories and registries narrow the listing; a
// repository a registry lacks is no error, an unknown registry is the
// user's mistake.
func TestListSelect(t *testing.T) {
	t.Parallel()
	one, two := serve(t, nil), serve(t, nil)
	x, y := labelled(t, time.Time{}, traceLabels("x", "main")), labelled(t, time.Time{}, traceLabels("y", "main"))
	push(t, x, authn.Anonymous, one+"/app:v1", two+"/app:v1")
	push(t, y, authn.Anonymous, one+"/web:v1")
	acct := account(t, fmt.Sprintf("registries:\n  - name: one\n    domain: %s\n    insecure: true\n  - name: two\n    domain: %s\n    insecure: true\n", one, two))
	for _, tc := range []struct {
		name string
		opts Options
		want []string // name@registries of each row
	}{
		{"all", Options{}, []string{"app@one,two", "web@one"}},
		{"repo", Options{Repos: []string{"app"}}, []string{"app@one,two"}},
		{"repo-in-one", Options{Repos: []string{"web"}}, []string{"web@one"}},
		{"registry", Options{Registries: []string{"two"}}, []string{"app@two"}},
		{"nothing", Options{Repos: []string{"absent"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := List(t.Context(), acct, tc.opts)
			if err != nil {
				t.Fatalf("List(%+v) error = %v", tc.opts, err)
			}
			var got []string
			for _, im := range l.Images {
				got = append(got, im.Name+"@"+strings.Join(im.Registries(), ","))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || len(l.Warnings) != 0 {
				t.Errorf("List(%+v) = %v, warnings %q; want %v, no warnings", tc.opts, got, l.Warnings, tc.want)
			}
		})
	}

	_, err := List(t.Context(), acct, Options{Registries: []string{"nope"}})
	if want := `--registry: unknown registry "nope" (known: one, two)`; err == nil || err.Error() != want || !errors.Is(err, errs.ErrInput) {
		t.Errorf("List(--registry nope) error = %v, want the input error %q", err, want)
	}
	_, err = List(t.Context(), registries.NewAccount(nil, t.TempDir()), Options{})
	if !errors.Is(err, errs.ErrInput) {
		t.Errorf("List(no registries) error = %v, want an input error", err)
	}
}

// TestListRegistryDown: a registry that cannot be listed is one warning
// naming it, and the others still list; when none can be listed, List
// fails.
func TestListRegistryDown(t *testing.T) {
	t.Parallel()
	up := serve(t, nil)
	img := labelled(t, time.Time{}, traceLabels("abc", "main"))
	digest := push(t, img, authn.Anonymous, up+"/app:v1")
	noCatalog := serve(t, refuse("/v2/_catalog", http.StatusNotFound))
	for _, tc := range []struct {
		name, down, want string
	}{
		{"not-listening", downHost, `registry "down" (` + downHost + `): not reachable: `},
		{"no-catalog", noCatalog, `registry "down" (` + noCatalog + `) does not list its repositories (_catalog: HTTP 404); name a REPO to list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			acct := account(t, fmt.Sprintf("registries:\n  - name: up\n    domain: %s\n    insecure: true\n  - name: down\n    domain: %s\n    insecure: true\n", up, tc.down))
			l, err := List(t.Context(), acct, Options{})
			if err != nil {
				t.Fatalf("List() error = %v", err)
			}
			if len(l.Warnings) != 1 || !strings.HasPrefix(l.Warnings[0], tc.want) {
				t.Errorf("List() warnings = %q, want one starting %q", l.Warnings, tc.want)
			}
			if len(l.Images) != 1 || l.Images[0].Digest != digest || !cmp.Equal(l.Images[0].Registries(), []string{"up"}) {
				t.Errorf("List() images = %+v, want app@%s in up", l.Images, digest)
			}

			acct = account(t, fmt.Sprintf("registries:\n  - name: down\n    domain: %s\n    insecure: true\n", tc.down))
			l, err = List(t.Context(), acct, Options{})
			if !errors.Is(err, ErrAllFailed) || !strings.Contains(err.Error(), tc.want) || len(l.Warnings) != 1 {
				t.Errorf("List(only down) = %v, warnings %q; want ErrAllFailed naming %q", err, l.Warnings, tc.want)
			}
		})
	}
}

// TestListPaged: a repository of 250 tags is read in pages of 100 that
// follow the registry's Link headers, and every tag is listed.
func TestListPaged(t *testing.T) {
	t.Parallel()
	var pages pageLog
	host := serve(t, paged(&pages))
	var refs []string
	for i := range 250 {
		refs = append(refs, fmt.Sprintf("%s/many:t%03d", host, i))
	}
	push(t, labelled(t, time.Time{}, nil), authn.Anonymous, refs...)
	acct := account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n")
	l, err := List(t.Context(), acct, Options{Repos: []string{"many"}})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	if len(l.Images) != 1 || len(l.Images[0].Tags()) != 250 {
		t.Fatalf("List() = %d images, want one with 250 tags", len(l.Images))
	}
	if got := pages.get(); len(got) != 3 {
		t.Errorf("tag list pages = %q, want 3 of at most 100", got)
	}
}

// TestListCreated: an image hoist built says when in its created label,
// which wins over the config's time (a cached build keeps an old one);
// another image's label does not.
func TestListCreated(t *testing.T) {
	t.Parallel()
	host := serve(t, nil)
	config := time.Date(2020, 5, 6, 7, 8, 0, 0, time.UTC)
	label := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	push(t, labelled(t, config, map[string]string{labelBuildID: "b1", labelCreated: label.Format(time.RFC3339)}), authn.Anonymous, host+"/hoist-built:v1")
	push(t, labelled(t, config, map[string]string{labelCreated: label.Format(time.RFC3339)}), authn.Anonymous, host+"/other:v1")
	acct := account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n")
	l, err := List(t.Context(), acct, Options{})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	got := map[string]time.Time{}
	for _, im := range l.Images {
		got[im.Name] = im.Created
	}
	if diff := cmp.Diff(map[string]time.Time{"hoist-built": label, "other": config}, got); diff != "" {
		t.Errorf("List() created (-want +got):\n%s", diff)
	}
}

// TestListIndex: a multi-platform index is one image with every platform,
// the size of all of them and the first platform's labels; attestations
// are not platforms.
func TestListIndex(t *testing.T) {
	t.Parallel()
	host := serve(t, nil)
	var idx v1.ImageIndex = empty.Index
	var size int64
	for _, arch := range []string{"amd64", "arm64"} {
		img := labelled(t, time.Time{}, traceLabels("rev-"+arch, "main"))
		size += sizeOf(t, img)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	att, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}})
	ref, err := name.ParseReference(host + "/multi:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	mt, _ := idx.MediaType()
	acct := account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n")
	l, err := List(t.Context(), acct, Options{})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	want := []*Image{{Name: "multi", Digest: d.String(), MediaType: string(mt), Platforms: []string{"linux/amd64", "linux/arm64"}, Size: size,
		Labels: traceLabels("rev-amd64", "main"), Locations: []Location{{Registry: "r", Repository: host + "/multi", Tags: []string{"1.0"}}}}}
	if diff := cmp.Diff(want, l.Images); diff != "" {
		t.Errorf("List() (-want +got):\n%s", diff)
	}
}
