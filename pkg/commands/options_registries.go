package commands

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/registries"
)

// RegistriesOptions names the account's registry integrations file. Every
// command that reaches a registry takes it.
type RegistriesOptions struct {
	// File is the registries file; empty means the default path.
	File string
}

// AddFlags adds --registries to cmd.
func (o *RegistriesOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&o.File, "registries", "", "registry integrations file (default ~/.config/hoist/registries.yaml)")
	env(fs, "registries", "HOIST_REGISTRIES")
}

// Validate checks nothing: Load reports a missing or broken file with its
// line.
func (o *RegistriesOptions) Validate() error { return nil }

// Load reads the registries file, or the default file when it exists. No
// file at the default path means no registries. It returns once ctx is
// done, even when the file never ends.
func (o *RegistriesOptions) Load(ctx context.Context) (*registries.Config, error) {
	path := o.File
	if path == "" {
		path = registries.DefaultPath()
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	return loadRegistries(ctx, path)
}

// Account loads the registries: the integrations, a client for each and
// the credentials.
func (o *RegistriesOptions) Account(ctx context.Context) (*registries.Account, error) {
	cfg, err := o.Load(ctx)
	if err != nil {
		return nil, err
	}
	return registries.NewAccount(cfg, ""), nil
}
