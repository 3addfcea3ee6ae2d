package registries

import (
	"fmt"
	"os"
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
	host = normalizeHost(host)
	if i := c.integrationFor(host); i != nil {
		password := i.Password
		if i.PasswordEnv != "" {
			v, ok := os.LookupEnv(i.PasswordEnv)
			if !ok {
				return types.AuthConfig{}, fmt.Errorf("registry %s: password_env names $%s, which is not set", i, i.PasswordEnv)
			}
			password = v
		}
		return types.AuthConfig{Username: i.Username, Password: password, ServerAddress: host}, nil
	}
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

// integrationFor returns the integration with explicit credentials for
// host, preferring the one marked primary.
func (c *Credentials) integrationFor(host string) *Integration {
	if c.cfg == nil {
		return nil
	}
	var found *Integration
	for _, i := range c.cfg.Registries {
		if normalizeHost(i.Domain) != host || i.Username == "" {
			continue
		}
		if found == nil || i.Primary && !found.Primary {
			found = i
		}
	}
	return found
}

// Resolve implements authn.Keychain for go-containerregistry.
func (c *Credentials) Resolve(r authn.Resource) (authn.Authenticator, error) {
	ac, err := c.Lookup(r.RegistryStr())
	if err != nil {
		return nil, err
	}
	if ac == (types.AuthConfig{}) || ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" && ac.RegistryToken == "" {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		Auth:          ac.Auth,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	}), nil
}
