//go:build linux

package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/registries"
)

// daemon is a buildkitd that hoist started for one run. Its temp folder
// (hoist-buildkitd-*) holds its socket, config and log, a lock file that
// hoist holds while it runs (ownerFile) and the daemon's pid (pidFile), so
// that the next start can tell a folder that SIGKILL left behind.
type daemon struct {
	cmd     *exec.Cmd
	addr    string
	tmp     string
	lock    *os.File // the state folder's lock, when this run holds it
	owner   *os.File // ownerFile, locked while this hoist runs
	exited  chan struct{}
	logFile string
}

// Files in a local daemon's temp folder.
const (
	tempPrefix = "hoist-buildkitd-"
	ownerFile  = "hoist.lock"
	pidFile    = "buildkitd.pid"
)

// running is every local daemon this process started and has not stopped.
var running = struct {
	sync.Mutex
	m map[*daemon]bool
}{m: map[*daemon]bool{}}

// Abort kills every local buildkitd this process started (SIGKILL to its
// process group, no waiting) and removes its temp folder: for a process
// that exits at once on a second signal. What it leaves behind, the next
// start of a local daemon removes.
func Abort() {
	running.Lock()
	ds := make([]*daemon, 0, len(running.m))
	for d := range running.m {
		ds = append(ds, d)
	}
	running.Unlock()
	for _, d := range ds {
		if d.cmd != nil && d.cmd.Process != nil {
			syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		}
		d.cleanup()
	}
}

// BuildkitdPath finds the buildkitd binary: $HOIST_BUILDKITD, then PATH,
// then next to the hoist executable.
func BuildkitdPath() (string, error) {
	if p := os.Getenv("HOIST_BUILDKITD"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("buildkitd"); err == nil {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "buildkitd")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no buildkitd found: install it (see the README), set $HOIST_BUILDKITD, or give --builder / $BUILDKIT_HOST")
}

// stateDir is where a local buildkitd keeps its cache between runs.
func stateDir() string {
	if d := os.Getenv("HOIST_BUILDKIT_STATE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "hoist", "buildkit")
	}
	return filepath.Join(os.TempDir(), "hoist-buildkit")
}

// startDaemon starts buildkitd on a unix socket in a new temp dir and
// returns it with a client once it answers. Its state lives in stateDir,
// so the layer cache survives between runs; when another hoist holds that
// state, this run uses a fresh one.
func startDaemon(ctx context.Context, regs *registries.Config, log io.Writer) (*daemon, *client.Client, error) {
	bin, err := BuildkitdPath()
	if err != nil {
		return nil, nil, err
	}
	var kit string // rootlesskit, for a user who is not root
	if os.Geteuid() != 0 {
		if kit, err = rootlessKit(); err != nil {
			return nil, nil, err
		}
	}
	removeStale(os.TempDir(), staleAge)
	tmp, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	d := &daemon{tmp: tmp, addr: "unix://" + filepath.Join(tmp, "buildkitd.sock"), exited: make(chan struct{})}
	if d.owner, err = lockFile(filepath.Join(tmp, ownerFile)); err != nil {
		d.cleanup()
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	root := stateDir()
	if err := os.MkdirAll(root, 0o700); err == nil {
		if f, err := os.OpenFile(filepath.Join(root, "hoist.lock"), os.O_CREATE|os.O_RDWR, 0o600); err == nil {
			if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
				d.lock = f
			} else {
				f.Close()
			}
		}
	}
	if d.lock == nil {
		root = filepath.Join(tmp, "state")
	}
	conf := filepath.Join(tmp, "buildkitd.toml")
	if err := os.WriteFile(conf, []byte(daemonConfig(regs)), 0o600); err != nil {
		d.cleanup()
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	d.logFile = filepath.Join(tmp, "buildkitd.log")
	logf, err := os.Create(d.logFile)
	if err != nil {
		d.cleanup()
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	defer logf.Close()
	// Only the OCI worker: hoist never builds on containerd's, and need
	// not look for it. A fresh state, removed after the run, needs no
	// garbage collection.
	args := []string{"--root", root, "--addr", d.addr, "--config", conf, "--containerd-worker=false"}
	args = append(args, localEntitlements...)
	if d.lock == nil {
		args = append(args, "--oci-worker-gc=false")
	}
	if d.cmd, err = daemonCommand(bin, kit, tmp, args); err != nil {
		d.cleanup()
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		d.cleanup()
		return nil, nil, fmt.Errorf("starting buildkitd %s: %w", bin, err)
	}
	running.Lock()
	running.m[d] = true
	running.Unlock()
	go func() { d.cmd.Wait(); close(d.exited) }()
	if err := os.WriteFile(filepath.Join(tmp, pidFile), []byte(strconv.Itoa(d.cmd.Process.Pid)), 0o600); err != nil {
		d.stop()
		return nil, nil, fmt.Errorf("starting buildkitd: %w", err)
	}
	mode := ""
	if kit != "" {
		mode = " rootless"
	}
	fmt.Fprintf(log, "started a local%s buildkitd (%s), state in %s\n", mode, bin, root)
	c, err := d.ready(ctx, 30*time.Second)
	if err != nil {
		d.stop()
		return nil, nil, err
	}
	return d, c, nil
}

func (d *daemon) logTail() string {
	data, _ := os.ReadFile(d.logFile)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

// daemonCommand is the buildkitd command line: buildkitd itself, with the
// socket's group, for root; under rootlesskit (kit) for another user.
func daemonCommand(bin, kit, tmp string, args []string) (*exec.Cmd, error) {
	if kit == "" {
		return exec.Command(bin, append(args, "--group", strconv.Itoa(os.Getegid()))...), nil
	}
	// Rootless: rootlesskit maps the user to root in a user namespace (its
	// subordinate ids), sharing the host's network, so loopback registries
	// stay reachable; buildkitd runs its rootless defaults.
	cmd := exec.Command(kit, append([]string{"--state-dir=" + filepath.Join(tmp, "rootlesskit"), "--net=host", bin}, args...)...)
	// Its sockets (buildkitd's trace socket among them) go under
	// $XDG_RUNTIME_DIR, which a user without a login session lacks.
	run := filepath.Join(tmp, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		return nil, err
	}
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+run)
	return cmd, nil
}

// stop ends the daemon (SIGTERM, then SIGKILL after 10s) and removes its
// temp dir.
func (d *daemon) stop() error {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-d.exited
		}
	}
	d.cleanup()
	return nil
}

// cleanup removes the temp folder, then lets go of the locks: a folder
// whose owner lock is free is stale.
func (d *daemon) cleanup() {
	running.Lock()
	delete(running.m, d)
	running.Unlock()
	os.RemoveAll(d.tmp)
	if d.owner != nil {
		d.owner.Close()
	}
	if d.lock != nil {
		d.lock.Close()
	}
}

// lockFile creates path and holds an exclusive lock on it until the file
// is closed.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return f, nil
}

