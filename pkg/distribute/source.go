package distribute

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
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
	return src, nil
}
