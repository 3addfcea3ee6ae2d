package distribute

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/pkg/registries"
)

// Locator finds the integration, transport and credentials for any
// repository, from the account's registries config.
type Locator struct {
	Config      *registries.Config
	Credentials *registries.Credentials
}

// Integration returns the integration that holds repo; nil when none does.
func (l Locator) Integration(repo name.Repository) *registries.Integration {
	return l.Config.For(repo)
}

// Target returns a copy target for repo with tags.
func (l Locator) Target(repo name.Repository, tags []string) (Target, error) {
	t := Target{Repo: repo, Tags: tags, Keychain: l.Credentials}
	if r := l.Integration(repo); r != nil {
		tr, err := r.Transport()
		if err != nil {
			return Target{}, err
		}
		t.Registry, t.Transport = r.Name, tr
	}
	return t, nil
}

// Options returns remote options to read ref: its integration's transport
// and the credentials.
func (l Locator) Options(repo name.Repository) ([]remote.Option, error) {
	opts := []remote.Option{remote.WithAuthFromKeychain(l.Credentials)}
	if r := l.Integration(repo); r != nil {
		tr, err := r.Transport()
		if err != nil {
			return nil, err
		}
		opts = append(opts, remote.WithTransport(tr))
	}
	return opts, nil
}

// Open reads the image ref names from its registry or, when that registry
// fails and its integration has a fallback, from the fallback; notice
// receives one line saying so.
func (l Locator) Open(ctx context.Context, ref name.Reference, notice io.Writer) (*Source, error) {
	pull, err := l.Credentials.ResolvePull(ctx, ref.String())
	if err != nil {
		return nil, err
	}
	from := ref
	if pull.Fallback != nil {
		if from, err = name.ParseReference(pull.From); err != nil {
			return nil, err
		}
		fmt.Fprintf(notice, "image %s from fallback %q: %s (%s)\n", ref, pull.Fallback.Name, pull.From, pull.Reason)
	}
	opts, err := l.Options(from.Context())
	if err != nil {
		return nil, err
	}
	src, err := OpenRemote(ctx, from, opts...)
	if err != nil {
		if i := l.Integration(from.Context()); i != nil {
			return nil, registries.Explain(i, err)
		}
		return nil, err
	}
	return src, nil
}
