package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// The real stack every end-to-end test here uses, started once by TestMain:
// a buildkitd, an open registry (which also holds the busybox base image),
// a second open registry, and one with htpasswd auth.
var (
	bk                    *stack.Buildkitd
	regA, regB, regSecure *stack.Registry
	baseImage             string
)

const (
	secureUser     = "hoist"
	securePassword = "s3cret-Pa55word"
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx := context.Background()
	var err error
	fail := func(what string, err error) int {
		fmt.Fprintf(os.Stderr, "test stack: %s: %v\n", what, err)
		return 1
	}
	if bk, err = stack.StartBuildkitd(ctx); err != nil {
		return fail("buildkitd", err)
	}
	defer bk.Stop()
	if regA, err = stack.StartRegistry(stack.RegistryOptions{}); err != nil {
		return fail("registry a", err)
	}
	defer regA.Stop()
	if regB, err = stack.StartRegistry(stack.RegistryOptions{}); err != nil {
		return fail("registry b", err)
	}
	defer regB.Stop()
	if regSecure, err = stack.StartRegistry(stack.RegistryOptions{Username: secureUser, Password: securePassword}); err != nil {
		return fail("registry secure", err)
	}
	defer regSecure.Stop()
	baseImage = regA.Host + "/base/busybox:stable"
	if _, err := stack.PushBusybox(baseImage, nil); err != nil {
		return fail("base image", err)
	}
	// Keep the tests away from the user's own config and a system buildkitd.
	home, _ := os.MkdirTemp("", "hoist-test-home-")
	defer os.RemoveAll(home)
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	for _, k := range []string{"BUILDKIT_HOST", "CF_BRANCH", "CF_REVISION", "HOIST_REGISTRIES", "HOIST_BUILDER"} {
		os.Unsetenv(k)
	}
	return m.Run()
}

// result is what one in-process hoist run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// hoist runs the real command tree in-process.
func hoist(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(context.Background(), args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// mustHoist runs hoist and fails the test unless it exits 0.
func mustHoist(t *testing.T, args ...string) result {
	t.Helper()
	r := hoist(t, args...)
	if r.code != 0 {
		t.Fatalf("hoist %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// writeFiles writes name → content under a new temp dir and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for n, c := range files {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// registriesFile writes a registries.yaml naming the test registries:
// a (prefix team-a), b (prefix team-b), secure (htpasswd), plus extra YAML.
func registriesFile(t *testing.T, extra string) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{"registries.yaml": fmt.Sprintf(`registries:
  - name: a
    provider: other
    domain: %s
    prefix: team-a
  - name: b
    provider: other
    domain: %s
    prefix: team-b
  - name: secure
    provider: other
    domain: %s
    username: %s
    password_env: TEST_SECURE_PASSWORD
%s`, regA.Host, regB.Host, regSecure.Host, secureUser, extra)}), "registries.yaml")
}

// digestOf returns the manifest digest ref has in its registry, or "" when
// the registry does not hold it.
func digestOf(t *testing.T, ref string, auth authn.Authenticator) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if auth == nil {
		auth = authn.Anonymous
	}
	desc, err := remote.Head(r, remote.WithAuth(auth))
	if err != nil {
		return ""
	}
	return desc.Digest.String()
}

// image fetches ref from its registry.
func image(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("fetching %s: %v", ref, err)
	}
	return img
}
