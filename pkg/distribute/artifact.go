package distribute

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/pkg/trace"
)

// emptyJSON is the config of an artifact. Its media type is the
// artifact type too, so registries that derive a referrer's type from the
// config (older ones, ggcr's in-process one) report the same type.
var emptyJSON = []byte("{}")

// MetadataArtifact returns an OCI 1.1 artifact that refers to subject:
// artifactType trace.MetadataArtifactType, a {} config, one JSON
// layer with the keys, and the keys as annotations, with
// org.opencontainers.image.created set to at.
func MetadataArtifact(subject v1.Descriptor, kv map[string]string, at time.Time) (v1.Image, error) {
	ann := maps.Clone(kv)
	if ann == nil {
		ann = map[string]string{}
	}
	ann[trace.Created] = at.UTC().Format(time.RFC3339Nano)
	data, err := json.Marshal(kv)
	if err != nil {
		return nil, err
	}
	layer := static.NewLayer(data, types.MediaType(trace.MetadataArtifactType))
	ld, err := partial.Descriptor(layer)
	if err != nil {
		return nil, err
	}
	cd, _, err := v1.SHA256(bytesReader(emptyJSON))
	if err != nil {
		return nil, err
	}
	sub := v1.Descriptor{MediaType: subject.MediaType, Size: subject.Size, Digest: subject.Digest}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  trace.MetadataArtifactType,
		Config:        v1.Descriptor{MediaType: types.MediaType(trace.MetadataArtifactType), Size: int64(len(emptyJSON)), Digest: cd},
		Layers:        []v1.Descriptor{{MediaType: ld.MediaType, Size: ld.Size, Digest: ld.Digest}},
		Annotations:   ann,
		Subject:       &sub,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&artifact{manifest: raw, layer: layer})
}

// artifact is an image with a {} config and one layer.
type artifact struct {
	manifest []byte
	layer    v1.Layer
}

func (a *artifact) RawManifest() ([]byte, error)        { return a.manifest, nil }
func (a *artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *artifact) RawConfigFile() ([]byte, error)      { return emptyJSON, nil }

func (a *artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

// Annotate writes a metadata artifact for the image subject to every
// target (repositories that hold the image) through pub, by digest: the
// image and its tags stay as they are. Registries without the referrers
// API get the artifact listed in the sha256-<hex> fallback tag.
func Annotate(ctx context.Context, pub Publisher, subject v1.Descriptor, kv map[string]string, targets []Target) ([]*Result, error) {
	img, err := MetadataArtifact(subject, kv, time.Now())
	if err != nil {
		return nil, err
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	for i := range targets {
		targets[i].Tags = nil
	}
	src := &Source{Ref: "metadata of " + subject.Digest.String(), Digest: d, Image: img}
	return pub.Publish(ctx, src, targets)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
