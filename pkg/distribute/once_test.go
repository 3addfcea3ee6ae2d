package distribute

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// readsImage is an image whose layers count how often their bytes are
// read, and may fail the first read of one layer part-way.
type readsImage struct {
	v1.Image
	mu    sync.Mutex
	reads map[v1.Hash]int
	// failFirst, when set, fails the first read of that layer after 100
	// bytes, as a connection reset does.
	failFirst v1.Hash
	// hold, when set, holds every layer's read after 256 KiB until it
	// closes.
	hold chan struct{}
}

func (m *readsImage) Layers() ([]v1.Layer, error) {
	ls, err := m.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = &readsLayer{Layer: l, m: m}
	}
	return out, nil
}

func (m *readsImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := m.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return &readsLayer{Layer: l, m: m}, nil
}

type readsLayer struct {
	v1.Layer
	m *readsImage
}

func (l *readsLayer) Compressed() (io.ReadCloser, error) {
	d, _ := l.Digest()
	l.m.mu.Lock()
	l.m.reads[d]++
	n := l.m.reads[d]
	l.m.mu.Unlock()
	rc, err := l.Layer.Compressed()
	if err != nil {
		return rc, err
	}
	if l.m.hold != nil {
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(io.LimitReader(rc, 256<<10), waitReader{l.m.hold}, rc), rc}, nil
	}
	if d != l.m.failFirst || n > 1 {
		return rc, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(rc, 100), failReader{}), rc}, nil
}

// waitReader reads nothing, once hold closed.
type waitReader struct{ hold chan struct{} }

func (w waitReader) Read([]byte) (int, error) {
	<-w.hold
	return 0, io.EOF
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestCopyReadsEachBlobOnce: an image copied to three registries reads
// each source layer once, and every target gets the image; when the
// source fails part-way through a layer, every target's upload of it
// fails, and their retries read it once more.
func TestCopyReadsEachBlobOnce(t *testing.T) {
	shortBackoff(t)
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			img, err := random.Image(1<<20, 3)
			if err != nil {
				t.Fatal(err)
			}
			m := &readsImage{Image: img, reads: map[v1.Hash]int{}}
			ls, _ := img.Layers()
			want := map[v1.Hash]int{}
			for _, l := range ls {
				d, _ := l.Digest()
				want[d] = 1
			}
			if fail {
				m.failFirst, _ = ls[1].Digest()
				want[m.failFirst] = 2
			}
			d, _ := img.Digest()
			src := &Source{Ref: "random", Digest: d, Image: m}
			var targets []Target
			for i := 0; i < 3; i++ {
				targets = append(targets, Target{Registry: fmt.Sprint(i), Repo: newTestRegistry(t).repo(t, "once/app"), Tags: []string{"v1"}})
			}
			if _, err := Copy(context.Background(), src, targets); err != nil {
				t.Fatalf("Copy() = %v", err)
			}
			for _, tg := range targets {
				if got := tagDigest(t, tg.Repo, "v1"); got != d.String() {
					t.Errorf("%s:v1 = %q, want %s", tg.Repo, got, d)
				}
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			if diff := cmp.Diff(want, m.reads); diff != "" {
				t.Errorf("reads of each source layer (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCopyStreamsSourceBlobs: the targets upload a source blob's bytes as
// they come, not once the whole blob was read: with the source holding
// every layer after 256 KiB, each of three targets has sent that much
// before the source goes on.
func TestCopyStreamsSourceBlobs(t *testing.T) {
	img, err := random.Image(1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	m := &readsImage{Image: img, reads: map[v1.Hash]int{}, hold: make(chan struct{})}
	d, _ := img.Digest()
	src := &Source{Ref: "random", Digest: d, Image: m}
	var mu sync.Mutex
	sent := make([]int64, 3)
	var released sync.Once
	streamed := make(chan struct{})
	var held []int64 // what the targets had sent when the wait ran out
	var targets []Target
	for i := 0; i < 3; i++ {
		targets = append(targets, Target{Registry: fmt.Sprint(i), Repo: newTestRegistry(t).repo(t, "stream/app"), Tags: []string{"v1"},
			Watch: func(n int64) {
				mu.Lock()
				defer mu.Unlock()
				sent[i] = n
				if min(sent[0], sent[1], sent[2]) >= 256<<10 {
					released.Do(func() { close(streamed); close(m.hold) })
				}
			}})
	}
	go func() {
		select {
		case <-streamed:
		case <-time.After(10 * time.Second):
			mu.Lock()
			held = append(held, sent...)
			mu.Unlock()
			released.Do(func() { close(m.hold) })
		}
	}()
	if _, err := Copy(context.Background(), src, targets); err != nil {
		t.Fatalf("Copy() = %v", err)
	}
	select {
	case <-streamed:
	default:
		t.Errorf("the targets sent %v bytes in 10 s while the source held each layer after 256 KiB; want 256 KiB each", held)
	}
}
