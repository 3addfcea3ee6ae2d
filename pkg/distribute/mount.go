package distribute

import (
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// mountImage makes every layer of img mountable from repo, a repository of
// the target's registry that already holds them, so the registry copies
// them itself instead of the blobs being uploaded again.
type mountImage struct {
	v1.Image
	from name.Repository
}

func (m mountImage) Layers() ([]v1.Layer, error) {
	ls, err := m.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = m.mountable(l)
	}
	return out, nil
}

func (m mountImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := m.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return m.mountable(l), nil
}

// ConfigLayer makes the config blob mountable too.
func (m mountImage) ConfigLayer() (v1.Layer, error) {
	cl, err := partial.ConfigLayer(m.Image)
	if err != nil {
		return nil, err
	}
	return m.mountable(cl), nil
}

func (m mountImage) mountable(l v1.Layer) v1.Layer {
	d, err := l.Digest()
	if err != nil {
		return l
	}
	return &remote.MountableLayer{Layer: l, Reference: m.from.Digest(d.String())}
}

// mountIndex does for an index's images what mountImage does for one.
type mountIndex struct {
	index
	from name.Repository
}

// index is v1.ImageIndex under a name that does not clash with its method.
type index = v1.ImageIndex

func (m mountIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := m.index.Image(h)
	if err != nil {
		return nil, err
	}
	return mountImage{img, m.from}, nil
}

func (m mountIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	ii, err := m.index.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return mountIndex{ii, m.from}, nil
}
