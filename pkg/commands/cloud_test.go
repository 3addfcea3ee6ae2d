package commands

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-build/hoist/internal/stack"
)

// cloudCase is one provider login under test: a real htpasswd registry
// whose user is the provider's registry user, the provider's token
// endpoint stood in locally, and the integration that logs in through
// the provider's own client library.
type cloudCase struct {
	name, path string
	// yaml is the integration's entry, named cloud.
	yaml string
	// registry is where the images land; user and password log in there.
	registry       *stack.Registry
	user, password string
	// secrets must appear in no output.
	secrets []string
	// requests counts the stand-in's token requests.
	requests func() int64
	// refuse makes the stand-in refuse; expire makes it issue a token
	// the registry refuses.
	refuse, expire func()
	// ecr is the ECR stand-in of the ecr cases.
	ecr *stack.ECR
}

// startCloud starts the registry and stand-in of provider and sets the
// environment its library reads.
func startCloud(t *testing.T, provider, kind string) *cloudCase {
	t.Helper()
	needStack(t)
	canary := "CANARY-" + provider + "-7f3a9c"
	c := &cloudCase{name: provider, password: "pw-" + canary}
	start := func(user string) {
		reg, err := stack.StartRegistry(stack.RegistryOptions{Kind: kind, Username: user, Password: c.password})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(reg.Stop)
		c.registry, c.user = reg, user
	}
	awsEnv := func(e *stack.ECR) {
		t.Setenv("AWS_ENDPOINT_URL_ECR", e.URL)
		t.Setenv("AWS_ENDPOINT_URL_STS", e.URL)
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"} {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		c.requests = e.Requests.Load
		c.refuse = func() { e.Refuse.Store(true) }
		c.expire = func() { e.Password = "expired-" + canary }
	}
	const ecrDomain = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	switch provider {
	case "ecr", "ecr-role", "ecr-chain":
		start(stack.ECRUser)
		secret := "aws-secret-" + canary
		t.Setenv("TEST_AWS_SECRET", secret)
		e := stack.StartECR(c.password, "AKIAHOISTTEST")
		t.Cleanup(e.Close)
		awsEnv(e)
		c.ecr = e
		c.path = "ecr"
		c.yaml = fmt.Sprintf("    provider: ecr\n    domain: %s\n    endpoint: %s\n    insecure: true\n", ecrDomain, c.registry.Host)
		switch provider {
		case "ecr":
			c.yaml += "    access_key_id: AKIAHOISTTEST\n    secret_access_key_env: TEST_AWS_SECRET\n"
		case "ecr-role":
			e.KeyID = stack.AssumedKeyID
			c.yaml += "    access_key_id: AKIAHOISTTEST\n    secret_access_key_env: TEST_AWS_SECRET\n    role_arn: arn:aws:iam::123456789012:role/pusher\n"
		case "ecr-chain":
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAHOISTTEST")
			t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
		}
		c.secrets = []string{secret, c.password, base64.StdEncoding.EncodeToString([]byte(stack.ECRUser + ":" + c.password))}
	case "gar":
		start(stack.GoogleUser)
		g, err := stack.StartGoogle(c.password)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Close)
		key, err := g.Keyfile(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c.path = "google"
		c.yaml = fmt.Sprintf("    provider: gar\n    domain: europe-west1-docker.pkg.dev\n    prefix: hoist-test/images\n    endpoint: %s\n    insecure: true\n    keyfile: %s\n", c.registry.Host, key)
		c.secrets = []string{c.password}
		c.requests = g.Requests.Load
		c.refuse = func() { g.Refuse.Store(true) }
		c.expire = func() { g.Password = "expired-" + canary }
	case "acr":
		start(stack.ACRUser)
		secret := "client-secret-" + canary
		t.Setenv("TEST_AZURE_SECRET", secret)
		a := stack.StartACR(c.registry.Host, c.password, "hoist-app-id", secret)
		t.Cleanup(a.Close)
		t.Setenv("AZURE_AUTHORITY_HOST", a.URL)
		c.path = "acr"
		c.yaml = fmt.Sprintf("    provider: acr\n    domain: hoisttest.azurecr.io\n    endpoint: %s\n    insecure: true\n    client_id: hoist-app-id\n    client_secret_env: TEST_AZURE_SECRET\n    tenant_id: hoist-tenant\n", a.Host)
		c.secrets = []string{secret, c.password}
		c.requests = a.Requests.Load
		c.refuse = func() { a.Refuse.Store(true) }
		c.expire = func() { a.Password = "expired-" + canary }
	default:
		t.Fatalf("no cloud case %q", provider)
	}
	return c
}

