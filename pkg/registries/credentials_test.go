package registries

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

func TestCredentials(t *testing.T) {
	docker := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("dock:er-pass"))
	os.WriteFile(filepath.Join(docker, "config.json"), []byte(`{"auths":{"other.io":{"auth":"`+auth+`"},"https://index.docker.io/v1/":{"auth":"`+auth+`"}}}`), 0o600)
	t.Setenv("REG_PASS", "from-env")
	cfg, err := Load(strings.NewReader("registries:\n  - name: a\n    domain: a.io\n    username: u\n    password_env: REG_PASS\n  - name: other\n    domain: other.io\n"), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCredentials(cfg, docker)
	for host, want := range map[string]string{"a.io": "u:from-env", "other.io": "dock:er-pass", "registry-1.docker.io": "dock:er-pass", "none.io": ":"} {
		ac, err := c.Lookup(host)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", host, err)
		}
		if got := ac.Username + ":" + ac.Password; got != want {
			t.Errorf("Lookup(%q) = %q, want %q", host, got, want)
		}
	}
	repo, _ := name.NewRepository("none.io/x")
	if a, err := c.Resolve(repo); err != nil || a != authn.Anonymous {
		t.Errorf("Resolve(none.io) = %v, %v; want anonymous", a, err)
	}
	os.Unsetenv("REG_PASS")
	if _, err := c.Lookup("a.io"); err == nil || err.Error() != `registry "a" (a.io): password_env names $REG_PASS, which is not set` {
		t.Errorf("Lookup with unset password_env: %v", err)
	}
}

// TestCredentialsSharedDomain: two integrations on one domain keep their
// credentials apart, chosen by the repository prefix.
func TestCredentialsSharedDomain(t *testing.T) {
	cfg, err := Load(strings.NewReader(`registries:
  - name: team-a
    domain: r.io
    prefix: a
    username: alice
    password: pa
  - name: team-b
    domain: r.io
    prefix: b/sub
    username: bob
    password: pb
    primary: true
`), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCredentials(cfg, t.TempDir())
	for _, tc := range []struct {
		path, want string
	}{{"a/app", "alice"}, {"b/sub/app", "bob"}, {"other/app", "bob"}, {"", "bob"}, {"ab/app", "bob"}} {
		ac, err := c.LookupRepo("r.io", tc.path)
		if err != nil || ac.Username != tc.want {
			t.Errorf("LookupRepo(r.io, %q) = %q, %v; want %s", tc.path, ac.Username, err, tc.want)
		}
	}
	ac, _ := c.LookupScopes("r.io", []string{"repository:a/app:pull,push"})
	if ac.Username != "alice" {
		t.Errorf("LookupScopes(repository:a/app) = %q, want alice", ac.Username)
	}
	repo, _ := name.NewRepository("r.io/a/app")
	a, err := c.Resolve(repo)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Authorization()
	if got.Username != "alice" {
		t.Errorf("Resolve(r.io/a/app) user = %q, want alice", got.Username)
	}
}
