package commands

import "github.com/spf13/cobra"

// PipelineFileOptions names the codefresh.yml of run, explain and
// validate.
type PipelineFileOptions struct {
	// File is the pipeline file's path.
	File string
}

// AddFlags adds -f/--file to cmd. It reads $HOIST_PIPELINE, not
// $HOIST_FILE: hoist build's -f is a Dockerfile.
func (o *PipelineFileOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&o.File, "file", "f", "codefresh.yml", "pipeline file")
	env(fs, "file", "HOIST_PIPELINE")
	retired(fs, "file", "HOIST_FILE")
}

// Validate checks nothing: loading the file reports what is wrong with it.
func (o *PipelineFileOptions) Validate() error { return nil }
