package build

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/errs"
)

// TLS is how hoist authenticates to a tcp:// builder and checks it, as
// buildctl's --tlscacert, --tlscert, --tlskey, --tlsservername and
// --tlsdir say.
type TLS struct {
	// CACert verifies the builder's certificate.
	CACert string
	// Cert and Key are hoist's client certificate (mutual TLS).
	Cert, Key string
	// ServerName is the name the builder's certificate must carry; the
	// address's host when empty.
	ServerName string
	// Dir holds ca.pem, cert.pem and key.pem, as buildctl's --tlsdir.
	Dir string
}

// Set reports whether any TLS option is given.
func (t TLS) Set() bool { return t != TLS{} }

// clientOpts returns BuildKit's client options for t and the builder addr.
func (t TLS) clientOpts(addr string) ([]client.ClientOpt, error) {
	if !t.Set() {
		return nil, nil
	}
	if t.Dir != "" {
		if t.CACert != "" || t.Cert != "" || t.Key != "" {
			return nil, errs.Input("--tlsdir and --tlscacert, --tlscert or --tlskey exclude each other")
		}
		t.CACert, t.Cert, t.Key = filepath.Join(t.Dir, "ca.pem"), filepath.Join(t.Dir, "cert.pem"), filepath.Join(t.Dir, "key.pem")
		for _, f := range []string{t.CACert, t.Cert, t.Key} {
			if _, err := os.Stat(f); err != nil {
				if errors.Is(err, os.ErrNotExist) && f != t.CACert {
					continue // a server-only TLS folder has no client certificate
				}
				return nil, errs.Input("--tlsdir %s: %s: %w", t.Dir, filepath.Base(f), err)
			}
		}
		if _, err := os.Stat(t.Cert); err != nil {
			t.Cert, t.Key = "", ""
		}
	}
	if (t.Cert == "") != (t.Key == "") {
		return nil, errs.Input("--tlscert and --tlskey go together")
	}
	for flag, f := range map[string]string{"--tlscacert": t.CACert, "--tlscert": t.Cert, "--tlskey": t.Key} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return nil, errs.Input("%s %s: %w", flag, f, err)
		}
	}
	name := t.ServerName
	if name == "" {
		u, err := url.Parse(addr)
		if err != nil {
			return nil, errs.Input("builder %s: %w", addr, err)
		}
		name = u.Hostname()
	}
	var opts []client.ClientOpt
	if t.CACert != "" {
		opts = append(opts, client.WithServerConfig(name, t.CACert))
	} else {
		opts = append(opts, client.WithServerConfigSystem(name))
	}
	if t.Cert != "" {
		opts = append(opts, client.WithCredentials(t.Cert, t.Key))
	}
	return opts, nil
}

// tlsError is the one line an unreachable builder gets.
func tlsError(addr string, err error) error {
	return fmt.Errorf("builder %s is not reachable: %w", addr, err)
}
