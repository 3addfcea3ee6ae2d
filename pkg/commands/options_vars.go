package commands

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
)

// VarOptions are the pipeline variables given on the command line, for
// the commands that plan build steps: run, explain and build.
type VarOptions struct {
	// Vars are KEY=VALUE pairs, later ones winning.
	Vars []string
}

// AddFlags adds --var to cmd.
func (o *VarOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVar(&o.Vars, "var", nil, "set a pipeline variable, KEY=VALUE (repeatable)")
	env(fs, "var", "HOIST_VAR")
}

// Validate checks that every variable is KEY=VALUE.
func (o *VarOptions) Validate() error {
	_, err := o.Map()
	return err
}

// Map returns the variables by name, never nil.
func (o *VarOptions) Map() (map[string]string, error) {
	vars := map[string]string{}
	for _, kv := range o.Vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, errs.Input("--var %q: want KEY=VALUE", kv)
		}
		vars[k] = v
	}
	return vars, nil
}
