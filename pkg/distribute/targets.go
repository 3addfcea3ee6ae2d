package distribute

import (
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
