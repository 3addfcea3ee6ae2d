package registries

import (
	"os"
	"strings"
)

// Cloud is how an integration logs in to a cloud provider's registry
// without a docker credential helper: ECR (provider ecr), Google's
// Container and Artifact Registry (gcr, gar) and Azure's ACR (acr).
type Cloud struct {
	// Region is the ECR region; taken from the domain when unset.
	Region string `yaml:"region"`
	// AccessKeyID and SecretAccessKey (or SecretAccessKeyEnv) are AWS
	// keys; without them the AWS default credential chain is used.
	AccessKeyID        string `yaml:"access_key_id"`
	SecretAccessKey    string `yaml:"secret_access_key"`
	SecretAccessKeyEnv string `yaml:"secret_access_key_env"`
	// RoleARN is an AWS role to assume before asking ECR for a token.
	RoleARN string `yaml:"role_arn"`
	// Keyfile is a Google service-account JSON key; without it
	// $GOOGLE_APPLICATION_CREDENTIALS, docker's config, then Google's
	// ambient credentials.
	Keyfile string `yaml:"keyfile"`
	// ClientID, ClientSecretEnv and TenantID are an Azure service
	// principal, exchanged for an ACR refresh token.
	ClientID        string `yaml:"client_id"`
	ClientSecretEnv string `yaml:"client_secret_env"`
	TenantID        string `yaml:"tenant_id"`
}

// Login paths, as LoginPath and `hoist registries check` name them.
const (
	LoginStatic       = "static"
	LoginDockerConfig = "docker config"
	LoginHelper       = "helper"
	LoginECR          = "ecr"
	LoginGoogle       = "google"
	LoginACR          = "acr"
	LoginGitHubToken  = "github token"
	LoginAnonymous    = "anonymous"
)

// LoginPath is the login path that the integration's config fixes:
// static, ecr, google or acr; empty when it depends on what docker's
// config, the environment or the helpers hold.
func (i *Integration) LoginPath() string { return i.login }

// fixLogin sets the login path the config fixes.
func (i *Integration) fixLogin() {
	switch {
	case i.Username != "":
		i.login = LoginStatic
	case i.Provider == "ecr":
		i.login = LoginECR
	case (i.Provider == "gcr" || i.Provider == "gar") && i.Keyfile != "":
		i.login = LoginGoogle
	case i.Provider == "acr" && i.ClientID != "":
		i.login = LoginACR
	}
}

// validateCloud checks the cloud login fields of integration r.
func (c *Config) validateCloud(r *Integration, field string) error {
	only := func(provider string, set bool, key string) error {
		if set && r.Provider != provider {
			return c.errAt(r.Line, field+"."+key, "only for provider %s", provider)
		}
		return nil
	}
	for _, f := range []struct {
		provider string
		set      bool
		key      string
	}{
		{"ecr", r.Region != "", "region"},
		{"ecr", r.AccessKeyID != "", "access_key_id"},
		{"ecr", r.SecretAccessKey != "", "secret_access_key"},
		{"ecr", r.SecretAccessKeyEnv != "", "secret_access_key_env"},
		{"ecr", r.RoleARN != "", "role_arn"},
		{"acr", r.ClientID != "", "client_id"},
		{"acr", r.ClientSecretEnv != "", "client_secret_env"},
		{"acr", r.TenantID != "", "tenant_id"},
	} {
		if err := only(f.provider, f.set, f.key); err != nil {
			return err
		}
	}
	if r.Keyfile != "" && r.Provider != "gcr" && r.Provider != "gar" {
		return c.errAt(r.Line, field+".keyfile", "only for providers gcr and gar")
	}
	set := 0
	for _, s := range []bool{r.Username != "", r.AccessKeyID != "" || r.RoleARN != "", r.Keyfile != "", r.ClientID != ""} {
		if s {
			set++
		}
	}
	if set > 1 {
		return c.errAt(r.Line, field, "give one kind of credentials: username, AWS keys, keyfile or client_id")
	}
	switch r.Provider {
	case "ecr":
		if r.Username != "" {
			break
		}
		if r.Region == "" {
			r.Region = ecrRegion(r.Domain)
		}
		if r.Region == "" {
			return c.errAt(r.Line, field+".region", "required when the domain does not name it (ACCOUNT.dkr.ecr.REGION.amazonaws.com)")
		}
		if (r.AccessKeyID == "") != (r.SecretAccessKey == "" && r.SecretAccessKeyEnv == "") {
			return c.errAt(r.Line, field+".access_key_id", "give access_key_id with secret_access_key or secret_access_key_env, or neither")
		}
		if r.SecretAccessKey != "" && r.SecretAccessKeyEnv != "" {
			return c.errAt(r.Line, field+".secret_access_key_env", "set secret_access_key or secret_access_key_env, not both")
		}
	case "gcr", "gar":
		if r.Keyfile != "" {
			if _, err := os.Stat(r.Keyfile); err != nil {
				return c.errAt(r.Line, field+".keyfile", "cannot read %s", r.Keyfile)
			}
		}
	case "acr":
		if r.ClientID != "" && (r.ClientSecretEnv == "" || r.TenantID == "") {
			return c.errAt(r.Line, field+".client_id", "needs client_secret_env and tenant_id")
		}
	}
	return nil
}

// ecrRegion is the region in an ECR domain,
// ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]; empty for other domains.
func ecrRegion(domain string) string {
	host, _, _ := strings.Cut(domain, ":")
	parts := strings.Split(host, ".")
	if len(parts) >= 6 && parts[1] == "dkr" && parts[2] == "ecr" && parts[4] == "amazonaws" {
		return parts[3]
	}
	return ""
}
