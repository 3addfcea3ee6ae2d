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

// BuildkitdOptions configure a buildkitd.
type BuildkitdOptions struct {
	// Addr to listen on, e.g. tcp://127.0.0.1:PORT; a unix socket in its
	// temp dir when empty.
	Addr string
	// TLS makes buildkitd serve TLS with TLS.Cert and TLS.Key and ask for
	// client certificates signed by TLS.CA.
	TLS *TLSFiles
	// Client is the certificate the readiness check presents.
	Client *TLSFiles
	// Args are extra buildkitd flags.
	Args []string
}

// StartBuildkitd starts the buildkitd that hoist would use (see
// build.BuildkitdPath) with its state in a new temp dir.
func StartBuildkitd(ctx context.Context) (*Buildkitd, error) {
	return StartBuildkitdWith(ctx, BuildkitdOptions{})
}

// StartBuildkitdWith starts a buildkitd as opts say and waits until it
// answers.
func StartBuildkitdWith(ctx context.Context, opts BuildkitdOptions) (*Buildkitd, error) {
	bin, err := build.BuildkitdPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hoist-test-buildkitd-")
	if err != nil {
		return nil, err
	}
	b := &Buildkitd{Addr: "unix://" + filepath.Join(dir, "buildkitd.sock"), Root: filepath.Join(dir, "root"), dir: dir, done: make(chan struct{})}
	if opts.Addr != "" {
		b.Addr = opts.Addr
	}
	logf, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := []string{"--root", b.Root, "--addr", b.Addr}
	if opts.TLS != nil {
		args = append(args, "--tlscacert", opts.TLS.CA, "--tlscert", opts.TLS.Cert, "--tlskey", opts.TLS.Key)
	}
	b.cmd = exec.Command(bin, append(args, opts.Args...)...)
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
		var copts []client.ClientOpt
		if opts.TLS != nil {
			copts = append(copts, client.WithServerConfig("127.0.0.1", opts.TLS.CA))
		}
		if opts.Client != nil {
			copts = append(copts, client.WithCredentials(opts.Client.Cert, opts.Client.Key))
		}
		c, err := client.New(ctx, b.Addr, copts...)
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

// LoopbackAddr returns tcp://127.0.0.1:PORT for a free port.
func LoopbackAddr() (string, error) {
	p, err := freePort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("tcp://127.0.0.1:%d", p), nil
}
