package registries

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrAuth is returned when a registry refuses the credentials.
var ErrAuth = errors.New("authentication failed")

// Transport returns the HTTP transport for an integration: its CA file and,
// when insecure, no TLS verification.
func (i *Integration) Transport() (http.RoundTripper, error) {
	t := remote.DefaultTransport.(*http.Transport).Clone()
	// A registry that accepts a connection and never answers must not hang
	// a build: every request gets its answer's headers within this time.
	t.ResponseHeaderTimeout = 60 * time.Second
	if i.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the integration asks for it
	}
	if i.CAFile != "" {
		pem, err := os.ReadFile(i.CAFile)
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
	return t, nil
}

// CheckPush logs in to the integration's registry and checks that repo may
// be pushed to. Its error is one line that names the registry and never
// holds a credential.
func (c *Credentials) CheckPush(ctx context.Context, i *Integration, repo name.Repository) error {
	t, err := i.Transport()
	if err != nil {
		return err
	}
	if _, err := c.Lookup(i.Domain); err != nil {
		return err
	}
	err = remote.CheckPushPermission(repo.Tag("hoist-check"), c, t)
	return Explain(i, err)
}

// Explain turns a registry error into one line naming the integration.
func Explain(i *Integration, err error) error {
	if err == nil {
		return nil
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("registry %s: %w: the registry refused the username or password", i, ErrAuth)
		case http.StatusForbidden:
			return fmt.Errorf("registry %s: %w: the credentials may not push here", i, ErrAuth)
		}
		return fmt.Errorf("registry %s: HTTP %d from the registry", i, terr.StatusCode)
	}
	var nerr net.Error
	var oerr *net.OpError
	if errors.As(err, &oerr) || errors.As(err, &nerr) {
		return fmt.Errorf("registry %s: not reachable: %v", i, err)
	}
	return fmt.Errorf("registry %s: %v", i, err)
}
