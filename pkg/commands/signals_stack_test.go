package commands

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// localBuild writes a Dockerfile whose build runs RUN for long and returns
// the environment and arguments of a hoist build of it on a local
// buildkitd, with its temp folders in tmp and its state in state.
func localBuild(t *testing.T, run, tmp, state string) ([]string, []string) {
	t.Helper()
	if _, err := os.Stat("/run/buildkit/buildkitd.sock"); err == nil {
		t.Fatal("a system buildkitd listens on /run/buildkit/buildkitd.sock; this test needs none")
	}
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN " + run + "\n"})
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"TMPDIR=" + tmp, "HOIST_BUILDKIT_STATE=" + state, "HOIST_STORE=" + filepath.Join(filepath.Dir(state), "store")}
	args := []string{"build", dir, "--image-name", "e2e/signals", "--no-push", "--build-arg", "BASE=" + baseImage,
		"--registries", registriesFile(t, ""), "--progress", "plain"}
	return env, args
}

// TestSignalDuringBuild: SIGINT during a real build on hoist's own
// buildkitd cancels the build, stops the daemon and removes its temp
// folder; hoist exits 130.
func TestSignalDuringBuild(t *testing.T) {
	needStack(t)
	t.Parallel()
	dir := t.TempDir()
	tmp, state := filepath.Join(dir, "tmp"), filepath.Join(dir, "state")
	env, args := localBuild(t, "sleep 120", tmp, state)
	p := startHoist(t, env, args...)
	p.waitStderr(t, "RUN sleep 120", 60*time.Second)
	time.Sleep(300 * time.Millisecond)
	p.signal(t, syscall.SIGINT)
	if code := p.exitCode(t, 30*time.Second); code != 130 {
		t.Errorf("exit %d after SIGINT, want 130\nstderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped the local buildkitd") {
		t.Errorf("stderr does not say the local buildkitd stopped:\n%s", p.stderr.String())
	}
	if pids := processesWith(state); len(pids) > 0 {
		t.Errorf("buildkitd still runs after hoist exited: pids %v", pids)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "hoist-buildkitd-*")); len(left) > 0 {
		t.Errorf("temp folders left behind: %v", left)
	}
}

// TestKilledLeavesNoFolder: the temp folder that a hoist killed with
// SIGKILL leaves behind is removed when the next hoist starts a local
// buildkitd.
func TestKilledLeavesNoFolder(t *testing.T) {
	needStack(t)
	t.Parallel()
	dir := t.TempDir()
	tmp, state := filepath.Join(dir, "tmp"), filepath.Join(dir, "state")
	env, args := localBuild(t, "sleep 120", tmp, state)
	p := startHoist(t, env, args...)
	p.waitStderr(t, "started a local buildkitd", 60*time.Second)
	p.signal(t, syscall.SIGKILL)
	p.exitCode(t, 5*time.Second)
	left, _ := filepath.Glob(filepath.Join(tmp, "hoist-buildkitd-*"))
	if len(left) != 1 {
		t.Fatalf("after SIGKILL, temp folders %v; want the one hoist left", left)
	}
	// The daemon gets SIGTERM when its hoist dies (Pdeathsig).
	deadline := time.Now().Add(20 * time.Second)
	for len(processesWith(state)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}

	env, args = localBuild(t, "true", tmp, state)
	next := startHoist(t, env, args...)
	if code := next.exitCode(t, 60*time.Second); code != 0 {
		t.Fatalf("the next build: exit %d\nstderr:\n%s", code, next.stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "hoist-buildkitd-*")); len(left) > 0 {
		t.Errorf("temp folders left after the next build: %v", left)
	}
}
