package commands

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pkg/build"
	"github.com/hoist-build/hoist/pkg/errs"
)

// storeKeepEnv is how many images hoist's local store keeps, after every
// run that builds and for hoist store prune.
const storeKeepEnv = "HOIST_STORE_KEEP"

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Work with hoist's local image store (~/.cache/hoist/store, $HOIST_STORE)",
	}
	cmd.AddCommand(newStorePruneCmd())
	return cmd
}

func newStorePruneCmd() *cobra.Command {
	var keep int
	var all bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove all but the newest images from the local store, and every blob they do not use",
		Long: `Remove all but the newest images (those of the last builds) from hoist's local
store, then every blob no kept image uses. Runs that use the store at the
same time are waited for. After each run that builds, hoist does the same
when the store holds more than $` + storeKeepEnv + ` images.`,
		Example: `  hoist store prune
  hoist store prune --keep 5
  hoist store prune --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keep < 0 {
				return errs.Input("--keep %d: want 0 or more", keep)
			}
			if all {
				keep = 0
			}
			dir := localStore()
			if dir == "" {
				return errs.Input("no local store: set $HOIST_STORE")
			}
			res, err := build.PruneStore(cmd.Context(), dir, build.PruneOptions{Keep: keep, Wait: true, Waiting: func() {
				fmt.Fprintf(cmd.ErrOrStderr(), "hoist: waiting for the other runs that use %s\n", dir)
			}})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: removed %d images and %d blobs (%s); kept %d images\n", dir, res.Images, res.Blobs, size(res.Bytes), res.Kept)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&keep, "keep", build.DefaultStoreKeep, "how many of the newest images to keep")
	env(fs, "keep", storeKeepEnv)
	fs.BoolVar(&all, "all", false, "remove every image and blob (--keep 0)")
	env(fs, "all", "HOIST_STORE_PRUNE_ALL")
	return cmd
}

// storeKeep is how many images the local store keeps after a run:
// $HOIST_STORE_KEEP, else build.DefaultStoreKeep.
func storeKeep() (int, error) {
	v, ok := os.LookupEnv(storeKeepEnv)
	if !ok || v == "" {
		return build.DefaultStoreKeep, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errs.Input("$%s=%s: want a number of images, 0 or more", storeKeepEnv, v)
	}
	return n, nil
}
