package commands

import (
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/pipeline"
)

// VarOptions are the pipeline variables given on the command line, for
// the commands that plan build steps: run, explain and build.
type VarOptions struct {
	// Vars are KEY=VALUE pairs, later ones winning.
	Vars []string
	// File is a variables file, as codefresh run's --var-file; Vars win
	// over its values.
	File string
	// read holds what Validate read, so the file is read once.
	read *varsRead
}

// varsRead are the variables Map returns, and the names masked.
type varsRead struct {
	vars   map[string]string
	masked []string
}

// AddFlags adds -v/--var and --var-file to cmd.
func (o *VarOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVarP(&o.Vars, "var", "v", nil, "set a pipeline variable, KEY=VALUE (repeatable; codefresh run's --variable too)")
	envPairs(fs, "var")
	env(fs, "var", "HOIST_VAR")
	fs.StringVar(&o.File, "var-file", "", "read pipeline variables from a YAML or JSON file, as codefresh run's --var-file (one set); --var wins over it")
	env(fs, "var-file", "HOIST_VAR_FILE")
}

// Validate checks that every variable is KEY=VALUE and that the variables
// file reads.
func (o *VarOptions) Validate() error {
	o.read = nil
	vars, masked, err := o.readMap()
	if err != nil {
		return err
	}
	o.read = &varsRead{vars, masked}
	return nil
}

// Map returns the variables by name, never nil: the variables file's,
// then --var's over them; and the names of the variables whose values
// hoist masks: those the file marks encrypted and --var does not set.
// After Validate, the file is not read again.
func (o *VarOptions) Map() (vars map[string]string, masked []string, err error) {
	if o.read != nil {
		return maps.Clone(o.read.vars), slices.Clone(o.read.masked), nil
	}
	return o.readMap()
}

// readMap reads the variables file and --var, as Map returns them.
func (o *VarOptions) readMap() (vars map[string]string, masked []string, err error) {
	vars = map[string]string{}
	if o.File != "" {
		fromFile, encrypted, err := pipeline.LoadVarFile(o.File)
		if err != nil {
			return nil, nil, err
		}
		for k, v := range fromFile {
			vars[k] = v
		}
		masked = encrypted
	}
	given := map[string]bool{}
	for _, kv := range o.Vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, errs.Input("--var %q: want KEY=VALUE", kv)
		}
		vars[k] = v
		given[k] = true
	}
	kept := masked[:0]
	for _, k := range masked {
		if !given[k] {
			kept = append(kept, k)
		}
	}
	return vars, kept, nil
}
