package commands

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
)

func newPromoteCmd() *cobra.Command {
	var to, tags []string
	var imageName string
	var o copyOptions
	cmd := &cobra.Command{
		Use:   "promote REF --to NAME",
		Short: "Copy the exact digest of an image (multi-platform indexes included) to other environments' registries",
		Example: `  hoist promote 127.0.0.1:5000/demo/app:1.4 --to prod
  hoist promote staging.example.com/app@sha256:... --to prod --to dr --tag stable`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(to) == 0 {
				return errs.Input("--to: required")
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
			if len(tags) == 0 {
				if t, ok := ref.(name.Tag); ok {
					tags = []string{t.TagStr()}
				}
			}
			targets, err := integrationTargets(acct, ref, "--to", to, imageName, tags)
			if err != nil {
				return err
			}
			src, err := openImage(cmd.Context(), acct, ref, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "promoting %s (%s)\n", ref, src.Digest)
			return o.publish(cmd.Context(), cmd.OutOrStdout(), src, targets)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&to, "to", nil, "registry integration to promote to (repeatable)")
	env(fs, "to", "HOIST_TO")
	fs.StringArrayVarP(&tags, "tag", "t", nil, "tag to write (repeatable; default: the source's tag)")
	env(fs, "tag", "HOIST_PROMOTE_TAG")
	retired(fs, "tag", "HOIST_TAG")
	fs.StringVar(&imageName, "image-name", "", "image name in the target registries (default: the source's)")
	env(fs, "image-name", "HOIST_PROMOTE_IMAGE_NAME")
	retired(fs, "image-name", "HOIST_IMAGE_NAME")
	o.addFlags(cmd)
	return cmd
}
