package registries

import (
	"context"
	"net/http"
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
	// Network is how requests to registries wait and retry; set it before
	// the first request.
	Network Network

	mu      sync.Mutex
	clients map[*Integration]*Client
	hosts   map[string]http.RoundTripper
}

// NewAccount returns the account of cfg (which may be nil), with
// credentials backed by docker's config in dockerDir (docker's default
// when empty), and DefaultNetwork.
func NewAccount(cfg *Config, dockerDir string) *Account {
	a := &Account{Config: cfg, Credentials: NewCredentials(cfg, dockerDir), Network: DefaultNetwork(),
		clients: map[*Integration]*Client{}, hosts: map[string]http.RoundTripper{}}
	a.Credentials.transport = func(i *Integration) (http.RoundTripper, error) { return a.Client(i).Transport() }
	return a
}

// Client returns integration i's client.
func (a *Account) Client(i *Integration) *Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.clients[i]
	if c == nil {
		c = &Client{Integration: i, creds: a.Credentials, net: &a.Network}
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

// Transport returns the transport for requests to repo's registry: that
// of the integration that holds repo or, when none does, of an integration
// on the same host (the primary one first); for a host in no integration,
// one that verifies TLS and never sends plain HTTP.
func (a *Account) Transport(repo name.Repository) (http.RoundTripper, error) {
	if c := a.For(repo); c != nil {
		return c.Transport()
	}
	host := repo.RegistryStr()
	if i := a.Config.onHost(host); i != nil {
		return a.Client(i).Transport()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.hosts[host]
	if t == nil {
		t = hostTransport(host, a.Network)
		a.hosts[host] = t
	}
	return t, nil
}

// Options returns go-containerregistry options for any repository: its
// transport (see Transport), the credentials and the retry policy.
func (a *Account) Options(ctx context.Context, repo name.Repository) ([]remote.Option, error) {
	t, err := a.Transport(repo)
	if err != nil {
		return nil, err
	}
	return append([]remote.Option{remote.WithContext(ctx), remote.WithTransport(t), remote.WithAuthFromKeychain(a.Credentials)}, a.Network.Options()...), nil
}

// onHost returns an integration on host, the primary one first; nil when
// there is none (or c is nil).
func (c *Config) onHost(host string) *Integration {
	if c == nil {
		return nil
	}
	var found *Integration
	for _, i := range c.Registries {
		if normalizeHost(i.Domain) == normalizeHost(host) && (found == nil || i.Primary && !found.Primary) {
			found = i
		}
	}
	return found
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
