package commands

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/hoist-build/hoist/internal/stack"
	"github.com/hoist-build/hoist/pkg/version"
)

// TestStepImage builds hoist's step image with hoist itself, from the
// repository's Dockerfile, on a stand-in for the official BuildKit image
// (built from this machine's buildkitd, buildctl and runc), pushes it, and
// builds a second image FROM it whose RUN steps run hoist version,
// buildkitd --version and runc --version: the files they write are read
// back from the pushed image.
func TestStepImage(t *testing.T) {
	needStack(t)
	pinned, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatal(err)
	}
	buildkit := strings.TrimSpace(string(pinned))
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if want := "ARG BASE=moby/buildkit:" + buildkit + "-rootless\n"; !strings.Contains(string(dockerfile), want) {
		t.Errorf("Dockerfile lacks %q: the release base must be the BuildKit go.mod pins", want)
	}
	base := regA.Host + "/base/buildkit:stand-in"
	if _, err := stack.PushStepBase(base); err != nil {
		t.Fatal(err)
	}
	ctx := writeFiles(t, map[string]string{"Dockerfile": string(dockerfile)})
	bin, err := os.ReadFile(hoistBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(ctx, "bin", "linux_amd64"), 0o755)
	if err := os.WriteFile(filepath.Join(ctx, "bin", "linux_amd64", "hoist"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	regs := registriesFile(t, "")
	mustHoist(t, "build", ctx, "--image-name", "step/hoist", "--tag", "test", "--registry", "a",
		"--build-arg", "BASE="+base, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	step := regA.Host + "/team-a/step/hoist:test"
	cf, err := image(t, step).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cf.Config.Entrypoint, " ") != "/usr/bin/hoist" || cf.Config.Labels["io.hoist.build-id"] == "" {
		t.Errorf("step image config: entrypoint %v, labels %v; want /usr/bin/hoist and hoist's trace labels", cf.Config.Entrypoint, cf.Config.Labels)
	}

	user := writeFiles(t, map[string]string{"Dockerfile": "FROM " + step + "\n" +
		"RUN hoist version -o json > /tmp/version.json && buildkitd --version > /tmp/buildkitd.txt && runc --version > /tmp/runc.txt && buildctl --version > /tmp/buildctl.txt\n"})
	mustHoist(t, "build", user, "--image-name", "step/user", "--tag", "test", "--registry", "a",
		"--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	files := map[string]string{}
	rc := mutate.Extract(image(t, regA.Host+"/team-a/step/user:test"))
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if strings.HasPrefix(h.Name, "tmp/") {
			b, _ := io.ReadAll(tr)
			files[h.Name] = string(b)
		}
	}
	var v version.Info
	if err := json.Unmarshal([]byte(files["tmp/version.json"]), &v); err != nil || v.BuildKit != buildkit || v.Platform != "linux/amd64" {
		t.Errorf("hoist version in the step image = %q (%v), want buildkit client %s on linux/amd64", files["tmp/version.json"], err, buildkit)
	}
	if !strings.Contains(files["tmp/buildkitd.txt"], buildkit) || !strings.Contains(files["tmp/buildctl.txt"], buildkit) {
		t.Errorf("buildkitd --version = %q, buildctl --version = %q; want %s", files["tmp/buildkitd.txt"], files["tmp/buildctl.txt"], buildkit)
	}
	if !regexp.MustCompile(`^runc version \d`).MatchString(files["tmp/runc.txt"]) {
		t.Errorf("runc --version = %q", files["tmp/runc.txt"])
	}
}
