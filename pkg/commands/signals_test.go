package commands

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// silentRegistry listens on loopback, accepts connections and never
// answers; accepted gets a value for each connection.
func silentRegistry(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 64)
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), accepted
}

// TestSignalStopsWaits: hoist waiting on a registry that never answers
// stops on the first SIGINT or SIGTERM, at once, and exits 130 or 143,
// printing only that it stops.
func TestSignalStopsWaits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args func(host, regs string) []string
		sig  syscall.Signal
		code int
	}{
		{"images-sigint", func(h, r string) []string { return []string{"images", "--registries", r} }, syscall.SIGINT, 130},
		{"check-sigterm", func(h, r string) []string { return []string{"registries", "check", "--registries", r} }, syscall.SIGTERM, 143},
		{"push-sigint", func(h, r string) []string {
			return []string{"push", h + "/app:v1", "--registry", "silent", "--registries", r}
		}, syscall.SIGINT, 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host, accepted := silentRegistry(t)
			regs := filepath.Join(writeFiles(t, map[string]string{"r.yaml": "registries:\n  - name: silent\n    domain: " + host + "\n    insecure: true\n"}), "r.yaml")
			p := startHoist(t, nil, tc.args(host, regs)...)
			select {
			case <-accepted:
			case <-time.After(20 * time.Second):
				t.Fatal("hoist never reached the registry")
			}
			p.signal(t, tc.sig)
			if code := p.exitCode(t, 5*time.Second); code != tc.code {
				t.Errorf("hoist %s: exit %d after %v, want %d\nstderr:\n%s", tc.name, code, tc.sig, tc.code, p.stderr.String())
			}
			// The first line says hoist stops; what the signal cut off may
			// follow (a registry's check or listing "stopped by interrupt").
			want := "hoist: " + tc.sig.String() + ": stopping (a second signal exits at once)\n"
			if got := p.stderr.String(); !strings.HasPrefix(got, want) {
				t.Errorf("hoist %s: stderr %q; want it to start %q", tc.name, got, want)
			}
		})
	}
}

// TestFIFORefused: a FIFO given as a pipeline or registries file is
// refused at once with one line (exit 2), never read, so it cannot block.
func TestFIFORefused(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "codefresh.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"validate", "-f", fifo}, {"explain", "-f", fifo}, {"images", "--registries", fifo}} {
		r := hoist(t, args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "not a regular file") {
			t.Errorf("hoist %s: exit %d, stderr %q; want exit 2 and one line saying it is not a regular file", strings.Join(args, " "), r.code, r.stderr)
		}
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
