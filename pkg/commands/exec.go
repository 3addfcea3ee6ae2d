package commands

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/policy"
	"github.com/hoist-build/hoist/pkg/progress"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/runner"
)

// loadRegistries reads --registries, or the default file when it exists.
// No file at the default path means no registries.
func (g *globals) loadRegistries() (*registries.Config, error) {
	path := g.registries
	if path == "" {
		path = registries.DefaultPath()
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	return registries.LoadFile(path)
}

// options gathers the run options the shared flags give.
func (g *globals) options() (runner.Options, error) {
	switch g.progress {
	case "auto", "tty", "plain", "rawjson", "quiet":
	default:
		return runner.Options{}, errs.Input("--progress %s: want auto, tty, plain, rawjson or quiet", g.progress)
	}
	if g.autoPush != "" && g.noAutoPush {
		return runner.Options{}, errs.Input("--auto-push-registry and --no-auto-push exclude each other")
	}
	vars := map[string]string{}
	for _, kv := range g.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return runner.Options{}, errs.Input("--var %q: want KEY=VALUE", kv)
		}
		vars[k] = v
	}
	regs, err := g.loadRegistries()
	if err != nil {
		return runner.Options{}, err
	}
	return runner.Options{
		Vars:       vars,
		Env:        runner.Environ(),
		Pipeline:   policy.Pipeline{Registry: g.autoPush, NoPush: g.noAutoPush},
		Registries: regs,
	}, nil
}

// execute runs p: connects to BuildKit (unless dryRun), runs the steps and
// prints each step's outcome on stdout.
func (g *globals) execute(cmd *cobra.Command, p *pipeline.Pipeline, opts runner.Options, dryRun bool) error {
	ex := runner.Exec{
		Account:    registries.NewAccount(opts.Registries, ""),
		DryRun:     dryRun,
		Log:        cmd.ErrOrStderr(),
		Out:        cmd.OutOrStdout(),
		LocalStore: localStore(),
	}
	if !dryRun {
		// One progress display for the whole run; closed before the
		// command's last line is printed.
		mode, err := progress.ParseMode(g.progress)
		if err != nil {
			return errs.Input("--progress %s: want auto, tty, plain, rawjson or quiet", g.progress)
		}
		printer, err := progress.NewPrinter(cmd.Context(), cmd.ErrOrStderr(), mode)
		if err != nil {
			return err
		}
		defer printer.Close()
		ex.Progress = printer.Step()
	}
	if !dryRun && p.Has(pipeline.TypeBuild) {
		b, err := build.Connect(cmd.Context(), build.Options{Addr: g.builder, Registries: opts.Registries, Log: cmd.ErrOrStderr()})
		if err != nil {
			return err
		}
		defer b.Close()
		ex.Builder = b
	}
	results, err := runner.Run(cmd.Context(), p, opts, ex)
	if g.metadataFile != "" && (err == nil || len(results) > 0) {
		if werr := runner.WriteMetadata(g.metadataFile, runner.Records(results, dryRun)); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// localStore is the OCI layout folder that builds with no push are also
// written to ($HOIST_STORE, else hoist's cache folder).
func localStore() string {
	if d := os.Getenv("HOIST_STORE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "hoist", "store")
	}
	return ""
}
