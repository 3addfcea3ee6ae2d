package build

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// testStore is an OCI layout as go-containerregistry writes it: images
// appended in order (oldest first), each named by the ref name annotation.
type testStore struct {
	t      *testing.T
	dir    string
	path   layout.Path
	images []any // v1.Image or v1.ImageIndex, in index.json order
}

func newTestStore(t *testing.T) *testStore {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	return &testStore{t: t, dir: dir, path: p}
}

// image appends an image of two random layers on top of base's layers.
func (s *testStore) image(name string, base v1.Image) v1.Image {
	s.t.Helper()
	img, err := random.Image(256, 2)
	if err != nil {
		s.t.Fatal(err)
	}
	if base != nil {
		layers, err := img.Layers()
		if err != nil {
			s.t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(base, layers...); err != nil {
			s.t.Fatal(err)
		}
	}
	if err := s.path.AppendImage(img, layout.WithAnnotations(map[string]string{ocispecs.AnnotationRefName: name})); err != nil {
		s.t.Fatal(err)
	}
	s.images = append(s.images, img)
	return img
}

// index appends a multi-platform index of three random images.
func (s *testStore) index(name string) v1.ImageIndex {
	s.t.Helper()
	idx, err := random.Index(256, 1, 3)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.path.AppendIndex(idx, layout.WithAnnotations(map[string]string{ocispecs.AnnotationRefName: name})); err != nil {
		s.t.Fatal(err)
	}
	s.images = append(s.images, idx)
	return idx
}

// orphan writes a blob that no image reaches.
func (s *testStore) orphan() {
	s.t.Helper()
	data := []byte("a blob that no image reaches")
	h, _, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.path.WriteBlob(h, io.NopCloser(bytes.NewReader(data))); err != nil {
		s.t.Fatal(err)
	}
}

// blobs lists the store's blob digests.
func (s *testStore) blobs() []string {
	s.t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.dir, "blobs", "sha256"))
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, "sha256:"+e.Name())
	}
	return out
}

