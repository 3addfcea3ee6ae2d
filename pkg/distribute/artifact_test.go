package distribute

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/trace"
)

// referrersRegistry serves an in-process registry with or without the
// referrers API.
func referrersRegistry(t *testing.T, api bool) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(api)))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestAnnotateAndPromote: metadata set after the build is an artifact
// that refers to the image, whose digest and tag stay; a copy of the image
// carries it to the next registry, with the referrers API or its tag
// fallback.
func TestAnnotateAndPromote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		api      bool
		fallback bool
	}{{"referrers-api", true, false}, {"tag-fallback", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			one, two := referrersRegistry(t, tc.api), referrersRegistry(t, false)
			img, err := random.Image(256, 1)
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := name.ParseReference(one+"/app:v1", name.Insecure)
			if err := remote.Write(ref, img); err != nil {
				t.Fatal(err)
			}
			desc, err := remote.Head(ref)
			if err != nil {
				t.Fatal(err)
			}
			repo := ref.Context()
			if _, err := Annotate(t.Context(), Registries(), *desc, map[string]string{"qa": "passed"}, []Target{{Repo: repo, Tags: []string{"ignored"}}}); err != nil {
				t.Fatalf("Annotate() error = %v", err)
			}
			if got, err := remote.Head(ref); err != nil || got.Digest != desc.Digest {
				t.Errorf("after Annotate, %s = %v (%v), want %s", ref, got, err, desc.Digest)
			}
			if _, err := remote.Head(repo.Tag("ignored")); err == nil {
				t.Errorf("Annotate() tagged the artifact")
			}
			check := func(repo name.Repository, wantFallback bool) {
				t.Helper()
				idx, err := remote.Referrers(repo.Digest(desc.Digest.String()))
				if err != nil {
					t.Fatalf("Referrers(%s) error = %v", repo, err)
				}
				im, _ := idx.IndexManifest()
				if len(im.Manifests) != 1 || im.Manifests[0].ArtifactType != trace.MetadataArtifactType || im.Manifests[0].Annotations["qa"] != "passed" {
					t.Fatalf("Referrers(%s) = %+v, want one metadata artifact with qa=passed", repo, im.Manifests)
				}
				fb := repo.Tag(strings.Replace(desc.Digest.String(), ":", "-", 1))
				_, err = remote.Head(fb)
				if (err == nil) != wantFallback {
					t.Errorf("fallback tag %s: error = %v, want present %v", fb, err, wantFallback)
				}
				art, err := remote.Image(repo.Digest(im.Manifests[0].Digest.String()))
				if err != nil {
					t.Fatal(err)
				}
				m, _ := art.Manifest()
				if m.Subject == nil || m.Subject.Digest != desc.Digest || m.ArtifactType != trace.MetadataArtifactType {
					t.Errorf("artifact manifest = %+v, want subject %s", m, desc.Digest)
				}
			}
			check(repo, tc.fallback)

			src, err := OpenRemote(t.Context(), ref)
			if err != nil || src.ReferrersErr != nil {
				t.Fatalf("OpenRemote() error = %v, %v", err, src.ReferrersErr)
			}
			to, _ := name.NewRepository(two+"/app", name.Insecure)
			if _, err := Copy(t.Context(), src, []Target{{Repo: to, Tags: []string{"v1"}}}); err != nil {
				t.Fatalf("Copy() error = %v", err)
			}
			check(to, true)
			got, _ := remote.Head(to.Tag("v1"))
			if diff := cmp.Diff(desc.Digest, got.Digest); diff != "" {
				t.Errorf("promoted digest (-want +got):\n%s", diff)
			}
		})
	}
}
