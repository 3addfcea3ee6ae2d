package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/images"
	"github.com/hoist-build/hoist/pkg/registries"
)

func newImagesCmd() *cobra.Command {
	var regs []string
	var output string
	var ro RegistriesOptions
	var co ConcurrencyOptions
	cmd := &cobra.Command{
		Use:   "images [REPO...]",
		Short: "List images across all configured registries: where each is stored, and which commit made it",
		Example: `  hoist images
  hoist images quickstart/app -o wide
  hoist images --registry prod -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "wide" && output != "json" {
				return errs.Input("-o %s: want table, wide or json", output)
			}
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
			l, err := images.List(cmd.Context(), registries.NewAccount(cfg, ""), images.Options{Repos: args, Registries: regs, Concurrency: co.Limit})
			if l != nil {
				for _, w := range l.Warnings {
					fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: %s\n", w)
				}
			}
			if err != nil {
				return err
			}
			return printImages(cmd.OutOrStdout(), l.Images, output)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&regs, "registry", nil, "list only this registry integration (repeatable)")
	env(fs, "registry", "HOIST_IMAGES_REGISTRY")
	retired(fs, "registry", "HOIST_REGISTRY")
	fs.StringVarP(&output, "output", "o", "table", "output: table, wide or json")
	env(fs, "output", "HOIST_IMAGES_OUTPUT")
	retired(fs, "output", "HOIST_OUTPUT")
	ro.AddFlags(cmd)
	co.AddFlags(cmd)
	cmd.AddCommand(newImagesInspectCmd())
	return cmd
}

func printImages(w io.Writer, list []*images.Image, output string) error {
	if output == "json" {
		if list == nil {
			list = []*images.Image{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Images []*images.Image `json:"images"`
		}{list})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tTAGS\tDIGEST\tREGISTRY\tCREATED\tSIZE\tREVISION\tBRANCH")
	for _, im := range list {
		digest, revision := im.ShortDigest(), im.Revision()
		if output == "wide" {
			digest = im.Digest
		} else if len(revision) > 7 {
			revision = revision[:7]
		}
		tags := im.Tags()
		sort.Strings(tags)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", im.Name, orDash(strings.Join(tags, ",")), digest,
			strings.Join(im.Registries(), ","), created(im.Created), size(im.Size), orDash(revision), orDash(im.Branch()))
		if output == "wide" {
			for _, l := range im.Locations {
				fmt.Fprintf(tw, "  %s\t%s\t\t%s\t\t\t\t\n", l.Repository, orDash(strings.Join(l.Tags, ",")), l.Registry)
			}
		}
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func created(t time.Time) string {
	if t.IsZero() || t.Unix() == 0 {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func size(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, u := float64(n), 0
	for f >= unit && u < 3 {
		f /= unit
		u++
	}
	return fmt.Sprintf("%.1f %s", f, []string{"B", "kB", "MB", "GB"}[u])
}
