package commands

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// imageBytes is everything an image holds: its layers, config (history
// included) and manifest.
func imageBytes(t *testing.T, ref string) []byte {
	t.Helper()
	img := image(t, ref)
	var all bytes.Buffer
	rc := mutate.Extract(img)
	io.Copy(&all, rc)
	rc.Close()
	cfg, _ := img.RawConfigFile()
	m, _ := img.RawManifest()
	all.Write(cfg)
	all.Write(m)
	return all.Bytes()
}

// TestBuildSecrets: a secret used by RUN --mount=type=secret builds (the
// image holds its hash, so the build really read it); its value appears
// nowhere in the image's layers, config, history or manifest, in any
// --progress mode, or in the metadata file. The same through the
// pipeline's secrets: field.
func TestBuildSecrets(t *testing.T) {
	needStack(t)
	const secret = "s3cr3t-CANARY-7f3a9c"
	dir := writeFiles(t, map[string]string{
		"token.txt":  secret,
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN --mount=type=secret,id=token sha256sum /run/secrets/token | cut -c1-64 > /token.sha\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: secrets/pipeline\n    tag: v1\n    registry: a\n" +
			"    build_arguments: ['BASE=${{BASE}}']\n    secrets:\n      - id=token,src=token.txt\n",
	})
	want, _ := exec.Command("sh", "-c", "printf %s '"+secret+"' | sha256sum | cut -c1-64").Output()
	regs := registriesFile(t, "")
	for _, mode := range []string{"plain", "rawjson", "auto"} {
		meta := filepath.Join(t.TempDir(), "meta.json")
		r := mustHoist(t, "build", dir, "--image-name", "secrets/flag", "--tag", mode, "--registry", "a", "--no-cache",
			"--secret", "id=token,src="+filepath.Join(dir, "token.txt"), "--build-arg", "BASE="+baseImage,
			"--registries", regs, "--builder", bk.Addr, "--progress", mode, "--metadata-file", meta)
		data, _ := os.ReadFile(meta)
		img := imageBytes(t, regA.Host+"/team-a/secrets/flag:"+mode)
		for what, b := range map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr), "metadata": data, "image": img} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("--progress %s: the secret is in the %s", mode, what)
			}
		}
		if got := fileIn(t, image(t, regA.Host+"/team-a/secrets/flag:"+mode), "token.sha"); strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
			t.Errorf("--progress %s: /token.sha = %q, want the secret's hash %q", mode, got, want)
		}
	}
	r := mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr, "--progress", "plain", "--var", "BASE="+baseImage)
	if strings.Contains(r.stdout+r.stderr, secret) || bytes.Contains(imageBytes(t, regA.Host+"/team-a/secrets/pipeline:v1"), []byte(secret)) {
		t.Error("secrets: field: the secret is in the output or the image")
	}
	if got := fileIn(t, image(t, regA.Host+"/team-a/secrets/pipeline:v1"), "token.sha"); strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
		t.Errorf("secrets: field: /token.sha = %q, want %q", got, want)
	}
	bad := writeFiles(t, map[string]string{"Dockerfile": "FROM scratch\n", "codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: x\n    disable_push: true\n    secrets:\n      - id=token,src=missing.txt\n"})
	br := hoist(t, "run", "-f", filepath.Join(bad, "codefresh.yml"), "--builder", bk.Addr, "--progress", "quiet")
	wantErr := "hoist: " + filepath.Join(bad, "codefresh.yml") + ":7: steps.app.secrets: secret token: " + filepath.Join(bad, "missing.txt") + " is not a readable file\n"
	if br.code != 2 || br.stderr != wantErr {
		t.Errorf("missing secret file: exit %d, stderr %q; want exit 2, %q", br.code, br.stderr, wantErr)
	}
}

// TestBuildSSH: RUN --mount=type=ssh sees the forwarded agent: an
// ssh-agent the test starts, given as --ssh default and through the
// pipeline's ssh: field.
func TestBuildSSH(t *testing.T) {
	needStack(t)
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		t.Fatalf("ssh-agent: %v (Debian's openssh-client)", err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	defer agent.Process.Kill()
	for i := 0; i < 50; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		exec.Command("sleep", "0.1").Run()
	}
	t.Setenv("SSH_AUTH_SOCK", sock)
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "ARG BASE\nFROM ${BASE}\nRUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo forwarded > /ssh\n",
		"codefresh.yml": "version: '1.0'\nsteps:\n  app:\n    type: build\n    image_name: ssh/pipeline\n    tag: v1\n    registry: a\n    build_arguments: ['BASE=${{BASE}}']\n    ssh: default\n",
	})
	regs := registriesFile(t, "")
	mustHoist(t, "build", dir, "--image-name", "ssh/flag", "--tag", "v1", "--registry", "a", "--ssh", "default",
		"--build-arg", "BASE="+baseImage, "--registries", regs, "--builder", bk.Addr, "--progress", "quiet")
	mustHoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", regs, "--builder", bk.Addr, "--progress", "quiet", "--var", "BASE="+baseImage)
	for _, ref := range []string{regA.Host + "/team-a/ssh/flag:v1", regA.Host + "/team-a/ssh/pipeline:v1"} {
		if got := fileIn(t, image(t, ref), "ssh"); got != "forwarded\n" {
			t.Errorf("%s: /ssh = %q, want the forwarded agent's socket seen", ref, got)
		}
	}
}
