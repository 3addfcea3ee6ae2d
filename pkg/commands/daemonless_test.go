package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonless: with no builder given and no system buildkitd, hoist
// build starts its own buildkitd, builds and pushes through it, and stops it.
func TestDaemonless(t *testing.T) {
	needStack(t)
	if _, err := os.Stat("/run/buildkit/buildkitd.sock"); err == nil {
		t.Fatal("a system buildkitd listens on /run/buildkit/buildkitd.sock; this test needs none")
	}
	state := t.TempDir()
	t.Setenv("HOIST_BUILDKIT_STATE", state)
	dir := writeFiles(t, map[string]string{"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo daemonless > /d.txt\n"})
	r := mustHoist(t, "build", dir, "--image-name", "e2e/daemonless", "--tag", "v1", "--registry", "a",
		"--build-arg", "BASE="+baseImage, "--registries", registriesFile(t, ""), "--progress", "quiet")
	if !strings.Contains(r.stderr, "started a local buildkitd") || !strings.Contains(r.stderr, "stopped the local buildkitd") {
		t.Errorf("stderr does not report the local buildkitd's start and stop:\n%s", r.stderr)
	}
	if digestOf(t, regA.Host+"/team-a/e2e/daemonless:v1", nil) == "" {
		t.Error("the image was not pushed")
	}
	if _, err := os.Stat(filepath.Join(state, "runc-overlayfs")); err != nil {
		t.Errorf("the local buildkitd kept no state in %s: %v", state, err)
	}
	if pids := processesWith(state); len(pids) > 0 {
		t.Errorf("buildkitd still runs after hoist exited: pids %v", pids)
	}
}

// processesWith lists the pids whose command line mentions s.
func processesWith(s string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), s) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// TestDaemonlessBuildsInBlocks: a pipeline whose builds all sit inside a
// parallel block still gets hoist's own buildkitd.
func TestDaemonlessBuildsInBlocks(t *testing.T) {
	needStack(t)
	t.Setenv("HOIST_BUILDKIT_STATE", t.TempDir())
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "ARG BASE\nFROM ${BASE}\nRUN echo blocks > /b.txt\n",
		"codefresh.yml": `version: "1.0"
steps:
  builds:
    type: parallel
    steps:
      only_build:
        type: build
        image_name: e2e/daemonless-block
        tag: v1
        build_arguments: ["BASE=${{BASE}}"]
`,
	})
	r := hoist(t, "run", "-f", filepath.Join(dir, "codefresh.yml"), "--registries", registriesFile(t, "default: a\n"),
		"--progress", "quiet", "--var", "BASE="+baseImage)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if digestOf(t, regA.Host+"/team-a/e2e/daemonless-block:v1", nil) == "" {
		t.Error("the image was not pushed")
	}
}
