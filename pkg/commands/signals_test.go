package commands

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fifoReader makes a FIFO and returns its path and a function that waits
// until a reader opened it, then holds it open for writing (and writes
// nothing), so that the reader stays blocked.
func fifoReader(t *testing.T) (string, func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "codefresh.yml")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, func() {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			// Opening for writing without blocking fails until a reader has
			// the FIFO open.
			fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
			if err == nil {
				t.Cleanup(func() { syscall.Close(fd) })
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no one opened %s for reading: %v", path, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestSignalStopsFileLoad: hoist reading a file that never ends (a FIFO
// that no one writes) stops on the first SIGINT or SIGTERM, at once, and
// exits 130 or 143.
func TestSignalStopsFileLoad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args func(fifo string) []string
		sig  syscall.Signal
		code int
	}{
		{"validate-sigint", func(f string) []string { return []string{"validate", "-f", f} }, syscall.SIGINT, 130},
		{"validate-sigterm", func(f string) []string { return []string{"validate", "-f", f} }, syscall.SIGTERM, 143},
		{"explain-registries-sigint", func(f string) []string {
			return []string{"explain", "--registries", f, "-f", "/nonexistent/codefresh.yml"}
		}, syscall.SIGINT, 130},
		{"images-registries-sigterm", func(f string) []string { return []string{"images", "--registries", f} }, syscall.SIGTERM, 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fifo, opened := fifoReader(t)
			p := startHoist(t, nil, tc.args(fifo)...)
			opened()
			p.signal(t, tc.sig)
			if code := p.exitCode(t, 5*time.Second); code != tc.code {
				t.Errorf("hoist %s: exit %d after %v, want %d\nstderr:\n%s", tc.name, code, tc.sig, tc.code, p.stderr.String())
			}
			want := "hoist: " + tc.sig.String() + ": stopping (a second signal exits at once)\n"
			if got := p.stderr.String(); got != want || p.stdout.String() != "" {
				t.Errorf("hoist %s: stdout %q, stderr %q; want nothing and %q", tc.name, p.stdout.String(), got, want)
			}
		})
	}
}

// TestSecondSignalExitsAtOnce: while hoist stops a local buildkitd that
// ignores SIGTERM (up to 10 s), a second SIGINT exits at once, 130, after
// killing the daemon and removing its temp folder.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("hoist starts a local buildkitd only as root")
	}
	if _, err := os.Stat("/run/buildkit/buildkitd.sock"); err == nil {
		t.Skip("a system buildkitd listens on /run/buildkit/buildkitd.sock; hoist would use it")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	fake := filepath.Join(dir, "buildkitd")
	files := map[string]string{
		"tmp/.keep":          "",
		"buildkitd":          "#!/bin/sh\n# never answers, ignores SIGTERM\ntrap '' TERM INT\nwhile :; do sleep 1; done\n",
		"context/Dockerfile": "FROM scratch\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := startHoist(t, []string{"TMPDIR=" + tmp, "HOIST_BUILDKITD=" + fake, "HOIST_BUILDKIT_STATE=" + filepath.Join(dir, "state"), "HOIST_STORE=" + filepath.Join(dir, "store")},
		"build", filepath.Join(dir, "context"), "--image-name", "signals/second", "--no-push", "--progress", "quiet")
	p.waitStderr(t, "started a local buildkitd", 20*time.Second)
	pid := daemonPid(t, tmp)

	p.signal(t, syscall.SIGINT)
	p.waitStderr(t, "stopping (a second signal exits at once)", 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	if !p.running() {
		t.Fatalf("hoist exited %d on the first signal; the test needs it busy stopping the daemon\nstderr:\n%s", p.code, p.stderr.String())
	}
	p.signal(t, syscall.SIGINT)
	start := time.Now()
	if code := p.exitCode(t, 3*time.Second); code != 130 {
		t.Errorf("exit %d after the second SIGINT, want 130\nstderr:\n%s", code, p.stderr.String())
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("hoist took %s to exit after the second SIGINT", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("the local daemon (pid %d) still runs after hoist exited", pid)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "hoist-buildkitd-*")); len(left) > 0 {
		t.Errorf("temp folders left behind: %v", left)
	}
}

// daemonPid reads the pid of the local daemon hoist started with its temp
// folders in tmp.
func daemonPid(t *testing.T, tmp string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(tmp, "hoist-buildkitd-*", "buildkitd.pid"))
		if len(files) == 1 {
			data, err := os.ReadFile(files[0])
			if pid, perr := strconv.Atoi(string(data)); err == nil && perr == nil {
				return pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pid file of a local daemon in %s: %v", tmp, files)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: the state follows the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// TestExecuteStopped: once a signal cancelled the command, its exit code
// is the signal's, even when the command itself succeeded, and the
// cancellation error is not printed.
func TestExecuteStopped(t *testing.T) {
	t.Parallel()
	file := filepath.Join(writeFiles(t, map[string]string{"p.yml": "version: \"1.0\"\nsteps: {}\n"}), "p.yml")
	for _, tc := range []struct {
		cause error
		code  int
	}{
		{&Stopped{Signal: syscall.SIGINT}, 130},
		{&Stopped{Signal: syscall.SIGTERM}, 143},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(tc.cause)
		var out, errb bytes.Buffer
		if code := Execute(ctx, []string{"validate", "-f", file}, &out, &errb); code != tc.code || errb.String() != "" || out.String() != "" {
			t.Errorf("Execute(validate) after %v = %d, stdout %q, stderr %q; want %d and nothing printed", tc.cause, code, out.String(), errb.String(), tc.code)
		}
	}
}
