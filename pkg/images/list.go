package images

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// Options select what List shows.
type Options struct {
	// Repos are image names (without domain or prefix) to list; empty
	// lists every repository the registries' catalogs show.
	Repos []string
	// Images are more image names to look for in every registry when Repos
	// is empty: those the pipelines given build or push.
	Images []string
	// Registries are integration names; empty means all.
	Registries []string
	// Digest, when set, keeps only the image with this digest.
	Digest string
	// Filters keep the images whose metadata, else annotations or labels,
	// hold every key=value.
	Filters map[string]string
	// Concurrency bounds the registry requests in flight at once, across
	// all registries; registries.DefaultConcurrency when 0.
	Concurrency int
	// session, when set, keeps what is learnt of each digest from one
	// listing to the next (the server's cache).
	session *session
}

// pageSize is how many tags or repositories one list request asks for;
// registries send the rest as further pages (Link headers).
const pageSize = 100

// Listing is the result of List.
type Listing struct {
	Images []*Image
	// Warnings are one line per registry that could not be listed.
	Warnings []string
}

// ErrAllFailed is returned when no registry could be listed.
var ErrAllFailed = errors.New("no registry could be listed")

// List lists images across the selected registries, concurrently. One
// registry's failure is a warning; all failing is an error.
func List(ctx context.Context, acct *registries.Account, opts Options) (*Listing, error) {
	regs, err := selectRegistries(acct.Config, opts.Registries)
	if err != nil {
		return nil, err
	}
	s := opts.session
	if s == nil {
		s = newSession(acct, opts.Concurrency)
	}
	found, warnings := s.eachRegistry(ctx, regs, func(r *registries.Integration) ([]*found, error) {
		return s.listRegistry(ctx, r, opts)
	})
	l := &Listing{Warnings: warnings}
	if len(warnings) == len(regs) {
		return l, fmt.Errorf("%w: %s", ErrAllFailed, strings.Join(l.Warnings, "; "))
	}
	for _, im := range group(found) {
		if (opts.Digest == "" || im.Digest == opts.Digest) && im.Matches(opts.Filters) {
			l.Images = append(l.Images, im)
		}
	}
	return l, nil
}

