package commands

import (
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/errs"
)

func newPushCmd() *cobra.Command {
	var regs, tags []string
	var imageName string
	var o copyOptions
	cmd := &cobra.Command{
		Use:   "push SRC",
		Short: "Push one image, by digest, to registry integrations under new tags (the push step)",
		Example: `  hoist push 127.0.0.1:5000/demo/app:main --registry prod --registry mirror --tag 1.4 --tag latest
  hoist push ghcr.io/acme/app@sha256:... --registry ecr --image-name app --tag release`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			acct, err := o.account(cmd.Context())
			if err != nil {
				return err
			}
			if len(regs) == 0 {
				if acct.Config == nil || acct.Config.Default == "" {
					return errs.Input("--registry: required, as no default registry is configured")
				}
				regs = []string{acct.Config.Default}
			}
			if len(tags) == 0 {
				tags = []string{"latest"}
			}
			ref, err := parseSource(args[0])
			if err != nil {
				return err
			}
			targets, err := integrationTargets(acct, ref, "--registry", regs, imageName, tags)
			if err != nil {
				return err
			}
			src, err := openImage(cmd.Context(), acct, ref, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return o.publish(cmd.Context(), cmd.OutOrStdout(), src, targets)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&regs, "registry", nil, "registry integration to push to (repeatable; default: the account's default)")
	env(fs, "registry", "HOIST_PUSH_REGISTRY")
	retired(fs, "registry", "HOIST_REGISTRY")
	fs.StringArrayVarP(&tags, "tag", "t", nil, "tag to write (repeatable; default latest)")
	env(fs, "tag", "HOIST_PUSH_TAG")
	retired(fs, "tag", "HOIST_TAG")
	fs.StringVar(&imageName, "image-name", "", "image name in the target registries (default: the source's)")
	env(fs, "image-name", "HOIST_PUSH_IMAGE_NAME")
	retired(fs, "image-name", "HOIST_IMAGE_NAME")
	o.addFlags(cmd)
	return cmd
}
