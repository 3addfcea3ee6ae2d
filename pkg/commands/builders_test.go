package commands

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestBuilderMutualTLS: a buildkitd on a loopback TCP port that asks for
// client certificates. With hoist's client certificate the build is pushed;
// without it, or trusting the wrong CA, hoist says so in one line, exits 1,
// and nothing is pushed. --tlsdir works as buildctl's.
func TestBuilderMutualTLS(t *testing.T) {
	needStack(t)
	dir := t.TempDir()
	ca, err := stack.NewCA(dir, "builders")
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue("server", false)
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Issue("client", true)
	if err != nil {
		t.Fatal(err)
	}
	other, err := stack.NewCA(dir, "other")
	if err != nil {
		t.Fatal(err)
	}
	addr, err := stack.LoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	tlsd, err := stack.StartBuildkitdWith(context.Background(), stack.BuildkitdOptions{Addr: addr, TLS: &server, Client: &client})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsd.Stop()

	ctx := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo mtls > /mtls.txt\n"})
	regs := registriesFile(t, "")
	build := func(tag string, tlsArgs ...string) result {
		args := append([]string{"build", ctx, "--image-name", "builders/mtls", "--tag", tag, "--registry", "a",
			"--build-arg", "BASE=" + baseImage, "--registries", regs, "--builder", addr, "--progress", "quiet"}, tlsArgs...)
		return hoist(t, args...)
	}
	ref := func(tag string) string { return regA.Host + "/team-a/builders/mtls:" + tag }

	if r := build("ok", "--tlscacert", client.CA, "--tlscert", client.Cert, "--tlskey", client.Key); r.code != 0 || digestOf(t, ref("ok"), nil) == "" {
		t.Fatalf("with the client certificate: exit %d, stderr %q; want the image pushed", r.code, r.stderr)
	}
	tlsDir := filepath.Join(dir, "tlsdir")
	os.MkdirAll(tlsDir, 0o700)
	for from, to := range map[string]string{client.CA: "ca.pem", client.Cert: "cert.pem", client.Key: "key.pem"} {
		data, _ := os.ReadFile(from)
		os.WriteFile(filepath.Join(tlsDir, to), data, 0o600)
	}
	if r := build("dir", "--tlsdir", tlsDir); r.code != 0 || digestOf(t, ref("dir"), nil) == "" {
		t.Errorf("with --tlsdir: exit %d, stderr %q; want the image pushed", r.code, r.stderr)
	}
	for name, args := range map[string][]string{
		"no client certificate": {"--tlscacert", client.CA},
		"wrong ca":              {"--tlscacert", other.File, "--tlscert", client.Cert, "--tlskey", client.Key},
	} {
		r := build(strings.ReplaceAll(name, " ", "-"), args...)
		prefix := "hoist: builder " + addr + " is not reachable: "
		if r.code != 1 || !strings.HasPrefix(r.stderr, prefix) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line starting %q", name, r.code, r.stderr, prefix)
		}
		if d := digestOf(t, ref(strings.ReplaceAll(name, " ", "-")), nil); d != "" {
			t.Errorf("%s: pushed %s, want nothing", name, d)
		}
		t.Logf("%s: %s", name, strings.TrimSpace(r.stderr))
	}
}

// TestBuilderConnectionHelpers: kube-pod:// and docker-container:// go
// through BuildKit's own helpers, which run `kubectl exec ... buildctl
// dial-stdio` and `docker exec ... buildctl dial-stdio`. Stand-in kubectl
// and docker programs on PATH relay to the test's buildkitd with the real
// buildctl, so the whole connection path runs; each records its arguments.
func TestBuilderConnectionHelpers(t *testing.T) {
	needStack(t)
	bin := t.TempDir()
	log := filepath.Join(bin, "calls.log")
	relay := "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> " + log + "\nexec buildctl --addr " + bk.Addr + " dial-stdio\n"
	for _, prog := range []string{"kubectl", "docker"} {
		if err := os.WriteFile(filepath.Join(bin, prog), []byte(relay), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	ctx := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo helper > /helper.txt\n"})
	regs := registriesFile(t, "")
	for _, tc := range []struct{ addr, tag, call string }{
		{"kube-pod://buildkitd-0?namespace=ci&container=buildkitd", "kube", "kubectl --context= --namespace=ci exec --container=buildkitd -i buildkitd-0 -- buildctl dial-stdio"},
		{"docker-container://buildx_buildkit_default", "docker", "docker exec -i buildx_buildkit_default buildctl dial-stdio"},
	} {
		r := hoist(t, "build", ctx, "--image-name", "builders/helper", "--tag", tc.tag, "--registry", "a",
			"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", tc.addr, "--progress", "quiet")
		if r.code != 0 || digestOf(t, regA.Host+"/team-a/builders/helper:"+tc.tag, nil) == "" {
			t.Errorf("--builder %s: exit %d, stderr %q; want the image pushed", tc.addr, r.code, r.stderr)
		}
		calls, _ := os.ReadFile(log)
		if !strings.Contains(string(calls), tc.call+"\n") {
			t.Errorf("--builder %s: calls %q, want %q", tc.addr, calls, tc.call)
		}
	}
}