func selectRegistries(cfg *registries.Config, names []string) ([]*registries.Integration, error) {
	if cfg == nil || len(cfg.Registries) == 0 {
		return nil, errs.Input("no registries are configured: give --registries")
	}
	if len(names) == 0 {
		return cfg.Registries, nil
	}
	var out []*registries.Integration
	for _, n := range names {
		r, err := cfg.Lookup(n)
		if err != nil {
			return nil, errs.Input("--registry: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// found is one image digest in one repository of one registry.
type found struct {
	reg    *registries.Integration
	repo   name.Repository
	digest string
	tags   []string
	// metadata are the keys set after the build, in this repository, the
	// last of them at metadataSet.
	metadata    map[string]string
	metadataSet time.Time
	*details
}

// session holds what one command learns: pullers per registry and image
// details per digest, fetched once; and its bound on requests in flight.
type session struct {
	acct    *registries.Account
	mu      sync.Mutex
	details map[string]*detailsEntry
	slots   chan struct{}
	// probes learn which registries have the referrers API.
	probes map[string]*apiProbe
}

func (s *session) puller(ctx context.Context, r *registries.Integration) (*remote.Puller, error) {
	c := s.acct.Client(r)
	opts, err := c.Options(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := c.Transport()
	if err != nil {
		return nil, err
	}
	return remote.NewPuller(append(opts, remote.WithPageSize(pageSize), remote.WithTransport(s.probe(r, tr)))...)
}

// probe returns r's referrers API probe, wrapping tr.
func (s *session) probe(r *registries.Integration, tr http.RoundTripper) *apiProbe {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.probes == nil {
		s.probes = map[string]*apiProbe{}
	}
	p := s.probes[r.Name]
	if p == nil {
		p = &apiProbe{next: tr}
		s.probes[r.Name] = p
	}
	return p
}

// listRegistry lists every image in the selected repositories of r.
func (s *session) listRegistry(ctx context.Context, r *registries.Integration, opts Options) ([]*found, error) {
	p, err := s.puller(ctx, r)
	if err != nil {
		return nil, err
	}
	repos, err := s.repositories(ctx, p, r, opts.Repos, opts.Images)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var out []*found
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(s.limit())
	for _, repo := range repos {
		eg.Go(func() error {
			f, err := s.listRepo(ectx, p, r, repo)
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, f...)
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, registries.Explain(r, err)
	}
	return out, nil
}

// listRepo lists the tags of repo and groups them by digest.
func (s *session) listRepo(ctx context.Context, p *remote.Puller, r *registries.Integration, repo name.Repository) ([]*found, error) {
	var tags []string
	err := s.do(ctx, func() (err error) {
		tags, err = p.List(ctx, repo)
		return err
	})
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, nil // a named REPO that this registry does not have
		}
		return nil, err
	}
	withMeta := fallbackDigests(tags)
	tags = slices.DeleteFunc(tags, fallbackTag.MatchString)
	digests := make([]string, len(tags))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(s.limit())
	for i, t := range tags {
		eg.Go(func() error {
			return s.do(ectx, func() error {
				desc, err := p.Head(ectx, repo.Tag(t))
				if err != nil {
					return err
				}
				digests[i] = desc.Digest.String()
				return nil
			})
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	byDigest := map[string]*found{}
	var out []*found
	for i, d := range digests {
		f := byDigest[d]
		if f == nil {
			det, err := s.detailsOf(ctx, p, repo, d)
			if err != nil {
				return nil, err
			}
			f = &found{reg: r, repo: repo, digest: d, details: det}
			byDigest[d] = f
			out = append(out, f)
		}
		f.tags = append(f.tags, tags[i])
	}
	eg, ectx = errgroup.WithContext(ctx)
	eg.SetLimit(s.limit())
	for _, f := range out {
		if !withMeta[f.digest] && !s.probe(r, nil).mayHave() {
			continue // no referrers API, and no fallback tag for it
		}
		eg.Go(func() error {
			return s.do(ectx, func() error {
				f.metadata, f.metadataSet = metadataOf(ectx, p, repo, f.digest)
				return nil
			})
		})
	}
	return out, eg.Wait()
}

// group joins what was found into images: one per image name and digest,
// with every registry and repository that holds it.
func group(found [][]*found) []*Image {
	byKey := map[string]*Image{}
	var out []*Image
	for _, perReg := range found {
		for _, f := range perReg {
			imageName := f.reg.ImageName(f.repo.RepositoryStr())
			key := imageName + "@" + f.digest
			im := byKey[key]
			if im == nil {
				im = &Image{Name: imageName, Digest: f.digest, MediaType: f.mediaType, Platforms: f.platforms,
					Created: f.created, Size: f.size, Labels: f.labels, Annotations: f.annotations}
				byKey[key] = im
				out = append(out, im)
			}
			sort.Strings(f.tags)
			im.Locations = append(im.Locations, Location{Registry: f.reg.Name, Repository: f.repo.Name(), Tags: f.tags, Metadata: f.metadata, MetadataSet: f.metadataSet})
			if f.metadata != nil {
				if im.Metadata == nil {
					im.Metadata = map[string]string{}
				}
				maps.Copy(im.Metadata, f.metadata)
			}
		}
	}
	for _, im := range out {
		sort.Slice(im.Locations, func(i, j int) bool { return im.Locations[i].Registry < im.Locations[j].Registry })
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].Digest < out[j].Digest
	})
	return out
}

func shortErr(err error) string {
	var terr *transport.Error
	if errors.As(err, &terr) {
		return fmt.Sprintf("HTTP %d", terr.StatusCode)
	}
	return err.Error()
}
