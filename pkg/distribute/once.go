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
// it: the first reader saves it to a temp folder, every reader then reads
// that file. Blobs no target needs are never read.
type readOnce struct {
	dir string
	mu  sync.Mutex
	by  map[v1.Hash]*onceBlob
}

type onceBlob struct {
	once sync.Once
	path string
	err  error
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

// Compressed reads the blob from the saved file, saving it first.
func (l *onceLayer) Compressed() (io.ReadCloser, error) {
	h, err := l.Digest()
	if err != nil {
		return l.Layer.Compressed()
	}
	l.r.mu.Lock()
	b := l.r.by[h]
	if b == nil {
		b = &onceBlob{path: filepath.Join(l.r.dir, h.Hex)}
		l.r.by[h] = b
	}
	l.r.mu.Unlock()
	b.once.Do(func() { b.err = save(l.Layer, b.path) })
	if b.err != nil {
		// Let the next reader try again (the copy retries transient errors).
		l.r.mu.Lock()
		if l.r.by[h] == b {
			delete(l.r.by, h)
		}
		l.r.mu.Unlock()
		return nil, b.err
	}
	return os.Open(b.path)
}

func save(l v1.Layer, path string) error {
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("reading source blob: %w", err)
	}
	return f.Close()
}

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
