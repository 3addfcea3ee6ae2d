package commands

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
)

func newAnnotateCmd() *cobra.Command {
	var o copyOptions
	cmd := &cobra.Command{
		Use:   "annotate REF KEY=VALUE...",
		Short: "Set metadata on an image after its build, in its registry, without changing its digest",
		Long: `Annotate writes an OCI artifact that refers to the image (its subject)
and holds the keys as annotations, through the referrers API or, on
registries without it, the sha256-<hex> tag fallback. The image, its digest
and its tags stay as they are; hoist images shows the keys, and promote
carries them along.`,
		Example: `  hoist annotate 127.0.0.1:5000/demo/app:1.4 qa=passed
  hoist annotate staging.example.com/app@sha256:... ticket=REL-12 approved-by=ops`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kv := map[string]string{}
			for _, a := range args[1:] {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return errs.Input("%s: want KEY=VALUE", a)
				}
				kv[k] = v
			}
			if err := o.validate(); err != nil {
				return err
			}
			acct, err := o.account(cmd.Context())
			if err != nil {
				return err
			}
			ref, err := parseSource(args[0])
			if err != nil {
				return err
			}
			src, err := openImage(cmd.Context(), acct, ref, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			t, err := distribute.TargetIn(acct, ref.Context(), nil)
			if err != nil {
				return err
			}
			subject, err := src.Descriptor()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "annotating %s (%s): %s\n", ref, src.Digest, strings.Join(slices.Sorted(maps.Keys(kv)), ", "))
			var rec distribute.Recorder
			results, err := distribute.Annotate(cmd.Context(), distribute.Recording(distribute.Registries(), &rec, nil), subject, kv, []distribute.Target{t})
			for _, r := range results {
				fmt.Fprintln(cmd.OutOrStdout(), r)
			}
			if o.metadata.File != "" && len(rec.Records()) > 0 {
				if werr := distribute.WriteMetadata(o.metadata.File, rec.Records()[0]); werr != nil && err == nil {
					err = werr
				}
			}
			return err
		},
	}
	o.addFlags(cmd)
	return cmd
}
