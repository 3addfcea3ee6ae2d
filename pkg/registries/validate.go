package registries

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/errs"
)

func (c *Config) errAt(line int, field, format string, args ...any) error {
	return &errs.InputError{File: c.File, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// validate applies defaults and checks names, providers and references.
func (c *Config) validate() error {
	seen := map[string]*Integration{}
	for i, r := range c.Registries {
		field := fmt.Sprintf("registries[%d]", i)
		if r == nil {
			return c.errAt(0, field, "empty entry")
		}
		if r.Name == "" {
			return c.errAt(r.Line, field+".name", "required")
		}
		if first, dup := seen[r.Name]; dup {
			return c.errAt(r.Line, field+".name", "%q is defined twice, on lines %d and %d", r.Name, first.Line, r.Line)
		}
		seen[r.Name] = r
		if r.Provider == "" {
			r.Provider = "other"
		}
		implied, known := providerDomains[r.Provider]
		if !known {
			return c.errAt(r.Line, field+".provider", "unknown provider %q (want one of %s)", r.Provider, strings.Join(providerNames(), ", "))
		}
		if r.Domain == "" {
			r.Domain = implied
		}
		if r.Domain == "" {
			return c.errAt(r.Line, field+".domain", "required for provider %s", r.Provider)
		}
		if strings.Contains(r.Domain, "/") {
			return c.errAt(r.Line, field+".domain", "%q must be a host[:port] only, with no scheme or path (put paths in prefix)", r.Domain)
		}
		if (r.Password != "" || r.PasswordEnv != "") && r.Username == "" {
			return c.errAt(r.Line, field+".username", "required with password or password_env")
		}
		r.Prefix = strings.Trim(r.Prefix, "/")
		if _, err := name.NewRepository(r.repoBase("probe/probe"), name.StrictValidation); err != nil {
			return c.errAt(r.Line, field+".domain", "%q with prefix %q is not a valid repository: %v", r.Domain, r.Prefix, err)
		}
		if r.Password != "" && r.PasswordEnv != "" {
			return c.errAt(r.Line, field+".password_env", "set password or password_env, not both")
		}
		if err := c.validateListing(r, field); err != nil {
			return err
		}
		if r.CAFile != "" {
			if _, err := os.Stat(r.CAFile); err != nil {
				return c.errAt(r.Line, field+".ca_file", "cannot read %s", r.CAFile)
			}
		}
	}
	for i, r := range c.Registries {
		if r.Fallback == "" {
			continue
		}
		field := fmt.Sprintf("registries[%d].fallback", i)
		if r.Fallback == r.Name {
			return c.errAt(r.Line, field, "a registry cannot be its own fallback")
		}
		if seen[r.Fallback] == nil {
			return errs.At(c.File, r.Line, field, &UnknownError{Name: r.Fallback, Known: c.Names()})
		}
	}
	if c.Default == "" && len(c.Registries) > 0 {
		c.Default = c.Registries[0].Name
	} else if c.Default != "" && seen[c.Default] == nil {
		return errs.At(c.File, c.lines["default"], "default", &UnknownError{Name: c.Default, Known: c.Names()})
	}
	if c.Caching != "" {
		r := seen[c.Caching]
		if r == nil {
			return errs.At(c.File, c.lines["caching"], "caching", &UnknownError{Name: c.Caching, Known: c.Names()})
		}
		if r.Provider == "dockerhub" {
			return c.errAt(c.lines["caching"], "caching", "%q is a dockerhub registry, which cannot be a caching registry", c.Caching)
		}
	}
	switch c.AutoPush.Mode {
	case "":
		c.AutoPush.Mode = AutoPushDefault
	case AutoPushDefault, AutoPushNever, AutoPushUsersDecide:
	default:
		return c.errAt(c.AutoPush.Line, "auto_push.mode", "must be default, never or users-decide, got %q", c.AutoPush.Mode)
	}
	if c.AutoPush.Registry != "" && seen[c.AutoPush.Registry] == nil {
		return errs.At(c.File, c.AutoPush.Line, "auto_push.registry", &UnknownError{Name: c.AutoPush.Registry, Known: c.Names()})
	}
	return nil
}

func providerNames() []string {
	var names []string
	for p := range providerDomains {
		names = append(names, p)
	}
	sort.Strings(names)
	return names
}

// Get returns the integration called name.
func (c *Config) Get(name string) (*Integration, bool) {
	if c == nil {
		return nil, false
	}
	for _, r := range c.Registries {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

// Names lists the integrations' names in file order.
func (c *Config) Names() []string {
	var out []string
	if c != nil {
		for _, r := range c.Registries {
			out = append(out, r.Name)
		}
	}
	return out
}

// repoBase is domain/prefix/image without validation.
func (i *Integration) repoBase(image string) string {
	parts := []string{i.Domain}
	if i.Prefix != "" {
		parts = append(parts, i.Prefix)
	}
	return strings.Join(append(parts, strings.Trim(image, "/")), "/")
}

// Repository returns domain/prefix/image for an image name.
func (i *Integration) Repository(image string) (name.Repository, error) {
	opts := []name.Option{name.StrictValidation}
	if i.Insecure {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(i.repoBase(image), opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("image name %q in registry %s: %w", image, i, err)
	}
	return repo, nil
}

// Tag returns domain/prefix/image:tag.
func (i *Integration) Tag(image, tag string) (name.Tag, error) {
	repo, err := i.Repository(image)
	if err != nil {
		return name.Tag{}, err
	}
	t, err := name.NewTag(repo.Name()+":"+tag, name.StrictValidation)
	if err != nil {
		return name.Tag{}, fmt.Errorf("tag %q: %w", tag, err)
	}
	if i.Insecure {
		t = repo.Tag(t.TagStr())
	}
	return t, nil
}

// RepositoryAt returns the repository at path on the integration's domain,
// with no prefix added (for paths a catalog lists).
func (i *Integration) RepositoryAt(path string) (name.Repository, error) {
	opts := []name.Option{name.StrictValidation}
	if i.Insecure {
		opts = append(opts, name.Insecure)
	}
	return name.NewRepository(i.Domain+"/"+path, opts...)
}

// ImageName returns the image name of a repository path: the path with the
// integration's prefix taken off.
func (i *Integration) ImageName(path string) string {
	if i.Prefix != "" {
		return strings.TrimPrefix(path, i.Prefix+"/")
	}
	return path
}

// For returns the integration whose domain and prefix hold repo, preferring
// the longest prefix; nil when none does (or c is nil).
func (c *Config) For(repo name.Repository) *Integration {
	if c == nil {
		return nil
	}
	var best *Integration
	path := repo.RepositoryStr()
	for _, r := range c.Registries {
		if normalizeHost(r.Domain) != normalizeHost(repo.RegistryStr()) {
			continue
		}
		if r.Prefix != "" && path != r.Prefix && !strings.HasPrefix(path, r.Prefix+"/") {
			continue
		}
		if best == nil || len(r.Prefix) > len(best.Prefix) {
			best = r
		}
	}
	return best
}
