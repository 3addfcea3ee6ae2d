package registries

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
)

// dockerHubKey is the key docker's config.json uses for Docker Hub.
const dockerHubKey = "https://index.docker.io/v1/"

// Credentials is hoist's one source of registry credentials. An integration
// that sets username and password (or password_env) is used for its domain;
// every other host is looked up in docker's config.json and its credential
// helpers (docker-credential-*), as docker login left them. It feeds both
// BuildKit's auth session and go-containerregistry.
type Credentials struct {
	cfg       *Config
	dockerDir string

	once   sync.Once
	docker *configfile.ConfigFile
	err    error

	// transport returns an integration's transport, for logins that ask
	// the registry itself (ACR's exchange); set by NewAccount.
	transport func(*Integration) (http.RoundTripper, error)
	loginMu   sync.Mutex
	logins    map[*Integration]*cloudLogin
	ambient   map[*Integration]*cloudLogin
}

// NewCredentials returns the credentials of cfg's integrations, backed by the
// docker config in dockerDir (docker's default, $DOCKER_CONFIG or ~/.docker,
// when empty). cfg may be nil.
func NewCredentials(cfg *Config, dockerDir string) *Credentials {
	if dockerDir == "" {
		dockerDir = os.Getenv(config.EnvOverrideConfigDir)
	}
	if dockerDir == "" {
		dockerDir = config.Dir()
	}
	return &Credentials{cfg: cfg, dockerDir: dockerDir}
}

func normalizeHost(host string) string {
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io", dockerHubKey:
		return "docker.io"
	}
	return host
}

// Lookup returns the credentials for a registry host; an empty AuthConfig
// means anonymous.
func (c *Credentials) Lookup(host string) (types.AuthConfig, error) {
	return c.LookupRepo(host, "")
}

// LookupScopes returns the credentials for a host and the token scopes a
// registry asks for (repository:PATH:ACTIONS), so that integrations that
// share a domain keep their credentials apart.
func (c *Credentials) LookupScopes(host string, scopes []string) (types.AuthConfig, error) {
	for _, s := range scopes {
		if rest, ok := strings.CutPrefix(s, "repository:"); ok {
			if i := strings.LastIndex(rest, ":"); i > 0 {
				return c.LookupRepo(host, rest[:i])
			}
		}
	}
	return c.LookupRepo(host, "")
}

// LookupRepo returns the credentials for a repository path on host: those
// of the integration whose prefix holds the path, else the host's primary
// integration, else docker's config.
func (c *Credentials) LookupRepo(host, path string) (types.AuthConfig, error) {
	return c.lookupRepo(context.Background(), host, path)
}

// lookupRepo is LookupRepo; ctx bounds a provider login.
func (c *Credentials) lookupRepo(ctx context.Context, host, path string) (types.AuthConfig, error) {
	host = normalizeHost(host)
	if i := c.integrationFor(host, path); i != nil {
		return c.integrationAuth(ctx, i)
	}
	if i := c.cfg.onHost(host); i != nil {
		return c.integrationAuth(ctx, i)
	}
	if i := c.cfg.onEndpoint(host); i != nil {
		// BuildKit pulls from an endpoint as from a mirror of the
		// domain, and asks for the endpoint's credentials.
		return c.lookupRepo(ctx, i.Domain, path)
	}
	return c.dockerAuth(host)
}

// onEndpoint returns an integration whose endpoint is host; nil when
// there is none (or c is nil).
func (c *Config) onEndpoint(host string) *Integration {
	if c == nil {
		return nil
	}
	for _, i := range c.Registries {
		if i.Endpoint != "" && i.Endpoint == host {
			return i
		}
	}
	return nil
}

// integrationAuth returns integration i's credentials (see Login).
func (c *Credentials) integrationAuth(ctx context.Context, i *Integration) (types.AuthConfig, error) {
	ac, _, err := c.Login(ctx, i)
	return ac, err
}

// Login returns integration i's credentials and the login path that gave
// them: its own (static, or a provider's: ecr, google, acr); else, for
// gcr and gar, Google's credentials when $GOOGLE_APPLICATION_CREDENTIALS
// is set; else docker's config and credential helpers; else, for ghcr
// under GitHub Actions, $GITHUB_TOKEN; for gcr and gar, Google's ambient
// credentials; else anonymous.
func (c *Credentials) Login(ctx context.Context, i *Integration) (types.AuthConfig, string, error) {
	switch i.login {
	case LoginStatic:
		ac, err := c.staticAuth(i)
		return ac, LoginStatic, err
	case LoginECR, LoginGoogle, LoginACR:
		ac, err := c.loginAuth(ctx, i)
		return ac, i.login, err
	}
	google := i.Provider == "gcr" || i.Provider == "gar"
	if google && os.Getenv("GOOGLE_APPLICATION_CREDENTIALS") != "" {
		ac, err := c.ambientAuth(ctx, i)
		return ac, LoginGoogle, err
	}
	host := normalizeHost(i.Domain)
	ac, path, err := c.dockerLogin(host)
	if err != nil || path != LoginAnonymous {
		return ac, path, err
	}
	switch {
	case i.Provider == "ghcr" && os.Getenv("GITHUB_ACTIONS") == "true" && os.Getenv("GITHUB_TOKEN") != "":
		user := os.Getenv("GITHUB_ACTOR")
		if user == "" {
			user = "github-actions"
		}
		return types.AuthConfig{Username: user, Password: os.Getenv("GITHUB_TOKEN"), ServerAddress: host}, LoginGitHubToken, nil
	case google:
		if ac, err := c.ambientAuth(ctx, i); err == nil {
			return ac, LoginGoogle, nil
		}
	}
	return types.AuthConfig{}, LoginAnonymous, nil
}

