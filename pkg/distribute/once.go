package distribute

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// readEachBlobOnce returns src with its blobs read through a readOnce that
// saves them in dir.
func readEachBlobOnce(src *Source, dir string) *Source {
	r := &readOnce{dir: dir, by: map[v1.Hash]*onceBlob{}}
	once := *src
	if src.Index != nil {
		once.Index = onceIndex{src.Index, r}
	} else {
		once.Image = onceImage{src.Image, r}
	}
	return &once
}

// readOnce makes each source blob be read once, however many targets need
// it: the first reader starts a copy of it to a file in a temp folder, and
// every reader, the first included, reads that file as the copy writes it,
// so no target waits for the whole blob before it starts uploading. Blobs
// no target needs are never read.
type readOnce struct {
	dir string
	mu  sync.Mutex
	by  map[v1.Hash]*onceBlob
}

// onceBlob is one source blob being copied to path.
type onceBlob struct {
	path string
	once sync.Once

	mu   sync.Mutex
	more *sync.Cond
	// written bytes are in the file; done when the copy ended, with err
	// when it failed.
	written int64
	done    bool
	err     error
}

// layer wraps l; a layer ggcr may mount from the source repository stays
// mountable.
func (r *readOnce) layer(l v1.Layer) v1.Layer {
	if ml, ok := l.(*remote.MountableLayer); ok {
		return &remote.MountableLayer{Layer: &onceLayer{Layer: ml.Layer, r: r}, Reference: ml.Reference}
	}
	return &onceLayer{Layer: l, r: r}
}

type onceLayer struct {
	v1.Layer
	r *readOnce
}

// Compressed reads the blob from the file its copy writes, starting the
// copy when no reader did yet.
func (l *onceLayer) Compressed() (io.ReadCloser, error) {
	h, err := l.Digest()
	if err != nil {
		return l.Layer.Compressed()
	}
	l.r.mu.Lock()
	b := l.r.by[h]
	if b == nil {
		b = &onceBlob{path: filepath.Join(l.r.dir, h.Hex)}
		b.more = sync.NewCond(&b.mu)
		l.r.by[h] = b
	}
	l.r.mu.Unlock()
	b.once.Do(func() {
		f, err := os.Create(b.path)
		if err != nil {
			b.end(err)
			return
		}
		go b.copy(l.Layer, f, func() { l.r.forget(h, b) })
	})
	f, err := os.Open(b.path)
	if err != nil {
		l.r.forget(h, b)
		return nil, err
	}
	return &follower{b: b, f: f}, nil
}

// forget drops b, whose copy failed, so that the next reader (the copy
// retries transient errors) reads the source again.
func (r *readOnce) forget(h v1.Hash, b *onceBlob) {
	r.mu.Lock()
	if r.by[h] == b {
		delete(r.by, h)
	}
	r.mu.Unlock()
}

// copy reads l's blob into f, telling readers of every write; failed is
// called when it fails.
func (b *onceBlob) copy(l v1.Layer, f *os.File, failed func()) {
	rc, err := l.Compressed()
	if err == nil {
		_, err = io.Copy(&noteWriter{f: f, b: b}, rc)
		rc.Close()
		if err != nil {
			err = fmt.Errorf("reading source blob: %w", err)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		failed()
	}
	b.end(err)
}

// end marks the copy ended, failed when err is set.
func (b *onceBlob) end(err error) {
	b.mu.Lock()
	b.done, b.err = true, err
	b.mu.Unlock()
	b.more.Broadcast()
}

// noteWriter writes to the blob's file and tells the readers.
type noteWriter struct {
	f *os.File
	b *onceBlob
}

func (w *noteWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.b.mu.Lock()
	w.b.written += int64(n)
	w.b.mu.Unlock()
	w.b.more.Broadcast()
	return n, err
}

// follower reads a blob's file up to what its copy wrote, waiting for
// more until the copy ended; a failed copy fails the read.
type follower struct {
	b   *onceBlob
	f   *os.File
	off int64
}

func (r *follower) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := r.b
	b.mu.Lock()
	for b.written == r.off && !b.done {
		b.more.Wait()
	}
	avail, err := b.written-r.off, b.err
	b.mu.Unlock()
	switch {
	case err != nil:
		return 0, err
	case avail == 0:
		return 0, io.EOF
	}
	n, rerr := r.f.ReadAt(p[:min(int64(len(p)), avail)], r.off)
	r.off += int64(n)
	if rerr == io.EOF && n > 0 {
		rerr = nil
	}
	return n, rerr
}

func (r *follower) Close() error { return r.f.Close() }

type onceImage struct {
	v1.Image
	r *readOnce
}

func (m onceImage) Layers() ([]v1.Layer, error) {
	ls, err := m.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = m.r.layer(l)
	}
	return out, nil
}

func (m onceImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := m.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return m.r.layer(l), nil
}

type onceIndex struct {
	index
	r *readOnce
}

func (m onceIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := m.index.Image(h)
	if err != nil {
		return nil, err
	}
	return onceImage{img, m.r}, nil
}

func (m onceIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	ii, err := m.index.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return onceIndex{ii, m.r}, nil
}
