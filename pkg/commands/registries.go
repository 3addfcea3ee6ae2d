package commands

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/registries"
)

func newRegistriesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registries",
		Short: "Work with the account's registry integrations",
	}
	cmd.AddCommand(newRegistriesCheckCmd())
	return cmd
}

func newRegistriesCheckCmd() *cobra.Command {
	var ro RegistriesOptions
	var co ConcurrencyOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Log in to every registry integration and report, one line each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := co.Validate(); err != nil {
				return err
			}
			if err := ro.Validate(); err != nil {
				return err
			}
			cfg, err := ro.Load(cmd.Context())
			if err != nil {
				return err
			}
			if cfg == nil || len(cfg.Registries) == 0 {
				return errs.Input("no registries are configured: give --registries")
			}
			checks := registries.CheckAll(cmd.Context(), registries.NewAccount(cfg, "").Clients(), co.Limit)
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			failed := 0
			for _, c := range checks {
				fmt.Fprintln(tw, c)
				if c.Err != nil {
					failed++
				}
			}
			tw.Flush()
			if failed > 0 {
				return fmt.Errorf("%d of %d registries failed the check", failed, len(checks))
			}
			return nil
		},
	}
	ro.AddFlags(cmd)
	co.AddFlags(cmd)
	return cmd
}
