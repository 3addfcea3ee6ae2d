package registries

import (
	"fmt"
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
	host = normalizeHost(host)
	if i := c.integrationFor(host, path); i != nil {
		return c.integrationAuth(i)
	}
	return c.dockerAuth(host)
}

// integrationAuth returns integration i's own credentials, or docker's for
// its domain when it has none.
func (c *Credentials) integrationAuth(i *Integration) (types.AuthConfig, error) {
	if i.Username == "" {
		return c.dockerAuth(normalizeHost(i.Domain))
	}
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

// integrationFor returns the integration with explicit credentials for a
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
		if normalizeHost(i.Domain) != host || i.Username == "" {
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
	path := strings.TrimPrefix(r.String(), r.RegistryStr())
	ac, err := c.LookupRepo(r.RegistryStr(), strings.TrimPrefix(path, "/"))
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
