package images

import (
	"context"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/hoist-build/hoist/pkg/trace"
)

// details is what one digest's manifest and config say. The same digest is
// the same content in every registry, so it is fetched once per command.
type details struct {
	mediaType   string
	platforms   []string
	created     time.Time
	size        int64
	labels      map[string]string
	annotations map[string]string
}

type detailsEntry struct {
	once sync.Once
	d    *details
	err  error
}

func (s *session) detailsOf(ctx context.Context, p *remote.Puller, repo name.Repository, digest string) (*details, error) {
	s.mu.Lock()
	e := s.details[digest]
	if e == nil {
		e = &detailsEntry{}
		s.details[digest] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.d, e.err = s.fetchDetails(ctx, p, repo.Digest(digest)) })
	if e.err != nil {
		// One registry's failure must not fail another's: the next caller
		// fetches again from its own registry.
		s.mu.Lock()
		if s.details[digest] == e {
			delete(s.details, digest)
		}
		s.mu.Unlock()
		return s.fetchDetails(ctx, p, repo.Digest(digest))
	}
	return e.d, nil
}

// fetchDetails is fetchDetails in one of the session's slots.
func (s *session) fetchDetails(ctx context.Context, p *remote.Puller, ref name.Digest) (d *details, err error) {
	err = s.do(ctx, func() error {
		d, err = fetchDetails(ctx, p, ref)
		return err
	})
	return d, err
}

func fetchDetails(ctx context.Context, p *remote.Puller, ref name.Digest) (*details, error) {
	desc, err := p.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	d := &details{mediaType: string(desc.MediaType)}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		d.annotations = im.Annotations
		first := true
		for _, child := range im.Manifests {
			if child.Platform == nil || child.Platform.OS == "unknown" || !child.MediaType.IsImage() {
				continue // attestations and nested indexes
			}
			img, err := idx.Image(child.Digest)
			if err != nil {
				return nil, err
			}
			cd, err := imageDetails(img, first)
			if err != nil {
				return nil, err
			}
			d.platforms = append(d.platforms, child.Platform.String())
			d.size += cd.size
			if first {
				d.created, d.labels = cd.created, cd.labels
				if d.annotations == nil {
					d.annotations = cd.annotations
				}
				first = false
			}
		}
		return d, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	cd, err := imageDetails(img, true)
	if err != nil {
		return nil, err
	}
	cd.mediaType = d.mediaType
	return cd, nil
}

// imageDetails reads an image's size from its manifest and, with config,
// its platform, creation time and labels from its config.
func imageDetails(img v1.Image, config bool) (*details, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	d := &details{size: m.Config.Size, annotations: m.Annotations}
	for _, l := range m.Layers {
		d.size += l.Size
	}
	if !config {
		return d, nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	d.created, d.labels = cf.Created.Time, cf.Config.Labels
	// A cached build keeps the config's created time of its first build;
	// the OCI label hoist sets says when this image was built. Only on
	// hoist's images: others may carry their base image's label.
	if _, ours := d.labels[trace.BuildID]; ours {
		if t, err := time.Parse(time.RFC3339, d.labels[trace.Created]); err == nil {
			d.created = t
		}
	}
	pl := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	d.platforms = []string{pl.String()}
	return d, nil
}
