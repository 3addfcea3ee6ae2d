package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-build/hoist/internal/stack"
)

// jsonKey stands for a Google service-account key, used as a password.
const jsonKey = `{"type": "service_account", "project_id": "hoist-test", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n", "client_email": "pusher@hoist-test.iam.gserviceaccount.com"}`

// tokenRegistry starts a distribution registry behind a real token server:
// alice may push and pull under allowed/ and pull anywhere but bobs/; bob
// may push and pull under bobs/, where the base image is. It returns the
// registry's host and the registries file: integrations alice (prefix
// allowed), bob (prefix bobs), denied (alice's account, prefix denied)
// and gcrkey (provider gcr, _json_key with a key as password, prefix gcr),
// all on the registry's one domain.
func tokenRegistry(t *testing.T, kind string) (host, regs string, ts *stack.TokenServer) {
	t.Helper()
	needStack(t)
	ts, err := stack.StartTokenServer(t.TempDir(), map[string]stack.TokenUser{
		"alice": {Password: "alice-pw", Grants: []stack.Grant{{Prefix: "allowed/", Actions: []string{"pull", "push"}}, {Prefix: "bobs/"}, {Prefix: "", Actions: []string{"pull"}}}},
		"bob":   {Password: "bob-pw", Grants: []stack.Grant{{Prefix: "bobs/", Actions: []string{"pull", "push"}}}},
		// Google's registries take a service-account key as the password
		// of user _json_key.
		"_json_key": {Password: jsonKey, Grants: []stack.Grant{{Prefix: "gcr/", Actions: []string{"pull", "push"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	reg, err := stack.StartRegistry(stack.RegistryOptions{Kind: kind, Auth: ts.RegistryAuth()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Stop)
	ts.Front(reg.Host)
	host = ts.Host
	if _, err := stack.PushBusybox(host+"/bobs/base/busybox:stable", &authn.Basic{Username: "bob", Password: "bob-pw"}); err != nil {
		t.Fatalf("base image: %v", err)
	}
	t.Setenv("ALICE_PW", "alice-pw")
	t.Setenv("BOB_PW", "bob-pw")
	t.Setenv("GCR_KEY", jsonKey)
	regs = filepath.Join(writeFiles(t, map[string]string{"registries.yaml": fmt.Sprintf(`registries:
  - name: alice
    domain: %[1]s
    insecure: true
    prefix: allowed
    username: alice
    password_env: ALICE_PW
  - name: bob
    domain: %[1]s
    insecure: true
    prefix: bobs
    username: bob
    password_env: BOB_PW
  - name: denied
    domain: %[1]s
    insecure: true
    prefix: denied
    username: alice
    password_env: ALICE_PW
  - name: gcrkey
    provider: gcr
    domain: %[1]s
    insecure: true
    prefix: gcr
    username: _json_key
    password_env: GCR_KEY
`, host)}), "registries.yaml")
	return host, regs, ts
}

// TestTokenAuth: against a registry behind a token server, hoist build
// pushes where alice's token allows, while BuildKit pulls the base image
// with bob's account (the integration whose prefix holds it); a push
// alice's token does not allow fails with one line naming the repository
// and the missing scope. It runs against each registry implementation
// that has token auth.
func TestTokenAuth(t *testing.T) {
	for _, kind := range []string{stack.Distribution2, stack.Distribution3} {
		t.Run(kind, func(t *testing.T) { testTokenAuth(t, kind) })
	}
}

func testTokenAuth(t *testing.T, kind string) {
	host, regs, ts := tokenRegistry(t, kind)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo token > /token.txt\n"})
	build := func(registry, tag string) result {
		return hoist(t, "build", dir, "--image-name", "app", "--tag", tag, "--registry", registry,
			"--build-arg", "BASE="+host+"/bobs/base/busybox:stable", "--registries", regs, "--builder", bk.Addr, "--progress", "plain")
	}
	if r := build("alice", "v1"); r.code != 0 {
		t.Fatalf("build to alice: exit %d\n%s", r.code, r.stderr)
	}
	if digestOf(t, host+"/allowed/app:v1", &authn.Basic{Username: "alice", Password: "alice-pw"}) == "" {
		t.Error("allowed/app:v1 is not in the token registry")
	}
	if ts.Requests.Load() == 0 {
		t.Error("the token server saw no request")
	}
	r := build("denied", "v1")
	want := `registry "denied" (` + host + `): authentication failed: the account may not push denied/app: the auth server's token lacks scope repository:denied/app:push`
	if last := lastLine(r.stderr); r.code != 1 || !strings.HasSuffix(last, want) {
		t.Errorf("push to denied: exit %d, last line %q; want exit 1 and a line ending %q", r.code, last, want)
	}
	if r := build("gcrkey", "v1"); r.code != 0 {
		t.Errorf("build to gcrkey (_json_key): exit %d\n%s", r.code, r.stderr)
	} else if digestOf(t, host+"/gcr/app:v1", &authn.Basic{Username: "_json_key", Password: jsonKey}) == "" {
		t.Error("gcr/app:v1 is not in the token registry")
	}
	chk := mustHoist(t, "registries", "check", "--registries", regs)
	if got := strings.Count(chk.stdout, "ok: reachable, logged in"); got != 4 {
		t.Errorf("registries check: %d integrations logged in, want 4:\n%s", got, chk.stdout)
	}
	if strings.Contains(chk.stdout+chk.stderr, "BEGIN PRIVATE KEY") {
		t.Error("registries check shows the key")
	}
}

// TestTokenCacheExport: BuildKit exports the build cache to a caching
// registry on the token registry's domain with the caching integration's
// account (bob), while hoist pushes the image with alice's.
func TestTokenCacheExport(t *testing.T) {
	host, regs, _ := tokenRegistry(t, stack.Distribution2)
	data, err := os.ReadFile(regs)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, fmt.Sprintf("  - name: bobcache\n    domain: %s\n    insecure: true\n    prefix: bobs/cache\n    username: bob\n    password_env: BOB_PW\ndefault: alice\ncaching: bobcache\n", host)...)
	if err := os.WriteFile(regs, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo cached > /cached.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  app:
    type: build
    image_name: app
    tag: cached
    build_arguments:
      - BASE=${{BASE}}
`,
	})
	mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr, "--progress", "quiet",
		"--var", "BASE="+host+"/bobs/base/busybox:stable", "--var", "CF_BRANCH=main")
	if digestOf(t, host+"/allowed/app:cached", &authn.Basic{Username: "alice", Password: "alice-pw"}) == "" {
		t.Error("allowed/app:cached is not in the token registry")
	}
	if digestOf(t, host+"/bobs/cache/app:cache-main", &authn.Basic{Username: "bob", Password: "bob-pw"}) == "" {
		t.Error("BuildKit exported no cache to bobs/cache/app:cache-main with bob's account")
	}
}