// file writes the registries file with the integration, named cloud.
func (c *cloudCase) file(t *testing.T) string {
	t.Helper()
	return filepath.Join(writeFiles(t, map[string]string{"registries.yaml": "registries:\n  - name: cloud\n" + c.yaml}), "registries.yaml")
}

// prefix is the repository prefix of the integration in the registry.
func (c *cloudCase) ref(image string) string {
	if c.name == "gar" {
		image = "hoist-test/images/" + image
	}
	return c.registry.Host + "/" + image
}

// TestCloudLogin: for each provider login, hoist build pushes to a real
// registry with the credentials the provider's library got from the
// stood-in token endpoint; registries check names the login path; no
// secret shows in stdout, stderr, progress or the metadata file; a
// refused login and an expired token each fail with one line naming the
// integration and the login path.
func TestCloudLogin(t *testing.T) {
	for _, tc := range []struct{ provider, kind string }{
		{"ecr", stack.Distribution2}, {"ecr-role", stack.Distribution2}, {"ecr-chain", stack.Distribution2},
		{"gar", stack.Distribution2}, {"acr", stack.Distribution2},
		{"ecr", stack.Distribution3}, {"gar", stack.Distribution3}, {"acr", stack.Distribution3},
	} {
		provider := tc.provider
		t.Run(provider+"/"+tc.kind, func(t *testing.T) {
			c := startCloud(t, provider, tc.kind)
			regs := c.file(t)
			meta := filepath.Join(t.TempDir(), "meta.json")
			dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo " + provider + " > /cloud.txt\n"})
			build := []string{"build", dir, "--image-name", "cloud/app", "--tag", "v1", "--registry", "cloud",
				"--build-arg", "BASE=" + baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "plain"}
			r := mustHoist(t, append(build, "--metadata-file", meta)...)
			if digestOf(t, c.ref("cloud/app:v1"), &authn.Basic{Username: c.user, Password: c.password}) == "" {
				t.Errorf("cloud/app:v1 is not in the registry behind %s", provider)
			}
			chk := mustHoist(t, "registries", "check", "--registries", regs)
			if want := "login: " + c.path; !strings.Contains(chk.stdout, "ok: reachable, logged in") || !strings.Contains(chk.stdout, want) {
				t.Errorf("registries check = %q, want it logged in, with %q", chk.stdout, want)
			}
			metaData, _ := os.ReadFile(meta)
			for _, s := range c.secrets {
				if strings.Contains(r.stdout+r.stderr+chk.stdout+chk.stderr+string(metaData), s) {
					t.Errorf("a secret shows in the output or the metadata file")
				}
			}

			c.expire()
			r = hoist(t, append(build, "--tag", "v2")...)
			want := `registry "cloud" (`
			if last := lastLine(r.stderr); r.code != 1 || !strings.HasPrefix(last, "hoist: ") || !strings.Contains(last, want) || !strings.Contains(last, "refused the token of the "+c.path+" login") {
				t.Errorf("expired token: exit %d, last line %q; want exit 1 and one line naming the integration and the %s login", r.code, last, c.path)
			}
			t.Logf("expired: %s", lastLine(r.stderr))
			c.refuse()
			r = hoist(t, append(build, "--tag", "v3")...)
			t.Logf("refused: %s", lastLine(r.stderr))
			if last := lastLine(r.stderr); r.code != 1 || !strings.Contains(last, want) || !strings.Contains(last, ": "+c.path+" login: ") {
				t.Errorf("refused login: exit %d, last line %q; want exit 1 and one line naming the integration and the %s login", r.code, last, c.path)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestECRTokenOnce: a pipeline that pushes ten times to one ECR
// integration asks ECR for a token once.
func TestECRTokenOnce(t *testing.T) {
	c := startCloud(t, "ecr", stack.Distribution2)
	t.Setenv("HOIST_STORE", t.TempDir())
	steps := "version: \"1.0\"\nsteps:\n  build_app:\n    type: build\n    image_name: cloud/once\n    tag: candidate\n    disable_push: true\n    build_arguments:\n      - BASE=${{BASE}}\n"
	for i := range 10 {
		steps += fmt.Sprintf("  push_%d:\n    type: push\n    candidate: ${{build_app}}\n    tag: v%d\n    registry: cloud\n", i, i)
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo once > /once.txt\n", "codefresh.yml": steps})
	mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", c.file(t), "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE="+baseImage)
	for i := range 10 {
		if digestOf(t, c.ref(fmt.Sprintf("cloud/once:v%d", i)), &authn.Basic{Username: c.user, Password: c.password}) == "" {
			t.Errorf("cloud/once:v%d was not pushed", i)
		}
	}
	if got := c.requests(); got != 1 {
		t.Errorf("token requests to ECR = %d, want 1", got)
	}
}

// TestECRBaseThroughEndpoint: hoist's own buildkitd pulls a base image
// from an ECR domain through the integration's endpoint (a mirror to
// BuildKit), logged in with the ECR token through BuildKit's session.
func TestECRBaseThroughEndpoint(t *testing.T) {
	c := startCloud(t, "ecr", stack.Distribution2)
	if _, err := os.Stat("/run/buildkit/buildkitd.sock"); err == nil {
		t.Fatal("a system buildkitd listens on /run/buildkit/buildkitd.sock; this test needs none")
	}
	t.Setenv("HOIST_BUILDKIT_STATE", t.TempDir())
	if _, err := stack.PushBusybox(c.registry.Host+"/base/busybox:stable", &authn.Basic{Username: c.user, Password: c.password}); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo from-ecr > /ecr.txt\n"})
	r := mustHoist(t, "build", dir, "--image-name", "cloud/from-ecr", "--tag", "v1", "--registry", "cloud",
		"--build-arg", "BASE=123456789012.dkr.ecr.us-east-1.amazonaws.com/base/busybox:stable", "--registries", c.file(t), "--progress", "quiet")
	if !strings.Contains(r.stderr, "started a local buildkitd") {
		t.Errorf("hoist did not start its own buildkitd:\n%s", r.stderr)
	}
	if digestOf(t, c.ref("cloud/from-ecr:v1"), &authn.Basic{Username: c.user, Password: c.password}) == "" {
		t.Error("cloud/from-ecr:v1 was not pushed")
	}
	if got := c.requests(); got != 1 {
		t.Errorf("token requests to ECR = %d, want 1 (BuildKit's pull and hoist's push share the token)", got)
	}
}

// TestECRListing: ECR serves no _catalog; hoist images lists an ECR
// integration's repositories with DescribeRepositories (the stand-in pages
// two at a time) and shows the images they hold.
func TestECRListing(t *testing.T) {
	c := startCloud(t, "ecr", stack.Distribution2)
	regs := c.file(t)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nARG N\nRUN echo $N > /n\n"})
	names := []string{"team/one", "team/two", "team/three"}
	for i, n := range names {
		mustHoist(t, "build", dir, "--image-name", n, "--tag", "v1", "--registry", "cloud", "--build-arg", fmt.Sprintf("N=%d", i),
			"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	}
	c.ecr.Repositories = names
	r := mustHoist(t, "images", "--registries", regs, "-o", "json")
	for _, n := range names {
		if !strings.Contains(r.stdout, `"name": "`+n+`"`) {
			t.Errorf("images does not list %s:\n%s", n, r.stdout)
		}
	}
	if got := c.ecr.Listings.Load(); got != 2 {
		t.Errorf("DescribeRepositories requests = %d, want 2 (three repositories, two a page)", got)
	}
	for _, s := range c.secrets {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Error("a secret shows in the listing")
		}
	}
}