// ambientAuth returns Google's application default credentials for
// integration i, cached as a provider login's are.
func (c *Credentials) ambientAuth(ctx context.Context, i *Integration) (types.AuthConfig, error) {
	c.loginMu.Lock()
	if c.ambient == nil {
		c.ambient = map[*Integration]*cloudLogin{}
	}
	l := c.ambient[i]
	if l == nil {
		l = &cloudLogin{path: LoginGoogle, fetch: googleAmbientToken(i)}
		c.ambient[i] = l
	}
	c.loginMu.Unlock()
	ac, err := l.auth(ctx)
	if err != nil {
		return types.AuthConfig{}, &Error{Registry: i.String(), Err: fmt.Errorf("google login: %w", err)}
	}
	return ac, nil
}

// dockerLogin returns what docker's config holds for host, and whether it
// came from a helper, the config itself, or nowhere (anonymous).
func (c *Credentials) dockerLogin(host string) (types.AuthConfig, string, error) {
	ac, err := c.dockerAuth(host)
	if err != nil {
		return ac, "", err
	}
	if authenticator(ac) == authn.Anonymous {
		return ac, LoginAnonymous, nil
	}
	key := host
	if host == "docker.io" {
		key = dockerHubKey
	}
	if c.docker.CredentialHelpers[key] != "" || c.docker.CredentialsStore != "" {
		return ac, LoginHelper, nil
	}
	return ac, LoginDockerConfig, nil
}

// staticAuth returns the username and password integration i sets.
func (c *Credentials) staticAuth(i *Integration) (types.AuthConfig, error) {
	password := i.Password
	if i.PasswordEnv != "" {
		v, ok := os.LookupEnv(i.PasswordEnv)
		if !ok {
			return types.AuthConfig{}, fmt.Errorf("registry %s: password_env names $%s, which is not set", i, i.PasswordEnv)
		}
		password = v
	}
	return types.AuthConfig{Username: i.Username, Password: password, ServerAddress: normalizeHost(i.Domain)}, nil
}

// dockerAuth returns what docker's config.json and credential helpers hold
// for host.
func (c *Credentials) dockerAuth(host string) (types.AuthConfig, error) {
	c.once.Do(func() {
		c.docker, c.err = config.Load(c.dockerDir)
	})
	if c.err != nil {
		return types.AuthConfig{}, fmt.Errorf("reading docker config in %s: %w", c.dockerDir, c.err)
	}
	key := host
	if host == "docker.io" {
		key = dockerHubKey
	}
	ac, err := c.docker.GetAuthConfig(key)
	if err != nil {
		return types.AuthConfig{}, fmt.Errorf("docker credentials for %s: %w", host, err)
	}
	return ac, nil
}

// integrationFor returns the integration with its own login for a
// repository path on host: the longest prefix that holds path wins, then
// the one marked primary, then the first listed.
func (c *Credentials) integrationFor(host, path string) *Integration {
	if c.cfg == nil {
		return nil
	}
	var found *Integration
	score := func(i *Integration) int {
		s := 0
		if path != "" && i.Prefix != "" && (path == i.Prefix || strings.HasPrefix(path, i.Prefix+"/")) {
			s = 2 * (len(i.Prefix) + 1)
		}
		if i.Primary {
			s++
		}
		return s
	}
	for _, i := range c.cfg.Registries {
		if normalizeHost(i.Domain) != host || i.login == "" {
			continue
		}
		if found == nil || score(i) > score(found) {
			found = i
		}
	}
	return found
}

// Resolve implements authn.Keychain for go-containerregistry.
func (c *Credentials) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return c.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain: ctx bounds a provider
// login, so that a cancelled run stops waiting for a token.
func (c *Credentials) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	path := strings.TrimPrefix(r.String(), r.RegistryStr())
	ac, err := c.lookupRepo(ctx, r.RegistryStr(), strings.TrimPrefix(path, "/"))
	if err != nil {
		return nil, err
	}
	return authenticator(ac), nil
}

// authenticator turns docker's AuthConfig into go-containerregistry's;
// empty credentials are anonymous.
func authenticator(ac types.AuthConfig) authn.Authenticator {
	if ac.Username == "" && ac.Password == "" && ac.Auth == "" && ac.IdentityToken == "" && ac.RegistryToken == "" {
		return authn.Anonymous
	}
	return authn.FromConfig(authn.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		Auth:          ac.Auth,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	})
}
