package registries

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/docker/cli/cli/config/types"
)

// loginTimeout bounds one request for a token to a cloud provider.
const loginTimeout = 60 * time.Second

// refreshMargin is how long before it expires a token is fetched again.
const refreshMargin = 5 * time.Minute

// tokenFunc fetches a registry credential from a provider's token
// service, and says until when it holds.
type tokenFunc func(ctx context.Context) (types.AuthConfig, time.Time, error)

// cloudLogin is one integration's provider login, with its credential
// cached until shortly before it expires: every push and BuildKit session
// of a run shares one token.
type cloudLogin struct {
	path  string
	fetch tokenFunc

	mu    sync.Mutex
	ac    types.AuthConfig
	until time.Time
}

// auth returns the cached credential, or fetches a new one.
func (l *cloudLogin) auth(ctx context.Context) (types.AuthConfig, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.until) {
		return l.ac, nil
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	ac, exp, err := l.fetch(ctx)
	if err != nil {
		return types.AuthConfig{}, err
	}
	margin := refreshMargin
	if half := time.Until(exp) / 2; half < margin {
		margin = half
	}
	l.ac, l.until = ac, exp.Add(-margin)
	return ac, nil
}

// cloudLogin returns integration i's provider login; nil when i has
// none.
func (c *Credentials) cloudLogin(i *Integration) (*cloudLogin, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if l, ok := c.logins[i]; ok {
		return l, nil
	}
	var l *cloudLogin
	switch i.login {
	case LoginECR:
		l = &cloudLogin{path: LoginECR, fetch: ecrToken(i)}
	case LoginGoogle:
		f, err := googleKeyfileToken(i)
		if err != nil {
			return nil, &Error{Registry: i.String(), Err: fmt.Errorf("google login: %w", err)}
		}
		l = &cloudLogin{path: LoginGoogle, fetch: f}
	case LoginACR:
		l = &cloudLogin{path: LoginACR, fetch: acrToken(i, func() (http.RoundTripper, error) { return c.transportFor(i) })}
	}
	if c.logins == nil {
		c.logins = map[*Integration]*cloudLogin{}
	}
	c.logins[i] = l
	return l, nil
}

// transportFor returns the transport of integration i: the account's
// when the credentials belong to one.
func (c *Credentials) transportFor(i *Integration) (http.RoundTripper, error) {
	if c.transport != nil {
		return c.transport(i)
	}
	return newTransport(i, DefaultNetwork())
}

// loginAuth runs integration i's provider login; its error is an *Error
// naming the integration and the login path.
func (c *Credentials) loginAuth(ctx context.Context, i *Integration) (types.AuthConfig, error) {
	l, err := c.cloudLogin(i)
	if err != nil || l == nil {
		return types.AuthConfig{}, err
	}
	ac, err := l.auth(ctx)
	if err != nil {
		return types.AuthConfig{}, &Error{Registry: i.String(), Err: fmt.Errorf("%s login: %w", l.path, err)}
	}
	return ac, nil
}
