package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/policy"
)

// AutoPushOptions are the pipeline's auto-push setting (rule 3 of the
// auto-push policy), for the commands that run build steps: run, explain
// and build.
type AutoPushOptions struct {
	// Registry is where build steps that name no registry go.
	Registry string
	// NoPush pushes no build step that names no registry.
	NoPush bool
}

// AddFlags adds --auto-push-registry and --no-auto-push to cmd.
func (o *AutoPushOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&o.Registry, "auto-push-registry", "", "push every build step without its own registry here (the pipeline's auto-push registry)")
	env(fs, "auto-push-registry", "HOIST_AUTO_PUSH_REGISTRY")
	fs.BoolVar(&o.NoPush, "no-auto-push", false, "push no build step that names no registry")
	env(fs, "no-auto-push", "HOIST_NO_AUTO_PUSH")
}

// Validate checks that at most one of the two is set.
func (o *AutoPushOptions) Validate() error {
	if o.Registry != "" && o.NoPush {
		return errs.Input("--auto-push-registry and --no-auto-push exclude each other")
	}
	return nil
}

// Policy is the pipeline's part of the auto-push policy.
func (o *AutoPushOptions) Policy() policy.Pipeline {
	return policy.Pipeline{Registry: o.Registry, NoPush: o.NoPush}
}
