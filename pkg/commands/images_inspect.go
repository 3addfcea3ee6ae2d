package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
	"github.com/hoist-build/hoist/pkg/images"
	"github.com/hoist-build/hoist/pkg/registries"
	"github.com/hoist-build/hoist/pkg/trace"
)

func newImagesInspectCmd() *cobra.Command {
	var output string
	var ro RegistriesOptions
	var co ConcurrencyOptions
	cmd := &cobra.Command{
		Use:   "inspect REF",
		Short: "Show where one image is stored, in every registry, and which commit made it",
		Example: `  hoist images inspect quickstart/app:main
  hoist images inspect sha256:3e6fb9855fc4...
  hoist images inspect 127.0.0.1:5000/demo/quickstart/app:latest -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return errs.Input("-o %s: want text or json", output)
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
			im, warns, err := images.Inspect(cmd.Context(), registries.NewAccount(cfg, ""), args[0], co.Limit)
			for _, w := range warns {
				fmt.Fprintf(cmd.ErrOrStderr(), "hoist: warning: %s\n", w)
			}
			if err != nil {
				return err
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(im)
			}
			printInspect(cmd.OutOrStdout(), im)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&output, "output", "o", "text", "output: text or json")
	env(fs, "output", "HOIST_IMAGES_INSPECT_OUTPUT")
	retired(fs, "output", "HOIST_OUTPUT")
	ro.AddFlags(cmd)
	co.AddFlags(cmd)
	return cmd
}

func printInspect(w io.Writer, im *images.Image) {
	fmt.Fprintf(w, "image:      %s\n", im.Name)
	fmt.Fprintf(w, "digest:     %s\n", im.Digest)
	fmt.Fprintf(w, "platforms:  %s\n", orDash(strings.Join(im.Platforms, ", ")))
	fmt.Fprintf(w, "created:    %s\n", created(im.Created))
	fmt.Fprintf(w, "size:       %s\n", size(im.Size))
	fmt.Fprintln(w, "stored in:")
	for _, l := range im.Locations {
		fmt.Fprintf(w, "  %-12s %s  tags: %s\n", l.Registry, l.Repository, orDash(strings.Join(l.Tags, ", ")))
	}
	for _, l := range im.Locations {
		if !l.MetadataSet.IsZero() {
			fmt.Fprintf(w, "  %-12s metadata last set %s\n", l.Registry, l.MetadataSet.UTC().Format("2006-01-02 15:04:05"))
		}
	}
	if len(im.Metadata) > 0 {
		fmt.Fprintln(w, "metadata:")
		for _, k := range slices.Sorted(maps.Keys(im.Metadata)) {
			var in []string
			for _, l := range im.Locations {
				if v, ok := l.Metadata[k]; ok && v == im.Metadata[k] {
					in = append(in, l.Registry)
				}
			}
			fmt.Fprintf(w, "  %s=%s  (in %s)\n", k, im.Metadata[k], strings.Join(slices.Compact(in), ", "))
		}
	}
	for _, kv := range [][2]string{
		{"revision", trace.Revision}, {"branch", trace.Branch},
		{"pipeline", trace.Pipeline}, {"build id", trace.BuildID},
		{"source", trace.Source}, {"version", trace.Version},
	} {
		fmt.Fprintf(w, "%-11s %s\n", kv[0]+":", orDash(im.Meta(kv[1])))
	}
	if len(im.Labels) > 0 {
		fmt.Fprintln(w, "labels:")
		keys := make([]string, 0, len(im.Labels))
		for k := range im.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s=%s\n", k, im.Labels[k])
		}
	}
}
