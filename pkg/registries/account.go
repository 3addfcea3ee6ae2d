package registries

import (
	"context"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Account is the account's registries: the config, the one credential
// source, and one Client per integration.
type Account struct {
	// Config is the registries file; nil when there is none.
	Config *Config
	// Credentials feed BuildKit's auth session and every registry request.
	Credentials *Credentials

	mu      sync.Mutex
	clients map[*Integration]*Client
}

// NewAccount returns the account of cfg (which may be nil), with
// credentials backed by docker's config in dockerDir (docker's default
// when empty).
func NewAccount(cfg *Config, dockerDir string) *Account {
	return &Account{Config: cfg, Credentials: NewCredentials(cfg, dockerDir), clients: map[*Integration]*Client{}}
}

// Client returns integration i's client.
func (a *Account) Client(i *Integration) *Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.clients[i]
	if c == nil {
		c = &Client{Integration: i, creds: a.Credentials}
		a.clients[i] = c
	}
	return c
}

// Get returns the client of the integration called name, or an
// *UnknownError.
func (a *Account) Get(name string) (*Client, error) {
	i, err := a.Config.Lookup(name)
	if err != nil {
		return nil, err
	}
	return a.Client(i), nil
}

// For returns the client of the integration that holds repo; nil when no
// integration does.
func (a *Account) For(repo name.Repository) *Client {
	if i := a.Config.For(repo); i != nil {
		return a.Client(i)
	}
	return nil
}

// Options returns go-containerregistry options for any repository: its
// integration's transport when one holds it, and the credentials.
func (a *Account) Options(ctx context.Context, repo name.Repository) ([]remote.Option, error) {
	if c := a.For(repo); c != nil {
		return c.Options(ctx)
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(a.Credentials)}, nil
}

// Clients returns every integration's client, in file order.
func (a *Account) Clients() []*Client {
	var out []*Client
	if a.Config != nil {
		for _, i := range a.Config.Registries {
			out = append(out, a.Client(i))
		}
	}
	return out
}
