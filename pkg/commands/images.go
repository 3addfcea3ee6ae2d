package commands

import (
	"context"
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
	"github.com/hoist-build/hoist/pkg/pipeline"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/runner"
)

func newImagesCmd() *cobra.Command {
	var regs, files, filters, columns []string
	var output, digest string
	var ro RegistriesOptions
	var co ConcurrencyOptions
	cmd := &cobra.Command{
		Use:   "images [REPO...]",
		Short: "List images across all configured registries: where each is stored, and which commit made it",
		Example: `  hoist images
  hoist images quickstart/app -o wide
  hoist images --registry prod -o json
  hoist images -f codefresh.yml --filter qa=passed --column qa
  hoist images --digest sha256:3e6fb9855fc4...`,
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
			filter, ok := images.ParseFilters(filters)
			if !ok {
				return errs.Input("--filter %s: want KEY=VALUE", strings.Join(filters, ", "))
			}
			if digest != "" && (!strings.HasPrefix(digest, "sha256:") || len(digest) != len("sha256:")+64) {
				return errs.Input("--digest %s: not a sha256 digest", digest)
			}
			known, err := pipelineImages(cmd.Context(), cfg, files)
			if err != nil {
				return err
			}
			l, err := images.List(cmd.Context(), registries.NewAccount(cfg, ""), images.Options{Repos: args, Registries: regs, Images: known, Digest: digest, Filters: filter, Concurrency: co.Limit})
			if l != nil {
				for _, w := range l.Warnings {
					fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: %s\n", w)
				}
			}
			if err != nil {
				return err
			}
			return printImages(cmd.OutOrStdout(), l.Images, output, columns...)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&regs, "registry", nil, "list only this registry integration (repeatable)")
	env(fs, "registry", "HOIST_IMAGES_REGISTRY")
	retired(fs, "registry", "HOIST_REGISTRY")
	fs.StringArrayVarP(&files, "file", "f", nil, "pipeline whose build and push steps' images to look for (repeatable)")
	env(fs, "file", "HOIST_IMAGES_PIPELINE")
	fs.StringArrayVar(&filters, "filter", nil, "show only images whose metadata (else labels) hold KEY=VALUE (repeatable)")
	envPairs(fs, "filter")
	env(fs, "filter", "HOIST_IMAGES_FILTER")
	fs.StringArrayVar(&columns, "column", nil, "add a column with this metadata key (repeatable)")
	env(fs, "column", "HOIST_IMAGES_COLUMN")
	fs.StringVar(&digest, "digest", "", "show only the image with this digest, in every registry")
	env(fs, "digest", "HOIST_IMAGES_DIGEST")
	fs.StringVarP(&output, "output", "o", "table", "output: table, wide or json")
	env(fs, "output", "HOIST_IMAGES_OUTPUT")
	retired(fs, "output", "HOIST_OUTPUT")
	ro.AddFlags(cmd)
	co.AddFlags(cmd)
	cmd.AddCommand(newImagesInspectCmd(), newImagesServeCmd())
	return cmd
}

// pipelineImages returns the images the pipeline files' build and push
// steps write, after variables.
func pipelineImages(ctx context.Context, cfg *registries.Config, files []string) ([]string, error) {
	var out []string
	for _, f := range files {
		p, err := pipeline.LoadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, runner.Images(ctx, p, runner.Options{Registries: cfg, Env: runner.Environ()})...)
	}
	return out, nil
}

func printImages(w io.Writer, list []*images.Image, output string, columns ...string) error {
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
	head := "REPOSITORY\tTAGS\tDIGEST\tREGISTRY\tCREATED\tSIZE\tREVISION\tBRANCH"
	for _, c := range columns {
		head += "\t" + strings.ToUpper(c)
	}
	fmt.Fprintln(tw, head)
	for _, im := range list {
		digest, revision := im.ShortDigest(), im.Revision()
		if output == "wide" {
			digest = im.Digest
		} else if len(revision) > 7 {
			revision = revision[:7]
		}
		tags := im.Tags()
		sort.Strings(tags)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", im.Name, orDash(strings.Join(tags, ",")), digest,
			strings.Join(im.Registries(), ","), created(im.Created), size(im.Size), orDash(revision), orDash(im.Branch()))
		for _, c := range columns {
			fmt.Fprintf(tw, "\t%s", orDash(im.Metadata[c]))
		}
		fmt.Fprintln(tw)
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
