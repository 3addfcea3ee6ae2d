package registries

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Check is what checking one integration found.
type Check struct {
	Integration *Integration
	// Anonymous: no credentials were found for it.
	Anonymous bool
	// Login is the login path used: static, docker config, helper, ecr,
	// google, acr, github token or anonymous.
	Login string
	// Err is nil when the registry answered and took the credentials.
	Err error
}

// String is the check's one line, e.g.
// `prod  ghcr.io  ok: reachable, logged in  login: static  fallback: mirror`.
func (c Check) String() string {
	fb := "-"
	if c.Integration.Fallback != "" {
		fb = c.Integration.Fallback
	}
	path := c.Login
	if path == "" {
		path = "-"
	}
	if c.Err != nil {
		return fmt.Sprintf("%s\t%s\tfailed: %v\tlogin: %s\tfallback: %s", c.Integration.Name, c.Integration.Domain, strings.TrimPrefix(c.Err.Error(), "registry "+c.Integration.String()+": "), path, fb)
	}
	login := "logged in"
	if c.Anonymous {
		login = "anonymous"
	}
	return fmt.Sprintf("%s\t%s\tok: reachable, %s\tlogin: %s\tfallback: %s", c.Integration.Name, c.Integration.Domain, login, path, fb)
}

// Check logs in to the registry: it pings it and makes one authenticated
// request.
func (cl *Client) Check(ctx context.Context) Check {
	i := cl.Integration
	res := Check{Integration: i, Login: i.login}
	reg, err := name.NewRegistry(i.Domain, registryOptions(i)...)
	if err != nil {
		res.Err = err
		return res
	}
	ac, path, err := cl.creds.Login(ctx, i)
	if path != "" {
		res.Login = path
	}
	if err != nil {
		res.Err = err
		return res
	}
	auth := authenticator(ac)
	res.Anonymous = auth == authn.Anonymous
	base, err := cl.Transport()
	if err != nil {
		res.Err = err
		return res
	}
	t, err := transport.NewWithContext(ctx, reg, auth, base, []string{reg.Scope(transport.PullScope)})
	if err != nil {
		res.Err = Explain(i, err)
		return res
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reg.Scheme()+"://"+reg.RegistryStr()+"/v2/", nil)
	if err != nil {
		res.Err = err
		return res
	}
	resp, err := (&http.Client{Transport: t}).Do(req)
	if err != nil {
		res.Err = Explain(i, err)
		return res
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		res.Err = Explain(i, err)
	}
	return res
}

func registryOptions(i *Integration) []name.Option {
	if i.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}
