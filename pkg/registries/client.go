package registries

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Client reaches one integration's registry: its config, the account's
// credentials and one HTTP transport, built once (the CA file is read
// once) and shared by every request to it.
type Client struct {
	// Integration is the registry's config.
	Integration *Integration
	creds       *Credentials
	// net is the account's Network, read when the transport is built.
	net *Network

	once      sync.Once
	transport http.RoundTripper
	err       error

	checks pushChecks
}

// Transport returns the client's transport: HTTP/1.1; the integration's
// CA file; plain HTTP and no TLS verification only when it is insecure;
// the account's stall limit and Retry-After pauses (see registryTransport).
func (c *Client) Transport() (http.RoundTripper, error) {
	c.once.Do(func() { c.transport, c.err = newTransport(c.Integration, c.network()) })
	return c.transport, c.err
}

// Options returns go-containerregistry options for requests to this
// registry: the context, the transport, the account's credentials and
// its retry policy.
func (c *Client) Options(ctx context.Context) ([]remote.Option, error) {
	t, err := c.Transport()
	if err != nil {
		return nil, err
	}
	return append([]remote.Option{remote.WithContext(ctx), remote.WithTransport(t), remote.WithAuthFromKeychain(c.creds)}, c.network().Options()...), nil
}

func (c *Client) network() Network {
	if c.net == nil {
		return DefaultNetwork()
	}
	return *c.net
}

// Repository returns the integration's repository for an image name.
func (c *Client) Repository(image string) (name.Repository, error) {
	return c.Integration.Repository(image)
}

// String names the integration, never its credentials.
func (c *Client) String() string { return c.Integration.String() }

// CheckPush logs in and checks that repo may be pushed to. Its error is
// an *Error naming the registry. A repository is checked once per client:
// callers at the same time share one check, and a success is kept.
func (c *Client) CheckPush(ctx context.Context, repo name.Repository) error {
	return c.checks.do(ctx, repo.String(), func() error { return c.checkPush(repo) })
}

func (c *Client) checkPush(repo name.Repository) error {
	t, err := c.Transport()
	if err != nil {
		return err
	}
	if _, err := c.creds.Lookup(c.Integration.Domain); err != nil {
		return err
	}
	return Explain(c.Integration, remote.CheckPushPermission(repo.Tag("hoist-check"), c.creds, t))
}

// Head checks that ref answers, retrying transient failures with backoff.
func (c *Client) Head(ctx context.Context, ref name.Reference, backoff remote.Backoff) error {
	opts, err := c.Options(ctx)
	if err != nil {
		return err
	}
	_, err = remote.Head(ref, append(opts, remote.WithRetryBackoff(backoff))...)
	return err
}

// newTransport builds the HTTP transport of integration i.
func newTransport(i *Integration, n Network) (http.RoundTripper, error) {
	t := remote.DefaultTransport.(*http.Transport).Clone()
	if i.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the integration asks for it
	}
	if i.CAFile != "" {
		pem, err := i.readCA()
		if err != nil {
			return nil, fmt.Errorf("registry %s: reading ca_file: %w", i, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("registry %s: ca_file %s holds no PEM certificate", i, i.CAFile)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, InsecureSkipVerify: i.Insecure} //nolint:gosec
	}
	t = http1Only(t) // protocols.go says why
	var next http.RoundTripper = t
	if i.Endpoint != "" {
		// TLS still checks the domain's certificate.
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		if host, _, err := net.SplitHostPort(i.Domain); err == nil {
			t.TLSClientConfig.ServerName = host
		} else {
			t.TLSClientConfig.ServerName = i.Domain
		}
		next = &endpointTransport{domain: i.Domain, endpoint: i.Endpoint, next: t}
	}
	return wrap(next, i.String(), i.Insecure, "set insecure: true on the integration to allow it", n), nil
}

// hostTransport builds the transport for a registry host that no
// integration names: TLS verified against the system's CAs, never plain
// HTTP.
func hostTransport(host string, n Network) http.RoundTripper {
	t := http1Only(remote.DefaultTransport.(*http.Transport))
	hint := "it is in no integration: add one with domain: " + host + " and insecure: true to allow it"
	return wrap(t, host, false, hint, n)
}
