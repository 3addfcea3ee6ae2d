package distribute

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// OpenRemote reads the image or index that ref names in its registry.
func OpenRemote(ctx context.Context, ref name.Reference, opts ...remote.Option) (*Source, error) {
	opts = append([]remote.Option{remote.WithContext(ctx), remote.WithRetryBackoff(Backoff)}, opts...)
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	src := &Source{Ref: ref.String(), Digest: desc.Digest}
	if desc.MediaType.IsIndex() {
		src.Index, err = desc.ImageIndex()
	} else {
		src.Image, err = desc.Image()
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	src.Referrers, src.ReferrersErr = openReferrers(ref.Context().Digest(desc.Digest.String()), opts)
	return src, nil
}

// openReferrers reads the artifacts that refer to d, through the
// referrers API or its sha256-<hex> tag fallback.
func openReferrers(d name.Digest, opts []remote.Option) ([]*Source, error) {
	idx, err := remote.Referrers(d, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading the referrers of %s: %w", d, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading the referrers of %s: %w", d, err)
	}
	var out []*Source
	for _, desc := range im.Manifests {
		ref := d.Context().Digest(desc.Digest.String())
		r, err := remote.Get(ref, opts...)
		if err != nil {
			return out, fmt.Errorf("reading %s: %w", ref, err)
		}
		src := &Source{Ref: ref.String(), Digest: desc.Digest}
		if r.MediaType.IsIndex() {
			src.Index, err = r.ImageIndex()
		} else {
			src.Image, err = r.Image()
		}
		if err != nil {
			return out, fmt.Errorf("reading %s: %w", ref, err)
		}
		out = append(out, src)
	}
	return out, nil
}

// OpenLayout reads the image or index with digest from the OCI layout
// folder dir (hoist's local store).
func OpenLayout(dir string, digest v1.Hash) (*Source, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	src := &Source{Ref: "local store " + dir + "@" + digest.String(), Digest: digest}
	for _, d := range im.Manifests {
		if d.Digest != digest {
			continue
		}
		if d.MediaType.IsIndex() {
			src.Index, err = idx.ImageIndex(digest)
		} else {
			src.Image, err = idx.Image(digest)
		}
		if err != nil {
			return nil, fmt.Errorf("local store %s: %w", dir, err)
		}
		return src, nil
	}
	return nil, fmt.Errorf("local store %s does not hold %s", dir, digest)
}

// Descriptor returns the source's descriptor: media type, size, digest.
func (s *Source) Descriptor() (v1.Descriptor, error) {
	if s.Index != nil {
		return descriptorOf(s.Index)
	}
	return descriptorOf(s.Image)
}

func descriptorOf(w partial.WithRawManifest) (v1.Descriptor, error) {
	raw, err := w.RawManifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := w.(interface {
		MediaType() (types.MediaType, error)
	}).MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	d, n, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Size: n, Digest: d}, nil
}