// daemonConfig writes buildkitd.toml registry sections for the domains of
// the integrations: plain HTTP (and no TLS verification) only where an
// integration on that domain is insecure, and explicitly not elsewhere,
// since BuildKit would otherwise use plain HTTP for loopback hosts by
// itself; and the CA files to trust.
func daemonConfig(regs *registries.Config) string {
	if regs == nil {
		return ""
	}
	type hostConf struct {
		insecure bool
		cas      []string
		mirrors  []string
	}
	var hosts []string
	by := map[string]*hostConf{}
	add := func(host string, r *registries.Integration) *hostConf {
		h := by[host]
		if h == nil {
			h = &hostConf{}
			by[host] = h
			hosts = append(hosts, host)
		}
		h.insecure = h.insecure || r.Insecure
		if r.CAFile != "" {
			if abs, err := filepath.Abs(r.CAFile); err == nil && !slices.Contains(h.cas, abs) {
				h.cas = append(h.cas, abs)
			}
		}
		return h
	}
	for _, r := range regs.Registries {
		h := add(r.Domain, r)
		// BuildKit pulls a domain's images from its endpoint as from a
		// mirror (pushes, such as a cache export, still go to the domain).
		if r.Endpoint != "" && !slices.Contains(h.mirrors, r.Endpoint) {
			h.mirrors = append(h.mirrors, r.Endpoint)
			add(r.Endpoint, r)
		}
	}
	var b bytes.Buffer
	for _, host := range hosts {
		h := by[host]
		fmt.Fprintf(&b, "[registry.%q]\n", host)
		if len(h.mirrors) > 0 {
			fmt.Fprintf(&b, "  mirrors = [%s]\n", quoteAll(h.mirrors))
		}
		if h.insecure {
			b.WriteString("  http = true\n  insecure = true\n")
		} else {
			b.WriteString("  http = false\n")
		}
		if len(h.cas) > 0 {
			fmt.Fprintf(&b, "  ca = [%s]\n", quoteAll(h.cas))
		}
	}
	return b.String()
}

// quoteAll quotes each string, TOML style, and joins them with commas.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
