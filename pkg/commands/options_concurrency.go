package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// ConcurrencyOptions bound the work a command does at once across many
// registries: registries check, images and images inspect.
type ConcurrencyOptions struct {
	// Limit is how many registries (check) or registry requests (images)
	// are in flight at once; registries.DefaultConcurrency by default.
	Limit int
}

// AddFlags adds --concurrency to cmd.
func (o *ConcurrencyOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.IntVar(&o.Limit, "concurrency", registries.DefaultConcurrency, "registry requests in flight at once, at most")
	env(fs, "concurrency", "HOIST_CONCURRENCY")
}

// Validate checks that the limit is at least 1.
func (o *ConcurrencyOptions) Validate() error {
	if o.Limit < 1 {
		return errs.Input("--concurrency %d: want 1 or more", o.Limit)
	}
	return nil
}
