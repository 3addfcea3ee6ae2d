package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/progress"
)

// DefaultProgress is the progress display when none is asked for.
const DefaultProgress = string(progress.ModeAuto)

// BuilderOptions says which BuildKit builds and how its progress shows.
// Only the commands that build take them: run and build.
type BuilderOptions struct {
	// Addrs are BuildKit addresses, a pool when several; none means a
	// local buildkitd.
	Addrs []string
	// BuildersFile lists the team's builders (--builders).
	BuildersFile string
	// Progress is BuildKit's display mode (default DefaultProgress).
	Progress string
	// Mode is Progress, once Validate has checked it.
	Mode progress.Mode
	// TLS authenticates to a tcp:// builder, as buildctl's flags do.
	TLS build.TLS
}

// AddFlags adds --builder and --progress to cmd.
func (o *BuilderOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVar(&o.Addrs, "builder", nil, "BuildKit address, e.g. unix:///run/buildkit/buildkitd.sock, tcp://host:1234 or kube-pod://buildkitd-0 (repeatable: a pool; default: a local buildkitd)")
	env(fs, "builder", "HOIST_BUILDER", "BUILDKIT_HOST")
	fs.StringVar(&o.BuildersFile, "builders", "", "builders file: a pool of named builders, each with its address, TLS and native platforms")
	env(fs, "builders", "HOIST_BUILDERS")
	fs.StringVar(&o.Progress, "progress", DefaultProgress, "progress display: auto, tty, plain, rawjson or quiet")
	env(fs, "progress", "HOIST_PROGRESS", "BUILDKIT_PROGRESS")
	fs.StringVar(&o.TLS.CACert, "tlscacert", "", "CA certificate that verifies a tcp:// builder")
	env(fs, "tlscacert", "HOIST_TLSCACERT")
	fs.StringVar(&o.TLS.Cert, "tlscert", "", "client certificate for a tcp:// builder that asks for one (mutual TLS)")
	env(fs, "tlscert", "HOIST_TLSCERT")
	fs.StringVar(&o.TLS.Key, "tlskey", "", "client key for --tlscert")
	env(fs, "tlskey", "HOIST_TLSKEY")
	fs.StringVar(&o.TLS.ServerName, "tlsservername", "", "name the builder's certificate must carry (default: the address's host)")
	env(fs, "tlsservername", "HOIST_TLSSERVERNAME")
	fs.StringVar(&o.TLS.Dir, "tlsdir", "", "folder with ca.pem, cert.pem and key.pem, in place of the three flags")
	env(fs, "tlsdir", "HOIST_TLSDIR")
}

// Validate checks the progress mode.
func (o *BuilderOptions) Validate() error {
	m, err := progress.ParseMode(o.Progress)
	if err != nil {
		return errs.Input("--progress %s: want auto, tty, plain, rawjson or quiet", o.Progress)
	}
	o.Mode = m
	return nil
}

// Builders returns the builders to connect to: the builders file's, then
// each --builder with the TLS flags.
func (o *BuilderOptions) Builders() ([]build.Options, error) {
	var out []build.Options
	if o.BuildersFile != "" {
		bs, err := build.LoadBuilders(o.BuildersFile)
		if err != nil {
			return nil, err
		}
		out = bs
	}
	for _, a := range o.Addrs {
		out = append(out, build.Options{Addr: a, TLS: o.TLS})
	}
	if len(out) == 0 && o.TLS.Set() {
		out = append(out, build.Options{TLS: o.TLS}) // Connect says an address is needed
	}
	return out, nil
}
