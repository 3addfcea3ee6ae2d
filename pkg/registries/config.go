package registries

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/files"
)

// Config is the account's registry integrations and settings.
type Config struct {
	// File is where the config was loaded from, used in error messages.
	File       string         `yaml:"-"`
	Registries []*Integration `yaml:"registries"`
	// Default names the integration used by steps that name none. When
	// unset, the first integration listed is the default, as in Codefresh.
	Default string `yaml:"default"`
	// Caching names the caching registry for BuildKit's layer cache.
	Caching  string   `yaml:"caching"`
	AutoPush AutoPush `yaml:"auto_push"`
	// lines are the lines of the top-level keys.
	lines map[string]int
}

// AutoPushMode is the account's auto-push mode.
type AutoPushMode string

// Auto-push modes of the account.
const (
	AutoPushDefault     AutoPushMode = "default"
	AutoPushNever       AutoPushMode = "never"
	AutoPushUsersDecide AutoPushMode = "users-decide"
)

// AutoPush is the account's auto-push setting.
type AutoPush struct {
	// Mode is default (the default), never or users-decide.
	Mode AutoPushMode `yaml:"mode"`
	// Registry names where builds go in default mode; the default
	// registry when unset.
	Registry string `yaml:"registry"`
	Line     int    `yaml:"-"`
}

// Integration is one named registry.
type Integration struct {
	Name     string `yaml:"name"`
	Provider string `yaml:"provider"`
	// Domain is the registry host; implied by providers that fix it.
	Domain string `yaml:"domain"`
	// Prefix is put between the domain and the image name.
	Prefix      string `yaml:"prefix"`
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
	// Insecure allows plain HTTP and skips TLS verification.
	Insecure bool   `yaml:"insecure"`
	CAFile   string `yaml:"ca_file"`
	Primary  bool   `yaml:"primary"`
	// Fallback names the integration pulls fall back to.
	Fallback string `yaml:"fallback"`
	// Endpoint is the host[:port] to connect to for Domain (a VPC
	// endpoint, a mirror, a test registry), as containerd's hosts
	// configuration has it; requests still name Domain, and credentials
	// still belong to Domain. Empty connects to Domain itself.
	Endpoint string `yaml:"endpoint"`
	Cloud    `yaml:",inline"`
	// login is the login path the config fixes (see LoginPath); empty
	// when it is found at run time (docker's config, helpers).
	login string
	// Repositories are image names (without domain or prefix) hoist images
	// lists here, for registries that do not serve _catalog.
	Repositories []string `yaml:"repositories"`
	// API is the base URL of the provider's listing API (Docker Hub's
	// https://hub.docker.com, GitHub's https://api.github.com); set it to
	// reach a mirror or a stand-in.
	API string `yaml:"api"`
	// Line is where the integration starts in the file.
	Line int `yaml:"-"`
	// caPEM is the CA file's contents, read when the config is loaded.
	caPEM []byte
}

// String names the integration and its domain, never its credentials.
func (i *Integration) String() string {
	return fmt.Sprintf("%q (%s)", i.Name, i.Domain)
}

// providerDomains are the domains that providers fix.
var providerDomains = map[string]string{
	"dockerhub":   "docker.io",
	"ghcr":        "ghcr.io",
	"quay":        "quay.io",
	"gcr":         "gcr.io",
	"acr":         "",
	"gar":         "",
	"ecr":         "",
	"artifactory": "",
	"other":       "",
}

// DefaultPath is where the config is read from when no path is given.
func DefaultPath() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "hoist", "registries.yaml")
	}
	return ""
}

// LoadFile reads and validates the config at path.
func LoadFile(path string) (*Config, error) {
	data, err := files.Read(path, files.Registries)
	if err != nil {
		return nil, readError(path, "registries file", err)
	}
	return Load(bytes.NewReader(data), path)
}

// Load parses and validates a config from r; file names it in errors.
func Load(r io.Reader, file string) (*Config, error) {
	data, err := files.ReadAll(r, file, files.Registries)
	if err != nil {
		return nil, readError(file, "registries file", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.YAML(file, data, err)
	}
	// yaml.v3 panics on a merge (<<) into a mapping that has a mapping or
	// a list as a key: no registries file has one.
	if k := complexKey(&doc); k != nil {
		return nil, &errs.InputError{File: file, Line: k.Line, Col: k.Column, Msg: "invalid YAML: a key must be a plain value, not a mapping or a list"}
	}
	c := &Config{File: file}
	if err := decode(data, c); err != nil {
		return nil, errs.YAML(file, data, err)
	}
	c.setLines(&doc)
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decode decodes data into c, refusing unknown fields. A panic of the
// YAML library is an error, never a crash.
func decode(data []byte, c *Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the file cannot be decoded (%v)", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// complexKey returns the first mapping key in n that is a mapping or a
// list (or an alias of one); nil when there is none.
func complexKey(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return n.Content[i]
			}
		}
	}
	for _, c := range n.Content {
		if k := complexKey(c); k != nil {
			return k
		}
	}
	return nil
}

// readError turns an error reading a file the config names (what says
// which) into one line: a missing file, or one that breaks a bound, is
// the user's mistake.
func readError(path, what string, err error) error {
	var fe *files.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errs.Input("%s: %s not found", path, what)
	case errors.As(err, &fe):
		return &errs.InputError{Err: err}
	}
	return fmt.Errorf("reading %s %s: %w", what, path, err)
}

// setLines records where each integration and the auto_push block start.
func (c *Config) setLines(doc *yaml.Node) {
	c.lines = map[string]int{}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "registries":
			for j, item := range v.Content {
				if j < len(c.Registries) && c.Registries[j] != nil {
					c.Registries[j].Line = item.Line
				}
			}
		case "auto_push":
			c.AutoPush.Line = k.Line
		}
		c.lines[k.Value] = k.Line
	}
}
