package registries

import (
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(strings.NewReader(`registries:
  - name: hub
    provider: dockerhub
  - name: gh
    provider: ghcr
    prefix: /acme/
  - name: mine
    domain: registry.example.com:5000
`), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"hub": "docker.io", "gh": "ghcr.io", "mine": "registry.example.com:5000"} {
		if r, _ := c.Get(name); r.Domain != want {
			t.Errorf("Get(%q).Domain = %q, want %q", name, r.Domain, want)
		}
	}
	if c.Default != "hub" || c.AutoPush.Mode != AutoPushDefault {
		t.Errorf("default, auto_push.mode = %q, %q; want hub, default", c.Default, c.AutoPush.Mode)
	}
	gh, _ := c.Get("gh")
	tag, err := gh.Tag("app", "v1")
	if err != nil || tag.String() != "ghcr.io/acme/app:v1" {
		t.Errorf("Tag(app, v1) = %v, %v; want ghcr.io/acme/app:v1", tag, err)
	}
	if r, _ := c.Get("mine"); r.String() != `"mine" (registry.example.com:5000)` {
		t.Errorf("String() = %s", r)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unknown-provider", "registries:\n  - name: a\n    provider: nexus\n", `r.yaml:2: registries[0].provider: unknown provider "nexus" (want one of acr, artifactory, dockerhub, ecr, gar, gcr, ghcr, other, quay)`},
		{"domain-required", "registries:\n  - name: a\n    provider: ecr\n", "r.yaml:2: registries[0].domain: required for provider ecr"},
		{"name-required", "registries:\n  - domain: x.io\n", "r.yaml:2: registries[0].name: required"},
		{"duplicate", "registries:\n  - name: a\n    domain: x.io\n  - name: a\n    domain: y.io\n", `r.yaml:4: registries[1].name: "a" is defined twice, on lines 2 and 4`},
		{"bad-default", "registries:\n  - name: a\n    domain: x.io\ndefault: b\n", `r.yaml:4: default: unknown registry "b" (known: a)`},
		{"dockerhub-caching", "registries:\n  - name: hub\n    provider: dockerhub\ncaching: hub\n", `r.yaml:4: caching: "hub" is a dockerhub registry, which cannot be a caching registry`},
		{"bad-mode", "registries:\n  - name: a\n    domain: x.io\nauto_push:\n  mode: always\n", `r.yaml:4: auto_push.mode: must be default, never or users-decide, got "always"`},
		{"bad-fallback", "registries:\n  - name: a\n    domain: x.io\n    fallback: z\n", `r.yaml:2: registries[0].fallback: unknown registry "z" (known: a)`},
		{"self-fallback", "registries:\n  - name: a\n    domain: x.io\n    fallback: a\n", "r.yaml:2: registries[0].fallback: a registry cannot be its own fallback"},
		{"both-passwords", "registries:\n  - name: a\n    domain: x.io\n    username: u\n    password: p\n    password_env: P\n", "r.yaml:2: registries[0].password_env: set password or password_env, not both"},
		{"unknown-field", "registries:\n  - name: a\n    domian: x.io\n", "r.yaml:3: domian: unknown field"},
		{"password-no-user", "registries:\n  - name: a\n    domain: x.io\n    password: p\n", "r.yaml:2: registries[0].username: required with password or password_env"},
		{"domain-with-scheme", "registries:\n  - name: a\n    domain: https://x.io\n", `r.yaml:2: registries[0].domain: "https://x.io" must be a host[:port] only, with no scheme or path (put paths in prefix)`},
		{"empty-entry", "registries:\n  -\n", "r.yaml: registries[0]: empty entry"},
		{"secret-in-anchor", "registries:\n  - name: a\n    domain: x.io\n    username: u\n    password: *Sup3rSecret\n", "r.yaml: invalid YAML: unknown anchor a value referenced"},
		{"secret-in-tag", "registries:\n  - name: a\n    domain: x.io\n    username: u\n    password: !!int Sup3rSecret\n", "r.yaml: invalid YAML: cannot decode !!str a value as a !!int"},
		{"wrong-type", "registries:\n  - name: a\n    domain: x.io\n    insecure: [1]\n", "r.yaml:4: wrong type: got a seq, want a bool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.src), "r.yaml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("Load() error = %v, want %s", err, tc.want)
			}
		})
	}
}

// TestRepositoryStaysInPrefix: a name that would resolve outside the
// integration's prefix is refused, though go-containerregistry takes it.
func TestRepositoryStaysInPrefix(t *testing.T) {
	i := &Integration{Name: "a", Domain: "registry.example", Prefix: "team-a"}
	if repo, err := i.Repository("app/api"); err != nil || repo.Name() != "registry.example/team-a/app/api" {
		t.Errorf("Repository(app/api) = %v, %v", repo, err)
	}
	for _, image := range []string{"../team-b/app", "app/./x", "a//b", "app/.."} {
		if _, err := i.Repository(image); err == nil {
			t.Errorf("Repository(%q) = nil error, want one", image)
		}
	}
	if _, err := i.RepositoryAt("team-a/../team-b"); err == nil {
		t.Error("RepositoryAt(team-a/../team-b) = nil error, want one")
	}
}

// TestLoadComplexKey: a mapping used as a key with a merge made yaml.v3
// panic; it is one line now.
func TestLoadComplexKey(t *testing.T) {
	_, err := Load(strings.NewReader("registries:\n  - &a {0}\n  - <<: \n    *a:"), "r.yaml")
	if want := "r.yaml:4:5: invalid YAML: a key must be a plain value, not a mapping or a list"; err == nil || err.Error() != want {
		t.Errorf("Load() = %v, want %s", err, want)
	}
}
