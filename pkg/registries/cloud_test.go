package registries

import (
	"context"
	"encoding/base64"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestLoadCloud(t *testing.T) {
	c, err := Load(strings.NewReader(`registries:
  - name: ecr
    provider: ecr
    domain: 123456789012.dkr.ecr.eu-west-3.amazonaws.com
    access_key_id: AKIDEXAMPLE
    secret_access_key_env: AWS_SECRET
  - name: gh
    provider: ghcr
    username: me
    password_env: TOKEN
  - name: hub
    provider: dockerhub
`), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"ecr": LoginECR, "gh": LoginStatic, "hub": ""} {
		if r, _ := c.Get(name); r.LoginPath() != want {
			t.Errorf("Get(%q).LoginPath() = %q, want %q", name, r.LoginPath(), want)
		}
	}
	if r, _ := c.Get("ecr"); r.Region != "eu-west-3" {
		t.Errorf("ecr region = %q, want eu-west-3 (from the domain)", r.Region)
	}
}

func TestLoadCloudErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"ecr-region", "registries:\n  - name: a\n    provider: ecr\n    domain: ecr.example.com\n", "r.yaml:2: registries[0].region: required when the domain does not name it"},
		{"ecr-secret", "registries:\n  - name: a\n    provider: ecr\n    domain: 1.dkr.ecr.us-east-1.amazonaws.com\n    access_key_id: AK\n", "r.yaml:2: registries[0].access_key_id: give access_key_id with secret_access_key"},
		{"keyfile-not-google", "registries:\n  - name: a\n    provider: ecr\n    domain: 1.dkr.ecr.us-east-1.amazonaws.com\n    keyfile: k.json\n", "r.yaml:2: registries[0].keyfile: only for providers gcr and gar"},
		{"acr-half", "registries:\n  - name: a\n    provider: acr\n    domain: x.azurecr.io\n    client_id: id\n", "r.yaml:2: registries[0].client_id: needs client_secret_env and tenant_id"},
		{"two-kinds", "registries:\n  - name: a\n    provider: acr\n    domain: x.azurecr.io\n    client_id: id\n    username: u\n", "r.yaml:2: registries[0]: give one kind of credentials"},
		{"endpoint", "registries:\n  - name: a\n    domain: x.example.com\n    endpoint: http://127.0.0.1:5000\n", "r.yaml:2: registries[0].endpoint:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml), "r.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Load() error = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// TestCloudLoginCached: a token is fetched once while it holds, and again
// shortly before it expires.
func TestCloudLoginCached(t *testing.T) {
	fetches := 0
	life := time.Hour
	l := &cloudLogin{path: LoginECR, fetch: func(context.Context) (types.AuthConfig, time.Time, error) {
		fetches++
		return types.AuthConfig{Username: "AWS", Password: "p"}, time.Now().Add(life), nil
	}}
	for range 10 {
		if _, err := l.auth(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if fetches != 1 {
		t.Errorf("fetches after 10 logins = %d, want 1", fetches)
	}
	l.until = time.Now().Add(-time.Second)
	if _, err := l.auth(context.Background()); err != nil || fetches != 2 {
		t.Errorf("fetches after expiry = %d (%v), want 2", fetches, err)
	}
}

// TestEndpoint: an integration whose endpoint is another address pushes
// there, while the references name its domain.
func TestEndpoint(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cfg, err := Load(strings.NewReader(`registries:
  - name: ecr
    domain: 123456789012.dkr.ecr.us-east-1.amazonaws.com
    endpoint: `+host+`
    insecure: true
`), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	acct := NewAccount(cfg, t.TempDir())
	c, _ := acct.Get("ecr")
	tag, err := c.Integration.Tag("app", "v1")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(100, 1)
	opts, err := c.Options(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		t.Fatalf("remote.Write(%s) = %v", tag, err)
	}
	if _, err := remote.Head(tag, opts...); err != nil {
		t.Errorf("remote.Head(%s) = %v", tag, err)
	}
}

// TestGitHubToken: under GitHub Actions, a ghcr integration with no
// credentials of its own and none in docker's config uses $GITHUB_TOKEN.
func TestGitHubToken(t *testing.T) {
	cfg, err := Load(strings.NewReader("registries:\n  - name: gh\n    provider: ghcr\n    prefix: acme\n"), "r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gh, _ := cfg.Get("gh")
	t.Setenv("GITHUB_TOKEN", "ghs_test")
	t.Setenv("GITHUB_ACTOR", "octo")
	for _, tc := range []struct {
		actions, docker string
		want            string
		user            string
	}{
		{"", "", LoginAnonymous, ""},
		{"true", "", LoginGitHubToken, "octo"},
		{"true", `{"auths":{"ghcr.io":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("me:pat")) + `"}}}`, LoginDockerConfig, "me"},
	} {
		dir := t.TempDir()
		if tc.docker != "" {
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.docker), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("GITHUB_ACTIONS", tc.actions)
		ac, path, err := NewCredentials(cfg, dir).Login(context.Background(), gh)
		if err != nil || path != tc.want || ac.Username != tc.user {
			t.Errorf("GITHUB_ACTIONS=%q, docker %q: Login() = %q, %q, %v; want %q, %q", tc.actions, tc.docker, ac.Username, path, err, tc.user, tc.want)
		}
	}
}
