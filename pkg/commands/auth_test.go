package commands

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestAuthFromRegistriesFile pushes to the htpasswd registry with the
// password from registries.yaml's password_env.
func TestAuthFromRegistriesFile(t *testing.T) {
	needStack(t)
	t.Setenv("TEST_SECURE_PASSWORD", securePassword)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo secure > /secure.txt\n"})
	mustHoist(t, "build", dir, "--image-name", "auth/from-file", "--tag", "v1", "--registry", "secure",
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet")
	if digestOf(t, regSecure.Host+"/auth/from-file:v1", &authn.Basic{Username: secureUser, Password: securePassword}) == "" {
		t.Error("the image is not in the secure registry")
	}
}

// TestAuthFromDockerConfig pushes to the htpasswd registry with credentials
// that docker login left in config.json; registries.yaml holds none.
func TestAuthFromDockerConfig(t *testing.T) {
	needStack(t)
	docker := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(secureUser + ":" + securePassword))
	if err := os.WriteFile(filepath.Join(docker, "config.json"), []byte(`{"auths":{"`+regSecure.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", docker)
	regs := filepath.Join(writeFiles(t, map[string]string{"registries.yaml": "registries:\n  - name: secure\n    domain: " + regSecure.Host + "\n    insecure: true\n"}), "registries.yaml")
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo docker-config > /dc.txt\n"})
	mustHoist(t, "build", dir, "--image-name", "auth/docker-config", "--tag", "v1",
		"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	if digestOf(t, regSecure.Host+"/auth/docker-config:v1", &authn.Basic{Username: secureUser, Password: securePassword}) == "" {
		t.Error("the image is not in the secure registry")
	}
}

// TestAuthWrongPassword: a wrong password fails with one line that names
// the registry, exit 1, and the password appears nowhere.
func TestAuthWrongPassword(t *testing.T) {
	needStack(t)
	const wrong = "not-the-Pa55word-42"
	t.Setenv("TEST_SECURE_PASSWORD", wrong)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\n"})
	r := hoist(t, "build", dir, "--image-name", "auth/wrong", "--tag", "v1", "--registry", "secure",
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "plain")
	want := `hoist: step build: registry "secure" (` + regSecure.Host + `): authentication failed: the registry refused the username or password` + "\n"
	// BuildKit's plain progress may show the cancelled build above it (or
	// nothing, when the push check fails first); the error itself is the
	// one line that starts with "hoist:".
	if r.code != 1 || !(r.stderr == want || strings.HasSuffix(r.stderr, "\n"+want)) || strings.Count(r.stderr, "hoist:") != 1 {
		t.Errorf("exit %d, stderr %q; want exit 1, ending in %q", r.code, r.stderr, want)
	}
	for _, secret := range []string{wrong, securePassword} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("output holds a password:\n%s\n%s", r.stdout, r.stderr)
		}
	}
}
