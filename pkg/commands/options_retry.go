package commands

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

// RetryOptions say how often hoist tries a registry request again and how
// long it may wait in between, for the commands that write to registries:
// run, build, push, tag and promote.
type RetryOptions struct {
	// Retries is how many times a transient failure (5xx, 429, a reset, a
	// stall) is tried again.
	Retries int
	// MaxWait caps each wait before a retry, a registry's Retry-After
	// included.
	MaxWait time.Duration
}

// stallLimit is how long a registry request may move no bytes before it
// is given up as a transient failure; tests shorten it.
var stallLimit = registries.DefaultStall

// newRetryOptions returns the defaults, for commands without the flags.
func newRetryOptions() RetryOptions {
	return RetryOptions{Retries: registries.DefaultRetries, MaxWait: registries.DefaultMaxWait}
}

// AddFlags adds --retries and --retry-max-wait to cmd.
func (o *RetryOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.IntVar(&o.Retries, "retries", registries.DefaultRetries, "times to retry a registry request that failed in a transient way (5xx, 429, reset, stall)")
	env(fs, "retries", "HOIST_RETRIES")
	fs.DurationVar(&o.MaxWait, "retry-max-wait", registries.DefaultMaxWait, "longest wait before a retry, a registry's Retry-After included")
	env(fs, "retry-max-wait", "HOIST_RETRY_MAX_WAIT")
}

// Validate checks that the retries are not negative and the wait positive.
func (o *RetryOptions) Validate() error {
	if o.Retries < 0 {
		return errs.Input("--retries %d: want 0 or more", o.Retries)
	}
	if o.MaxWait <= 0 {
		return errs.Input("--retry-max-wait %s: want a positive duration", o.MaxWait)
	}
	return nil
}

// Network is how the account's requests wait and retry.
func (o *RetryOptions) Network() registries.Network {
	return registries.Network{Retries: o.Retries, MaxWait: o.MaxWait, Stall: stallLimit}
}
