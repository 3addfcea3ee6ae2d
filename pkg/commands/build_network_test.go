package commands

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/internal/stack"
)

// TestBuildNetworkFlags: --add-host lands in /etc/hosts of RUN steps;
// --network none leaves RUN steps only the loopback interface (the
// default network has more), so a RUN that needs the network fails; and
// --network host on a builder that does not allow network.host fails with
// the builder's refusal and how to allow it.
func TestBuildNetworkFlags(t *testing.T) {
	needStack(t)
	df := "ARG BASE\nFROM ${BASE}\nRUN cat /etc/hosts > /hosts && cat /proc/net/dev > /netdev\n"
	dir := writeFiles(t, map[string]string{"Dockerfile": df})
	img := buildAndPull(t, dir, "net-none", "--build-arg", "BASE="+baseImage,
		"--network", "none", "--add-host", "db.internal:10.1.2.3", "--add-host", "cache.internal=10.1.2.4")
	hosts, _ := fileInImage(t, img, "hosts")
	for _, want := range []string{"10.1.2.3\tdb.internal", "10.1.2.4\tcache.internal"} {
		if !strings.Contains(hosts, want) {
			t.Errorf("--add-host: /etc/hosts of the RUN step lacks %q:\n%s", want, hosts)
		}
	}
	if got := interfaces(t, fileOr(t, img, "netdev")); got != "lo" {
		t.Errorf("--network none: RUN sees interfaces %q, want lo only", got)
	}
	img = buildAndPull(t, dir, "net-default", "--build-arg", "BASE="+baseImage)
	if got := interfaces(t, fileOr(t, img, "netdev")); got == "lo" {
		t.Errorf("default network: RUN sees only %q; the --network none check above cannot tell", got)
	}

	wget := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nARG URL\nRUN wget -q -O /dev/null $URL\n"})
	args := []string{"build", wget, "--image-name", "ctx/wget", "--no-push", "--build-arg", "BASE=" + baseImage,
		"--build-arg", "URL=http://" + regA.Host + "/v2/", "--registries", registriesFile(t, ""), "--builder", bk.Addr, "--progress", "quiet"}
	mustHoist(t, args...)
	if r := hoist(t, append(args, "--network", "none")...); r.code != 1 {
		t.Errorf("--network none: a RUN that fetches from the registry: exit %d, want 1\n%s", r.code, r.stderr)
	}

	r := hoist(t, append(args, "--network", "host")...)
	if r.code != 1 || !strings.Contains(r.stderr, "network.host is not allowed by build daemon configuration") || !strings.Contains(r.stderr, "--allow-insecure-entitlement") {
		t.Errorf("--network host on a builder without the entitlement: exit %d, stderr %q", r.code, r.stderr)
	}
}

// fileOr returns path's content in img; a missing file fails t.
func fileOr(t *testing.T, img v1.Image, path string) string {
	t.Helper()
	content, ok := fileInImage(t, img, path)
	if !ok {
		t.Fatalf("/%s is not in the image", path)
	}
	return content
}

// interfaces lists the interface names of a /proc/net/dev, comma separated.
func interfaces(t *testing.T, netdev string) string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(netdev, "\n") {
		if n, _, ok := strings.Cut(line, ":"); ok {
			names = append(names, strings.TrimSpace(n))
		}
	}
	if len(names) == 0 {
		t.Fatalf("no interfaces in /proc/net/dev:\n%s", netdev)
	}
	return strings.Join(names, ",")
}

// pushBase pushes busybox with BASE_VERSION=version in its config to ref.
func pushBase(t *testing.T, ref, version string) {
	t.Helper()
	bb, err := stack.Busybox()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := bb.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	c.Env = append(append([]string(nil), c.Env...), "BASE_VERSION="+version)
	img, err := mutate.Config(bb, c)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

// baseVersion returns the BASE_VERSION an image inherited from its base.
func baseVersion(t *testing.T, img v1.Image) string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cf.Config.Env {
		if v, ok := strings.CutPrefix(e, "BASE_VERSION="); ok {
			return v
		}
	}
	return ""
}

// TestBuildPull: after the base's tag moved in the registry, --pull
// builds on the new base, and BuildKit got image-resolve-mode=pull. (An
// OCI-worker buildkitd, as hoist starts, resolves tags on every build
// anyway; a containerd-worker one would keep using its local copy
// without --pull.)
func TestBuildPull(t *testing.T) {
	needStack(t)
	base := regA.Host + "/base/moving:stable"
	pushBase(t, base, "1")
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo built > /built.txt\n"})
	if got := baseVersion(t, buildAndPull(t, dir, "pull", "--build-arg", "BASE="+base, "--build-arg", "HOIST_TEST_MARK=nopull")); got != "1" {
		t.Fatalf("first build: base version %q, want 1", got)
	}
	if mode, ok := builtWith(t, "nopull")["image-resolve-mode"]; ok {
		t.Errorf("without --pull: image-resolve-mode=%s, want none", mode)
	}
	pushBase(t, base, "2")
	img := buildAndPull(t, dir, "pull", "--build-arg", "BASE="+base, "--pull", "--build-arg", "HOIST_TEST_MARK=pull")
	if got := baseVersion(t, img); got != "2" {
		t.Errorf("--pull after the base's tag moved: base version %q, want 2", got)
	}
	if mode := builtWith(t, "pull")["image-resolve-mode"]; mode != "pull" {
		t.Errorf("--pull: BuildKit got image-resolve-mode=%q, want pull", mode)
	}
}

// builtWith returns the frontend attributes that the stack's buildkitd
// recorded in its build history for the newest build whose build
// argument HOIST_TEST_MARK is mark.
func builtWith(t *testing.T, mark string) map[string]string {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(ctx, bk.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stream, err := c.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{EarlyExit: true})
	if err != nil {
		t.Fatal(err)
	}
	var newest *controlapi.BuildHistoryRecord
	for {
		ev, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		r := ev.Record
		if r != nil && r.FrontendAttrs["build-arg:HOIST_TEST_MARK"] == mark && (newest == nil || r.CreatedAt.AsTime().After(newest.CreatedAt.AsTime())) {
			newest = r
		}
	}
	if newest == nil {
		t.Fatalf("buildkitd recorded no build with HOIST_TEST_MARK=%s", mark)
	}
	return newest.FrontendAttrs
}
