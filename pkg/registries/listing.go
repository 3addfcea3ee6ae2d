package registries

import (
	"net/url"

	"github.com/google/go-containerregistry/pkg/name"
)

// providerAPIs are the listing APIs' default base URLs, for the providers
// whose registries do not serve _catalog.
var providerAPIs = map[string]string{
	"dockerhub": "https://hub.docker.com",
	"ghcr":      "https://api.github.com",
}

// ListingAPI returns the base URL of the provider's repository listing API,
// or "" when hoist knows none for the provider.
func (i *Integration) ListingAPI() string {
	if i.API != "" {
		return i.API
	}
	return providerAPIs[i.Provider]
}

// validateListing checks repositories and api.
func (c *Config) validateListing(r *Integration, field string) error {
	for j, image := range r.Repositories {
		if _, err := name.NewRepository(r.repoBase(image), name.StrictValidation); err != nil || image == "" {
			return c.errAt(r.Line, field+".repositories", "entry %d: %q is not a valid image name", j, image)
		}
	}
	if r.API != "" {
		u, err := url.Parse(r.API)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c.errAt(r.Line, field+".api", "%q must be an http(s) URL", r.API)
		}
	}
	return nil
}
