package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/stack"
)

// The real stack that end-to-end tests here use, started by needStack on
// the first test that asks for it: a buildkitd, an open registry (which also
// holds the busybox base image), a second open registry, and one with
// htpasswd auth. Tests that only load, validate or plan never start it.
var (
	bk                    *stack.Buildkitd
	regA, regB, regSecure *stack.Registry
	baseImage             string

	stackOnce sync.Once
	stackErr  error
)

const (
	secureUser     = "hoist"
	securePassword = "s3cret-Pa55word"
)

// Registry hosts for tests that only load, validate or plan: nothing
// listens there, and nothing needs to.
const (
	planA      = "127.0.0.1:5997"
	planB      = "127.0.0.1:5998"
	planSecure = "127.0.0.1:5999"
)

// needsStack is why a test that needs real servers skips under -short.
const needsStack = "needs the real stack (buildkitd, registries): run without -short as root"

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// Keep the tests away from the user's own config and a system buildkitd;
	// go build (of the signal tests) keeps the user's Go caches.
	home, _ := os.MkdirTemp("", "hoist-test-home-")
	defer os.RemoveAll(home)
	// Tests that build hoist with the go command keep the user's Go
	// caches: a new HOME would mean an empty build and module cache.
	if out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output(); err == nil {
		if v := strings.Split(strings.TrimSpace(string(out)), "\n"); len(v) == 3 {
			os.Setenv("GOCACHE", v[0])
			os.Setenv("GOMODCACHE", v[1])
			os.Setenv("GOPATH", v[2])
		}
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("DOCKER_CONFIG", filepath.Join(home, ".docker"))
	for _, k := range []string{"BUILDKIT_HOST", "CF_BRANCH", "CF_REVISION", "HOIST_REGISTRIES", "HOIST_BUILDER"} {
		os.Unsetenv(k)
	}
	defer stopStack()
	defer func() {
		if binDir != "" {
			os.RemoveAll(binDir)
		}
	}()
	return m.Run()
}

// Version fields the hoistBinary carries.
const (
	binVersion = "1.2.3"
	binCommit  = "abc123"
	binDate    = "2026-01-02T03:04:05Z"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// hoistBinary builds hoist once for the tests that run it as a program:
// static, for linux/amd64 (it also goes into the step image), with
// binVersion, binCommit and binDate set as a release sets them.
func hoistBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "hoist-test-bin-"); binErr != nil {
			return
		}
		ldflags := "-X github.com/hoist-build/hoist/pkg/version.Version=" + binVersion +
			" -X github.com/hoist-build/hoist/pkg/version.Commit=" + binCommit +
			" -X github.com/hoist-build/hoist/pkg/version.Date=" + binDate
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(binDir, "hoist"), "../../cmd/hoist")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "hoist")
}

// needStack skips t under -short; otherwise it starts the real stack on
// first use, and fails t when the stack could not start.
func needStack(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip(needsStack)
	}
	stackOnce.Do(func() { stackErr = startStack(context.Background()) })
	if stackErr != nil {
		t.Fatalf("test stack: %v", stackErr)
	}
}

// startStack starts buildkitd and the three registries and pushes the
// base image; what started is stopped by stopStack, even after an error.
func startStack(ctx context.Context) error {
	var err error
	if bk, err = stack.StartBuildkitd(ctx); err != nil {
		return fmt.Errorf("buildkitd: %w", err)
	}
	if regA, err = stack.StartRegistry(stack.RegistryOptions{}); err != nil {
		return fmt.Errorf("registry a: %w", err)
	}
	if regB, err = stack.StartRegistry(stack.RegistryOptions{}); err != nil {
		return fmt.Errorf("registry b: %w", err)
	}
	if regSecure, err = stack.StartRegistry(stack.RegistryOptions{Username: secureUser, Password: securePassword}); err != nil {
		return fmt.Errorf("registry secure: %w", err)
	}
	baseImage = regA.Host + "/base/busybox:stable"
	if _, err := stack.PushBusybox(baseImage, nil); err != nil {
		return fmt.Errorf("base image: %w", err)
	}
	return nil
}

// stopStack stops whatever startStack started.
func stopStack() {
	for _, r := range []*stack.Registry{regSecure, regB, regA} {
		if r != nil {
			r.Stop()
		}
	}
	if bk != nil {
		bk.Stop()
	}
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
// It needs the stack.
func registriesFile(t *testing.T, extra string) string {
	t.Helper()
	needStack(t)
	return writeRegistries(t, regA.Host, regB.Host, regSecure.Host, extra)
}

// planRegistriesFile writes the same registries.yaml as registriesFile with
// the plan hosts, where no registry listens: for tests that only load,
// validate or plan.
func planRegistriesFile(t *testing.T, extra string) string {
	t.Helper()
	return writeRegistries(t, planA, planB, planSecure, extra)
}

func writeRegistries(t *testing.T, a, b, secure, extra string) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{"registries.yaml": fmt.Sprintf(`registries:
  - name: a
    provider: other
    domain: %s
    insecure: true
    prefix: team-a
  - name: b
    provider: other
    domain: %s
    insecure: true
    prefix: team-b
  - name: secure
    provider: other
    domain: %s
    insecure: true
    username: %s
    password_env: TEST_SECURE_PASSWORD
%s`, a, b, secure, secureUser, extra)}), "registries.yaml")
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
