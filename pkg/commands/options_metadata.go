package commands

import "github.com/spf13/cobra"

// MetadataOptions names the file that records what a command did, for the
// commands that build or copy images: run, explain (the plan), build,
// push, tag and promote.
type MetadataOptions struct {
	// File is where the JSON goes; empty writes none.
	File string
}

// AddFlags adds --metadata-file to cmd.
func (o *MetadataOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&o.File, "metadata-file", "", "write JSON about every step or target (references, digest, labels, status) to this file")
	env(fs, "metadata-file", "HOIST_METADATA_FILE")
}

// Validate checks nothing: any path will do until it is written.
func (o *MetadataOptions) Validate() error { return nil }
