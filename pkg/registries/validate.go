package registries

import (
	"crypto/x509"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/files"
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
		if err := CheckPath(r.repoBase("probe/probe")); err != nil {
			return c.errAt(r.Line, field+".prefix", "%q: %v", r.Prefix, err)
		}
		if r.Password != "" && r.PasswordEnv != "" {
			return c.errAt(r.Line, field+".password_env", "set password or password_env, not both")
		}
		if err := c.validateListing(r, field); err != nil {
			return err
		}
		if r.CAFile != "" {
			if err := r.loadCA(); err != nil {
				return c.errAt(r.Line, field+".ca_file", "%v", err)
			}
		}
		if r.Endpoint != "" {
			if _, err := name.NewRegistry(r.Endpoint, name.StrictValidation); err != nil || strings.Contains(r.Endpoint, "/") {
				return c.errAt(r.Line, field+".endpoint", "%q must be a host[:port] only", r.Endpoint)
			}
		}
		if err := c.validateCloud(r, field); err != nil {
			return err
		}
		r.fixLogin()
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

// loadCA reads the integration's CA file, a regular file under the CA
// cap, once, and checks that it holds a PEM certificate. Its errors name
// the file, never its contents.
func (i *Integration) loadCA() error {
	pem, err := files.Read(i.CAFile, files.CA)
	var fe *files.Error
	switch {
	case errors.As(err, &fe):
		return err
	case err != nil:
		return fmt.Errorf("cannot read %s", i.CAFile)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", i.CAFile)
	}
	i.caPEM = pem
	return nil
}

// readCA returns the integration's CA certificates: those read when the
// config was loaded, else the CA file's, read under the same bounds.
func (i *Integration) readCA() ([]byte, error) {
	if i.caPEM != nil {
		return i.caPEM, nil
	}
	return files.Read(i.CAFile, files.CA)
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
	if err == nil {
		err = CheckPath(repo.Name())
	}
	if err != nil {
		return name.Repository{}, fmt.Errorf("image name %q in registry %s: %w", image, i, err)
	}
	return repo, nil
}

// pathComponent is one component of a repository path, as docker's
// reference grammar (and the distribution spec) has it.
var pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// CheckPath checks a repository (domain/path) against docker's reference
// grammar, which go-containerregistry's names do not hold to: a path with
// an empty, "." or ".." component would reach a repository outside the
// integration's prefix once a registry or a proxy resolves it. It is the
// one check of a repository's path; the error says which component fails.
func CheckPath(repo string) error {
	if _, err := reference.Parse(repo); err == nil {
		return nil
	}
	_, path, _ := strings.Cut(repo, "/")
	for _, c := range strings.Split(path, "/") {
		switch {
		case c == "":
			return errors.New("it has an empty path component (a leading, trailing or double /)")
		case !pathComponent.MatchString(c):
			return fmt.Errorf("path component %q is not lowercase letters and digits joined by ., _, __ or -", c)
		}
	}
	return errors.New("not a valid repository path: path components are lowercase letters and digits separated by ., _, __ or -, never empty, . or ..")
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
	repo, err := name.NewRepository(i.Domain+"/"+path, opts...)
	if err == nil {
		err = CheckPath(repo.Name())
	}
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q in registry %s: %w", path, i, err)
	}
	return repo, nil
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
