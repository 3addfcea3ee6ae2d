package commands

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rootlessUser is the unprivileged user make setup creates for this test.
const rootlessUser = "hoist-rootless"

// TestRootlessDaemonless: an unprivileged user runs hoist build with no
// builder; hoist starts buildkitd rootless (rootlesskit), builds and
// pushes to a real registry, and leaves no process and no temp folder of
// that user behind.
func TestRootlessDaemonless(t *testing.T) {
	needStack(t)
	u, err := user.Lookup(rootlessUser)
	if err != nil {
		t.Fatalf("user %s: %v (make setup creates it)", rootlessUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// Everything the user reads: a folder of its own.
	dir, err := os.MkdirTemp("", "hoist-rootless-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin, err := os.ReadFile(hoistBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	regs, err := os.ReadFile(registriesFile(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"hoist":             bin,
		"ctx/Dockerfile":    []byte("ARG BASE\nFROM ${BASE}\nRUN id -u > /uid && echo rootless > /how\n"),
		"registries.yaml":   regs,
		"ctx/.dockerignore": nil,
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, content, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, uid, gid) })
	os.Chmod(dir, 0o755)

	cmd := exec.Command(filepath.Join(dir, "hoist"), "build", filepath.Join(dir, "ctx"), "--image-name", "rootless/app", "--tag", "v1",
		"--registry", "a", "--build-arg", "BASE="+baseImage, "--registries", filepath.Join(dir, "registries.yaml"), "--progress", "plain")
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + u.HomeDir, "USER=" + rootlessUser, "PATH=" + os.Getenv("PATH"), "TMPDIR=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("rootless hoist build: %v in %v", err, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("hoist build as %s: %v\n%s", rootlessUser, err, out)
	}
	if !strings.Contains(string(out), "started a local rootless buildkitd") {
		t.Errorf("output does not say the daemon is rootless:\n%s", out)
	}
	ref := regA.Host + "/team-a/rootless/app:v1"
	if digestOf(t, ref, nil) == "" {
		t.Fatalf("%s was not pushed\n%s", ref, out)
	}
	if got := fileIn(t, image(t, ref), "uid"); got != "0\n" {
		t.Errorf("/uid = %q, want 0 (root in the build's user namespace)", got)
	}
	if ps, _ := exec.Command("pgrep", "-u", rootlessUser).Output(); len(ps) > 0 {
		t.Errorf("processes of %s left behind: %s", rootlessUser, ps)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "hoist-buildkitd-*")); len(left) > 0 {
		t.Errorf("temp folders left behind: %v", left)
	}
}
