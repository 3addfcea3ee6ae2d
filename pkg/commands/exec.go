package commands

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/gitinfo"
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/progress"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/runner"
)

// runOptions are the flags of the commands that run a pipeline's steps:
// run, explain and build.
type runOptions struct {
	registries RegistriesOptions
	builder    BuilderOptions
	retry      RetryOptions
	autoPush   AutoPushOptions
	vars       VarOptions
	metadata   MetadataOptions
	// codefresh holds codefresh run's flags, on run and explain only.
	codefresh *CodefreshRunOptions
	// single is set by hoist build: one build step, reported as buildx
	// reports a build (--iidfile, --quiet, buildx's metadata keys).
	single *singleBuild
}

// newRunOptions returns the options with their defaults, the builder's
// and the retries' too: explain has neither flags.
func newRunOptions() *runOptions {
	return &runOptions{builder: BuilderOptions{Progress: DefaultProgress}, retry: newRetryOptions()}
}

// addFlags adds every flag but the builder's and the retries' to cmd: a
// command that builds adds those itself.
func (o *runOptions) addFlags(cmd *cobra.Command) {
	o.registries.AddFlags(cmd)
	o.autoPush.AddFlags(cmd)
	o.vars.AddFlags(cmd)
	o.metadata.AddFlags(cmd)
}

// validate checks the options, the progress mode first.
func (o *runOptions) validate() error {
	for _, v := range []interface{ Validate() error }{&o.builder, &o.retry, &o.autoPush, &o.vars, &o.registries, &o.metadata} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if o.codefresh != nil {
		return o.codefresh.Validate()
	}
	return nil
}

// options gathers the run options the flags give; validate comes first.
func (o *runOptions) options(ctx context.Context) (runner.Options, error) {
	vars, masked, err := o.vars.Map()
	if err != nil {
		return runner.Options{}, err
	}
	regs, err := o.registries.Load(ctx)
	if err != nil {
		return runner.Options{}, err
	}
	opts := runner.Options{
		Vars:       vars,
		Masked:     masked,
		Env:        runner.Environ(),
		Pipeline:   o.autoPush.Policy(),
		Registries: regs,
	}
	if o.codefresh != nil {
		if err := o.codefresh.apply(&opts); err != nil {
			return runner.Options{}, err
		}
	}
	return opts, nil
}

// addDryRunFlag adds --dry-run, the same on every command that has it.
func addDryRunFlag(cmd *cobra.Command, dryRun *bool) {
	fs := cmd.Flags()
	fs.BoolVar(dryRun, "dry-run", false, "print the plan (steps, references, push decisions) without building or pushing")
	env(fs, "dry-run", "HOIST_DRY_RUN")
}

// execute runs p: connects to BuildKit (unless dryRun), runs the steps and
// prints each step's outcome on stdout. A run that builds holds the local
// store while it runs, and prunes it afterwards to $HOIST_STORE_KEEP
// images when it holds more.
func (o *runOptions) execute(cmd *cobra.Command, p *pipeline.Pipeline, opts runner.Options, dryRun bool) error {
	store := localStore()
	if dryRun || store == "" || !p.Has(pipeline.TypeBuild) {
		return o.run(cmd, p, opts, dryRun, store)
	}
	keep, err := storeKeep()
	if err != nil {
		return err
	}
	release, err := build.HoldStore(cmd.Context(), store)
	if err != nil {
		return err
	}
	err = o.run(cmd, p, opts, dryRun, store)
	release()
	if cmd.Context().Err() == nil {
		if _, perr := build.AutoPrune(cmd.Context(), store, keep); perr != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: pruning the local store: %v\n", perr)
		}
	}
	return err
}

// run is execute without the local store's hold and pruning.
func (o *runOptions) run(cmd *cobra.Command, p *pipeline.Pipeline, opts runner.Options, dryRun bool, store string) error {
	acct := registries.NewAccount(opts.Registries, "")
	acct.Network = o.retry.Network()
	masked := make([]string, 0, len(opts.Masked))
	for _, k := range opts.Masked {
		masked = append(masked, opts.Vars[k])
	}
	ex := runner.Exec{
		Account:    acct,
		DryRun:     dryRun,
		Log:        masking(cmd.ErrOrStderr(), masked),
		Out:        masking(cmd.OutOrStdout(), masked),
		LocalStore: store,
	}
	if dryRun {
		if builders, err := o.builder.Builders(); err == nil {
			for _, b := range builders {
				ex.Pool = append(ex.Pool, cmp.Or(b.Name, b.Addr))
			}
		}
	}
	if !dryRun {
		// One progress display for the whole run; closed before the
		// command's last line is printed.
		printer, err := progress.NewPrinter(cmd.Context(), cmd.ErrOrStderr(), o.builder.Mode)
		if err != nil {
			return err
		}
		defer closeDisplay(cmd.Context(), printer)
		ex.Progress = printer.Step()
	}
	if !dryRun && p.Has(pipeline.TypeBuild) {
		info := gitinfo.Read(cmd.Context(), p.Dir)
		opts.Git = &info
		if err := runner.Check(cmd.Context(), p, opts); err != nil {
			return err
		}
		builders, err := o.builder.Builders()
		if err != nil {
			return err
		}
		if len(builders) == 0 {
			builders = []build.Options{{}} // hoist's own buildkitd
		}
		for i := range builders {
			builders[i].Registries = opts.Registries
		}
		b, err := build.ConnectPool(cmd.Context(), builders, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		defer b.Close()
		ex.Builder = b
	}
	if o.single != nil && o.single.quiet {
		ex.Out = io.Discard
	} else if o.single != nil && opts.OutputStdout != nil {
		ex.Out = masking(cmd.ErrOrStderr(), masked) // stdout carries the --output tar
	}
	results, err := runner.Run(cmd.Context(), p, opts, ex)
	records := runner.Records(results, dryRun)
	if o.metadata.File != "" && (err == nil || len(results) > 0) {
		if werr := o.writeMetadata(records); werr != nil && err == nil {
			err = werr
		}
	}
	if o.single != nil && err == nil && !dryRun {
		if werr := o.single.report(cmd.OutOrStdout(), records); werr != nil {
			err = werr
		}
	}
	if !dryRun {
		if werr := writeCIOutputs(opts.Env, records); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// displayGrace is how long, once the command is cancelled, hoist waits for
// the progress display to show what it still holds.
const displayGrace = 3 * time.Second

// closeDisplay closes the progress display. Once ctx is done it waits
// displayGrace at most: a build that never lets go of its part of the
// display must not keep hoist from exiting after a signal.
func closeDisplay(ctx context.Context, p *progress.Printer) {
	done := make(chan struct{})
	go func() {
		p.Close()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	select {
	case <-done:
	case <-time.After(displayGrace):
	}
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