// names lists the ref names in index.json, in order.
func (s *testStore) names() []string {
	s.t.Helper()
	idx, err := readIndex(s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	out := []string{}
	for _, d := range idx.Manifests {
		out = append(out, d.Annotations[ocispecs.AnnotationRefName])
	}
	return out
}

// reachable lists every blob digest of the given images: manifests,
// configs, layers, children.
func reachable(t *testing.T, images ...any) []string {
	t.Helper()
	set := map[string]bool{}
	var add func(any)
	add = func(x any) {
		switch x := x.(type) {
		case v1.Image:
			d, _ := x.Digest()
			cd, _ := x.ConfigName()
			set[d.String()], set[cd.String()] = true, true
			layers, _ := x.Layers()
			for _, l := range layers {
				ld, _ := l.Digest()
				set[ld.String()] = true
			}
		case v1.ImageIndex:
			d, _ := x.Digest()
			set[d.String()] = true
			m, err := x.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range m.Manifests {
				img, err := x.Image(c.Digest)
				if err != nil {
					t.Fatal(err)
				}
				add(img)
			}
		}
	}
	for _, x := range images {
		add(x)
	}
	var out []string
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// TestPruneStore: pruning keeps the newest images whole (a layer they
// share with a removed image too), and removes the older images, every
// blob nothing kept reaches, abandoned uploads and the blobs' lock files.
func TestPruneStore(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	base := s.image("old-base", nil)
	s.index("old-multi")
	s.image("old-app", base)
	kept := []any{s.image("new-app", base), s.index("new-multi"), s.image("new-other", nil)}
	s.orphan()
	for _, f := range []string{"ingest/0123/data", "locks/sha256_0123.lock", "locks/index.lock"} {
		os.MkdirAll(filepath.Join(s.dir, filepath.Dir(f)), 0o755)
		if err := os.WriteFile(filepath.Join(s.dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := len(s.blobs())
	want := reachable(t, kept...)

	res, err := PruneStore(t.Context(), s.dir, PruneOptions{Keep: 3})
	if err != nil {
		t.Fatalf("PruneStore() error = %v", err)
	}
	if diff := cmp.Diff([]string{"new-app", "new-multi", "new-other"}, s.names()); diff != "" {
		t.Errorf("index.json names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, s.blobs()); diff != "" {
		t.Errorf("blobs left (-want +got):\n%s", diff)
	}
	if wantRes := (PruneResult{Images: 3, Kept: 3, Blobs: before - len(want)}); res.Images != wantRes.Images || res.Kept != wantRes.Kept || res.Blobs != wantRes.Blobs || res.Bytes <= 0 {
		t.Errorf("PruneStore() = %+v, want %+v and bytes", *res, wantRes)
	}
	// What is left reads whole, as hoist's publish path reads it.
	p, err := layout.FromPath(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("the pruned store does not validate: %v", err)
	}
	for _, gone := range []string{"ingest/0123", "locks/sha256_0123.lock"} {
		if _, err := os.Stat(filepath.Join(s.dir, gone)); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dir, "locks", "index.lock")); err != nil {
		t.Errorf("the index lock is gone: %v", err)
	}

	// Nothing more to do: a second prune removes nothing.
	res, err = PruneStore(t.Context(), s.dir, PruneOptions{Keep: 3})
	if err != nil || res.Images != 0 || res.Blobs != 0 {
		t.Errorf("second PruneStore() = %+v, %v; want nothing removed", res, err)
	}
	// Keep 0 (hoist store prune --all) empties the store.
	if _, err := PruneStore(t.Context(), s.dir, PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if names, blobs := s.names(), s.blobs(); len(names) != 0 || len(blobs) != 0 {
		t.Errorf("after keep 0: images %v, blobs %v; want none", names, blobs)
	}
}

// TestPruneStoreBusy: while a run holds the store, PruneStore deletes
// nothing: it gives up at once, or waits (until ctx ends) for the hold to
// go.
func TestPruneStoreBusy(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	s.image("one", nil)
	s.image("two", nil)
	release, err := HoldStore(t.Context(), s.dir)
	if err != nil {
		t.Fatal(err)
	}
	// Two holds at once are fine.
	release2, err := HoldStore(t.Context(), s.dir)
	if err != nil {
		t.Fatal(err)
	}
	release2()
	if _, err := PruneStore(t.Context(), s.dir, PruneOptions{Keep: 1}); !errors.Is(err, ErrStoreBusy) {
		t.Errorf("PruneStore() while held = %v, want ErrStoreBusy", err)
	}
	if res, err := AutoPrune(t.Context(), s.dir, 1); res != nil || err != nil {
		t.Errorf("AutoPrune() while held = %v, %v; want nothing done", res, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := PruneStore(ctx, s.dir, PruneOptions{Keep: 1, Wait: true}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("PruneStore(Wait) while held until ctx ends = %v, want the deadline", err)
	}
	if got := len(s.names()); got != 2 {
		t.Fatalf("the store holds %d images after the refused prunes, want 2", got)
	}
	waiting := make(chan struct{})
	go func() {
		<-waiting
		time.Sleep(50 * time.Millisecond)
		release()
	}()
	res, err := PruneStore(t.Context(), s.dir, PruneOptions{Keep: 1, Wait: true, Waiting: func() { close(waiting) }})
	if err != nil || res.Images != 1 {
		t.Errorf("PruneStore(Wait) = %+v, %v; want one image removed once the hold went", res, err)
	}
}

// TestAutoPrune: a store within its limit is left alone, orphan blobs
// too; over it, it is pruned to the limit.
func TestAutoPrune(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	for _, n := range []string{"a", "b", "c"} {
		s.image(n, nil)
	}
	s.orphan()
	blobs := len(s.blobs())
	if res, err := AutoPrune(t.Context(), s.dir, 3); res != nil || err != nil || len(s.blobs()) != blobs {
		t.Errorf("AutoPrune(keep 3) of 3 images = %v, %v; want nothing done", res, err)
	}
	res, err := AutoPrune(t.Context(), s.dir, 2)
	if err != nil || res == nil || res.Images != 1 {
		t.Fatalf("AutoPrune(keep 2) of 3 images = %+v, %v; want one removed", res, err)
	}
	if diff := cmp.Diff([]string{"b", "c"}, s.names()); diff != "" {
		t.Errorf("index.json names (-want +got):\n%s", diff)
	}
	if res, err := AutoPrune(t.Context(), filepath.Join(s.dir, "missing"), 2); res != nil || err != nil {
		t.Errorf("AutoPrune() of no store = %v, %v", res, err)
	}
}

// TestRecordMovesToEnd: an image built again becomes the newest in
// index.json, so that pruning keeps it.
func TestRecordMovesToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	resp := func(hex string) map[string]string {
		desc := ocispecs.Descriptor{MediaType: ocispecs.MediaTypeImageManifest, Digest: digest.Digest("sha256:" + hex), Size: 1}
		data, _ := json.Marshal(desc)
		return map[string]string{exptypes.ExporterImageDescriptorKey: base64.StdEncoding.EncodeToString(data)}
	}
	a := resp("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	b := resp("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	for _, r := range []struct {
		resp map[string]string
		name string
	}{{a, "app:a"}, {b, "app:b"}, {a, "app:a"}, {a, "app:other"}} {
		if err := st.record(t.Context(), r.resp, r.name); err != nil {
			t.Fatal(err)
		}
	}
	s := &testStore{t: t, dir: dir}
	if diff := cmp.Diff([]string{"app:b", "app:a", "app:other"}, s.names()); diff != "" {
		t.Errorf("index.json names (-want +got):\n%s", diff)
	}
}
