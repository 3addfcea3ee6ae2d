package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/pipeline"
)

func newRunCmd(g *globals) *cobra.Command {
	var file string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the build steps of a codefresh.yml pipeline",
		Example: `  hoist run -f codefresh.yml --registries registries.yaml
  hoist run --dry-run --var CF_BRANCH=main`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runFile(cmd, file, dryRun)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "codefresh.yml", "pipeline file")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan (steps, references, push decisions) without building or pushing")
	return cmd
}

func newExplainCmd(g *globals) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Print what hoist run would do: every step, its push decision and the rule that made it, and the references",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runFile(cmd, file, true)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "codefresh.yml", "pipeline file")
	return cmd
}

// runFile loads the pipeline file and runs it, or plans it on a dry run.
func (g *globals) runFile(cmd *cobra.Command, file string, dryRun bool) error {
	opts, err := g.options()
	if err != nil {
		return err
	}
	p, err := pipeline.LoadFile(file)
	if err != nil {
		return err
	}
	return g.execute(cmd, p, opts, dryRun)
}
