package build

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// assembleIndex writes, to the local store, the index of the
// single-platform images children (built on native nodes, already in the
// store) with req's annotations, and returns it as the build's result.
func assembleIndex(ctx context.Context, req Request, children []*Result) (*Result, error) {
	st, err := openStore(req.LocalStore)
	if err != nil {
		return nil, err
	}
	lp, err := layout.FromPath(req.LocalStore)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", req.LocalStore, err)
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	var took time.Duration
	for _, c := range children {
		h, err := v1.NewHash(c.Digest)
		if err != nil {
			return nil, fmt.Errorf("a platform's build returned no digest: %w", err)
		}
		img, err := lp.Image(h)
		if err != nil {
			return nil, fmt.Errorf("local store: %s: %w", c.Digest, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		p := cf.Platform()
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
		took = max(took, c.Duration)
	}
	idx = mutate.AppendManifests(idx, adds...)
	if len(req.Annotations) > 0 {
		idx = mutate.Annotations(idx, req.Annotations).(v1.ImageIndex)
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	if err := lp.WriteBlob(d, io.NopCloser(bytes.NewReader(raw))); err != nil {
		return nil, fmt.Errorf("local store: writing the index: %w", err)
	}
	name := ""
	if len(req.Names) > 0 {
		name = req.Names[0]
	}
	desc := ocispecs.Descriptor{MediaType: ocispecs.MediaTypeImageIndex, Digest: ocispecDigest(d), Size: int64(len(raw))}
	if err := st.recordDesc(ctx, desc, name); err != nil {
		return nil, err
	}
	return &Result{Digest: d.String(), Duration: took}, nil
}

func ocispecDigest(h v1.Hash) digest.Digest { return digest.Digest(h.String()) }
