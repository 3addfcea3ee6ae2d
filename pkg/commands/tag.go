package commands

import (
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/distribute"
	"github.com/hoist-build/hoist/pkg/errs"
)

func newTagCmd() *cobra.Command {
	var o copyOptions
	cmd := &cobra.Command{
		Use:     "tag SRC DST...",
		Short:   "Give one image, by digest, many names, in one or many registries",
		Example: `  hoist tag 127.0.0.1:5000/demo/app:main 127.0.0.1:5000/demo/app:1.4 127.0.0.1:5001/team/app:1.4`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			acct, err := o.account(cmd.Context())
			if err != nil {
				return err
			}
			var targets []distribute.Target
			byRepo := map[string]int{}
			for _, dst := range args[1:] {
				tag, err := name.NewTag(dst, name.StrictValidation)
				if err != nil {
					return errs.Input("%s: not a full image reference with a tag (host/repository:tag): %w", dst, err)
				}
				if err := distribute.CheckRepository(tag.Context()); err != nil {
					return errs.Input("%s: %w", dst, err)
				}
				if i, ok := byRepo[tag.Context().Name()]; ok {
					targets[i].Tags = append(targets[i].Tags, tag.TagStr())
					continue
				}
				t, err := distribute.TargetIn(acct, tag.Context(), []string{tag.TagStr()})
				if err != nil {
					return err
				}
				byRepo[tag.Context().Name()] = len(targets)
				targets = append(targets, t)
			}
			ref, err := parseSource(args[0])
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
	o.addFlags(cmd)
	return cmd
}
