package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/registries"
)

// DefaultAddr is where a system buildkitd listens; hoist uses it when it
// answers and no builder is given.
const DefaultAddr = "unix:///run/buildkit/buildkitd.sock"

// Options says how to reach BuildKit.
type Options struct {
	// Addr is a BuildKit address (unix://, tcp://, or any the client
	// accepts). Empty: DefaultAddr when it answers, else a local buildkitd
	// started for the run.
	Addr string
	// Registries configures a local buildkitd's registry hosts (HTTP,
	// TLS verification, CA files). May be nil.
	Registries *registries.Config
	// Log receives one-line notices, such as the start of a local daemon.
	Log io.Writer
}

// Builder is a connection to BuildKit.
type Builder struct {
	client *client.Client
	local  *daemon
	log    io.Writer
	// Addr is the address connected to.
	Addr string
}

// Connect reaches BuildKit as opts says. Close the Builder when done: it
// stops a daemon that Connect started.
func Connect(ctx context.Context, opts Options) (*Builder, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Addr != "" {
		c, err := dial(ctx, opts.Addr, 10*time.Second)
		if err != nil {
			return nil, fmt.Errorf("builder %s is not reachable: %w", opts.Addr, err)
		}
		warnCAFiles(opts.Log, opts.Registries, opts.Addr)
		return &Builder{client: c, Addr: opts.Addr}, nil
	}
	if _, err := os.Stat(DefaultAddr[len("unix://"):]); err == nil {
		if c, err := dial(ctx, DefaultAddr, 2*time.Second); err == nil {
			warnCAFiles(opts.Log, opts.Registries, DefaultAddr)
			return &Builder{client: c, Addr: DefaultAddr}, nil
		}
	}
	d, err := startDaemon(ctx, opts.Registries, opts.Log)
	if err != nil {
		return nil, err
	}
	c, err := dial(ctx, d.addr, 0)
	if err != nil {
		d.stop()
		return nil, err
	}
	return &Builder{client: c, local: d, Addr: d.addr, log: opts.Log}, nil
}

// warnCAFiles writes one warning line for each integration with a
// ca_file, for a builder hoist did not start (at addr): hoist cannot hand
// it the CA, so its base-image pulls and cache imports and exports from
// that registry work only if the builder trusts the CA itself. (hoist's
// pushes do not go through the builder; a local buildkitd gets the CA in
// its config.)
func warnCAFiles(w io.Writer, regs *registries.Config, addr string) {
	if regs == nil {
		return
	}
	for _, r := range regs.Registries {
		if r.CAFile != "" {
			fmt.Fprintf(w, "hoist: warning: registry %s: the builder at %s must trust its CA (ca_file %s) itself: hoist cannot pass it on, and the builder pulls base images and cache from it\n", r, addr, r.CAFile)
		}
	}
}

// dial connects and checks that the daemon answers within timeout (no
// check when timeout is 0).
func dial(ctx context.Context, addr string, timeout time.Duration) (*client.Client, error) {
	c, err := client.New(ctx, addr)
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if _, err := c.Info(cctx); err != nil {
			c.Close()
			if errors.Is(cctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("no answer within %s", timeout)
			}
			return nil, err
		}
	}
	return c, nil
}

// Local reports whether the builder is a daemon hoist started.
func (b *Builder) Local() bool { return b.local != nil }

// Close ends the connection and stops a daemon hoist started.
func (b *Builder) Close() error {
	err := b.client.Close()
	if b.local != nil {
		if serr := b.local.stop(); err == nil {
			err = serr
		}
		fmt.Fprintln(b.log, "stopped the local buildkitd")
	}
	return err
}
