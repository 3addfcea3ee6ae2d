package images

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// ErrNotFound is returned when no registry holds the image.
var ErrNotFound = errors.New("image not found")

// Inspect finds one image in every configured registry, with at most
// concurrency requests in flight (registries.DefaultConcurrency when 0).
// ref is a digest (sha256:...), a full reference in one of the registries,
// or an image name with a tag or digest, looked up under every
// integration's prefix.
func Inspect(ctx context.Context, acct *registries.Account, ref string, concurrency int) (*Image, []string, error) {
	cfg := acct.Config
	regs, err := selectRegistries(cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	s := newSession(acct, concurrency)
	imageName, digest, err := s.resolve(ctx, regs, ref)
	if err != nil {
		return nil, nil, err
	}
	found, warns := s.eachRegistry(ctx, regs, func(r *registries.Integration) ([]*found, error) {
		return s.findIn(ctx, r, imageName, digest)
	})
	images := group(found)
	if len(images) == 0 {
		return nil, warns, fmt.Errorf("%w: %s is in none of the registries %s", ErrNotFound, ref, strings.Join(cfg.Names(), ", "))
	}
	im := images[0]
	for _, other := range images[1:] { // the same digest under other image names
		im.Locations = append(im.Locations, other.Locations...)
	}
	return im, warns, nil
}

// resolve turns ref into an image name (empty when unknown) and a digest.
func (s *session) resolve(ctx context.Context, regs []*registries.Integration, ref string) (string, string, error) {
	if strings.HasPrefix(ref, "sha256:") {
		if len(ref) != len("sha256:")+64 {
			return "", "", errs.Input("%s: not a sha256 digest", ref)
		}
		return "", ref, nil
	}
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return "", "", errs.Input("%s: not an image reference: %w", ref, err)
	}
	for _, r := range regs {
		if parsed.Context().RegistryStr() == r.Domain && strings.Contains(ref, "/") && strings.HasPrefix(ref, r.Domain+"/") {
			d, err := s.head(ctx, r, parsed.Context(), parsed.Identifier())
			if err != nil {
				return "", "", registries.Explain(r, err)
			}
			return r.ImageName(parsed.Context().RepositoryStr()), d, nil
		}
	}
	// An image name: try it under every integration's prefix.
	image, id := ref, "latest"
	if i := strings.LastIndex(ref, "@"); i > 0 {
		image, id = ref[:i], ref[i+1:]
	} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		image, id = ref[:i], ref[i+1:]
	}
	for _, r := range regs {
		repo, err := r.Repository(image)
		if err != nil {
			continue
		}
		if d, err := s.head(ctx, r, repo, id); err == nil {
			return image, d, nil
		}
	}
	return "", "", fmt.Errorf("%w: %s is in none of the registries", ErrNotFound, ref)
}

func (s *session) head(ctx context.Context, r *registries.Integration, repo name.Repository, id string) (string, error) {
	p, err := s.puller(ctx, r)
	if err != nil {
		return "", err
	}
	var ref name.Reference = repo.Tag(id)
	if strings.HasPrefix(id, "sha256:") {
		ref = repo.Digest(id)
	}
	var desc *v1.Descriptor
	err = s.do(ctx, func() (err error) {
		desc, err = p.Head(ctx, ref)
		return err
	})
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}

// findIn returns where r holds digest, with the tags that point at it.
func (s *session) findIn(ctx context.Context, r *registries.Integration, imageName, digest string) ([]*found, error) {
	p, err := s.puller(ctx, r)
	if err != nil {
		return nil, err
	}
	var repos []string
	if imageName != "" {
		repos = []string{imageName}
	}
	repoList, err := s.repositories(ctx, p, r, repos, nil)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var out []*found
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(s.limit())
	for _, repo := range repoList {
		eg.Go(func() error {
			if err := s.do(ectx, func() error {
				_, err := p.Head(ectx, repo.Digest(digest))
				return err
			}); err != nil {
				var terr *transport.Error
				if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
					return nil // not here
				}
				return err
			}
			all, err := s.listRepo(ectx, p, r, repo)
			if err != nil {
				return err
			}
			var f *found
			for _, candidate := range all {
				if candidate.digest == digest {
					f = candidate
				}
			}
			if f == nil { // held by digest only, with no tag
				det, err := s.detailsOf(ectx, p, repo, digest)
				if err != nil {
					return err
				}
				f = &found{reg: r, repo: repo, digest: digest, details: det}
				f.metadata, f.metadataSet = metadataOf(ectx, p, repo, digest)
			}
			mu.Lock()
			out = append(out, f)
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return out, registries.Explain(r, err)
	}
	return out, nil
}
