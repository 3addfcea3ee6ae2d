package images

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/hoist-build/hoist/pkg/registries"
)

// repositories returns the repositories to list in r: the named ones when
// repos is set; otherwise every one hoist can learn of: the registry's
// _catalog, the provider's listing API (ECR's DescribeRepositories), the
// integration's repositories:
// and the images the pipelines given build or push (known).
func (s *session) repositories(ctx context.Context, p *remote.Puller, r *registries.Integration, repos, known []string) ([]name.Repository, error) {
	if len(repos) > 0 {
		return s.named(r, repos)
	}
	images := append(append([]string(nil), r.Repositories...), known...)
	var paths []string
	var catErr error
	if r.Provider == "ecr" && r.API == "" {
		// ECR serves no _catalog: its DescribeRepositories lists the
		// repositories (the paths, prefix included).
		var names []string
		err := s.do(ctx, func() (err error) {
			names, err = s.acct.Client(r).ECRRepositories(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("registry %s: listing repositories: %w", r, err)
		}
		paths = names
	} else if api := r.ListingAPI(); api != "" {
		names, err := s.providerRepositories(ctx, r, api)
		if err != nil {
			return nil, fmt.Errorf("registry %s: listing repositories at %s: %w", r, api, err)
		}
		images = append(images, names...)
	} else {
		paths, catErr = s.catalog(ctx, p, r)
		if catErr != nil && len(images) == 0 {
			return nil, catErr
		}
	}
	seen := map[string]bool{}
	var out []name.Repository
	add := func(repo name.Repository) {
		if !seen[repo.Name()] {
			seen[repo.Name()] = true
			out = append(out, repo)
		}
	}
	for _, path := range paths {
		if r.Prefix != "" && !strings.HasPrefix(path, r.Prefix+"/") {
			continue
		}
		if repo, err := r.RepositoryAt(path); err == nil {
			add(repo)
		}
	}
	named, err := s.named(r, images)
	if err != nil {
		return nil, err
	}
	for _, repo := range named {
		add(repo)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// named returns r's repositories for image names; a name that is no valid
// repository in r is skipped.
func (s *session) named(r *registries.Integration, images []string) ([]name.Repository, error) {
	var out []name.Repository
	for _, image := range images {
		repo, err := r.Repository(image)
		if err != nil {
			continue
		}
		out = append(out, repo)
	}
	return out, nil
}

// catalog reads the registry's _catalog.
func (s *session) catalog(ctx context.Context, p *remote.Puller, r *registries.Integration) ([]string, error) {
	reg, err := name.NewRegistry(r.Domain, registryOpts(r)...)
	if err != nil {
		return nil, err
	}
	var paths []string
	err = s.do(ctx, func() (err error) {
		paths, err = p.Catalog(ctx, reg)
		return err
	})
	var terr *transport.Error
	if err != nil && !errors.As(err, &terr) {
		return nil, registries.Explain(r, err)
	}
	if err != nil {
		return nil, fmt.Errorf("registry %s does not list its repositories (_catalog: %v); name a REPO to list, give the pipelines (-f), or set its repositories:", r, shortErr(err))
	}
	return paths, nil
}

func registryOpts(r *registries.Integration) []name.Option {
	if r.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}
