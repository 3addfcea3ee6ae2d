package commands

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

func newValidateCmd() *cobra.Command {
	var o PipelineFileOptions
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a pipeline file without a builder or registries, and print every problem, one line each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			file := o.File
			p, err := loadPipeline(cmd.Context(), file)
			if err == nil {
				warnFields(cmd.ErrOrStderr(), p)
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", file)
				return nil
			}
			// A file that could not be read (missing, not a regular file,
			// too large) is one line, not a list of problems.
			var located *errs.InputError
			if !errors.Is(err, errs.ErrInput) || errors.As(err, &located) && located.File == "" {
				return err
			}
			problems := pipeline.Problems(err)
			for _, p := range problems {
				fmt.Fprintf(cmd.ErrOrStderr(), "%v\n", p)
			}
			return errs.Input("%s: %d problem(s)", file, len(problems))
		},
	}
	o.AddFlags(cmd)
	return cmd
}
