package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/build"
)

// Buildkitd is a running buildkitd on a unix socket.
type Buildkitd struct {
	// Addr is unix://.../buildkitd.sock.
	Addr string
	// Root is the daemon's state folder.
	Root string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

// StartBuildkitd starts the buildkitd that hoist would use (see
// build.BuildkitdPath) with its state in a new temp dir.
func StartBuildkitd(ctx context.Context) (*Buildkitd, error) {
	bin, err := build.BuildkitdPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hoist-test-buildkitd-")
	if err != nil {
		return nil, err
	}
	b := &Buildkitd{Addr: "unix://" + filepath.Join(dir, "buildkitd.sock"), Root: filepath.Join(dir, "root"), dir: dir, done: make(chan struct{})}
	logf, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	b.cmd = exec.Command(bin, "--root", b.Root, "--addr", b.Addr)
	b.cmd.Stdout, b.cmd.Stderr = logf, logf
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { b.cmd.Wait(); close(b.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-b.done:
			log, _ := os.ReadFile(filepath.Join(dir, "buildkitd.log"))
			return nil, fmt.Errorf("buildkitd exited: %s", strings.TrimSpace(string(log)))
		case <-time.After(100 * time.Millisecond):
		}
		c, err := client.New(ctx, b.Addr)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err = c.ListWorkers(cctx)
		cancel()
		c.Close()
		if err == nil {
			return b, nil
		}
	}
	b.Stop()
	return nil, fmt.Errorf("buildkitd did not answer on %s", b.Addr)
}

// Stop ends buildkitd and removes its state.
func (b *Buildkitd) Stop() {
	stop(b.cmd, b.done, 15*time.Second)
	os.RemoveAll(b.dir)
}
