package commands

import (
	"github.com/spf13/cobra"
)

func newRunCmd() *cobra.Command {
	o := newRunOptions()
	o.codefresh = &CodefreshRunOptions{}
	var file PipelineFileOptions
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the build steps of a codefresh.yml pipeline",
		Example: `  hoist run -f codefresh.yml --registries registries.yaml
  hoist run --dry-run --var CF_BRANCH=main
  hoist run -b main --sha 52b992e --var-file vars.yml -v TAG=1.2 --skip deploy --no-cache`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.runFile(cmd, file.File, dryRun)
		},
	}
	file.AddFlags(cmd)
	o.addFlags(cmd)
	o.codefresh.AddFlags(cmd)
	o.builder.AddFlags(cmd)
	o.retry.AddFlags(cmd)
	addDryRunFlag(cmd, &dryRun)
	acceptCodefreshNames(cmd)
	return cmd
}

func newExplainCmd() *cobra.Command {
	o := newRunOptions()
	o.codefresh = &CodefreshRunOptions{}
	var file PipelineFileOptions
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Print what hoist run would do: every step, its push decision and the rule that made it, and the references",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.runFile(cmd, file.File, true)
		},
	}
	file.AddFlags(cmd)
	o.addFlags(cmd) // no --builder or --progress: explain never builds
	o.codefresh.AddFlags(cmd)
	acceptCodefreshNames(cmd)
	return cmd
}

// runFile loads the pipeline file and runs it, or plans it on a dry run.
func (o *runOptions) runFile(cmd *cobra.Command, file string, dryRun bool) error {
	if err := o.validate(); err != nil {
		return err
	}
	opts, err := o.options(cmd.Context())
	if err != nil {
		return err
	}
	p, err := loadPipeline(cmd.Context(), file)
	if err != nil {
		return err
	}
	warnFields(cmd.ErrOrStderr(), p)
	return o.execute(cmd, p, opts, dryRun)
}
