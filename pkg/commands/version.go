package commands

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hoist's version and the BuildKit client it was built with",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			version, buildkit := "devel", "unknown"
			if info, ok := debug.ReadBuildInfo(); ok {
				if info.Main.Version != "" {
					version = info.Main.Version
				}
				for _, d := range info.Deps {
					if d.Path == "github.com/moby/buildkit" {
						buildkit = d.Version
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "hoist %s (buildkit client %s)\n", version, buildkit)
		},
	}
}
