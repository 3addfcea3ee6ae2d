package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBuildxOptions: buildx's flags reach the dockerfile frontend as
// buildx passes them.
func TestBuildxOptions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	assets := t.TempDir()
	req := Request{ContextDir: dir, Dockerfile: filepath.Join(dir, "Dockerfile"), BuildxOptions: BuildxOptions{
		Pull: true, Network: "host", AddHosts: []string{"db:10.0.0.5", "v6=[::1]"}, Allow: []string{"security.insecure"},
		Contexts: []string{"assets=" + assets, "context=" + assets, "base=docker-image://busybox:1", "src=https://example.com/src.git#main"},
	}}
	opt, cleanup, err := solveOpt(req, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	want := map[string]string{
		"filename": "Dockerfile", "image-resolve-mode": "pull", "force-network-mode": "host", "add-hosts": "db=10.0.0.5,v6=::1",
		"frontend.caps": "moby.buildkit.frontend.contexts+forward", "context:assets": "local:assets", "context:context": "local:_context",
		"context:base": "docker-image://busybox:1", "context:src": "https://example.com/src.git#main",
	}
	if diff := cmp.Diff(want, opt.FrontendAttrs); diff != "" {
		t.Errorf("frontend attributes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"security.insecure", "network.host"}, opt.AllowedEntitlements); diff != "" {
		t.Errorf("entitlements (-want +got):\n%s", diff)
	}
	for _, m := range []string{"context", "dockerfile", "assets", "_context"} {
		if opt.LocalMounts[m] == nil {
			t.Errorf("no local mount %s", m)
		}
	}

	remote := Request{BuildxOptions: BuildxOptions{RemoteContext: "https://example.com/app.git#v1:svc", RemoteDockerfile: "Dockerfile.prod"}}
	opt, cleanup, err = solveOpt(remote, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if opt.FrontendAttrs["context"] != remote.RemoteContext || opt.FrontendAttrs["filename"] != "Dockerfile.prod" || len(opt.LocalMounts) != 0 {
		t.Errorf("git context: attrs %v, mounts %v; want the URL as context, the repository's Dockerfile.prod, no local mounts", opt.FrontendAttrs, opt.LocalMounts)
	}
}
