package images

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/trace"
)

// annotate writes a metadata artifact for the image at ref, as hoist
// annotate does.
func annotate(t *testing.T, ref string, kv map[string]string, at time.Time) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatal(err)
	}
	cfg := static.NewLayer([]byte("{}"), types.MediaType(trace.MetadataArtifactType))
	if err := remote.WriteLayer(r.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	cd, _ := cfg.Digest()
	ann := map[string]string{trace.Created: at.Format(time.RFC3339Nano)}
	for k, v := range kv {
		ann[k] = v
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: trace.MetadataArtifactType,
		Config:      v1.Descriptor{MediaType: types.MediaType(trace.MetadataArtifactType), Size: 2, Digest: cd},
		Layers:      []v1.Descriptor{{MediaType: types.MediaType(trace.MetadataArtifactType), Size: 2, Digest: cd}},
		Annotations: ann, Subject: &v1.Descriptor{MediaType: desc.MediaType, Size: desc.Size, Digest: desc.Digest}}
	raw, _ := json.Marshal(m)
	h, _, _ := v1.SHA256(strings.NewReader(string(raw)))
	if err := remote.Put(r.Context().Digest(h.String()), rawManifest(raw)); err != nil {
		t.Fatal(err)
	}
}

type rawManifest []byte

func (r rawManifest) RawManifest() ([]byte, error)        { return r, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// TestListMetadata: metadata set after the build shows on the image, the
// latest value winning, its digest unchanged; --filter and --digest
// select by it; the fallback tag is no image.
func TestListMetadata(t *testing.T) {
	t.Parallel()
	host := serve(t, nil)
	x := push(t, labelled(t, time.Time{}, traceLabels("x", "main")), authn.Anonymous, host+"/app:v1")
	y := push(t, labelled(t, time.Time{}, traceLabels("y", "main")), authn.Anonymous, host+"/app:v2")
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	annotate(t, host+"/app:v1", map[string]string{"qa": "failed", "ticket": "T-1"}, t0)
	annotate(t, host+"/app:v1", map[string]string{"qa": "passed"}, t0.Add(time.Hour))
	acct := account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n")
	for _, tc := range []struct {
		name string
		opts Options
		want []string
	}{
		{"all", Options{}, []string{x, y}},
		{"filter", Options{Filters: map[string]string{"qa": "passed"}}, []string{x}},
		{"filter-label", Options{Filters: map[string]string{trace.Revision: "y"}}, []string{y}},
		{"filter-none", Options{Filters: map[string]string{"qa": "failed"}}, nil},
		{"digest", Options{Digest: y}, []string{y}},
	} {
		l, err := List(t.Context(), acct, tc.opts)
		if err != nil {
			t.Fatalf("%s: List() error = %v", tc.name, err)
		}
		var got []string
		for _, im := range l.Images {
			got = append(got, im.Digest)
			if im.Digest == x {
				if diff := cmp.Diff(map[string]string{"qa": "passed", "ticket": "T-1"}, im.Metadata); diff != "" {
					t.Errorf("%s: List() metadata (-want +got):\n%s", tc.name, diff)
				}
				if diff := cmp.Diff([]string{"v1"}, im.Tags()); diff != "" {
					t.Errorf("%s: List() tags (-want +got):\n%s", tc.name, diff)
				}
			}
		}
		if diff := cmp.Diff(tc.want, got, cmpSorted); diff != "" {
			t.Errorf("%s: List() digests (-want +got):\n%s", tc.name, diff)
		}
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// TestListWithoutCatalog: a registry that refuses _catalog is listed from
// its repositories: and the image names given (the pipelines' images).
func TestListWithoutCatalog(t *testing.T) {
	t.Parallel()
	host := serve(t, refuse("/v2/_catalog", http.StatusUnauthorized))
	img := labelled(t, time.Time{}, nil)
	push(t, img, authn.Anonymous, host+"/team/app:v1", host+"/team/web:v1", host+"/team/other:v1")
	acct := account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n    prefix: team\n    repositories: [app]\n")
	l, err := List(t.Context(), acct, Options{Images: []string{"web", "absent"}})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	var got []string
	for _, im := range l.Images {
		got = append(got, im.Name)
	}
	if diff := cmp.Diff([]string{"app", "web"}, got); diff != "" || len(l.Warnings) != 0 {
		t.Errorf("List() = %v, warnings %q; want app, web and no warning (-want +got):\n%s", got, l.Warnings, diff)
	}
}

// TestListProviderAPIs: Docker Hub's namespace repositories and GitHub's
// container packages, served by stand-ins from their API references and
// read page by page, give the repositories of registries without
// _catalog.
func TestListProviderAPIs(t *testing.T) {
	t.Parallel()
	host := serve(t, refuse("/v2/_catalog", http.StatusNotFound))
	var names []string
	for i := range 5 {
		n := fmt.Sprintf("svc%d", i)
		names = append(names, n)
		push(t, labelled(t, time.Time{}, nil), authn.Anonymous, host+"/acme/"+n+":v1")
	}
	api := stack.StartProviderAPI("acme", "bot", "hub-Pa55", names, 2)
	t.Cleanup(api.Close)
	// GitHub takes the integration's password as its token.
	gh := stack.StartProviderAPI("acme", "bot", "gh-token", names, 2)
	t.Cleanup(gh.Close)
	acct := account(t, fmt.Sprintf(`registries:
  - name: hub
    provider: dockerhub
    domain: %[1]s
    insecure: true
    prefix: acme
    username: bot
    password: hub-Pa55
    api: %[2]s
  - name: gh
    provider: ghcr
    domain: %[1]s
    insecure: true
    prefix: acme
    username: bot
    password: gh-token
    api: %[3]s
`, host, api.URL, gh.URL))
	l, err := List(t.Context(), acct, Options{})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	got := map[string]string{}
	for _, im := range l.Images {
		got[im.Name] = strings.Join(im.Registries(), ",")
	}
	want := map[string]string{}
	for _, n := range names {
		want[n] = "gh,hub"
	}
	if diff := cmp.Diff(want, got); diff != "" || len(l.Warnings) != 0 {
		t.Errorf("List() warnings %q, images (-want +got):\n%s", l.Warnings, diff)
	}
	if h, g := api.HubPages.Load(), gh.GitHubPages.Load(); h != 3 || g != 3 {
		t.Errorf("pages read: hub %d, github %d; want 3 each", h, g)
	}
}

// TestListMetadataReferrersAPI: on a registry with the referrers API there
// is no fallback tag, and the metadata is read through the API.
func TestListMetadataReferrersAPI(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	d := push(t, labelled(t, time.Time{}, nil), authn.Anonymous, host+"/app:v1")
	push(t, labelled(t, time.Time{}, nil), authn.Anonymous, host+"/app:v2")
	annotate(t, host+"/app:v1", map[string]string{"qa": "passed"}, time.Now())
	l, err := List(t.Context(), account(t, "registries:\n  - name: r\n    domain: "+host+"\n    insecure: true\n"), Options{Filters: map[string]string{"qa": "passed"}})
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	if len(l.Images) != 1 || l.Images[0].Digest != d {
		t.Errorf("List(qa=passed) = %+v, want %s", l.Images, d)
	}
}
