package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// DefaultAddr is where a system buildkitd listens; hoist uses it when it
// answers and no builder is given.
const DefaultAddr = "unix:///run/buildkit/buildkitd.sock"

// Options says how to reach BuildKit.
type Options struct {
	// Name names the builder in a pool; its address when empty.
	Name string
	// Platforms are the platforms the builder builds natively; its
	// workers' first platform when empty.
	Platforms []string
	// Addr is a BuildKit address (unix://, tcp://, or any the client
	// accepts). Empty: DefaultAddr when it answers, else a local buildkitd
	// started for the run.
	Addr string
	// Registries configures a local buildkitd's registry hosts (HTTP,
	// TLS verification, CA files). May be nil.
	Registries *registries.Config
	// TLS authenticates to a tcp:// builder (mutual TLS) and checks it.
	TLS TLS
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
	// Name names the builder: its Options.Name, else its address.
	Name string
	// Platforms are the platforms it builds natively.
	Platforms []string
	// workerID is its first worker's id, when listed.
	workerID string
}

// Connect reaches BuildKit as opts says. Close the Builder when done: it
// stops a daemon that Connect started.
func Connect(ctx context.Context, opts Options) (*Builder, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.TLS.Set() && opts.Addr == "" {
		return nil, errs.Input("--tlscacert, --tlscert, --tlskey, --tlsservername and --tlsdir need a --builder address")
	}
	if opts.Addr != "" {
		tlsOpts, err := opts.TLS.clientOpts(opts.Addr)
		if err != nil {
			return nil, err
		}
		c, err := dial(ctx, opts.Addr, 10*time.Second, tlsOpts...)
		if err != nil {
			return nil, tlsError(opts.Addr, err)
		}
		warnCAFiles(opts.Log, opts.Registries, opts.Addr)
		return named(ctx, &Builder{client: c, Addr: opts.Addr}, opts), nil
	}
	if _, err := os.Stat(DefaultAddr[len("unix://"):]); err == nil {
		if c, err := dial(ctx, DefaultAddr, 2*time.Second); err == nil {
			warnCAFiles(opts.Log, opts.Registries, DefaultAddr)
			return named(ctx, &Builder{client: c, Addr: DefaultAddr}, opts), nil
		}
	}
	d, c, err := startDaemon(ctx, opts.Registries, opts.Log)
	if err != nil {
		return nil, err
	}
	return named(ctx, &Builder{client: c, local: d, Addr: d.addr, log: opts.Log}, opts), nil
}

// named gives b its name and native platforms: the declared ones, else
// its workers' first platform, which BuildKit lists before the ones it
// emulates.
func named(ctx context.Context, b *Builder, opts Options) *Builder {
	b.Name, b.Platforms = opts.Name, opts.Platforms
	if b.Name == "" {
		b.Name = b.Addr
		if b.local != nil {
			b.Name = "local"
		}
	}
	if len(b.Platforms) == 0 {
		if ws, err := b.client.ListWorkers(ctx); err == nil && len(ws) > 0 && len(ws[0].Platforms) > 0 {
			b.Platforms = []string{platforms.Format(ws[0].Platforms[0])}
			b.workerID = ws[0].ID
		}
	}
	return b
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
func dial(ctx context.Context, addr string, timeout time.Duration, opts ...client.ClientOpt) (*client.Client, error) {
	c, err := client.New(ctx, addr, opts...)
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
