package commands

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/version"
)

func newVersionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print hoist's version, commit, build date, Go version and BuildKit client version",
		Example: `  hoist version
  hoist version -o json
  hoist --version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version.Get()
			switch output {
			case "", "text":
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "hoist %s\n", v.Version)
				fmt.Fprintf(w, "  commit:          %s\n", v.Commit)
				fmt.Fprintf(w, "  built:           %s\n", v.Date)
				fmt.Fprintf(w, "  go:              %s\n", v.Go)
				fmt.Fprintf(w, "  buildkit client: %s\n", v.BuildKit)
				fmt.Fprintf(w, "  platform:        %s\n", v.Platform)
				return nil
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			return errs.Input("-o %s: want text or json", output)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	env(fs, "output", "HOIST_VERSION_OUTPUT")
	return cmd
}

// setVersion gives the root command --version, printing one line.
func setVersion(root *cobra.Command) {
	root.Version = version.Get().String()
	root.SetVersionTemplate("hoist {{.Version}}\n")
}
