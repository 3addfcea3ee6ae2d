package distribute

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry serves go-containerregistry's in-process registry; fail,
// when set, answers a request instead of the registry; after, when set,
// is called once the registry has answered a request.
type testRegistry struct {
	host string
	// puts counts blob upload bodies (PUT and PATCH on /blobs/uploads/).
	puts  atomic.Int64
	fail  atomic.Pointer[func(*http.Request) int]
	after atomic.Pointer[func(*http.Request)]
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	tr := &testRegistry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := tr.fail.Load(); f != nil {
			if code := (*f)(r); code != 0 {
				http.Error(w, "injected", code)
				return
			}
		}
		if strings.Contains(r.URL.Path, "/blobs/uploads/") && (r.Method == http.MethodPut || r.Method == http.MethodPatch) && r.ContentLength != 0 {
			tr.puts.Add(1)
		}
		reg.ServeHTTP(w, r)
		if f := tr.after.Load(); f != nil {
			(*f)(r)
		}
	}))
	t.Cleanup(srv.Close)
	tr.host = strings.TrimPrefix(srv.URL, "http://")
	return tr
}

func (tr *testRegistry) repo(t *testing.T, path string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(tr.host+"/"+path, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tagDigest returns the digest repo:tag holds, or "" when none.
func tagDigest(t *testing.T, repo name.Repository, tag string) string {
	t.Helper()
	d, err := remote.Head(repo.Tag(tag))
	if err != nil {
		return ""
	}
	return d.Digest.String()
}

func randomSource(t *testing.T) *Source {
	t.Helper()
	img, err := random.Image(1024, 3)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return &Source{Ref: "random", Digest: d, Image: img}
}

// TestPublishManyTargets writes one image to two repositories of one
// registry and one of another: every tag holds the digest, the second
// repository of a registry mounts instead of uploading, and the record
// holds what happened.
func TestPublishManyTargets(t *testing.T) {
	t.Parallel()
	one, two := newTestRegistry(t), newTestRegistry(t)
	src := randomSource(t)
	targets := []Target{
		{Registry: "one", Repo: one.repo(t, "team/app"), Tags: []string{"1.0", "latest"}},
		{Registry: "one", Repo: one.repo(t, "mirror/app"), Tags: []string{"1.0"}},
		{Registry: "two", Repo: two.repo(t, "app"), Tags: []string{"1.0"}},
	}
	var rec Recorder
	results, err := Recording(Registries(), &rec, nil).Publish(context.Background(), src, targets)
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	for _, tg := range targets {
		for _, tag := range tg.Tags {
			if got := tagDigest(t, tg.Repo, tag); got != src.Digest.String() {
				t.Errorf("%s:%s = %q, want %s", tg.Repo, tag, got, src.Digest)
			}
		}
	}
	var statuses []string
	for _, r := range results {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]string{StatusPushed, StatusPushed, StatusPushed}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// config + 3 layers, once per registry: the mirror repository mounts
	// them or (this registry shares blobs across repositories) finds them.
	if got := one.puts.Load(); got != 4 {
		t.Errorf("blob uploads to registry one = %d, want 4", got)
	}
	if m := results[1]; m.BlobsUploaded != 0 || m.BlobsMounted+m.BlobsSkipped != 4 {
		t.Errorf("mirror/app: uploaded %d, mounted %d, skipped %d; want 0 uploaded, 4 mounted or skipped", m.BlobsUploaded, m.BlobsMounted, m.BlobsSkipped)
	}
	recs := rec.Records()
	if len(recs) != 1 || recs[0].Digest != src.Digest.String() || len(recs[0].Targets) != 3 {
		t.Errorf("Records() = %+v, want one record of 3 targets with digest %s", recs, src.Digest)
	}

	// Publishing again uploads nothing.
	results, err = Registries().Publish(context.Background(), src, targets[:1])
	if err != nil || !results[0].AlreadyPresent || results[0].BytesUploaded != 0 {
		t.Errorf("second Publish() = %+v, %v; want already present, nothing uploaded", results[0], err)
	}
}

// TestPublishFailedTargetMovesNoTag: one target refuses manifests, so no
// tag moves anywhere and the report names the failed target.
func TestPublishFailedTargetMovesNoTag(t *testing.T) {
	t.Parallel()
	good, bad := newTestRegistry(t), newTestRegistry(t)
	refuse := func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			return http.StatusForbidden
		}
		return 0
	}
	bad.fail.Store(&refuse)
	src := randomSource(t)
	targets := []Target{
		{Registry: "good", Repo: good.repo(t, "app"), Tags: []string{"v1"}},
		{Registry: "bad", Repo: bad.repo(t, "app"), Tags: []string{"v1"}},
	}
	results, err := Registries().Publish(context.Background(), src, targets)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Publish() = %v, want ErrIncomplete", err)
	}
	if got := tagDigest(t, targets[0].Repo, "v1"); got != "" {
		t.Errorf("good app:v1 = %s, want no tag while another target failed", got)
	}
	if results[0].Status != StatusNotTagged || results[1].Status != StatusFailed {
		t.Errorf("statuses = %s, %s; want %s, %s", results[0].Status, results[1].Status, StatusNotTagged, StatusFailed)
	}
	if want := "authentication failed: the credentials may not push here"; results[1].Error != want {
		t.Errorf("bad target error = %q, want %q", results[1].Error, want)
	}
	if !strings.Contains(err.Error(), bad.host+"/app failed") {
		t.Errorf("error %q does not name the failed target", err)
	}
}

// TestPublishIndex writes a multi-platform index by digest, children
// included.
func TestPublishIndex(t *testing.T) {
	t.Parallel()
	reg := newTestRegistry(t)
	idx, err := random.Index(512, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	src := &Source{Ref: "index", Digest: d, Index: idx}
	repo := reg.repo(t, "multi")
	if _, err := Registries().Publish(context.Background(), src, []Target{{Repo: repo, Tags: []string{"v1"}}}); err != nil {
		t.Fatalf("Publish(index) = %v", err)
	}
	got, err := remote.Index(repo.Tag("v1"))
	if err != nil {
		t.Fatal(err)
	}
	im, _ := got.IndexManifest()
	for _, m := range im.Manifests {
		if _, err := remote.Head(repo.Digest(m.Digest.String())); err != nil {
			t.Errorf("child %s missing: %v", m.Digest, err)
		}
	}
	if gd, _ := got.Digest(); gd != d {
		t.Errorf("index digest = %s, want %s", gd, d)
	}
}
